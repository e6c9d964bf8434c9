use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use shared::{ErrorBody, ErrorCode};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppQuery;
use crate::domain;
use crate::error::{AppError, AppResult};
use crate::realtime::socket;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(connect))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsQuery {
    /// An access or API token (or send it as the second `Sec-WebSocket-Protocol` value, after `bearer`).
    token: Option<String>,
    /// Resume: every event after this `seq` that the user may see is sent first, in order.
    since: Option<i64>,
}

/// The token from `Sec-WebSocket-Protocol: bearer, <token>`.
fn protocol_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("sec-websocket-protocol")?.to_str().ok()?;
    value
        .split(',')
        .map(str::trim)
        .find(|item| !item.is_empty() && !item.eq_ignore_ascii_case("bearer"))
        .map(str::to_owned)
}

/// Live events: frames `{"seq", "type", "data"}`; `seq` rises by one per company event.
#[utoipa::path(get, path = "/api/v1/ws", tag = "live events", params(WsQuery),
    responses((status = 101, description = "switching to the WebSocket protocol"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn connect(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<WsQuery>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult<Response> {
    let upgrade = upgrade
        .map_err(|_| AppError::bad_request(ErrorCode::WebsocketRequired, "this endpoint speaks WebSocket only"))?;
    let token =
        query.token.or_else(|| protocol_token(&headers)).ok_or(AppError::Unauthenticated("a token is required"))?;
    let caller = domain::auth::authenticate(&state, &token).await?;
    let slot = state
        .sockets
        .claim(caller.id, state.config.ws_max_per_user)
        .ok_or(AppError::TooManyRequests { retry_after_secs: 30 })?;
    let listener = domain::auth::listener_of(&state, &caller).await?;
    let since = query.since;
    // Resuming from before what is kept would silently skip events: the client reloads instead.
    let too_old = match since {
        Some(since) => !domain::events::can_resume(&state, caller.company_id, since.max(0)).await?,
        None => false,
    };
    // On the bus before the 101: whatever is committed once the client is connected reaches it.
    let entered = if too_old { None } else { Some(socket::enter(&state, &listener).await?) };
    let (recheck_state, recheck_token) = (state.clone(), token.clone());
    let reauthorize: socket::Reauthorize = Box::new(move || {
        let (state, token) = (recheck_state.clone(), recheck_token.clone());
        Box::pin(async move {
            let caller = domain::auth::authenticate(&state, &token).await.ok()?;
            domain::auth::listener_of(&state, &caller).await.ok()
        })
    });
    Ok(upgrade
        .protocols(["bearer"])
        // An idle socket should cost kilobytes, not the default 128 KiB read buffer (it is
        // allocated up front); clients send only pongs and closes, and a longer frame is still
        // read whole, the buffer growing for it.
        .read_buffer_size(1024)
        // Live events are flushed one by one; a replay's frames are gathered up to 4 KiB per
        // write, a few writes for hundreds of events, when thousands of sockets resume at once.
        .write_buffer_size(4096)
        .max_message_size(64 * 1024)
        .max_frame_size(64 * 1024)
        .on_upgrade(move |ws| async move {
            // Held while the socket lives.
            let _slot = slot;
            match entered {
                Some(entered) => socket::run(ws, state, listener, entered, since, reauthorize).await,
                None => socket::refuse_resume(ws).await,
            }
        }))
}
