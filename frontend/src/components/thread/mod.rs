//! The message history of a conversation: day separators, the bubbles (text, media, locations,
//! quoted replies, system notes, internal notes between the messages, delivery ticks that change live), older pages loaded as the reader
//! nears the top with the scroll position kept, and a "new messages" button while reading back.
//! The messages themselves live in [`MessageStore`].

mod bubble;
mod extras;
mod keep_sticker;
mod media;
mod note;
mod scroll;
pub mod voice;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::ids::MessageId;

use self::bubble::Bubble;
use self::note::NoteCard;
pub use self::scroll::ThreadScroll;
use super::kit::ErrorAlert;
use crate::i18n::use_i18n;
use crate::state::messages::{Item, MessageStore};
use crate::state::notes::use_notes;
use crate::t;
use crate::time;

#[component]
fn DaySeparator(at: DateTime<Utc>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="day-separator" role="separator" data-testid="day-separator">
            <span>{move || time::day_label(&at, i18n.locale())}</span>
        </div>
    }
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
    // The conversation's internal notes go between the messages.
    let notes = use_notes();
    let items = Memo::new(move |_| match notes {
        Some(notes) => notes.items.with(|notes| store.items(notes)),
        None => store.items(&[]),
    });

    let load_older = move || {
        if store.older.with_untracked(Option::is_none) || store.loading_older.get_untracked() {
            return;
        }
        scroll.keep_position(async move { matches!(store.load_older().await, Ok(true)) });
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
                        Item::Day(_, at) => view! { <DaySeparator at=at/> }.into_any(),
                        Item::Message(id) => view! { <Bubble id=id store=store scroll=scroll on_reply=on_reply/> }.into_any(),
                        Item::Note(id) => view! { <NoteCard id=id/> }.into_any(),
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
                <Show when=move || store.error.with(Option::is_some)>
                    <div class="thread-state"><ErrorAlert error=store.error/></div>
                </Show>
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
