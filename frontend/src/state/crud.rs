//! The state of an admin table (queues, users, contacts, and the next ones): the paged list, the
//! row being created or edited, the row waiting for "are you sure?", and what a save or a delete
//! does to the list.

use std::future::Future;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::paged::Paged;
use crate::api::{ApiError, HasId, Resource};
use crate::components::toast::{Toasts, use_toasts};
use crate::i18n::Key;

/// The confirmations shown after a save or a delete.
#[derive(Clone, Copy, Debug)]
pub struct Notices {
    pub created: Key,
    pub updated: Key,
    pub deleted: Key,
}

/// Where a created row goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterCreate {
    /// Load the first page again (the server decides where it sorts).
    Reload,
    /// Put it first, as it is.
    Prepend,
}

/// Puts `row` where the row with its id is; false when there is none.
pub fn replace_by_id<T: HasId>(items: &mut [T], row: T) -> bool {
    match items.iter_mut().find(|other| other.id() == row.id()) {
        Some(slot) => {
            *slot = row;
            true
        }
        None => false,
    }
}

pub fn remove_by_id<T: HasId>(items: &mut Vec<T>, id: T::Id) {
    items.retain(|other| other.id() != id);
}

type Remove<Id> = Rc<dyn Fn(Id) -> LocalBoxFuture<'static, Result<(), ApiError>>>;

pub struct CrudState<T: HasId + Clone + Send + Sync + 'static> {
    pub list: Paged<T>,
    /// `Some(None)`: creating; `Some(Some(row))`: editing.
    pub editing: RwSignal<Option<Option<T>>>,
    /// The row the delete dialog asks about.
    pub deleting: RwSignal<Option<T>>,
    pub delete_busy: RwSignal<bool>,
    pub delete_error: RwSignal<Option<ApiError>>,
    /// A failed action on a row other than delete (shown above the table with list errors).
    pub row_error: RwSignal<Option<ApiError>>,
    remove: StoredValue<Remove<T::Id>, LocalStorage>,
    notices: Notices,
    after_create: AfterCreate,
    toasts: Toasts,
}

impl<T: HasId + Clone + Send + Sync + 'static> Clone for CrudState<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: HasId + Clone + Send + Sync + 'static> Copy for CrudState<T> {}

impl<T: HasId + Clone + Send + Sync + 'static> CrudState<T> {
    /// A table over any list (`fetch` gets the page's cursor) and any delete.
    pub fn new<F, Fut, D, DFut>(notices: Notices, fetch: F, delete: D) -> Self
    where
        F: Fn(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<shared::Page<T>, ApiError>> + 'static,
        D: Fn(T::Id) -> DFut + 'static,
        DFut: Future<Output = Result<(), ApiError>> + 'static,
    {
        let remove: Remove<T::Id> = Rc::new(move |id| delete(id).boxed_local());
        Self {
            list: Paged::new(fetch),
            editing: RwSignal::new(None),
            deleting: RwSignal::new(None),
            delete_busy: RwSignal::new(false),
            delete_error: RwSignal::new(None),
            row_error: RwSignal::new(None),
            remove: StoredValue::new_local(remove),
            notices,
            after_create: AfterCreate::Reload,
            toasts: use_toasts(),
        }
    }

    /// A table over a whole resource: its pages, its delete.
    pub fn of<New, Update>(resource: Resource<T, New, Update>, notices: Notices) -> Self
    where
        T: DeserializeOwned,
        New: Serialize + 'static,
        Update: Serialize + 'static,
    {
        Self::new(
            notices,
            move |cursor: Option<String>| async move { resource.list(cursor.as_deref()).await },
            move |id| resource.delete(id),
        )
    }

    pub fn after_create(mut self, after_create: AfterCreate) -> Self {
        self.after_create = after_create;
        self
    }

    pub fn open_new(&self) {
        self.editing.set(Some(None));
    }

    pub fn open_edit(&self, row: T) {
        self.editing.set(Some(Some(row)));
    }

    pub fn close_form(&self) {
        self.editing.set(None);
    }

    pub fn ask_delete(&self, row: T) {
        self.delete_error.set(None);
        self.deleting.set(Some(row));
    }

    pub fn cancel_delete(&self) {
        self.deleting.set(None);
    }

    /// A row changed elsewhere (a block, a live event): show the new copy.
    pub fn replace(&self, row: T) {
        self.list.items.update(|items| {
            replace_by_id(items, row);
        });
    }

    /// The form saved `row` (`created` when it is new): close it, say so, show the row.
    pub fn saved(&self, (row, created): (T, bool)) {
        self.close_form();
        if !created {
            self.toasts.push(self.notices.updated);
            self.replace(row);
            return;
        }
        self.toasts.push(self.notices.created);
        match self.after_create {
            AfterCreate::Reload => self.list.reload(),
            AfterCreate::Prepend => self.list.items.update(|items| items.insert(0, row)),
        }
    }

    /// "Yes, delete": deletes the row the dialog asked about.
    pub fn confirm_delete(&self) {
        let Some(row) = self.deleting.get_untracked() else { return };
        let Some(remove) = self.remove.try_get_value() else { return };
        self.delete_busy.set(true);
        self.delete_error.set(None);
        let this = *self;
        let id = row.id();
        spawn_local(async move {
            match remove(id).await {
                Ok(()) => {
                    this.list.items.try_update(|items| remove_by_id(items, id));
                    this.deleting.try_set(None);
                    this.toasts.push(this.notices.deleted);
                }
                Err(err) => {
                    this.delete_error.try_set(Some(err));
                }
            }
            this.delete_busy.try_set(false);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Row(i64, &'static str);

    impl HasId for Row {
        type Id = i64;
        fn id(&self) -> i64 {
            self.0
        }
    }

    #[test]
    fn a_saved_row_replaces_the_one_with_its_id() {
        let mut rows = vec![Row(1, "a"), Row(2, "b")];
        assert!(replace_by_id(&mut rows, Row(2, "B")));
        assert_eq!(rows, vec![Row(1, "a"), Row(2, "B")]);
        assert!(!replace_by_id(&mut rows, Row(3, "c")));
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn a_deleted_row_leaves_the_list() {
        let mut rows = vec![Row(1, "a"), Row(2, "b"), Row(3, "c")];
        remove_by_id(&mut rows, 2);
        assert_eq!(rows, vec![Row(1, "a"), Row(3, "c")]);
        remove_by_id(&mut rows, 9);
        assert_eq!(rows.len(), 2);
    }
}
