//! Scheduled messages: written now, sent at `send_at`, exactly once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ContactId, ScheduleId, TicketId, UserId};
use crate::wire_enum;

wire_enum!(ScheduleStatus { Scheduled = "scheduled", Sent = "sent", Failed = "failed", Canceled = "canceled" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    pub id: ScheduleId,
    pub contact_id: ContactId,
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
}
