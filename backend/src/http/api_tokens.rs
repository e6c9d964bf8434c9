use axum::extract::State;
use axum::http::StatusCode;
use shared::auth::{ApiToken, CreatedApiToken, NewApiToken};
use shared::{ApiTokenId, ErrorBody};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, Created};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_tokens, create_token)).routes(routes!(revoke_token))
}

/// The company's API tokens (admin); the secrets themselves are never listed.
#[utoipa::path(get, path = "/api/v1/api-tokens", tag = "api-tokens", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiToken>), (status = 403, body = ErrorBody)))]
async fn list_tokens(State(state): State<AppState>, caller: CurrentUser) -> AppResult<AppJson<Vec<ApiToken>>> {
    domain::api_tokens::list(&state, &caller).await.map(AppJson)
}

/// Create an API token (admin). The token is in this answer only.
#[utoipa::path(post, path = "/api/v1/api-tokens", tag = "api-tokens", request_body = NewApiToken, security(("bearer" = [])),
    responses((status = 201, body = CreatedApiToken), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewApiToken>,
) -> AppResult<Created<CreatedApiToken>> {
    domain::api_tokens::create(&state, &caller, new).await.map(Created)
}

/// Revoke an API token (admin).
#[utoipa::path(delete, path = "/api/v1/api-tokens/{id}", tag = "api-tokens", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ApiTokenId>,
) -> AppResult<StatusCode> {
    domain::api_tokens::revoke(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
