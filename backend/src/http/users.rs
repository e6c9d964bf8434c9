use axum::extract::State;
use axum::http::StatusCode;
use shared::org::{NewUser, UpdateUser, User};
use shared::{ErrorBody, Page, UserId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, Created, PageQuery};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_users, create_user)).routes(routes!(get_user, update_user, delete_user))
}

/// The company's users, by id.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<User>), (status = 401, body = ErrorBody)))]
async fn list_users(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<PageQuery>,
) -> AppResult<AppJson<Page<User>>> {
    domain::users::list(&state, &caller, query.request()?).await.map(AppJson)
}

/// Create a user (admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser, security(("bearer" = [])),
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewUser>,
) -> AppResult<Created<User>> {
    domain::users::create(&state, &caller, new).await.map(Created)
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = User), (status = 404, body = ErrorBody)))]
async fn get_user(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<UserId>,
) -> AppResult<AppJson<User>> {
    domain::users::get(&state, &caller, id).await.map(AppJson)
}

/// Change a user (admin). A new password ends that user's sessions.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UpdateUser,
    security(("bearer" = [])),
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_user(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<UserId>,
    AppJson(change): AppJson<UpdateUser>,
) -> AppResult<AppJson<User>> {
    domain::users::update(&state, &caller, id, change).await.map(AppJson)
}

/// Delete a user (admin); not yourself.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_user(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<UserId>,
) -> AppResult<StatusCode> {
    domain::users::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
