//! The message history of a conversation: day separators, the bubbles (text, media, locations,
//! quoted replies, system notes, internal notes between the messages, delivery ticks that change live), older pages loaded as the reader
//! nears the top with the scroll position kept, and a "new messages" button while reading back.
//! The messages themselves live in [`MessageStore`]; only a window of rows around what is on screen
//! is in the DOM (see [`window`]).

mod bubble;
mod extras;
mod keep_sticker;
mod media;
mod note;
mod scroll;
pub mod voice;
pub mod window;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::ids::{MessageId, NoteId};
use wasm_bindgen::JsCast;

use self::bubble::Bubble;
use self::note::NoteCard;
pub use self::scroll::ThreadScroll;
use self::window::Span;
use super::kit::ErrorAlert;
use crate::i18n::use_i18n;
use crate::state::messages::{Item, MessageStore};
use crate::state::notes::use_notes;
use crate::t;
use crate::time;

#[component]
fn DaySeparator(key: i64, at: DateTime<Utc>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="day-separator" role="separator" data-testid="day-separator" data-row-key=key>
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
        // The rows on screen stay in the DOM when older ones arrive in front of them (the newest
        // rows would slide past them).
        if scroll.window.get_untracked() == Span::Tail {
            let keys = items.with_untracked(|items| {
                let (start, end) = window::resolve(items, Span::Tail);
                window::keys(items, start, end)
            });
            if let Some(keys) = keys {
                scroll.window.set(keys);
            }
        }
        scroll.keep_position(async move { matches!(store.load_older().await, Ok(true)) });
    };

    // The window of rows in the DOM, and the heights of the rows seen so far (by key).
    let heights = StoredValue::new(HashMap::<i64, f64>::new());
    let top_spacer = NodeRef::<leptos::html::Div>::new();
    let bottom_spacer = NodeRef::<leptos::html::Div>::new();
    let measure = move || {
        if let (Some(top), Some(bottom)) = (top_spacer.get_untracked(), bottom_spacer.get_untracked()) {
            let rows = measure_rows(&top, &bottom);
            heights.update_value(|heights| heights.extend(rows));
        }
    };
    let shown = Memo::new(move |_| {
        let span = scroll.window.get();
        // The rows about to leave the DOM are measured while they are still in it.
        measure();
        items.with(|items| {
            let (start, end) = window::resolve(items, span);
            heights.with_value(|heights| Shown {
                rows: items[start..end].to_vec(),
                above: window::total(heights, &items[..start]),
                below: window::total(heights, &items[end..]),
            })
        })
    });
    // Moves the window when the first row on screen nears one of its edges, keeping that row
    // where it is on screen.
    let relayout = move || {
        let (Some(el), Some(top)) = (scroll.el.get_untracked(), top_spacer.get_untracked()) else { return };
        measure();
        let view_top = f64::from(el.scroll_top());
        // Offsets within the thread's content (offsetTop ignores the thread's own scrolling).
        let start_y = f64::from(top.offset_top() + top.offset_height() - el.offset_top()) + row_gap(&el);
        let stick = scroll.stick.get_value();
        let span = scroll.window.get_untracked();
        if stick && span == Span::Tail {
            return;
        }
        let moved = items.with_untracked(|items| {
            let (start, end) = window::resolve(items, span);
            heights.with_value(|heights| {
                let at = window::row_at(heights, items, start, start_y, view_top);
                let (new_start, new_end) = window::next_range(items.len(), (start, end), at)?;
                let next =
                    if new_end == items.len() && stick { Span::Tail } else { window::keys(items, new_start, new_end)? };
                // A day separator sticks to the top while its day scrolls by: a message anchors.
                let anchor = (at..items.len()).find(|&i| !matches!(items[i], Item::Day(..))).unwrap_or(at);
                let offset = window::top_of(heights, items, start, start_y, anchor) - view_top;
                Some((next, items[anchor].key(), offset))
            })
        });
        let Some((next, anchor, offset)) = moved else { return };
        if next == span {
            return;
        }
        scroll.window.set(next);
        request_animation_frame(move || {
            let (Some(el), Some(top), Some(bottom)) = (
                scroll.el.try_get_untracked().flatten(),
                top_spacer.try_get_untracked().flatten(),
                bottom_spacer.try_get_untracked().flatten(),
            ) else {
                return;
            };
            if let Some(row) = find_row(&top, &bottom, anchor) {
                let y = f64::from(row.offset_top() - el.offset_top()) - style_px(&row, "margin-top");
                // Absolute, so it agrees with the browser's own scroll anchoring if that moved it too.
                el.set_scroll_top((y - offset).round() as i32);
            }
        });
    };
    let frame_pending = StoredValue::new(false);

    let on_scroll = move |_| {
        if !frame_pending.get_value() {
            frame_pending.set_value(true);
            request_animation_frame(move || {
                if frame_pending.try_update_value(|pending| *pending = false).is_some() {
                    relayout();
                }
            });
        }
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

    // Home (or Ctrl+Home): the whole history, then its first rows at the top; End: the newest message.
    let go_to_start = move || {
        scroll.stick.set_value(false);
        leptos::task::spawn_local(async move {
            if store.load_to_start().await.is_err() {
                return;
            }
            let first =
                items.with_untracked(|items| window::keys(items, 0, items.len().min(window::ABOVE + window::BELOW)));
            if let Some(first) = first {
                scroll.window.set(first);
            }
            request_animation_frame(move || {
                if let Some(el) = scroll.el.try_get_untracked().flatten() {
                    el.set_scroll_top(0);
                }
            });
        });
    };
    let on_keydown = move |event: web_sys::KeyboardEvent| {
        if event.alt_key() || event.meta_key() || event.shift_key() {
            return;
        }
        match event.key().as_str() {
            "Home" => {
                event.prevent_default();
                go_to_start();
            }
            "End" => {
                event.prevent_default();
                scroll.scroll_to_bottom();
            }
            _ => {}
        }
    };

    // For the bench and real-user timing: when the first page is on screen.
    Effect::new(move |marked: Option<bool>| {
        if marked == Some(true) || !store.loaded.get() {
            return marked.unwrap_or(false);
        }
        request_animation_frame(|| {
            if let Some(performance) = window().performance() {
                let _ = performance.mark("atende:thread");
            }
        });
        true
    });

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
                on:keydown=on_keydown
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
                <div class="thread-spacer" aria-hidden="true" node_ref=top_spacer style:height=move || shown.with(|s| format!("{}px", s.above))></div>
                <For each=move || shown.with(|s| s.rows.clone()) key=Item::key let:item>
                    {match item {
                        Item::Day(_, at) => view! { <DaySeparator key=item.key() at=at/> }.into_any(),
                        Item::Message(id) => view! { <Bubble id=id store=store scroll=scroll on_reply=on_reply/> }.into_any(),
                        Item::Note(id) => view! { <NoteCard id=id/> }.into_any(),
                    }}
                </For>
                <div class="thread-spacer" aria-hidden="true" node_ref=bottom_spacer style:height=move || shown.with(|s| format!("{}px", s.below))></div>
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

/// The rows in the DOM and the heights their spacers stand for.
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    rows: Vec<Item>,
    above: f64,
    below: f64,
}

/// The key of a row element (see [`Item::key`]).
fn row_key(el: &web_sys::Element) -> Option<i64> {
    let number = |name: &str| el.get_attribute(name).and_then(|v| v.parse::<i64>().ok());
    number("data-message-id")
        .map(|id| Item::Message(MessageId(id)).key())
        .or_else(|| number("data-note-id").map(|id| Item::Note(NoteId(id)).key()))
        .or_else(|| number("data-row-key"))
}

/// The row elements between the two spacers.
fn rows_between(top: &web_sys::Element, bottom: &web_sys::Element) -> impl Iterator<Item = web_sys::HtmlElement> {
    let bottom: web_sys::Element = bottom.clone();
    std::iter::successors(top.next_element_sibling(), |el| el.next_element_sibling())
        .take_while(move |el| *el != bottom)
        .filter_map(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
}

/// A length of an element's computed style, in pixels.
fn style_px(el: &web_sys::Element, property: &str) -> f64 {
    window()
        .get_computed_style(el)
        .ok()
        .flatten()
        .and_then(|style| style.get_property_value(property).ok())
        .and_then(|value| value.trim_end_matches("px").parse().ok())
        .unwrap_or(0.0)
}

/// The thread's gap between rows (CSS `row-gap`).
fn row_gap(el: &web_sys::Element) -> f64 {
    style_px(el, "row-gap")
}

/// Each row's height with its margins and the gap after it, by key.
fn measure_rows(top: &web_sys::Element, bottom: &web_sys::Element) -> Vec<(i64, f64)> {
    let Some(parent) = top.parent_element() else { return Vec::new() };
    let gap = row_gap(&parent);
    rows_between(top, bottom)
        .filter_map(|el| {
            let key = row_key(&el)?;
            let height = f64::from(el.offset_height());
            Some((key, height + style_px(&el, "margin-top") + style_px(&el, "margin-bottom") + gap))
        })
        .collect()
}

/// The element of the row with this key, if it is in the DOM.
fn find_row(top: &web_sys::Element, bottom: &web_sys::Element, key: i64) -> Option<web_sys::HtmlElement> {
    rows_between(top, bottom).find(|el| row_key(el) == Some(key))
}
