//! Live events pushed over `GET /api/v1/ws` (and, later, to outgoing webhooks): one enum, so the
//! server can only send what clients can decode.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contact_imports::ContactImport;
use crate::contacts::{Connection, ConnectionDeleted, Contact};
use crate::ids::{ContactId, JobId, MessageId, NoteId, TicketId};
use crate::kanban::{Board, BoardDeleted};
use crate::ratings::TicketRating;
use crate::schedules::Schedule;
use crate::settings::Settings;
use crate::tickets::{Message, MessageStatus, Note, Ticket};

/// Close code telling the client to reconnect with `since` (it fell behind, or the server stops).
pub const CLOSE_RESUME: u16 = 4000;
/// Close code telling the client its credentials no longer hold: sign in (or refresh) again.
pub const CLOSE_UNAUTHORIZED: u16 = 4001;
/// Close code telling the client that events after its `since` are no longer kept: reload the
/// lists and connect without `since`.
pub const CLOSE_RESUME_TOO_OLD: u16 = 4002;
/// Close code telling the client this server is shutting down (a graceful handover): reconnect at
/// once with `since`; the load balancer sends the new socket to another instance.
pub const CLOSE_SERVER_LEAVING: u16 = 4003;

/// `{"seq": 123, "type": "ticket.updated", "data": {...}}`; `seq` rises by one per company event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventFrame {
    pub seq: i64,
    #[serde(flatten)]
    pub event: Event,
}

/// Every event the server sends, tagged by `type` with its payload in `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Event {
    #[serde(rename = "ticket.created")]
    TicketCreated(Ticket),
    #[serde(rename = "ticket.updated")]
    TicketUpdated(Ticket),
    /// The ticket no longer exists (its contact or connection was deleted).
    #[serde(rename = "ticket.deleted")]
    TicketDeleted(TicketDeleted),
    #[serde(rename = "message.created")]
    MessageCreated(Message),
    /// A delivery status change.
    #[serde(rename = "message.updated")]
    MessageUpdated(MessageUpdate),
    #[serde(rename = "contact.updated")]
    ContactUpdated(Contact),
    #[serde(rename = "contact.deleted")]
    ContactDeleted(ContactDeleted),
    #[serde(rename = "note.created")]
    NoteCreated(Note),
    /// A note was deleted (its author or an administrator).
    #[serde(rename = "note.deleted")]
    NoteDeleted(NoteDeleted),
    #[serde(rename = "schedule.updated")]
    ScheduleUpdated(Schedule),
    #[serde(rename = "sync.progress")]
    SyncProgress(SyncProgress),
    #[serde(rename = "connection.updated")]
    ConnectionUpdated(Connection),
    #[serde(rename = "settings.updated")]
    SettingsUpdated(Settings),
    /// A kanban board was created or changed (its name, its lanes).
    #[serde(rename = "kanban_board.updated")]
    KanbanBoardUpdated(Board),
    #[serde(rename = "kanban_board.deleted")]
    KanbanBoardDeleted(BoardDeleted),
    /// A ticket's survey was sent, answered or given up (reaches whoever may see the ticket).
    #[serde(rename = "rating.updated")]
    RatingUpdated(TicketRating),
    /// A contacts import moved on (sent to the person who started it, and to admins and supervisors).
    #[serde(rename = "import.progress")]
    ImportProgress(ContactImport),
    /// A connection was deleted (admins only, like `connection.updated`).
    #[serde(rename = "connection.deleted")]
    ConnectionDeleted(ConnectionDeleted),
}

impl Event {
    /// The `type` on the wire.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::TicketCreated(_) => "ticket.created",
            Event::TicketUpdated(_) => "ticket.updated",
            Event::TicketDeleted(_) => "ticket.deleted",
            Event::MessageCreated(_) => "message.created",
            Event::MessageUpdated(_) => "message.updated",
            Event::ContactUpdated(_) => "contact.updated",
            Event::ContactDeleted(_) => "contact.deleted",
            Event::NoteCreated(_) => "note.created",
            Event::NoteDeleted(_) => "note.deleted",
            Event::ScheduleUpdated(_) => "schedule.updated",
            Event::SyncProgress(_) => "sync.progress",
            Event::ConnectionUpdated(_) => "connection.updated",
            Event::SettingsUpdated(_) => "settings.updated",
            Event::KanbanBoardUpdated(_) => "kanban_board.updated",
            Event::KanbanBoardDeleted(_) => "kanban_board.deleted",
            Event::RatingUpdated(_) => "rating.updated",
            Event::ImportProgress(_) => "import.progress",
            Event::ConnectionDeleted(_) => "connection.deleted",
        }
    }
}

/// What an event is about: the ticket whose visibility (as it stands when a client resumes)
/// decides who gets it on replay, and the contact whose data it carries (deleted with them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Subject {
    pub ticket: Option<TicketId>,
    pub contact: Option<ContactId>,
}

impl Event {
    pub fn subject(&self) -> Subject {
        let about = |ticket, contact| Subject { ticket, contact };
        match self {
            Event::TicketCreated(ticket) | Event::TicketUpdated(ticket) => {
                about(Some(ticket.id), Some(ticket.contact.id))
            }
            // Only ids: kept (and replayed) so a resuming client learns what is gone.
            Event::TicketDeleted(_) | Event::ContactDeleted(_) => Subject::default(),
            Event::MessageCreated(message) => about(Some(message.ticket_id), None),
            Event::MessageUpdated(update) => about(Some(update.ticket_id), None),
            Event::ContactUpdated(contact) => about(None, Some(contact.id)),
            Event::NoteCreated(note) => about(Some(note.ticket_id), None),
            Event::NoteDeleted(note) => about(Some(note.ticket_id), None),
            Event::ScheduleUpdated(schedule) => about(schedule.ticket_id, Some(schedule.contact_id)),
            Event::SyncProgress(progress) => about(Some(progress.ticket_id), None),
            Event::RatingUpdated(rating) => about(Some(rating.ticket_id), None),
            Event::ConnectionUpdated(_)
            | Event::SettingsUpdated(_)
            | Event::KanbanBoardUpdated(_)
            | Event::KanbanBoardDeleted(_)
            | Event::ImportProgress(_)
            | Event::ConnectionDeleted(_) => Subject::default(),
        }
    }
}

impl EventFrame {
    /// A frame as `(seq, event)`: `event` is `None` for a type this client does not know (a newer
    /// server), which still advances the client's `seq`. `None` for text that is not a frame.
    pub fn decode(text: &str) -> Option<(i64, Option<Event>)> {
        #[derive(Deserialize)]
        struct SeqOnly {
            seq: i64,
        }
        let SeqOnly { seq } = serde_json::from_str(text).ok()?;
        Some((seq, serde_json::from_str::<EventFrame>(text).ok().map(|frame| frame.event)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketDeleted {
    pub id: TicketId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactDeleted {
    pub id: ContactId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteDeleted {
    pub id: NoteId,
    pub ticket_id: TicketId,
}

/// `message.updated`: where an outbound message stands with the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageUpdate {
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub status: MessageStatus,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
}

/// `sync.progress`: a history import running for a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncProgress {
    pub job_id: JobId,
    pub ticket_id: TicketId,
    pub done: u32,
    pub total: u32,
    pub finished: bool,
    #[serde(default)]
    pub error: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// History sync: messages stored by this job so far.
    #[serde(default)]
    pub imported: u32,
    /// History sync: messages the phone sent that were already stored (not imported twice).
    #[serde(default)]
    pub already: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_seq_type_and_data_at_the_top() {
        let frame = EventFrame { seq: 12, event: Event::TicketDeleted(TicketDeleted { id: TicketId(5) }) };
        let text = serde_json::to_string(&frame).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            serde_json::json!({"seq": 12, "type": "ticket.deleted", "data": {"id": 5}})
        );
        assert_eq!(EventFrame::decode(&text), Some((12, Some(frame.event.clone()))));
        assert_eq!(frame.event.kind(), "ticket.deleted");
    }

    #[test]
    fn unknown_types_keep_their_seq_and_garbage_is_refused() {
        assert_eq!(EventFrame::decode(r#"{"seq": 3, "type": "tag.updated", "data": {}}"#), Some((3, None)));
        assert_eq!(EventFrame::decode(r#"{"seq": 4, "type": "ticket.deleted", "data": {"id": "x"}}"#), Some((4, None)));
        assert_eq!(EventFrame::decode("not json"), None);
    }
}
