//! Tickets, their messages and logs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{
    ConnectionId, ContactId, LaneId, MessageId, NoteId, QueueId, QuickReplyId, StickerId, TagId, TicketId, TicketLogId,
    UserId,
};

/// A snake_case wire enum with `ALL`, `as_str` and `parse` (for query strings and columns).
#[macro_export]
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
            pub fn parse(raw: &str) -> Option<Self> {
                match raw { $($text => Some($name::$variant),)* _ => None }
            }
        }
    };
}

wire_enum!(
    /// open: an agent works it; pending: it waits in a queue; closed: resolved.
    TicketStatus { Open = "open", Pending = "pending", Closed = "closed" }
);
wire_enum!(TicketKind { Private = "private", Group = "group" });
wire_enum!(MessageKind {
    Text = "text", Image = "image", Audio = "audio", Video = "video", Document = "document",
    Sticker = "sticker", Location = "location", Reaction = "reaction", System = "system",
});
wire_enum!(
    /// `unknown`: the provider may or may not have taken it (the answer never came); the agent
    /// decides whether to send it again.
    MessageStatus { Pending = "pending", Sent = "sent", Delivered = "delivered", Read = "read", Failed = "failed", Received = "received", Unknown = "unknown" }
);
wire_enum!(
    /// What a ticket log row records. `access` is a user opening the ticket.
    TicketLogKind {
        Access = "access", Created = "created", Accepted = "accepted", Transferred = "transferred",
        Returned = "returned", Resolved = "resolved", Reopened = "reopened", Tagged = "tagged",
        Untagged = "untagged", NoteAdded = "note_added", WalletSet = "wallet_set",
        ProtocolGenerated = "protocol_generated", RatingRequested = "rating_requested",
        RatingReceived = "rating_received", BotSwitched = "bot_switched", KanbanMoved = "kanban_moved",
    }
);
wire_enum!(
    /// What a system message in the thread says happened.
    SystemNoteKind { Accepted = "accepted", Transferred = "transferred", Returned = "returned", Resolved = "resolved", Reopened = "reopened", NumberChanged = "number_changed", BotHandedOver = "bot_handed_over", BotFailed = "bot_failed" }
);
wire_enum!(
    /// The bots that can answer a ticket (at most one at a time).
    BotKind { Typebot = "typebot", Chatgpt = "chatgpt", Dialogflow = "dialogflow" }
);
wire_enum!(
    /// Who wrote a message: the contact, an agent (`user`), a bot, or the system (what happened).
    MessageSender { Contact = "contact", User = "user", Bot = "bot", System = "system" }
);

#[allow(clippy::derivable_impls)] // the macro's variants take no attributes
impl Default for MessageSender {
    fn default() -> Self {
        MessageSender::User
    }
}

impl BotKind {
    /// The product's name, the same in every language.
    pub fn label(self) -> &'static str {
        match self {
            BotKind::Typebot => "Typebot",
            BotKind::Chatgpt => "ChatGPT",
            BotKind::Dialogflow => "DialogFlow",
        }
    }
}

/// The structured content of a system message, so each reader sees it in their own language;
/// the message's `body` keeps a Portuguese sentence for integrators and search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SystemNote {
    pub kind: SystemNoteKind,
    /// Who did it.
    pub actor: String,
    /// Transfers: the user or queue it went to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

impl SystemNote {
    /// The Portuguese sentence stored as the message body.
    pub fn sentence_pt(&self) -> String {
        let (actor, to) = (&self.actor, self.to.as_deref().unwrap_or_default());
        match self.kind {
            SystemNoteKind::Accepted => format!("Atendimento aceito por {actor}"),
            SystemNoteKind::Transferred => format!("Atendimento transferido por {actor} para {to}"),
            SystemNoteKind::Returned => format!("{actor} retornou o atendimento para a fila"),
            SystemNoteKind::Resolved => format!("Atendimento resolvido por {actor}"),
            SystemNoteKind::Reopened => format!("Atendimento reaberto por {actor}"),
            SystemNoteKind::NumberChanged => format!("{actor} mudou de número para {to}"),
            SystemNoteKind::BotHandedOver => format!("{actor} passou o atendimento para a fila"),
            SystemNoteKind::BotFailed => format!("{actor} não conseguiu responder e foi desligado"),
        }
    }
}

impl MessageStatus {
    /// Whether a provider's report may move a message from `self` to `next`. Delivery only moves
    /// forward (a late "delivered" never downgrades "read"), and a failure counts only before the
    /// message reached the phone: a late "failed" never hides that it was delivered or read.
    pub fn may_become(self, next: MessageStatus) -> bool {
        match next {
            MessageStatus::Failed => {
                matches!(self, MessageStatus::Pending | MessageStatus::Sent | MessageStatus::Failed)
            }
            MessageStatus::Unknown => self == MessageStatus::Pending,
            _ => next.rank() > self.rank(),
        }
    }

    /// Delivery only moves forward: a late "delivered" never downgrades "read".
    pub fn rank(self) -> u8 {
        match self {
            MessageStatus::Pending => 0,
            MessageStatus::Failed | MessageStatus::Unknown => 1,
            MessageStatus::Sent => 2,
            MessageStatus::Delivered => 3,
            MessageStatus::Read => 4,
            MessageStatus::Received => 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactRef {
    pub id: ContactId,
    pub name: String,
    pub number: String,
    pub photo_url: Option<String>,
    /// The contact's fixed agent (Carteira), so a list filtered by `wallet=mine` can place live rows.
    #[serde(default)]
    pub wallet_user_id: Option<UserId>,
}

impl ContactRef {
    /// Takes the name, number, photo and wallet of the contact it refers to, after an edit.
    pub fn follow(&mut self, contact: &crate::contacts::Contact) {
        if contact.id == self.id {
            self.name = contact.name.clone();
            self.number = contact.number.clone();
            self.photo_url = contact.photo_url.clone();
            self.wallet_user_id = contact.wallet_user.as_ref().map(|u| u.id);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: UserId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueRef {
    pub id: QueueId,
    pub name: String,
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LastMessage {
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub from_me: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TagRef {
    pub id: TagId,
    pub name: String,
    pub color: String,
}

/// A row of the ticket list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub id: TicketId,
    /// Per-company ticket number shown to people.
    pub number: i64,
    pub status: TicketStatus,
    pub kind: TicketKind,
    pub contact: ContactRef,
    pub user: Option<UserRef>,
    pub queue: Option<QueueRef>,
    pub connection_id: ConnectionId,
    pub unread_count: i32,
    pub last_message: Option<LastMessage>,
    pub tags: Vec<TagRef>,
    /// The kanban lane the ticket is in (at most one, on one board), `null` when on no board.
    #[serde(default)]
    pub kanban_lane_id: Option<LaneId>,
    /// The bot answering the contact, `null` when none (people do).
    #[serde(default)]
    pub bot: Option<BotKind>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketBots {
    pub typebot: bool,
    pub chatgpt: bool,
    pub dialogflow: bool,
}

impl TicketBots {
    pub fn of(bot: Option<BotKind>) -> Self {
        TicketBots {
            typebot: bot == Some(BotKind::Typebot),
            chatgpt: bot == Some(BotKind::Chatgpt),
            dialogflow: bot == Some(BotKind::Dialogflow),
        }
    }
}

/// `PUT /api/v1/tickets/{id}/bots`: a ticket runs at most one bot, so switching one on switches the
/// others off; a bot left out keeps its state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetTicketBots {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typebot: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chatgpt: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialogflow: Option<bool>,
}

impl SetTicketBots {
    /// The bot the ticket runs afterwards, from the one it runs now; `Err` when two are switched on.
    pub fn apply(&self, now: Option<BotKind>) -> Result<Option<BotKind>, TwoBotsOn> {
        let asked = [
            (BotKind::Typebot, self.typebot),
            (BotKind::Chatgpt, self.chatgpt),
            (BotKind::Dialogflow, self.dialogflow),
        ];
        let on: Vec<BotKind> = asked.iter().filter(|(_, v)| *v == Some(true)).map(|(k, _)| *k).collect();
        match on.as_slice() {
            [] => Ok(now.filter(|bot| !asked.iter().any(|(k, v)| k == bot && *v == Some(false)))),
            [one] => Ok(Some(*one)),
            _ => Err(TwoBotsOn),
        }
    }
}

/// A request switching on more than one bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoBotsOn;

/// `GET /tickets/{id}`: the summary plus what the conversation screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: Ticket,
    /// Oldest first.
    pub protocols: Vec<crate::protocols::Protocol>,
    pub bots: TicketBots,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTicket {
    pub contact_id: ContactId,
    pub connection_id: Option<ConnectionId>,
    pub queue_id: Option<QueueId>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferTicket {
    pub queue_id: Option<QueueId>,
    pub user_id: Option<UserId>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolveTicket {
    #[serde(default)]
    pub send_rating: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub from_me: bool,
    pub kind: MessageKind,
    pub body: String,
    pub media_url: Option<String>,
    pub media_mime: Option<String>,
    pub media_name: Option<String>,
    pub status: MessageStatus,
    pub error: Option<String>,
    pub external_id: Option<String>,
    pub quoted_id: Option<MessageId>,
    pub user_id: Option<UserId>,
    /// System messages: what happened, for the reader's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<SystemNote>,
    /// What an inbound message carries beside its text (button payload, reply id, order, shared
    /// contacts, the ad it came from, an unsupported message's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    // Boxed: most messages have none, and events carry messages by value.
    pub metadata: Option<Box<crate::message_meta::MessageMetadata>>,
    /// Group messages: who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<crate::message_meta::Participant>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Left out for WhatsApp messages; `sms` for an SMS sent by Comtele from the ticket (its
    /// `status` is the delivery result: `sent`, or `failed` with `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<MessageChannel>,
    /// Who wrote it: `contact`, `user` (an agent), `bot` or `system`.
    #[serde(default)]
    pub sender: MessageSender,
    /// A bot's message: which bot wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotKind>,
}

wire_enum!(
    /// The channel of a message that did not go through the ticket's connection.
    MessageChannel { Sms = "sms" }
);

/// `POST /api/v1/tickets/{id}/sms`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendSms {
    /// 1 to 1000 characters.
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMessage {
    /// The text; empty (or left out) when sending a sticker.
    #[serde(default)]
    pub body: String,
    pub quoted_id: Option<MessageId>,
    /// Send this sticker of the company's library (a `sticker` message; `body` must be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sticker_id: Option<StickerId>,
    /// A quick reply whose file goes out with this message (the body is its caption). The file is
    /// copied into the message, so deleting the quick reply later leaves the message whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_reply_id: Option<QuickReplyId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketLog {
    pub id: TicketLogId,
    pub kind: TicketLogKind,
    pub user: Option<UserRef>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::MessageStatus::{self, *};
    use super::TicketSearch;

    #[test]
    fn search_words_keep_only_letters_and_digits() {
        let words = |q: &str| TicketSearch::parse(q).map(|s| s.words).unwrap_or_default();
        assert_eq!(words("Boleto \"atrasado\" OR *"), ["boleto", "atrasado", "or"]);
        assert_eq!(words("pedido#42 ção"), ["pedido", "42", "ção"]);
        assert!(words(" :* & ! ").is_empty());
        assert_eq!(words("a b c d e f g h i j").len(), TicketSearch::MAX_WORDS);
        assert_eq!(TicketSearch::parse("   "), None);
        assert_eq!(TicketSearch::parse("  Maria ").map(|s| s.text), Some("Maria".into()));
    }

    #[test]
    fn at_most_one_bot_runs() {
        use super::{BotKind::*, SetTicketBots};
        let set = |t, c, d| SetTicketBots { typebot: t, chatgpt: c, dialogflow: d };
        assert_eq!(set(Some(true), None, None).apply(None), Ok(Some(Typebot)));
        assert_eq!(set(None, Some(true), None).apply(Some(Typebot)), Ok(Some(Chatgpt)));
        assert_eq!(set(Some(false), None, None).apply(Some(Typebot)), Ok(None));
        assert_eq!(set(Some(false), None, None).apply(Some(Dialogflow)), Ok(Some(Dialogflow)));
        assert_eq!(set(None, None, None).apply(Some(Chatgpt)), Ok(Some(Chatgpt)));
        assert_eq!(set(Some(true), Some(false), None).apply(Some(Chatgpt)), Ok(Some(Typebot)));
        assert!(set(Some(true), Some(true), None).apply(None).is_err());
    }

    #[test]
    fn ticket_and_protocol_numbers() {
        let number = |q: &str| TicketSearch::parse(q).and_then(|s| s.ticket_number);
        assert_eq!((number("42"), number("#42"), number(" #0042 ")), (Some(42), Some(42), Some(42)));
        // What `str::parse` alone would have taken.
        for q in ["+42", "#+42", "-1", "#-1", "##42", "#", "0", "#0", "4 2", "99999999999999999999", "42a"] {
            assert_eq!(number(q), None, "{q:?}");
        }
        assert!(TicketSearch::parse("20261128-000042").is_some_and(|s| s.protocol && s.ticket_number.is_none()));
        assert!(TicketSearch::parse("#42").is_some_and(|s| !s.protocol));
    }

    #[test]
    fn statuses_only_move_forward_and_failures_do_not_hide_delivery() {
        #[rustfmt::skip]
        let table: [(MessageStatus, MessageStatus, bool); 14] = [
            (Pending, Sent, true), (Sent, Delivered, true), (Delivered, Read, true), (Pending, Read, true),
            (Read, Delivered, false), (Delivered, Sent, false), (Sent, Failed, true), (Pending, Failed, true),
            (Delivered, Failed, false), (Read, Failed, false),
            (Pending, Unknown, true), (Sent, Unknown, false), (Failed, Unknown, false), (Unknown, Delivered, true),
        ];
        for (from, to, allowed) in table {
            assert_eq!(from.may_become(to), allowed, "{from:?} -> {to:?}");
        }
    }
}

/// What narrows a ticket list (the tab's status and the filters panel), as the server applies it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub kind: Option<TicketKind>,
    pub queue_id: Option<QueueId>,
    pub user_id: Option<UserId>,
    pub connection_id: Option<ConnectionId>,
    /// Tickets carrying any of these tags (none: no narrowing).
    pub tag_ids: Vec<TagId>,
    pub unread_only: bool,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub search: Option<String>,
    /// `wallet=mine`: tickets of contacts whose fixed agent (Carteira) is this user.
    pub wallet_user_id: Option<UserId>,
}

/// How the ticket list reads its search box (`q`): the text for contact names and numbers, the words
/// looked up in message text, and a ticket number (`42`, `#42`) or protocol number
/// (`20261128-000042`) looked up exactly. Pure, so the SQL that applies it and the fuzz target that
/// checks it read `q` the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSearch {
    /// `q` trimmed, never empty.
    pub text: String,
    /// At most 8 lower-case words of letters and digits only, so no input reaches a full-text query's
    /// syntax (quotes, `*`, `:`, `&`, `|`, `!`, parentheses).
    pub words: Vec<String>,
    /// `42` or `#42`: a positive ticket number.
    pub ticket_number: Option<i64>,
    /// Whether `text` is written like a protocol number.
    pub protocol: bool,
}

impl TicketSearch {
    pub const MAX_WORDS: usize = 8;

    /// `None` for a blank `q` (no narrowing).
    pub fn parse(q: &str) -> Option<Self> {
        let text = q.trim();
        if text.is_empty() {
            return None;
        }
        let words = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(Self::MAX_WORDS)
            .map(str::to_lowercase)
            .collect();
        // Digits only: `str::parse` alone would also take `+42` and `-1`.
        let ticket_number = match text.strip_prefix('#').unwrap_or(text) {
            digits if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                digits.parse::<i64>().ok().filter(|n| *n > 0)
            }
            _ => None,
        };
        let protocol = crate::protocols::looks_like_protocol(text);
        Some(Self { text: text.to_owned(), words, ticket_number, protocol })
    }
}

/// An internal note on a ticket: never sent to the contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    pub id: NoteId,
    pub ticket_id: TicketId,
    pub body: String,
    pub user: UserRef,
    pub created_at: DateTime<Utc>,
}

/// `POST /tickets/{id}/notes`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewNote {
    /// Not blank, at most 4096 characters.
    pub body: String,
}

/// `GET /api/v1/dashboard`: the home screen, for the UTC day so far.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    /// Tickets being worked now.
    pub open: u32,
    /// Tickets waiting in a queue now.
    pub pending: u32,
    pub closed_today: u32,
    pub created_today: u32,
    /// From arrival to acceptance, for tickets accepted today.
    pub avg_wait_secs: Option<f64>,
    /// From acceptance to resolution, for tickets resolved today.
    pub avg_handle_secs: Option<f64>,
    pub by_queue: Vec<QueueCount>,
    pub by_agent: Vec<UserCount>,
    /// Ratings received in the period asked (`from`, `to`; the last 30 days by default).
    #[serde(default)]
    pub ratings: crate::ratings::RatingReport,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueCount {
    /// `null` for tickets in no queue.
    pub queue: Option<QueueRef>,
    pub open: u32,
    pub pending: u32,
    pub closed_today: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserCount {
    pub user: Option<UserRef>,
    pub open: u32,
    pub closed_today: u32,
}
