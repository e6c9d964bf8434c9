//! Outgoing webhooks: an admin subscribes a URL to event types; every committed event of those
//! types becomes a delivery row in the event's own transaction (so none is lost), and each
//! instance's `WebhookSender` POSTs due deliveries — the WebSocket frame as the body, signed
//! `X-Atende-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` with
//! `X-Atende-Timestamp` — claiming each with a lease so two instances never send one twice.
//! A failed attempt is retried with exponential backoff (`ATENDE_WEBHOOK_RETRY_BASE_SECS`, doubling,
//! at most an hour) up to `ATENDE_WEBHOOK_MAX_ATTEMPTS`; after `ATENDE_WEBHOOK_DISABLE_AFTER` failed
//! attempts in a row the webhook is switched off with a reason the page shows.

use std::time::{Duration, Instant};

use chrono::Utc;
use hmac::{Hmac, Mac};
use sea_orm::Set;
use sha2::Sha256;
use shared::validate::Invalid;
use shared::webhooks::{MIN_WEBHOOK_SECRET_CHARS, NewWebhook, UpdateWebhook, WEBHOOK_EVENTS, Webhook, WebhookDelivery};
use shared::{CompanyId, ErrorCode, Page, WebhookDeliveryId, WebhookId};
use tokio::sync::{Notify, watch};

use crate::auth::CurrentUser;
use crate::domain::outbound_url;
use crate::domain::page::PageRequest;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::realtime::Audience;
use crate::state::AppState;
use crate::store::enums::DeliveryStatus;
use crate::store::{self, WriteTx};

const SECRET_PURPOSE: &str = "webhooks.secret";
const MAX_URL_CHARS: usize = 2048;
/// Deliveries in flight at once per instance.
const BATCH: u64 = 16;
/// How long a claimed delivery stays with its instance (longer than a request may take).
const LEASE: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(500);
/// At most this much of the receiver's answer is kept in the log.
const MAX_ERROR_CHARS: usize = 300;

/// Rung after a commit that queued deliveries, so this instance sends them at once.
static WAKE: Notify = Notify::const_new();

fn to_dto(row: store::outgoing_webhooks::Webhook) -> Webhook {
    Webhook {
        id: WebhookId(row.id),
        url: row.url,
        events: serde_json::from_str(&row.events).unwrap_or_default(),
        secret_set: !row.secret.is_empty(),
        enabled: row.enabled,
        consecutive_failures: row.consecutive_failures.max(0) as u32,
        disabled_reason: row.disabled_reason,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn delivery_dto(row: store::outgoing_webhooks::Delivery) -> WebhookDelivery {
    WebhookDelivery {
        id: WebhookDeliveryId(row.id),
        webhook_id: WebhookId(row.webhook_id),
        seq: row.seq,
        event_type: row.event_type,
        status: row.status.into(),
        attempts: row.attempts.max(0) as u32,
        next_attempt_at: row.next_attempt_at,
        response_status: row.response_status.and_then(|s| u16::try_from(s).ok()),
        latency_ms: row.latency_ms.and_then(|ms| u64::try_from(ms).ok()),
        last_error: row.last_error,
        created_at: row.created_at,
        delivered_at: row.delivered_at,
    }
}

async fn check_url(state: &AppState, raw: &str, errors: &mut FieldErrors) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        errors.add("url", Invalid::Required);
        return None;
    }
    if raw.chars().count() > MAX_URL_CHARS {
        errors.add("url", Invalid::TooLong { max: MAX_URL_CHARS as u32 });
        return None;
    }
    match outbound_url::check(raw, state.config.allow_private_urls).await {
        Ok(_) => Some(raw.to_owned()),
        Err(refused) => {
            errors.add("url", refused.into());
            None
        }
    }
}

fn check_events(events: Vec<String>, errors: &mut FieldErrors) -> Option<String> {
    let mut events: Vec<String> = events.into_iter().map(|e| e.trim().to_owned()).collect();
    events.sort();
    events.dedup();
    if events.is_empty() {
        errors.add("events", Invalid::Required);
        return None;
    }
    if events.iter().any(|e| !WEBHOOK_EVENTS.contains(&e.as_str())) {
        errors.add("events", Invalid::UnknownEventType);
        return None;
    }
    serde_json::to_string(&events).ok()
}

fn seal_secret(state: &AppState, raw: &str, errors: &mut FieldErrors) -> AppResult<Option<String>> {
    let raw = raw.trim();
    if raw.chars().count() < MIN_WEBHOOK_SECRET_CHARS {
        errors.add("secret", Invalid::TooShort { min: MIN_WEBHOOK_SECRET_CHARS as u32 });
        return Ok(None);
    }
    Ok(Some(state.sealer.seal_str(SECRET_PURPOSE, raw)?))
}

pub async fn list(state: &AppState, caller: &CurrentUser, page: PageRequest) -> AppResult<Page<Webhook>> {
    caller.require_admin()?;
    let rows = store::outgoing_webhooks::page(&state.db, caller.company_id, page.after_id, page.limit).await?;
    Ok(page.finish(rows, |row| row.id, to_dto))
}

async fn find(state: &AppState, caller: &CurrentUser, id: WebhookId) -> AppResult<store::outgoing_webhooks::Webhook> {
    caller.require_admin()?;
    store::outgoing_webhooks::get_in_company(&state.db, caller.company_id, id)
        .await?
        .ok_or(AppError::NotFound("webhook"))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: WebhookId) -> AppResult<Webhook> {
    find(state, caller, id).await.map(to_dto)
}

pub async fn create(state: &AppState, caller: &CurrentUser, new: NewWebhook) -> AppResult<Webhook> {
    caller.require_admin()?;
    let mut errors = FieldErrors::new();
    let url = check_url(state, &new.url, &mut errors).await;
    let events = check_events(new.events, &mut errors);
    let secret = seal_secret(state, &new.secret, &mut errors)?;
    errors.into_result()?;
    let (Some(url), Some(events), Some(secret)) = (url, events, secret) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked fields went missing")));
    };
    let now = Utc::now();
    let tx = state.begin().await?;
    let row = store::outgoing_webhooks::insert(
        &tx,
        store::entities::outgoing_webhooks::ActiveModel {
            company_id: Set(caller.company_id.0),
            url: Set(url),
            events: Set(events),
            secret: Set(secret),
            enabled: Set(new.enabled.unwrap_or(true)),
            consecutive_failures: Set(0),
            disabled_reason: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(to_dto(row))
}

pub async fn update(
    state: &AppState,
    caller: &CurrentUser,
    id: WebhookId,
    change: UpdateWebhook,
) -> AppResult<Webhook> {
    let current = find(state, caller, id).await?;
    let mut errors = FieldErrors::new();
    let mut row: store::entities::outgoing_webhooks::ActiveModel = current.into();
    if let Some(url) = change.url
        && let Some(url) = check_url(state, &url, &mut errors).await
    {
        row.url = Set(url);
    }
    if let Some(events) = change.events
        && let Some(events) = check_events(events, &mut errors)
    {
        row.events = Set(events);
    }
    if let Some(secret) = change.secret
        && let Some(secret) = seal_secret(state, &secret, &mut errors)?
    {
        row.secret = Set(secret);
    }
    errors.into_result()?;
    if let Some(on) = change.enabled {
        row.enabled = Set(on);
        if on {
            // Switched on again by a person: the failures that switched it off are forgiven.
            row.consecutive_failures = Set(0);
            row.disabled_reason = Set(None);
        }
    }
    row.updated_at = Set(Utc::now());
    let tx = state.begin().await?;
    let saved = store::outgoing_webhooks::update(&tx, row).await?;
    tx.commit().await?;
    Ok(to_dto(saved))
}

pub async fn delete(state: &AppState, caller: &CurrentUser, id: WebhookId) -> AppResult<()> {
    find(state, caller, id).await?;
    let tx = state.begin().await?;
    store::outgoing_webhooks::delete(&tx, caller.company_id, id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn deliveries(
    state: &AppState,
    caller: &CurrentUser,
    id: WebhookId,
    page: PageRequest,
) -> AppResult<Page<WebhookDelivery>> {
    find(state, caller, id).await?;
    let rows =
        store::outgoing_webhooks::deliveries_page(&state.db, caller.company_id, id, page.after_id, page.limit).await?;
    Ok(page.finish(rows, |row| row.id, delivery_dto))
}

/// Queues a delivered or failed delivery again (the receiver lost it, or is back).
pub async fn resend(state: &AppState, caller: &CurrentUser, id: WebhookDeliveryId) -> AppResult<WebhookDelivery> {
    caller.require_admin()?;
    let tx = state.begin().await?;
    let row = store::outgoing_webhooks::delivery_in_company(&tx, caller.company_id, id)
        .await?
        .ok_or(AppError::NotFound("webhook delivery"))?;
    if row.status == DeliveryStatus::Pending {
        return Err(AppError::conflict(
            ErrorCode::NotResendable,
            "this delivery is still waiting for its next attempt",
        ));
    }
    store::outgoing_webhooks::resend(&tx, id).await?;
    let row = store::outgoing_webhooks::delivery_in_company(&tx, caller.company_id, id)
        .await?
        .ok_or(AppError::NotFound("webhook delivery"))?;
    tx.commit().await?;
    WAKE.notify_waiters();
    Ok(delivery_dto(row))
}

/// Called by `events::Outbox::add` in the event's transaction: one delivery per switched-on webhook
/// of the company subscribed to the event's type. Events meant for one person stay theirs.
pub async fn enqueue(
    tx: &WriteTx,
    company: CompanyId,
    audience: Audience,
    kind: &str,
    seq: i64,
    frame: &str,
) -> AppResult<bool> {
    if matches!(audience, Audience::Person(_)) {
        return Ok(false);
    }
    let hooks = store::outgoing_webhooks::enabled_of(tx, company).await?;
    enqueue_to(tx, &hooks, company, audience, kind, seq, frame).await
}

/// The company's switched-on webhooks, read once for several events (`enqueue_to`).
pub async fn enabled(tx: &WriteTx, company: CompanyId) -> AppResult<Vec<store::outgoing_webhooks::Webhook>> {
    Ok(store::outgoing_webhooks::enabled_of(tx, company).await?)
}

/// `enqueue` with the company's webhooks already read.
pub async fn enqueue_to(
    tx: &WriteTx,
    hooks: &[store::outgoing_webhooks::Webhook],
    company: CompanyId,
    audience: Audience,
    kind: &str,
    seq: i64,
    frame: &str,
) -> AppResult<bool> {
    if matches!(audience, Audience::Person(_)) {
        return Ok(false);
    }
    let mut queued = false;
    for webhook in hooks {
        let events: Vec<String> = serde_json::from_str(&webhook.events).unwrap_or_default();
        if events.iter().any(|e| e == kind) {
            store::outgoing_webhooks::enqueue(tx, company, WebhookId(webhook.id), seq, kind, frame).await?;
            queued = true;
        }
    }
    Ok(queued)
}

/// Tells this instance's sender there are new deliveries (after the commit).
pub fn wake() {
    WAKE.notify_waiters();
}

/// `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    #[allow(clippy::expect_used)] // HMAC takes keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The running sender; `stop` lets the deliveries in flight finish and releases the rest.
pub struct WebhookSender {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl WebhookSender {
    pub fn start(state: AppState) -> Self {
        let (stop, stopping) = watch::channel(false);
        let task = tokio::spawn(work(state, stopping));
        Self { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn work(state: AppState, mut stopping: watch::Receiver<bool>) {
    loop {
        if *stopping.borrow() {
            break;
        }
        let claimed = claim(&state).await.unwrap_or_else(|error| {
            tracing::warn!(%error, "the webhook sender could not claim deliveries");
            Vec::new()
        });
        let found = !claimed.is_empty();
        let sends = claimed.into_iter().map(|delivery| {
            let state = state.clone();
            async move {
                let id = delivery.id;
                if let Err(error) = attempt(&state, delivery).await {
                    tracing::error!(delivery = id, %error, "the webhook sender could not record an attempt");
                }
            }
        });
        futures_util::future::join_all(sends).await;
        if found {
            continue;
        }
        tokio::select! {
            () = WAKE.notified() => {}
            () = tokio::time::sleep(POLL) => {}
            _ = stopping.changed() => {}
        }
    }
    if let Err(error) = release(&state).await {
        tracing::warn!(%error, "the webhook sender could not release its claims");
    }
}

async fn release(state: &AppState) -> AppResult<()> {
    let tx = state.begin().await?;
    store::outgoing_webhooks::release(&tx, &state.instance_id).await?;
    tx.commit().await?;
    Ok(())
}

async fn claim(state: &AppState) -> AppResult<Vec<store::outgoing_webhooks::Delivery>> {
    let now = Utc::now();
    let due = store::outgoing_webhooks::due(&state.db, now, BATCH).await?;
    if due.is_empty() {
        return Ok(due);
    }
    let until = now + chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::minutes(1));
    let tx = state.begin().await?;
    let mut claimed = Vec::with_capacity(due.len());
    for row in due {
        if let Some(row) = store::outgoing_webhooks::claim(&tx, row.id, &state.instance_id, now, until).await? {
            claimed.push(row);
        }
    }
    tx.commit().await?;
    Ok(claimed)
}

/// The wait before attempt `attempts + 1`: the base, doubled per attempt made, at most an hour.
fn backoff(base: Duration, attempts: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(16));
    base.saturating_mul(factor).min(Duration::from_secs(3600))
}

fn excerpt(text: &str) -> String {
    text.chars().take(MAX_ERROR_CHARS).collect()
}

async fn attempt(state: &AppState, delivery: store::outgoing_webhooks::Delivery) -> AppResult<()> {
    let webhook_id = WebhookId(delivery.webhook_id);
    let webhook = store::outgoing_webhooks::get_webhook(&state.db, webhook_id).await?;
    let Some(webhook) = webhook.filter(|w| w.enabled) else {
        let tx = state.begin().await?;
        let reason = match &delivery.last_error {
            Some(last) => format!("{last} (given up: the webhook is switched off)"),
            None => "given up: the webhook is switched off".to_owned(),
        };
        store::outgoing_webhooks::give_up(&tx, delivery.id, &reason).await?;
        tx.commit().await?;
        return Ok(());
    };
    let secret = state
        .sealer
        .open_str(SECRET_PURPOSE, &webhook.secret)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("webhook {} secret: {e}", webhook.id)))?;
    let timestamp = Utc::now().timestamp();
    let started = Instant::now();
    let allow_private = state.config.allow_private_urls;
    let outcome: Result<u16, (Option<u16>, String)> = match outbound_url::check_literal(&webhook.url, allow_private) {
        Err(refused) => Err((None, format!("the URL {refused}"))),
        Ok(_) => match crate::integrations::http_client(allow_private) {
            Err(error) => Err((None, error.to_string())),
            Ok(http) => {
                let sent = http
                    .post(&webhook.url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header("X-Atende-Timestamp", timestamp.to_string())
                    .header("X-Atende-Signature", signature(&secret, timestamp, &delivery.payload))
                    .header("X-Atende-Event", &delivery.event_type)
                    .header("X-Atende-Delivery", delivery.id.to_string())
                    .body(delivery.payload.clone())
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status().is_success() => Ok(response.status().as_u16()),
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let body = response.text().await.unwrap_or_default();
                        Err((Some(status), excerpt(&format!("HTTP {status}: {}", body.trim()))))
                    }
                    Err(error) => {
                        Err((None, excerpt(&crate::integrations::ProviderError::from_reqwest(error).to_string())))
                    }
                }
            }
        },
    };
    let latency_ms = started.elapsed().as_millis().min(i64::MAX as u128) as i64;
    let attempts = delivery.attempts.max(0) as u32 + 1;
    let record = match &outcome {
        Ok(status) => store::outgoing_webhooks::Attempt {
            status: DeliveryStatus::Delivered,
            next_attempt_at: None,
            response_status: Some(*status),
            latency_ms,
            error: None,
        },
        Err((status, error)) => {
            let more = attempts < state.config.webhook_max_attempts;
            let wait = backoff(state.config.webhook_retry_base, attempts);
            store::outgoing_webhooks::Attempt {
                status: if more { DeliveryStatus::Pending } else { DeliveryStatus::Failed },
                next_attempt_at: more
                    .then(|| Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1))),
                response_status: *status,
                latency_ms,
                error: Some(error.as_str()),
            }
        }
    };
    let tx = state.begin().await?;
    if store::outgoing_webhooks::record(&tx, delivery.id, &state.instance_id, record).await? {
        let limit = state.config.webhook_disable_after;
        let reason = format!("switched off after {limit} failed attempts in a row");
        let off = store::outgoing_webhooks::count_outcome(&tx, webhook_id, outcome.is_ok(), limit, &reason).await?;
        if off {
            tracing::warn!(webhook = webhook.id, "an outgoing webhook was switched off after repeated failures");
        }
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(10);
        assert_eq!(backoff(base, 1), Duration::from_secs(10));
        assert_eq!(backoff(base, 2), Duration::from_secs(20));
        assert_eq!(backoff(base, 4), Duration::from_secs(80));
        assert_eq!(backoff(base, 40), Duration::from_secs(3600));
    }

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        let one = signature("0123456789abcdef", 1700000000, r#"{"seq":1}"#);
        assert!(one.starts_with("sha256=") && one.len() == 7 + 64);
        assert_ne!(one, signature("0123456789abcdef", 1700000001, r#"{"seq":1}"#));
        assert_ne!(one, signature("0123456789abcdeX", 1700000000, r#"{"seq":1}"#));
    }
}
