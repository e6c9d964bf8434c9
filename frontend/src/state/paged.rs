//! A list loaded a page at a time ("Carregar mais"), for the admin tables.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Page;

use crate::api::ApiError;

pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    /// The cursor of the next page; `None` when everything is loaded.
    pub next: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    /// False until the first page arrived (to tell "empty" from "not loaded yet").
    pub loaded: RwSignal<bool>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Paged<T> {
    pub fn new() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            loaded: RwSignal::new(false),
        }
    }

    /// Loads the first page again (`more == false`) or appends the next one.
    pub fn load<F, Fut>(&self, fetch: F, more: bool)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
    {
        if self.loading.get_untracked() {
            return;
        }
        let cursor = if more {
            match self.next.get_untracked() {
                Some(cursor) => Some(cursor),
                None => return,
            }
        } else {
            None
        };
        self.loading.set(true);
        self.error.set(None);
        let this = *self;
        spawn_local(async move {
            match fetch(cursor).await {
                Ok(page) => {
                    this.items.update(|items| {
                        if !more {
                            items.clear();
                        }
                        items.extend(page.items);
                    });
                    this.next.set(page.next_cursor);
                    this.loaded.set(true);
                }
                Err(err) => this.error.set(Some(err)),
            }
            this.loading.set(false);
        });
    }

    pub fn is_empty(&self) -> bool {
        self.loaded.get() && self.items.with(Vec::is_empty)
    }
}
