//! Outgoing webhooks for integrators: the company's live events POSTed to a URL, signed with a
//! secret (`X-Atende-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{WebhookDeliveryId, WebhookId};
use crate::wire_enum;

/// The event types a webhook may subscribe to (the WebSocket's `type`s).
pub const WEBHOOK_EVENTS: &[&str] = &[
    "ticket.created",
    "ticket.updated",
    "ticket.deleted",
    "message.created",
    "message.updated",
    "contact.updated",
    "contact.deleted",
    "note.created",
    "note.deleted",
    "schedule.updated",
    "sync.progress",
    "connection.updated",
    "settings.updated",
    "kanban_board.updated",
    "kanban_board.deleted",
    "rating.updated",
    "import.progress",
];

/// The shortest secret accepted (it is what proves a delivery came from this server).
pub const MIN_WEBHOOK_SECRET_CHARS: usize = 16;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: WebhookId,
    pub url: String,
    pub events: Vec<String>,
    /// The secret is write-only.
    pub secret_set: bool,
    pub enabled: bool,
    /// Failed attempts in a row; the webhook is switched off when they reach the limit.
    pub consecutive_failures: u32,
    /// Why the server switched it off (shown on the page until it is switched on again).
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewWebhook {
    pub url: String,
    pub events: Vec<String>,
    /// At least 16 characters.
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// `PATCH /webhooks/{id}`: every field optional; switching it on again clears the failures.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateWebhook {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

wire_enum!(
    /// `pending` (waiting for its first or next attempt), `delivered` (a 2xx), `failed` (gave up).
    DeliveryStatus { Pending = "pending", Delivered = "delivered", Failed = "failed" }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: WebhookDeliveryId,
    pub webhook_id: WebhookId,
    /// The event's `seq` and `type`.
    pub seq: i64,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status on the last attempt.
    pub response_status: Option<u16>,
    pub latency_ms: Option<u64>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}
