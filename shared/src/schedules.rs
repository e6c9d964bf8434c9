//! Scheduled messages (Agendamento de Mensagem): written now, sent at `send_at`, exactly once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ContactId, MessageId, ScheduleId, TicketId, UserId};
use crate::wire_enum;

wire_enum!(ScheduleStatus { Scheduled = "scheduled", Sent = "sent", Failed = "failed", Canceled = "canceled" });

/// The longest a message may wait to be sent.
pub const MAX_DAYS_AHEAD: i64 = 366;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    pub id: ScheduleId,
    pub contact_id: ContactId,
    /// The contact's name, for lists.
    #[serde(default)]
    pub contact_name: String,
    /// The ticket it was written from; the one it was sent in, once sent.
    pub ticket_id: Option<TicketId>,
    pub body: String,
    pub send_at: DateTime<Utc>,
    pub status: ScheduleStatus,
    pub sent_at: Option<DateTime<Utc>>,
    /// Sent after its time (the server was down when it was due).
    #[serde(default)]
    pub late: bool,
    pub error: Option<String>,
    pub created_by: UserId,
    #[serde(default)]
    pub created_by_name: Option<String>,
    /// The message it became, once sent.
    #[serde(default)]
    pub message_id: Option<MessageId>,
    /// The attached file (`GET` it like a message's media).
    #[serde(default)]
    pub media_url: Option<String>,
    #[serde(default)]
    pub media_name: Option<String>,
    #[serde(default)]
    pub media_mime: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/schedules` (JSON; multipart adds `file` and `kind`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSchedule {
    pub contact_id: ContactId,
    #[serde(default)]
    pub ticket_id: Option<TicketId>,
    #[serde(default)]
    pub body: String,
    pub send_at: DateTime<Utc>,
}

/// `PATCH /api/v1/schedules/{id}`: only while still scheduled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateSchedule {
    pub body: Option<String>,
    pub send_at: Option<DateTime<Utc>>,
}
