//! Where the thread is scrolled: kept at the newest message while the reader is there, so new
//! messages and media that grow after loading stay in view.

use leptos::prelude::*;

use super::window::Span;

#[derive(Clone, Copy)]
pub struct ThreadScroll {
    pub el: NodeRef<leptos::html::Div>,
    /// Whether the reader is at the newest message (new ones then scroll into view).
    pub stick: StoredValue<bool>,
    /// The rows in the DOM (see [`super::window`]).
    pub window: RwSignal<Span>,
}

impl ThreadScroll {
    pub fn new() -> Self {
        Self { el: NodeRef::new(), stick: StoredValue::new(true), window: RwSignal::new(Span::Tail) }
    }

    pub fn scroll_to_bottom(&self) {
        let el = self.el;
        let stick = self.stick;
        // The newest rows go into the DOM first (a no-op when they are there).
        if self.window.try_get_untracked().is_some_and(|span| span != Span::Tail) {
            self.window.set(Span::Tail);
        }
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

    /// Loads older messages with `load` (true when some were added) and keeps the message that was
    /// on screen where it was.
    pub fn keep_position(&self, load: impl std::future::Future<Output = bool> + 'static) {
        let Some(el) = self.el.get_untracked() else { return };
        let (height, top) = (el.scroll_height(), el.scroll_top());
        let el = self.el;
        leptos::task::spawn_local(async move {
            if load.await {
                request_animation_frame(move || {
                    if let Some(el) = el.try_get_untracked().flatten() {
                        el.set_scroll_top(el.scroll_height() - height + top);
                    }
                });
            }
        });
    }
}
