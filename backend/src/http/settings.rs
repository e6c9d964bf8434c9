use axum::extract::State;
use shared::ErrorBody;
use shared::settings::{Settings, SettingsPatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, update_settings))
}

/// The company's settings, by section (every signed-in user: the composer needs them).
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody)))]
async fn get_settings(State(state): State<AppState>, caller: CurrentUser) -> AppResult<AppJson<Settings>> {
    domain::settings::get(&state, &caller).await.map(AppJson)
}

/// Change settings (admin): each section given is merged field by field; a bad field changes nothing.
#[utoipa::path(patch, path = "/api/v1/settings", tag = "settings", request_body = SettingsPatch, security(("bearer" = [])),
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_settings(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(patch): AppJson<SettingsPatch>,
) -> AppResult<AppJson<Settings>> {
    domain::settings::update(&state, &caller, patch).await.map(AppJson)
}
