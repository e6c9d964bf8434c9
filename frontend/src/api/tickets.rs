//! `/tickets`: the list of a tab with its filters and search, one ticket, the actions on it, its
//! messages and its logs.

use chrono::{DateTime, Utc};
use shared::Page;
use shared::ids::{ConnectionId, MessageId, QueueId, QuickReplyId, TagId, TicketId, UserId};
use shared::tickets::{
    Message, NewMessage, NewTicket, ResolveTicket, Ticket, TicketDetail, TicketKind, TicketLog, TicketStatus,
    TransferTicket,
};

use super::client::{self, Method};
use super::{ApiError, encode};

/// Tickets per page of the list ("Carregar mais Conversas" loads the next one).
pub const PAGE_SIZE: u32 = 40;
/// Messages of the first page of a conversation: what fills a screen or two.
pub const MESSAGE_PAGE: u32 = 50;
/// Messages of the first older page, loaded when scrolling up; each next one is twice as large, up
/// to [`LARGEST_MESSAGE_PAGE`], so a reader going far back waits for a few pages, not dozens.
pub const OLDER_PAGE: u32 = 100;
/// The server's largest page of messages (`shared::page::MAX_MESSAGE_LIMIT`).
pub const LARGEST_MESSAGE_PAGE: u32 = shared::page::MAX_MESSAGE_LIMIT as u32;
/// The tab counters ask for this many and show "99+" beyond.
pub const COUNT_LIMIT: u32 = 100;

/// Filtros Avançados. Dates are the local days picked in the panel (`YYYY-MM-DD`), turned into
/// instants by the caller ([`ListQuery::bounds`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    pub queue_id: Option<QueueId>,
    pub user_id: Option<UserId>,
    pub connection_id: Option<ConnectionId>,
    /// Tickets with any of these tags.
    pub tag_ids: Vec<TagId>,
    pub unread: bool,
    /// Minha carteira: tickets of contacts whose fixed agent is the viewer.
    pub wallet_mine: bool,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Filters {
    /// How many filters are set (the badge on the Filtros Avançados button).
    pub fn active(&self) -> usize {
        [
            self.queue_id.is_some(),
            self.user_id.is_some(),
            self.connection_id.is_some(),
            !self.tag_ids.is_empty(),
            self.unread,
            self.wallet_mine,
            self.from.is_some(),
            self.to.is_some(),
        ]
        .into_iter()
        .filter(|set| *set)
        .count()
    }
}

/// What the list shows: a tab, private or group conversations, a search and filters.
#[derive(Clone, Debug, PartialEq)]
pub struct ListQuery {
    pub status: TicketStatus,
    pub kind: TicketKind,
    pub search: String,
    pub filters: Filters,
}

impl ListQuery {
    /// The query string (with `?`).
    pub fn to_query(&self, limit: u32, cursor: Option<&str>) -> String {
        let mut out = format!("?status={}&kind={}&limit={limit}", self.status.as_str(), self.kind.as_str());
        let search = self.search.trim();
        if !search.is_empty() {
            out.push_str(&format!("&q={}", encode(search)));
        }
        let f = &self.filters;
        if let Some(id) = f.queue_id {
            out.push_str(&format!("&queue_id={id}"));
        }
        if let Some(id) = f.user_id {
            out.push_str(&format!("&user_id={id}"));
        }
        if let Some(id) = f.connection_id {
            out.push_str(&format!("&connection_id={id}"));
        }
        if !f.tag_ids.is_empty() {
            let ids: Vec<String> = f.tag_ids.iter().map(ToString::to_string).collect();
            out.push_str(&format!("&tag_id={}", ids.join(",")));
        }
        if f.unread {
            out.push_str("&unread=true");
        }
        if f.wallet_mine {
            out.push_str("&wallet=mine");
        }
        for (name, at) in [("from", f.from), ("to", f.to)] {
            if let Some(at) = at {
                out.push_str(&format!("&{name}={}", encode(&at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))));
            }
        }
        if let Some(cursor) = cursor {
            out.push_str(&format!("&cursor={}", encode(cursor)));
        }
        out
    }
}

pub async fn list(query: &ListQuery, limit: u32, cursor: Option<&str>) -> Result<Page<Ticket>, ApiError> {
    client::get(&format!("/tickets{}", query.to_query(limit, cursor))).await
}

/// Tickets of any tab matching a search (used to find a contact's active ticket).
pub async fn search(status: TicketStatus, q: &str) -> Result<Page<Ticket>, ApiError> {
    client::get(&format!("/tickets?status={}&q={}&limit={COUNT_LIMIT}", status.as_str(), encode(q))).await
}

pub async fn get(id: TicketId) -> Result<TicketDetail, ApiError> {
    client::get(&format!("/tickets/{id}")).await
}

pub async fn create(new: &NewTicket) -> Result<Ticket, ApiError> {
    client::send(Method::Post, "/tickets", new).await
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Accept,
    ReturnToQueue,
    /// `send_rating`: send the satisfaction survey too.
    Resolve {
        send_rating: bool,
    },
    Reopen,
}

impl Action {
    fn path(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::ReturnToQueue => "return-to-queue",
            Action::Resolve { .. } => "resolve",
            Action::Reopen => "reopen",
        }
    }
}

pub async fn act(id: TicketId, action: Action) -> Result<Ticket, ApiError> {
    let path = format!("/tickets/{id}/{}", action.path());
    match action {
        Action::Resolve { send_rating } => client::send(Method::Post, &path, &ResolveTicket { send_rating }).await,
        _ => client::send(Method::Post, &path, &serde_json::json!({})).await,
    }
}

pub async fn transfer(id: TicketId, to: &TransferTicket) -> Result<Ticket, ApiError> {
    client::send(Method::Post, &format!("/tickets/{id}/transfer"), to).await
}

/// A page of the ticket's log, newest first; `cursor` is the previous page's `next_cursor`.
pub async fn logs(id: TicketId, cursor: Option<&str>, limit: u32) -> Result<Page<TicketLog>, ApiError> {
    client::get(&format!("/tickets/{id}/logs{}", super::page_query(limit, cursor))).await
}

/// A page of messages, newest first; `before` is the previous page's `next_cursor`.
pub async fn messages(id: TicketId, before: Option<&str>, limit: u32) -> Result<Page<Message>, ApiError> {
    let before = before.map(|b| format!("&before={}", encode(b))).unwrap_or_default();
    client::get(&format!("/tickets/{id}/messages?limit={limit}{before}")).await
}

/// A text message; with `quick_reply_id`, the server attaches a copy of that quick reply's file.
pub async fn send_text(
    id: TicketId,
    body: &str,
    quoted_id: Option<MessageId>,
    quick_reply_id: Option<QuickReplyId>,
) -> Result<Message, ApiError> {
    let new = NewMessage { body: body.to_owned(), quoted_id, sticker_id: None, quick_reply_id };
    client::send(Method::Post, &format!("/tickets/{id}/messages"), &new).await
}

/// Sends a failed message (or one of unknown fate) again.
pub async fn resend(id: MessageId) -> Result<Message, ApiError> {
    client::send(Method::Post, &format!("/messages/{id}/resend"), &serde_json::json!({})).await
}

/// `POST /tickets/{id}/sms`: an SMS by Comtele to the ticket's contact.
pub async fn send_sms(id: TicketId, body: &str) -> Result<shared::tickets::Message, ApiError> {
    client::send(Method::Post, &format!("/tickets/{id}/sms"), &shared::tickets::SendSms { body: body.to_owned() }).await
}

/// `PUT /tickets/{id}/bots`: the ticket's bots afterwards.
pub async fn set_bots(
    id: TicketId,
    change: &shared::tickets::SetTicketBots,
) -> Result<shared::tickets::TicketBots, ApiError> {
    client::send(Method::Put, &format!("/tickets/{id}/bots"), change).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_carries_tab_kind_search_and_filters() {
        let mut query = ListQuery {
            status: TicketStatus::Pending,
            kind: TicketKind::Private,
            search: "  Maria Silva ".into(),
            filters: Filters::default(),
        };
        assert_eq!(query.to_query(40, None), "?status=pending&kind=private&limit=40&q=Maria%20Silva");
        query.search.clear();
        query.filters.queue_id = Some(QueueId(3));
        query.filters.unread = true;
        query.filters.from = DateTime::parse_from_rfc3339("2025-03-01T03:00:00Z").ok().map(|d| d.with_timezone(&Utc));
        assert_eq!(
            query.to_query(100, Some("abc=")),
            "?status=pending&kind=private&limit=100&queue_id=3&unread=true&from=2025-03-01T03%3A00%3A00Z&cursor=abc%3D"
        );
        assert_eq!(query.filters.active(), 3);
        query.filters = Filters { tag_ids: vec![TagId(4), TagId(9)], ..Filters::default() };
        assert_eq!(query.to_query(40, None), "?status=pending&kind=private&limit=40&tag_id=4,9");
        assert_eq!(query.filters.active(), 1);
    }
}
