use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::ErrorBody;
use shared::auth::{LoginRequest, RefreshRequest, TokenPair};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppBytes, AppJson, ClientIp};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use shared::ErrorCode;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login)).routes(routes!(refresh)).routes(routes!(logout))
}

/// Sign in with e-mail and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = TokenPair),
        (status = 401, description = "wrong e-mail or password", body = ErrorBody),
        (status = 429, description = "too many attempts; see Retry-After", body = ErrorBody),
    ))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    AppJson(request): AppJson<LoginRequest>,
) -> AppResult<AppJson<TokenPair>> {
    domain::auth::login(&state, ip, request).await.map(AppJson)
}

/// Exchange a refresh token for a new pair; the old refresh token stops working.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = ErrorBody)))]
async fn refresh(
    State(state): State<AppState>,
    AppJson(request): AppJson<RefreshRequest>,
) -> AppResult<AppJson<TokenPair>> {
    domain::auth::refresh(&state, &request.refresh_token).await.map(AppJson)
}

#[derive(Debug, Deserialize, ToSchema)]
struct LogoutRequest {
    refresh_token: Option<String>,
}

/// End the session: its refresh token and access tokens stop working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body(content = Option<LogoutRequest>),
    security(("bearer" = [])),
    // The body is optional, so it is read as bytes and parsed only when present.
    extensions(("x-raw-body" = json!(true))),
    responses((status = 204, description = "signed out"), (status = 401, body = ErrorBody)))]
async fn logout(State(state): State<AppState>, caller: CurrentUser, AppBytes(body): AppBytes) -> AppResult<StatusCode> {
    // The body is optional, so it is parsed only when present.
    let refresh_token = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<LogoutRequest>(&body)
            .map_err(|_| AppError::BadRequest {
                code: ErrorCode::MalformedJson,
                message: "the body is not valid JSON".into(),
            })?
            .refresh_token
    };
    domain::auth::logout(&state, &caller, refresh_token.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
