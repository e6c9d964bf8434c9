use axum::extract::State;
use shared::CompanyId;
use shared::ErrorBody;
use shared::org::{Company, CreatedCompany, NewCompany, UpdateCompany};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, Created};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_companies, create_company)).routes(routes!(
        get_company,
        update_company,
        delete_company
    ))
}

/// Every tenant (platform admin).
#[utoipa::path(get, path = "/api/v1/companies", tag = "companies", security(("bearer" = [])),
    responses((status = 200, body = Vec<Company>), (status = 403, body = ErrorBody)))]
async fn list_companies(State(state): State<AppState>, caller: CurrentUser) -> AppResult<AppJson<Vec<Company>>> {
    domain::companies::list(&state, &caller).await.map(AppJson)
}

/// A new tenant with its first admin (platform admin).
#[utoipa::path(post, path = "/api/v1/companies", tag = "companies", request_body = NewCompany, security(("bearer" = [])),
    responses((status = 201, body = CreatedCompany), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_company(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewCompany>,
) -> AppResult<Created<CreatedCompany>> {
    domain::companies::create(&state, &caller, new).await.map(Created)
}

/// One tenant (platform admin).
#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "companies", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Company), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_company(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<CompanyId>,
) -> AppResult<AppJson<Company>> {
    domain::companies::get(&state, &caller, id).await.map(AppJson)
}

/// Rename, suspend (`suspended: true`: its users can no longer sign in or call the API) or restore a
/// tenant (platform admin; 409 `company_protected` for their own company).
#[utoipa::path(patch, path = "/api/v1/companies/{id}", tag = "companies", params(("id" = i64, Path)),
    request_body = UpdateCompany, security(("bearer" = [])),
    responses((status = 200, body = Company), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_company(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<CompanyId>,
    AppJson(change): AppJson<UpdateCompany>,
) -> AppResult<AppJson<Company>> {
    domain::companies::update(&state, &caller, id, change).await.map(AppJson)
}

/// Delete a tenant with all its data (platform admin; 409 `company_protected` for their own company).
#[utoipa::path(delete, path = "/api/v1/companies/{id}", tag = "companies", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn delete_company(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<CompanyId>,
) -> AppResult<axum::http::StatusCode> {
    domain::companies::delete(&state, &caller, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
