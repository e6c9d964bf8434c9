//! Outgoing webhooks (admin): `/api/v1/webhooks`, their delivery log and resending. (The inbound
//! WhatsApp webhook is `http/webhooks.rs`.)

use axum::extract::State;
use axum::http::StatusCode;
use shared::webhooks::{NewWebhook, UpdateWebhook, Webhook, WebhookDelivery};
use shared::{ErrorBody, Page, WebhookDeliveryId, WebhookId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, Created, PageQuery};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(resend_delivery))
}

/// The company's outgoing webhooks (admin).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Webhook>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn list_webhooks(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<PageQuery>,
) -> AppResult<AppJson<Page<Webhook>>> {
    domain::outgoing_webhooks::list(&state, &caller, query.request()?).await.map(AppJson)
}

/// Subscribe a URL to event types (admin). Each event is POSTed as its WebSocket frame, signed with
/// `X-Atende-Signature: sha256=<hex HMAC-SHA256 of "<X-Atende-Timestamp>.<raw body>">`.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = NewWebhook, security(("bearer" = [])),
    responses((status = 201, body = Webhook), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_webhook(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewWebhook>,
) -> AppResult<Created<Webhook>> {
    domain::outgoing_webhooks::create(&state, &caller, new).await.map(Created)
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Webhook), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_webhook(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<WebhookId>,
) -> AppResult<AppJson<Webhook>> {
    domain::outgoing_webhooks::get(&state, &caller, id).await.map(AppJson)
}

/// Change a webhook (admin); `enabled: true` switches it on again and clears its failures.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    request_body = UpdateWebhook, security(("bearer" = [])),
    responses((status = 200, body = Webhook), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_webhook(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<WebhookId>,
    AppJson(change): AppJson<UpdateWebhook>,
) -> AppResult<AppJson<Webhook>> {
    domain::outgoing_webhooks::update(&state, &caller, id, change).await.map(AppJson)
}

/// Delete a webhook and its delivery log (admin).
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_webhook(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<WebhookId>,
) -> AppResult<StatusCode> {
    domain::outgoing_webhooks::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A webhook's delivery log, newest first: status, attempts, the receiver's HTTP status, latency.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = i64, Path), PageQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<WebhookDelivery>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_deliveries(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<WebhookId>,
    AppQuery(query): AppQuery<PageQuery>,
) -> AppResult<AppJson<Page<WebhookDelivery>>> {
    domain::outgoing_webhooks::deliveries(&state, &caller, id, query.request()?).await.map(AppJson)
}

/// Send a delivered or failed delivery again, now (409 `not_resendable` while it is still pending).
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{id}/resend", tag = "webhooks", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = WebhookDelivery), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn resend_delivery(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<WebhookDeliveryId>,
) -> AppResult<AppJson<WebhookDelivery>> {
    domain::outgoing_webhooks::resend(&state, &caller, id).await.map(AppJson)
}
