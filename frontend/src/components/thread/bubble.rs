//! One message: its bubble (quote, content by kind, time and delivery ticks) or a system note.

use leptos::prelude::*;
use shared::ids::MessageId;
use shared::tickets::{Message, MessageKind, MessageStatus};

use super::extras::{self, ParticipantLine, UnsupportedPlaceholder};
use super::keep_sticker::KeepSticker;
use super::media::{Document, MediaImage, MediaPlayer};
use super::scroll::ThreadScroll;
use crate::api;
use crate::components::kit::IconButton;
use crate::components::rich_text::RichText;
use crate::i18n::{self, Key, use_i18n};
use crate::state::messages::MessageStore;
use crate::t;
use crate::time;

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

/// The delivery ticks of an outgoing message.
#[component]
fn StatusTicks(status: MessageStatus, error: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let (symbol, class, key) = match status {
        MessageStatus::Pending => ("🕓", "tick tick-pending", Key::StatusSending),
        MessageStatus::Sent => ("✓", "tick", Key::StatusSent),
        MessageStatus::Delivered => ("✓✓", "tick", Key::StatusDelivered),
        MessageStatus::Read => ("✓✓", "tick tick-read", Key::StatusRead),
        MessageStatus::Failed => ("⚠", "tick tick-failed", Key::StatusFailed),
        MessageStatus::Unknown => ("?", "tick tick-failed tick-unknown", Key::StatusUnknown),
        MessageStatus::Received => return ().into_any(),
    };
    let title = move || match &error {
        Some(error) if matches!(status, MessageStatus::Failed | MessageStatus::Unknown) => {
            format!("{}: {error}", i18n.t(key))
        }
        _ => i18n.t(key).to_owned(),
    };
    view! {
        <span class=class title=title.clone() aria-label=title data-testid="message-status" data-status=status.as_str()>
            {symbol}
        </span>
    }
    .into_any()
}

/// Sends a failed message (or one of unknown fate) again, after the agent decided to.
#[component]
fn ResendButton(message: RwSignal<Message>) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let resend = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let id = message.with_untracked(|m| m.id);
        leptos::task::spawn_local(async move {
            match api::tickets::resend(id).await {
                Ok(updated) => {
                    message.try_set(updated);
                    error.try_set(None);
                }
                Err(err) => {
                    error.try_set(Some(err.user_message(i18n.locale_untracked())));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <span class="msg-resend">
            <button type="button" class="btn btn-small" data-testid="message-resend" disabled=move || busy.get() on:click=resend>
                {t!(i18n, Resend)}
            </button>
            {move || error.get().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
        </span>
    }
}

#[component]
fn Location(body: String) -> impl IntoView {
    let i18n = use_i18n();
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
    }
}

/// What a message says or shows, by its kind, with the caption of media below.
fn content(message: &Message, scroll: ThreadScroll) -> AnyView {
    let i18n = use_i18n();
    let body = message.body.clone();
    let text = |body: String| view! { <div class="msg-text" data-testid="message-text"><RichText text=body/></div> };
    let caption = (!body.trim().is_empty()).then(|| text(body.clone()));
    let (url, name) = (message.media_url.clone(), message.media_name.clone());
    let meta = message.metadata.as_deref();
    if let Some(unsupported) = meta.and_then(|m| m.unsupported.as_ref()) {
        return view! { <UnsupportedPlaceholder reason=unsupported.reason.clone()/> }.into_any();
    }
    // An order's or a card's text is a summary for the list and search: the card says it better.
    if let Some(cards) = extras::cards(meta) {
        return cards;
    }
    match message.kind {
        MessageKind::Text | MessageKind::System => text(body).into_any(),
        MessageKind::Image => view! { <MediaImage url=url name=name sticker=false scroll=scroll/>{caption} }.into_any(),
        MessageKind::Sticker => view! { <MediaImage url=url name=name sticker=true scroll=scroll/> }.into_any(),
        MessageKind::Audio => view! { <MediaPlayer url=url name=name video=false/>{caption} }.into_any(),
        MessageKind::Video => view! { <MediaPlayer url=url name=name video=true/>{caption} }.into_any(),
        MessageKind::Document => view! {
            <Document url=url name=name.unwrap_or_default() mime=message.media_mime.clone()/>
            {caption}
        }
        .into_any(),
        MessageKind::Location => view! { <Location body=body/>{caption} }.into_any(),
        MessageKind::Reaction => view! {
            <div class="reaction">{move || i18n.t(Key::ReactedWith)} " " <span class="reaction-emoji">{body.clone()}</span></div>
        }
        .into_any(),
    }
}

/// The message a reply quotes, as one line.
#[component]
fn Quote(store: MessageStore, quoted: MessageId) -> impl IntoView {
    let i18n = use_i18n();
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
}

#[component]
fn SystemNote(id: MessageId, message: Message) -> impl IntoView {
    let i18n = use_i18n();
    // What happened, in the reader's language; an older message without its note keeps its sentence.
    let body = message.body.clone();
    // A bot that failed says why (the provider's words) on hover.
    let reason = message.error.clone();
    let text = move || match &message.system {
        Some(note) => i18n::system_note(i18n.locale(), note),
        None => body.clone(),
    };
    view! {
        <div class="msg-system" role="note" data-testid="message-system" data-message-id=id.to_string()>
            <span class="pill" title=reason>
                <span>{text}</span>
                <time>{time::clock(&message.created_at)}</time>
            </span>
        </div>
    }
}

#[component]
pub fn Bubble(
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
        return view! { <SystemNote id=id message=initial/> }.into_any();
    }
    let mine = initial.from_me;
    let quoted = initial.quoted_id.map(|quoted| view! { <Quote store=store quoted=quoted/> });
    let participant =
        (!mine).then(|| initial.participant.clone()).flatten().map(|p| view! { <ParticipantLine participant=p/> });
    let above = extras::above(initial.metadata.as_deref());
    let body = content(&initial, scroll);
    let below = extras::caption(initial.metadata.as_deref());
    let created = initial.created_at;
    // A customer's sticker can join the company's library.
    let keep = (!mine && initial.kind == MessageKind::Sticker && initial.media_url.is_some())
        .then(|| view! { <KeepSticker id=id/> });
    view! {
        <div class="msg-row" class:mine=mine data-testid="message" data-message-id=id.to_string()>
            <div class="bubble">
                {participant}
                {above}
                {quoted}
                {body}
                {below}
                <span class="msg-meta">
                    {initial.channel.map(|_| view! { <span class="msg-channel badge" data-testid="message-channel">{t!(i18n, Sms)}</span> })}
                    {initial.bot.map(|bot| view! { <span class="msg-bot badge" data-testid="message-bot">{bot.label()}</span> })}
                    <time title=move || time::full(&created, i18n.locale())>{time::clock(&created)}</time>
                    {move || mine.then(|| message.with(|m| view! { <StatusTicks status=m.status error=m.error.clone()/> }))}
                </span>
                {move || {
                    let stuck = mine && message.with(|m| matches!(m.status, MessageStatus::Failed | MessageStatus::Unknown));
                    // An SMS is sent again from the panel, not through the connection.
                    let stuck = stuck && message.with(|m| m.channel.is_none());
                    stuck.then(|| view! { <ResendButton message=message/> })
                }}
            </div>
            <IconButton label=Key::Reply testid="message-reply" class="msg-reply" on_click=move || on_reply.run(id)>
                "↩"
            </IconButton>
            {keep}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::coordinates;

    #[test]
    fn coordinates_are_read_from_text_or_links() {
        assert_eq!(coordinates("-23.5505,-46.6333"), Some((-23.5505, -46.6333)));
        assert_eq!(coordinates("https://maps.google.com/?q=-23.5505,-46.6333"), Some((-23.5505, -46.6333)));
        assert_eq!(coordinates("Rua A, 10"), None);
        assert_eq!(coordinates("95.0,10.0"), None);
    }
}
