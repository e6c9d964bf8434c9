use axum::extract::State;
use shared::ErrorBody;
use shared::auth::{Me, UpdateMe};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_me, update_me))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "profile", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn get_me(State(state): State<AppState>, caller: CurrentUser) -> AppResult<AppJson<Me>> {
    domain::me::get(&state, &caller).await.map(AppJson)
}

/// Edit the own profile; a new e-mail or password needs `current_password`.
#[utoipa::path(patch, path = "/api/v1/me", tag = "profile", request_body = UpdateMe, security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_me(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(change): AppJson<UpdateMe>,
) -> AppResult<AppJson<Me>> {
    domain::me::update(&state, &caller, change).await.map(AppJson)
}
