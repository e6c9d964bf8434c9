//! Provider webhooks. They carry no bearer token: the Cloud API's are authenticated by the
//! connection's verify token (handshake) and the app secret's signature over the raw body.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use shared::ErrorBody;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppBytes, AppPath, AppQuery};
use crate::channels::{cloud_api, whatsapp};
use crate::domain::connections::webhook_target;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(verify, receive))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    #[param(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    #[param(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    #[param(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// Meta's subscription handshake: echoes `hub.challenge` when `hub.verify_token` is the connection's.
#[utoipa::path(get, path = "/webhooks/whatsapp/{connection_id}", tag = "connections", params(("connection_id" = i64, Path), Handshake),
    responses((status = 200, description = "the challenge", content_type = "text/plain", body = String),
        (status = 403, body = ErrorBody)))]
async fn verify(
    State(state): State<AppState>,
    AppPath(id): AppPath<shared::ConnectionId>,
    AppQuery(handshake): AppQuery<Handshake>,
) -> AppResult<String> {
    // An unknown id answers like a wrong token, so the endpoint does not reveal which ids exist.
    const REFUSED: AppError = AppError::Forbidden("the verify token does not match");
    let target =
        webhook_target(&state, id).await.map_err(|e| if matches!(e, AppError::NotFound(_)) { REFUSED } else { e })?;
    cloud_api::verify_subscription(
        handshake.mode.as_deref(),
        handshake.verify_token.as_deref(),
        handshake.challenge.as_deref(),
        target.verify_token(),
    )
    .ok_or(REFUSED)
}

/// Cloud API notifications (messages, delivery statuses). Answered 200 only once everything in it
/// is stored; a bad `X-Hub-Signature-256` is refused before the body is even parsed.
#[utoipa::path(post, path = "/webhooks/whatsapp/{connection_id}", tag = "connections", params(("connection_id" = i64, Path)),
    request_body(content = Object, content_type = "application/json"),
    // The signature covers the raw bytes, so the body is read as bytes, whatever its Content-Type.
    extensions(("x-raw-body" = json!(true))),
    responses((status = 200, description = "stored"), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody)))]
async fn receive(
    State(state): State<AppState>,
    AppPath(id): AppPath<shared::ConnectionId>,
    headers: HeaderMap,
    AppBytes(body): AppBytes,
) -> AppResult<StatusCode> {
    // An unknown id answers like a wrong signature, so the endpoint does not reveal which ids exist.
    const REFUSED: AppError = AppError::Unauthenticated("the X-Hub-Signature-256 signature is missing or wrong");
    let target =
        webhook_target(&state, id).await.map_err(|e| if matches!(e, AppError::NotFound(_)) { REFUSED } else { e })?;
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
    if !cloud_api::verify_signature(target.app_secret(), &body, signature) {
        return Err(REFUSED);
    }
    whatsapp::receive_webhook(&state, &target, &body).await?;
    Ok(StatusCode::OK)
}
