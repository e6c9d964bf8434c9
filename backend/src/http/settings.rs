use axum::extract::State;
use shared::ErrorBody;
use shared::settings::{ConnectionTest, Settings, SettingsPatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, update_settings)).routes(routes!(test_settings))
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

/// Test an integration with what is saved (admin): the lightest real call to the provider
/// (Typebot: its server answers; ChatGPT: the models list with the key; DialogFlow: an OAuth2 token
/// from the service account; Comtele: the account's credits). A failed call answers `ok: false`.
#[utoipa::path(post, path = "/api/v1/settings/{section}/test", tag = "settings", security(("bearer" = [])),
    params(("section" = String, Path, description = "typebot, chatgpt, dialogflow or comtele")),
    responses((status = 200, body = ConnectionTest), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn test_settings(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(section): AppPath<String>,
) -> AppResult<AppJson<ConnectionTest>> {
    domain::settings::test(&state, &caller, &section).await.map(AppJson)
}
