//! The message history of a conversation: day separators, text, images, audio, video, documents,
//! stickers, locations, quoted replies, system messages and delivery ticks that change live.
//!
//! Only the newest page is fetched first; older pages load when the reader nears the top, and the
//! scroll position is kept where it was. Each message lives in its own signal, rendered by a keyed
//! `<For>`, so a status change touches one bubble.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::{MessageId, TicketId};
use shared::tickets::{Message, MessageKind, MessageStatus};
use wasm_bindgen::JsCast;

use super::rich_text::RichText;
use crate::api::{self, ApiError, media};
use crate::i18n::{Key, use_i18n};
use crate::state::realtime::MessageUpdate;
use crate::t;
use crate::time::{self, DayKey};

/// A row of the thread: a day separator (keyed by the negated day) or a message (by its id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Day(DayKey, MessageId),
    Message(MessageId),
}

impl Item {
    pub fn key(&self) -> i64 {
        match self {
            Item::Day(day, _) => -i64::from(*day),
            Item::Message(id) => id.0,
        }
    }
}

/// The thread's rows from messages in order with their local days.
pub fn items(messages: &[(MessageId, DayKey)]) -> Vec<Item> {
    let mut out = Vec::with_capacity(messages.len() + 8);
    let mut last_day = None;
    for (id, day) in messages {
        if last_day != Some(*day) {
            out.push(Item::Day(*day, *id));
            last_day = Some(*day);
        }
        out.push(Item::Message(*id));
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

/// Where `id` goes in ascending `order` (ids grow with time).
pub fn insert_position(order: &[MessageId], id: MessageId) -> Result<usize, usize> {
    order.binary_search(&id)
}

#[derive(Clone, Copy)]
pub struct MessageStore {
    ticket: TicketId,
    map: StoredValue<HashMap<MessageId, (ArcRwSignal<Message>, DayKey)>>,
    /// Ids, oldest first.
    pub order: RwSignal<Vec<MessageId>>,
    /// The cursor for the next older page; `None` when the start of the conversation is loaded.
    pub older: RwSignal<Option<String>>,
    pub loading_older: RwSignal<bool>,
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
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    pub fn get(&self, id: MessageId) -> Option<ArcRwSignal<Message>> {
        self.map.try_with_value(|map| map.get(&id).map(|(m, _)| m.clone())).flatten()
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
                    Some((existing, _)) => existing.update(|old| *old = merge(old, message)),
                    None => {
                        added.push(message.id);
                        let day = time::day_of(&message.created_at);
                        map.insert(message.id, (ArcRwSignal::new(message), day));
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
            message.update(|m| {
                // Delivery only moves forward: a late "delivered" never downgrades "read".
                if update.status == MessageStatus::Failed || update.status.rank() >= m.status.rank() {
                    m.status = update.status;
                    m.error = update.error.clone();
                }
                if update.external_id.is_some() {
                    m.external_id = update.external_id.clone();
                }
            });
        }
    }

    pub fn items(&self) -> Vec<Item> {
        let order = self.order.get();
        let days: Vec<(MessageId, DayKey)> =
            self.map.with_value(|map| order.iter().filter_map(|id| map.get(id).map(|(_, day)| (*id, *day))).collect());
        items(&days)
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

    pub async fn load_older(&self) -> Result<bool, ApiError> {
        let Some(cursor) = self.older.try_get_untracked().flatten() else { return Ok(false) };
        if self.loading_older.try_get_untracked() != Some(false) {
            return Ok(false);
        }
        self.loading_older.set(true);
        let result = api::tickets::messages(self.ticket, Some(&cursor), api::tickets::OLDER_PAGE).await;
        self.loading_older.try_set(false);
        let page = result?;
        self.older.try_set(page.next_cursor);
        Ok(self.insert(page.items))
    }
}

/// Scrolling helpers shared by the thread and its media (images grow after loading).
#[derive(Clone, Copy)]
pub struct ThreadScroll {
    pub el: NodeRef<leptos::html::Div>,
    /// Whether the reader is at the newest message (new ones then scroll into view).
    pub stick: StoredValue<bool>,
}

impl ThreadScroll {
    pub fn scroll_to_bottom(&self) {
        let el = self.el;
        let stick = self.stick;
        request_animation_frame(move || {
            if let Some(el) = el.try_get_untracked().flatten() {
                el.set_scroll_top(el.scroll_height());
                stick.set_value(true);
            }
        });
    }

    pub fn near_bottom(&self) -> bool {
        self.el
            .try_get_untracked()
            .flatten()
            .is_none_or(|el| el.scroll_height() - el.scroll_top() - el.client_height() < 120)
    }

    /// Keeps the bottom in view after content grew, if the reader was there.
    pub fn settle(&self) {
        if self.stick.get_value() {
            self.scroll_to_bottom();
        }
    }
}

fn status_view(status: MessageStatus, error: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let (symbol, class, key) = match status {
        MessageStatus::Pending => ("🕓", "tick tick-pending", Key::StatusSending),
        MessageStatus::Sent => ("✓", "tick", Key::StatusSent),
        MessageStatus::Delivered => ("✓✓", "tick", Key::StatusDelivered),
        MessageStatus::Read => ("✓✓", "tick tick-read", Key::StatusRead),
        MessageStatus::Failed => ("⚠", "tick tick-failed", Key::StatusFailed),
        MessageStatus::Received => return ().into_any(),
    };
    let title = move || match &error {
        Some(error) if status == MessageStatus::Failed => format!("{}: {error}", i18n.t(key)),
        _ => i18n.t(key).to_owned(),
    };
    view! {
        <span class=class title=title.clone() aria-label=title data-testid="message-status" data-status=status.as_str()>
            {symbol}
        </span>
    }
    .into_any()
}

/// The object URL of a message's media, fetched with the token when the view mounts.
fn media_source(url: Option<String>) -> RwSignal<Option<Result<String, ()>>> {
    let source = RwSignal::new(None);
    match url {
        Some(url) => spawn_local(async move {
            let result = media::object_url(&url).await.map_err(|_| ());
            source.try_set(Some(result));
        }),
        None => source.set(Some(Err(()))),
    }
    source
}

/// `-23.55,-46.63` (or a link with them) as coordinates.
pub fn coordinates(text: &str) -> Option<(f64, f64)> {
    let numbers: Vec<f64> = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|part| part.contains('.'))
        .filter_map(|part| part.parse().ok())
        .collect();
    match numbers.as_slice() {
        [lat, lng, ..] if lat.abs() <= 90.0 && lng.abs() <= 180.0 => Some((*lat, *lng)),
        _ => None,
    }
}

#[component]
fn MediaImage(url: Option<String>, sticker: bool, scroll: ThreadScroll) -> impl IntoView {
    let i18n = use_i18n();
    let source = media_source(url);
    move || match source.get() {
        None => {
            view! { <span class="media-loading" class:sticker=sticker aria-label=t!(i18n, Loading)></span> }.into_any()
        }
        Some(Ok(src)) => {
            let href = src.clone();
            view! {
                <a href=href target="_blank" rel="noopener" class="media-link">
                    <img
                        class=if sticker { "sticker" } else { "media-image" }
                        src=src
                        alt=move || i18n.t(if sticker { Key::Sticker } else { Key::Image })
                        on:load=move |_| scroll.settle()
                    />
                </a>
            }
            .into_any()
        }
        Some(Err(())) => view! { <span class="media-missing">{t!(i18n, MediaUnavailable)}</span> }.into_any(),
    }
}

#[component]
fn MediaPlayer(url: Option<String>, video: bool) -> impl IntoView {
    let i18n = use_i18n();
    // Video can be large: fetched when asked for. Voice notes are small: fetched at once.
    let requested = RwSignal::new(!video);
    let source = RwSignal::new(None::<Result<String, ()>>);
    Effect::new(move || {
        if requested.get() && source.get_untracked().is_none() {
            let url = url.clone();
            spawn_local(async move {
                let result = match url {
                    Some(url) => media::object_url(&url).await.map_err(|_| ()),
                    None => Err(()),
                };
                source.try_set(Some(result));
            });
        }
    });
    move || match (requested.get(), source.get()) {
        (false, _) => view! {
            <button type="button" class="btn btn-small media-play" on:click=move |_| requested.set(true)>
                "▶ " {t!(i18n, Video)}
            </button>
        }
        .into_any(),
        (true, None) => view! { <span class="media-loading" aria-label=t!(i18n, Loading)></span> }.into_any(),
        (true, Some(Ok(src))) if video => {
            view! { <video class="media-video" controls=true autoplay=true src=src></video> }.into_any()
        }
        (true, Some(Ok(src))) => {
            view! { <audio class="media-audio" controls=true preload="metadata" src=src></audio> }.into_any()
        }
        (true, Some(Err(()))) => view! { <span class="media-missing">{t!(i18n, MediaUnavailable)}</span> }.into_any(),
    }
}

#[component]
fn Document(url: Option<String>, name: String, mime: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let failed = RwSignal::new(false);
    let label = if name.is_empty() { i18n.t(Key::Document).to_owned() } else { name.clone() };
    let download = move |_| {
        let (url, name) = (url.clone(), name.clone());
        spawn_local(async move {
            let Some(url) = url else {
                failed.set(true);
                return;
            };
            match media::object_url(&url).await {
                Ok(object) => {
                    let link = document()
                        .create_element("a")
                        .ok()
                        .and_then(|el| el.dyn_into::<web_sys::HtmlAnchorElement>().ok());
                    if let Some(link) = link {
                        link.set_href(&object);
                        link.set_download(&name);
                        link.click();
                    }
                }
                Err(_) => failed.set(true),
            }
        });
    };
    view! {
        <button type="button" class="document" on:click=download data-testid="message-document">
            <span class="document-icon" aria-hidden="true">"📄"</span>
            <span class="document-name">{label}</span>
            {mime.map(|mime| view! { <span class="document-mime">{mime}</span> })}
        </button>
        <Show when=move || failed.get()>
            <span class="media-missing">{t!(i18n, MediaUnavailable)}</span>
        </Show>
    }
}

fn content(message: &Message, scroll: ThreadScroll) -> AnyView {
    let i18n = use_i18n();
    let body = message.body.clone();
    let caption = (!body.trim().is_empty()).then(|| {
        let body = body.clone();
        view! { <div class="msg-text" data-testid="message-text"><RichText text=body/></div> }
    });
    match message.kind {
        MessageKind::Text | MessageKind::System => {
            view! { <div class="msg-text" data-testid="message-text"><RichText text=body/></div> }.into_any()
        }
        MessageKind::Image => view! { <MediaImage url=message.media_url.clone() sticker=false scroll=scroll/>{caption} }.into_any(),
        MessageKind::Sticker => view! { <MediaImage url=message.media_url.clone() sticker=true scroll=scroll/> }.into_any(),
        MessageKind::Audio => view! { <MediaPlayer url=message.media_url.clone() video=false/>{caption} }.into_any(),
        MessageKind::Video => view! { <MediaPlayer url=message.media_url.clone() video=true/>{caption} }.into_any(),
        MessageKind::Document => view! {
            <Document
                url=message.media_url.clone()
                name=message.media_name.clone().unwrap_or_default()
                mime=message.media_mime.clone()
            />
            {caption}
        }
        .into_any(),
        MessageKind::Location => {
            let map = coordinates(&body)
                .map(|(lat, lng)| format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=16/{lat}/{lng}"));
            view! {
                <div class="location" data-testid="message-location">
                    <span aria-hidden="true">"📍 "</span>
                    {match map {
                        Some(href) => view! { <a href=href target="_blank" rel="noopener noreferrer">{t!(i18n, Location)}</a> }.into_any(),
                        None => view! { <span>{t!(i18n, Location)}</span> }.into_any(),
                    }}
                </div>
                {caption}
            }
            .into_any()
        }
        MessageKind::Reaction => view! {
            <div class="reaction">{move || i18n.t(Key::ReactedWith)} " " <span class="reaction-emoji">{body.clone()}</span></div>
        }
        .into_any(),
    }
}

/// One line of a quoted message: its text, or what it was.
fn quote_text(message: &Message) -> String {
    let line = message.body.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    if !line.is_empty() {
        return line.chars().take(140).collect();
    }
    match message.kind {
        MessageKind::Image => "📷".into(),
        MessageKind::Audio => "🎤".into(),
        MessageKind::Video => "🎬".into(),
        MessageKind::Document => message.media_name.clone().unwrap_or_else(|| "📄".into()),
        MessageKind::Sticker => "🖼".into(),
        MessageKind::Location => "📍".into(),
        _ => String::new(),
    }
}

#[component]
fn Bubble(
    id: MessageId,
    store: MessageStore,
    scroll: ThreadScroll,
    #[prop(into)] on_reply: Callback<MessageId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Some(message) = store.get(id) else {
        return ().into_any();
    };
    let message: RwSignal<Message> = message.into();
    let initial = message.get_untracked();
    if initial.kind == MessageKind::System {
        return view! {
            <div class="msg-system" role="note" data-testid="message-system" data-message-id=id.to_string()>
                <span class="pill">
                    <span>{initial.body}</span>
                    <time>{time::clock(&initial.created_at)}</time>
                </span>
            </div>
        }
        .into_any();
    }
    let mine = initial.from_me;
    let quoted = initial.quoted_id.map(|quoted| {
        let text = store.get(quoted).map(|q| q.with_untracked(quote_text));
        let from_me = store.get(quoted).is_some_and(|q| q.with_untracked(|m| m.from_me));
        view! {
            <div class="quote" data-testid="message-quote">
                <span class="quote-who">{move || if from_me { i18n.t(Key::QuoteYou) } else { i18n.t(Key::Contact) }}</span>
                <span class="quote-text">{match text {
                    Some(text) => text.into_any(),
                    None => view! { <em>{t!(i18n, QuotedUnavailable)}</em> }.into_any(),
                }}</span>
            </div>
        }
    });
    let body = content(&initial, scroll);
    let created = initial.created_at;
    view! {
        <div class="msg-row" class:mine=mine data-testid="message" data-message-id=id.to_string()>
            <div class="bubble">
                {quoted}
                {body}
                <span class="msg-meta">
                    <time title=move || time::full(&created, i18n.locale())>{time::clock(&created)}</time>
                    {move || mine.then(|| message.with(|m| status_view(m.status, m.error.clone())))}
                </span>
            </div>
            <button
                type="button"
                class="msg-reply icon-button"
                aria-label=t!(i18n, Reply)
                title=t!(i18n, Reply)
                data-testid="message-reply"
                on:click=move |_| on_reply.run(id)
            >
                "↩"
            </button>
        </div>
    }
    .into_any()
}

#[component]
pub fn MessageThread(
    store: MessageStore,
    scroll: ThreadScroll,
    /// New messages below the fold, while the reader is further up.
    unseen: RwSignal<u32>,
    #[prop(into)] on_reply: Callback<MessageId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let items = Memo::new(move |_| store.items());

    let load_older = move || {
        let Some(el) = scroll.el.get_untracked() else { return };
        if store.older.with_untracked(Option::is_none) || store.loading_older.get_untracked() {
            return;
        }
        let (height, top) = (el.scroll_height(), el.scroll_top());
        spawn_local(async move {
            if let Ok(true) = store.load_older().await {
                // Keep the message that was on screen where it was.
                request_animation_frame(move || {
                    if let Some(el) = scroll.el.try_get_untracked().flatten() {
                        el.set_scroll_top(el.scroll_height() - height + top);
                    }
                });
            }
        });
    };

    let on_scroll = move |_| {
        let Some(el) = scroll.el.get_untracked() else { return };
        let near = scroll.near_bottom();
        scroll.stick.set_value(near);
        if near && unseen.get_untracked() > 0 {
            unseen.set(0);
        }
        if el.scroll_top() < 400 {
            load_older();
        }
    };

    // A first page that does not fill the screen: fetch older ones until it does.
    Effect::new(move || {
        let _ = items.get();
        if store.loaded.get() && store.older.with(Option::is_some) {
            request_animation_frame(move || {
                if let Some(el) = scroll.el.try_get_untracked().flatten()
                    && el.scroll_height() <= el.client_height() + 50
                {
                    load_older();
                }
            });
        }
    });

    view! {
        <div class="thread-wrap">
            <div
                class="thread"
                node_ref=scroll.el
                on:scroll=on_scroll
                role="log"
                aria-live="polite"
                aria-label=t!(i18n, Messages)
                tabindex="0"
                data-testid="message-thread"
            >
                <Show when=move || store.loading_older.get()>
                    <div class="thread-state" role="status"><div class="spinner spinner-small" aria-hidden="true"></div></div>
                </Show>
                <Show when=move || { store.loaded.get() && store.older.with(Option::is_none) && store.order.with(|o| !o.is_empty()) }>
                    <div class="thread-start" data-testid="thread-start">{t!(i18n, ConversationStart)}</div>
                </Show>
                <For each=move || items.get() key=Item::key let:item>
                    {match item {
                        Item::Day(_, first) => {
                            let at = store.get(first).map(|m| m.with_untracked(|m| m.created_at));
                            view! {
                                <div class="day-separator" role="separator" data-testid="day-separator">
                                    <span>{move || at.map(|at| time::day_label(&at, i18n.locale())).unwrap_or_default()}</span>
                                </div>
                            }
                            .into_any()
                        }
                        Item::Message(id) => view! { <Bubble id=id store=store scroll=scroll on_reply=on_reply/> }.into_any(),
                    }}
                </For>
                <Show when=move || { !store.loaded.get() && store.error.with(Option::is_none) }>
                    <div class="thread-state" role="status" data-testid="thread-loading">
                        <div class="spinner" aria-hidden="true"></div>
                        <span class="sr-only">{t!(i18n, Loading)}</span>
                    </div>
                </Show>
                <Show when=move || { store.loaded.get() && store.order.with(Vec::is_empty) }>
                    <p class="thread-state muted" data-testid="thread-empty">{t!(i18n, NoMessagesYet)}</p>
                </Show>
                {move || store.error.get().map(|err| view! {
                    <div class="thread-state"><div class="alert alert-error" role="alert">{move || err.user_message(i18n.locale())}</div></div>
                })}
            </div>
            <Show when=move || { unseen.get() > 0 }>
                <button
                    type="button"
                    class="new-messages"
                    data-testid="new-messages"
                    on:click=move |_| {
                        unseen.set(0);
                        scroll.scroll_to_bottom();
                    }
                >
                    {move || crate::i18n::new_messages(i18n.locale(), unseen.get())} " ↓"
                </button>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_separators_come_before_each_new_day() {
        let rows = items(&[(MessageId(1), 20250101), (MessageId(2), 20250101), (MessageId(5), 20250102)]);
        assert_eq!(
            rows,
            vec![
                Item::Day(20250101, MessageId(1)),
                Item::Message(MessageId(1)),
                Item::Message(MessageId(2)),
                Item::Day(20250102, MessageId(5)),
                Item::Message(MessageId(5)),
            ]
        );
        assert!(rows.iter().map(Item::key).collect::<std::collections::HashSet<_>>().len() == rows.len());
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
            created_at: at,
            updated_at: at,
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
    fn messages_insert_in_id_order() {
        let order = vec![MessageId(2), MessageId(5), MessageId(9)];
        assert_eq!(insert_position(&order, MessageId(7)), Err(2));
        assert_eq!(insert_position(&order, MessageId(1)), Err(0));
        assert_eq!(insert_position(&order, MessageId(5)), Ok(1));
    }

    #[test]
    fn coordinates_are_read_from_text_or_links() {
        assert_eq!(coordinates("-23.5505,-46.6333"), Some((-23.5505, -46.6333)));
        assert_eq!(coordinates("https://maps.google.com/?q=-23.5505,-46.6333"), Some((-23.5505, -46.6333)));
        assert_eq!(coordinates("Rua A, 10"), None);
        assert_eq!(coordinates("95.0,10.0"), None);
    }
}
