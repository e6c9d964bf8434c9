use axum::extract::State;
use shared::ErrorBody;
use shared::org::{Company, CreatedCompany, NewCompany};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, Created};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_companies, create_company))
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
