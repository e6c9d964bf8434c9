//! A conversation's messages, kept live.
//!
//! Each message lives in its own signal and the thread is an ordered vector of ids rendered by a
//! keyed `<For>`, so a delivery status change touches one bubble. Only the newest page is fetched
//! first; older pages are added in front as the reader scrolls up.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::ids::{MessageId, NoteId, TicketId};
use shared::tickets::{Message, MessageStatus, Note};

use crate::api::{self, ApiError};
use crate::state::realtime::MessageUpdate;
use crate::time::{self, DayKey};

/// A row of the thread: a day separator (keyed by the negated day, with the time of its first
/// row), a message (by its id) or an internal note (by its id, far below the days' keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Day(DayKey, DateTime<Utc>),
    Message(MessageId),
    Note(NoteId),
}

/// Note keys start here: below every day key (a day is at most 8 digits).
const NOTE_KEYS: i64 = -(1 << 40);

impl Item {
    pub fn key(&self) -> i64 {
        match self {
            Item::Day(day, _) => -i64::from(*day),
            Item::Message(id) => id.0,
            Item::Note(id) => NOTE_KEYS - id.0,
        }
    }
}

/// The thread's rows: messages in order, each note before the first message written after it, a
/// day separator before each new day. Notes older than the first loaded message wait for its
/// older page unless the start of the conversation is loaded (`complete`).
pub fn items(
    messages: &[(MessageId, DayKey, DateTime<Utc>)],
    notes: &[(NoteId, DayKey, DateTime<Utc>)],
    complete: bool,
) -> Vec<Item> {
    let mut out = Vec::with_capacity(messages.len() + notes.len() + 8);
    let mut last_day = None;
    let mut push = |out: &mut Vec<Item>, item: Item, day: DayKey, at: DateTime<Utc>| {
        if last_day != Some(day) {
            out.push(Item::Day(day, at));
            last_day = Some(day);
        }
        out.push(item);
    };
    let mut pending = notes.iter().peekable();
    for (index, (id, day, at)) in messages.iter().enumerate() {
        while let Some((note, note_day, note_at)) = pending.next_if(|(_, _, note_at)| note_at < at) {
            if index > 0 || complete {
                push(&mut out, Item::Note(*note), *note_day, *note_at);
            }
        }
        push(&mut out, Item::Message(*id), *day, *at);
    }
    for (note, note_day, note_at) in pending {
        push(&mut out, Item::Note(*note), *note_day, *note_at);
    }
    out
}

/// A newer copy of a known message, keeping the furthest delivery status.
pub fn merge(old: &Message, mut new: Message) -> Message {
    let failed = new.status == MessageStatus::Failed;
    if !failed && old.status.rank() > new.status.rank() {
        new.status = old.status;
        new.error.clone_from(&old.error);
        if new.external_id.is_none() {
            new.external_id.clone_from(&old.external_id);
        }
    }
    new
}

/// A live status change applied to a message: delivery only moves forward (a late "delivered"
/// never downgrades "read"), except to "failed".
pub fn apply_status(message: &mut Message, update: &MessageUpdate) {
    if update.status == MessageStatus::Failed || update.status.rank() >= message.status.rank() {
        message.status = update.status;
        message.error.clone_from(&update.error);
    }
    if update.external_id.is_some() {
        message.external_id.clone_from(&update.external_id);
    }
}

/// Where `id` goes in ascending `order` (ids grow with time).
pub fn insert_position(order: &[MessageId], id: MessageId) -> Result<usize, usize> {
    order.binary_search(&id)
}

/// A message with its local day and time (the thread's order and separators).
type Stored = (ArcRwSignal<Message>, DayKey, DateTime<Utc>);

#[derive(Clone, Copy)]
pub struct MessageStore {
    ticket: TicketId,
    map: StoredValue<HashMap<MessageId, Stored>>,
    /// Ids, oldest first.
    pub order: RwSignal<Vec<MessageId>>,
    /// The cursor for the next older page; `None` when the start of the conversation is loaded.
    pub older: RwSignal<Option<String>>,
    pub loading_older: RwSignal<bool>,
    /// Older pages loaded so far (each next one is larger).
    older_pages: StoredValue<u32>,
    pub loaded: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
}

impl MessageStore {
    pub fn new(ticket: TicketId) -> Self {
        Self {
            ticket,
            map: StoredValue::new(HashMap::new()),
            order: RwSignal::new(Vec::new()),
            older: RwSignal::new(None),
            loading_older: RwSignal::new(false),
            older_pages: StoredValue::new(0),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    pub fn get(&self, id: MessageId) -> Option<ArcRwSignal<Message>> {
        self.map.try_with_value(|map| map.get(&id).map(|(m, _, _)| m.clone())).flatten()
    }

    /// Adds messages (any order; known ones are updated). True when something was added.
    pub fn insert(&self, messages: Vec<Message>) -> bool {
        let mut added = Vec::new();
        self.map.update_value(|map| {
            for message in messages {
                if message.ticket_id != self.ticket {
                    continue;
                }
                match map.get(&message.id) {
                    // A late copy (the POST answer after the live status change) must not move
                    // the delivery status back.
                    Some((existing, _, _)) => existing.update(|old| *old = merge(old, message)),
                    None => {
                        added.push(message.id);
                        let (day, at) = (time::day_of(&message.created_at), message.created_at);
                        map.insert(message.id, (ArcRwSignal::new(message), day, at));
                    }
                }
            }
        });
        if added.is_empty() {
            return false;
        }
        self.order.update(|order| {
            for id in added {
                if let Err(at) = insert_position(order, id) {
                    order.insert(at, id);
                }
            }
        });
        true
    }

    pub fn update_status(&self, update: &MessageUpdate) {
        if let Some(message) = self.get(update.id) {
            message.update(|m| apply_status(m, update));
        }
    }

    /// The thread's rows, with these notes (oldest first) between the messages.
    pub fn items(&self, notes: &[Note]) -> Vec<Item> {
        let order = self.order.get();
        let complete = self.loaded.get() && self.older.with(Option::is_none);
        let messages: Vec<(MessageId, DayKey, DateTime<Utc>)> = self
            .map
            .with_value(|map| order.iter().filter_map(|id| map.get(id).map(|(_, day, at)| (*id, *day, *at))).collect());
        let notes: Vec<(NoteId, DayKey, DateTime<Utc>)> =
            notes.iter().map(|n| (n.id, time::day_of(&n.created_at), n.created_at)).collect();
        items(&messages, &notes, complete)
    }

    /// The newest page (first load, or after a reconnection: merged with what is shown).
    pub async fn load_newest(&self) -> Result<(), ApiError> {
        let page = api::tickets::messages(self.ticket, None, api::tickets::MESSAGE_PAGE).await?;
        // The conversation may have been closed while the page was on its way.
        let Some(loaded) = self.loaded.try_get_untracked() else { return Ok(()) };
        let first = !loaded;
        self.insert(page.items);
        if first {
            self.older.set(page.next_cursor);
        }
        self.loaded.set(true);
        Ok(())
    }

    /// The next older page (100 messages, then 200, 400, up to the server's largest). `Ok(true)`
    /// when messages were added; `Ok(false)` when there are none left or a load is under way.
    pub async fn load_older(&self) -> Result<bool, ApiError> {
        let pages = self.older_pages.try_get_value().unwrap_or_default();
        let limit = older_page_size(pages);
        self.load_older_page(limit).await
    }

    /// Whether the start of the conversation is loaded (or nothing is, yet).
    pub fn at_start(&self) -> bool {
        self.older.try_with_untracked(Option::is_none).unwrap_or(true)
    }

    /// Every older page, the largest the server gives, until the start of the conversation. A load
    /// under way is waited for (a frame at a time), not doubled.
    pub async fn load_to_start(&self) -> Result<(), ApiError> {
        while !self.at_start() {
            if self.loading_older.try_get_untracked() == Some(true) {
                next_frame().await;
                continue;
            }
            self.load_older_page(api::tickets::LARGEST_MESSAGE_PAGE).await?;
        }
        Ok(())
    }

    async fn load_older_page(&self, limit: u32) -> Result<bool, ApiError> {
        let Some(cursor) = self.older.try_get_untracked().flatten() else { return Ok(false) };
        if self.loading_older.try_get_untracked() != Some(false) {
            return Ok(false);
        }
        self.loading_older.set(true);
        let result = api::tickets::messages(self.ticket, Some(&cursor), limit).await;
        self.loading_older.try_set(false);
        let page = result?;
        self.older_pages.try_update_value(|pages| *pages += 1);
        self.older.try_set(page.next_cursor);
        Ok(self.insert(page.items))
    }
}

/// The size of the older page after `loaded` of them: doubling from [`api::tickets::OLDER_PAGE`].
pub fn older_page_size(loaded: u32) -> u32 {
    api::tickets::OLDER_PAGE.saturating_mul(1 << loaded.min(8)).min(api::tickets::LARGEST_MESSAGE_PAGE)
}

/// Resolves at the browser's next animation frame.
async fn next_frame() {
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        request_animation_frame(move || {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        });
    });
    let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
}

#[cfg(test)]
mod tests {
    use shared::tickets::MessageKind;

    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + minute * 60, 0).unwrap_or_default()
    }

    #[test]
    fn older_pages_double_up_to_the_servers_largest() {
        let sizes: Vec<u32> = (0..6).map(older_page_size).collect();
        assert_eq!(sizes, [100, 200, 400, 500, 500, 500]);
        assert_eq!(older_page_size(u32::MAX), 500);
        // 5,000 messages after the first 50: twelve requests instead of fifty.
        let mut left = 4_950_u32;
        let pages = (0..).take_while(|&n| {
            let more = left > 0;
            left = left.saturating_sub(older_page_size(n));
            more
        });
        assert_eq!(pages.count(), 12);
    }

    #[test]
    fn day_separators_come_before_each_new_day() {
        let rows = items(
            &[(MessageId(1), 20250101, at(1)), (MessageId(2), 20250101, at(2)), (MessageId(5), 20250102, at(3))],
            &[],
            true,
        );
        assert_eq!(
            rows,
            vec![
                Item::Day(20250101, at(1)),
                Item::Message(MessageId(1)),
                Item::Message(MessageId(2)),
                Item::Day(20250102, at(3)),
                Item::Message(MessageId(5)),
            ]
        );
        assert!(rows.iter().map(Item::key).collect::<std::collections::HashSet<_>>().len() == rows.len());
    }

    #[test]
    fn notes_go_between_the_messages_by_time() {
        let messages = [(MessageId(1), 1, at(10)), (MessageId(2), 1, at(20)), (MessageId(3), 2, at(30))];
        let notes = [(NoteId(7), 1, at(5)), (NoteId(8), 1, at(15)), (NoteId(9), 2, at(40))];
        let partial = items(&messages, &notes, false);
        assert_eq!(
            partial,
            vec![
                Item::Day(1, at(10)),
                Item::Message(MessageId(1)),
                Item::Note(NoteId(8)),
                Item::Message(MessageId(2)),
                Item::Day(2, at(30)),
                Item::Message(MessageId(3)),
                Item::Note(NoteId(9)),
            ],
            "the oldest note waits for the older page"
        );
        let whole = items(&messages, &notes, true);
        assert_eq!(&whole[..3], &[Item::Day(1, at(5)), Item::Note(NoteId(7)), Item::Message(MessageId(1))]);
        let only_notes = items(&[], &notes[..1], true);
        assert_eq!(only_notes, vec![Item::Day(1, at(5)), Item::Note(NoteId(7))]);
        let keys: std::collections::HashSet<i64> = whole.iter().map(Item::key).collect();
        assert_eq!(keys.len(), whole.len());
    }

    fn message(status: MessageStatus) -> Message {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        Message {
            id: MessageId(1),
            ticket_id: TicketId(1),
            from_me: true,
            kind: MessageKind::Text,
            body: "oi".into(),
            media_url: None,
            media_mime: None,
            media_name: None,
            status,
            error: None,
            external_id: None,
            quoted_id: None,
            user_id: None,
            system: None,
            metadata: None,
            participant: None,
            created_at: at,
            updated_at: at,
            channel: None,
            sender: Default::default(),
            bot: None,
        }
    }

    fn update(status: MessageStatus, error: Option<&str>, external_id: Option<&str>) -> MessageUpdate {
        MessageUpdate {
            id: MessageId(1),
            ticket_id: TicketId(1),
            status,
            error: error.map(str::to_owned),
            external_id: external_id.map(str::to_owned),
        }
    }

    #[test]
    fn a_late_copy_never_moves_the_status_back() {
        let sent = message(MessageStatus::Sent);
        assert_eq!(merge(&sent, message(MessageStatus::Pending)).status, MessageStatus::Sent);
        assert_eq!(merge(&sent, message(MessageStatus::Read)).status, MessageStatus::Read);
        assert_eq!(merge(&sent, message(MessageStatus::Failed)).status, MessageStatus::Failed);
    }

    #[test]
    fn live_status_changes_only_move_forward_or_fail() {
        let mut read = message(MessageStatus::Read);
        apply_status(&mut read, &update(MessageStatus::Delivered, None, Some("wamid.1")));
        assert_eq!(read.status, MessageStatus::Read);
        assert_eq!(read.external_id.as_deref(), Some("wamid.1"));

        let mut sent = message(MessageStatus::Sent);
        apply_status(&mut sent, &update(MessageStatus::Delivered, None, None));
        assert_eq!(sent.status, MessageStatus::Delivered);

        apply_status(&mut sent, &update(MessageStatus::Failed, Some("no route"), None));
        assert_eq!(sent.status, MessageStatus::Failed);
        assert_eq!(sent.error.as_deref(), Some("no route"));
    }

    #[test]
    fn messages_insert_in_id_order() {
        let order = vec![MessageId(2), MessageId(5), MessageId(9)];
        assert_eq!(insert_position(&order, MessageId(7)), Err(2));
        assert_eq!(insert_position(&order, MessageId(1)), Err(0));
        assert_eq!(insert_position(&order, MessageId(5)), Ok(1));
    }
}
