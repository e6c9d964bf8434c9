//! A list loaded a page at a time ("Carregar mais"), for the admin tables. It keeps the function
//! that fetches a page, so a footer can load the next one knowing only the list.

use std::future::Future;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Page;

use crate::api::ApiError;

type Fetch<T> = Rc<dyn Fn(Option<String>) -> LocalBoxFuture<'static, Result<Page<T>, ApiError>>>;

pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    /// The cursor of the next page; `None` when everything is loaded.
    pub next: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    /// False until the first page arrived (to tell "empty" from "not loaded yet").
    pub loaded: RwSignal<bool>,
    fetch: StoredValue<Fetch<T>, LocalStorage>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Paged<T> {
    /// `fetch` gets the cursor of the page wanted (`None` for the first).
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
    {
        let fetch: Fetch<T> = Rc::new(move |cursor| fetch(cursor).boxed_local());
        Self {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            loaded: RwSignal::new(false),
            fetch: StoredValue::new_local(fetch),
        }
    }

    /// Loads the first page again.
    pub fn reload(&self) {
        self.load(false);
    }

    /// Appends the next page, if there is one.
    pub fn load_more(&self) {
        self.load(true);
    }

    fn load(&self, more: bool) {
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
        let Some(fetch) = self.fetch.try_get_value() else { return };
        self.loading.set(true);
        self.error.set(None);
        let this = *self;
        spawn_local(async move {
            let result = fetch(cursor).await;
            match result {
                Ok(page) => {
                    this.items.try_update(|items| {
                        if !more {
                            items.clear();
                        }
                        items.extend(page.items);
                    });
                    this.next.try_set(page.next_cursor);
                    this.loaded.try_set(true);
                }
                Err(err) => {
                    this.error.try_set(Some(err));
                }
            }
            this.loading.try_set(false);
        });
    }

    pub fn is_empty(&self) -> bool {
        self.loaded.get() && self.items.with(Vec::is_empty)
    }
}
