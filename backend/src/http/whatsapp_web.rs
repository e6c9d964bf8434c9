//! WhatsApp Web: pairing a connection (QR or phone-number code), logging out, and syncing a
//! ticket's older messages from the phone.

use axum::extract::State;
use axum::http::StatusCode;
use shared::contacts::Connection;
use shared::whatsapp_web::{PairCode, PairCodeRequest, SyncHistory, SyncStarted};
use shared::{ConnectionId, ErrorBody, TicketId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(connect_whatsapp_web))
        .routes(routes!(logout_whatsapp_web))
        .routes(routes!(pair_code))
        .routes(routes!(sync_history))
}

/// Start or resume a WhatsApp Web session (admin): it pairs (the QR arrives as `connection.updated`)
/// or, with a kept session, connects. 409 `not_whatsapp_web` for another kind of connection.
#[utoipa::path(post, path = "/api/v1/connections/{id}/connect", tag = "connections", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Connection), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn connect_whatsapp_web(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ConnectionId>,
) -> AppResult<AppJson<Connection>> {
    domain::whatsapp_web::connect(&state, &caller, id).await.map(AppJson)
}

/// Unlink the phone and forget the session (admin).
#[utoipa::path(post, path = "/api/v1/connections/{id}/logout", tag = "connections", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Connection), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn logout_whatsapp_web(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ConnectionId>,
) -> AppResult<AppJson<Connection>> {
    domain::whatsapp_web::logout(&state, &caller, id).await.map(AppJson)
}

/// Pair by phone number instead of QR (admin): the code to type on the phone.
#[utoipa::path(post, path = "/api/v1/connections/{id}/pair-code", tag = "connections", params(("id" = i64, Path)),
    request_body = PairCodeRequest, security(("bearer" = [])), responses((status = 200, body = PairCode),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn pair_code(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ConnectionId>,
    AppJson(request): AppJson<PairCodeRequest>,
) -> AppResult<AppJson<PairCode>> {
    let code = domain::whatsapp_web::pair_code(&state, &caller, id, &request.phone_number).await?;
    Ok(AppJson(PairCode { code }))
}

/// Ask the phone for up to `limit` (1 to 500) messages of the ticket's chat older than the oldest
/// stored; those not stored yet are imported with their own times. Progress and the final counts
/// (`imported`, `already`) arrive as `sync.progress` events. 409 `not_whatsapp_web` or
/// `not_connected` when the ticket's connection cannot do it.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/sync-history", tag = "tickets", params(("id" = i64, Path)),
    request_body = SyncHistory, security(("bearer" = [])), responses((status = 202, body = SyncStarted),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sync_history(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    AppJson(request): AppJson<SyncHistory>,
) -> AppResult<(StatusCode, AppJson<SyncStarted>)> {
    let job_id = domain::whatsapp_web::sync_history(&state, &caller, id, request.limit).await?;
    Ok((StatusCode::ACCEPTED, AppJson(SyncStarted { job_id })))
}
