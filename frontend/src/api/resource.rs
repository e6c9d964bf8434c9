//! One resource under `/api/v1/<name>`: a page of the list, every item, create (POST), update
//! (PATCH `/<name>/<id>`) and delete. A resource module is one constant of this type plus whatever
//! is special about it (contacts' block and unblock, for example).

use std::fmt::Display;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::Page;

use super::client::{self, Method};
use super::{ApiError, encode, page_query};

/// Rows per page of an admin table ("Carregar mais" loads the next one).
pub const PAGE_SIZE: u32 = 25;

/// Something with an id (a row of a list that is edited and deleted in place).
pub trait HasId {
    type Id: Copy + PartialEq + Display + 'static;
    fn id(&self) -> Self::Id;
}

/// The types a resource speaks, without owning any (so it is `Copy`, `Send` and `Sync`).
type Speaks<T, New, Update> = PhantomData<fn() -> (T, New, Update)>;

/// `T` is what the server answers with, `New` what POST takes, `Update` what PATCH takes.
pub struct Resource<T, New, Update> {
    path: &'static str,
    types: Speaks<T, New, Update>,
}

impl<T, New, Update> Clone for Resource<T, New, Update> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, New, Update> Copy for Resource<T, New, Update> {}

impl<T, New, Update> Resource<T, New, Update>
where
    T: HasId + DeserializeOwned,
    New: Serialize,
    Update: Serialize,
{
    /// `path` is relative to `/api/v1`, e.g. `"/queues"`.
    pub const fn new(path: &'static str) -> Self {
        Self { path, types: PhantomData }
    }

    /// A page of [`PAGE_SIZE`] rows after `cursor`.
    pub async fn list(self, cursor: Option<&str>) -> Result<Page<T>, ApiError> {
        client::get(&format!("{}{}", self.path, page_query(PAGE_SIZE, cursor))).await
    }

    /// A page of the rows a search finds (`?q=`); an empty search lists everything.
    pub async fn search(self, q: &str, cursor: Option<&str>) -> Result<Page<T>, ApiError> {
        client::get(&format!("{}{}", self.path, search_query(q, cursor))).await
    }

    /// Every row, following cursors.
    pub async fn list_all(self) -> Result<Vec<T>, ApiError> {
        super::all_pages(self.path).await
    }

    pub async fn get(self, id: T::Id) -> Result<T, ApiError> {
        client::get(&self.item(id)).await
    }

    pub async fn create(self, new: &New) -> Result<T, ApiError> {
        client::send(Method::Post, self.path, new).await
    }

    pub async fn update(self, id: T::Id, changes: &Update) -> Result<T, ApiError> {
        client::send(Method::Patch, &self.item(id), changes).await
    }

    pub async fn delete(self, id: T::Id) -> Result<(), ApiError> {
        client::delete(&self.item(id)).await
    }

    /// `/<name>/<id>`, for the resource's own actions.
    pub fn item(self, id: T::Id) -> String {
        format!("{}/{id}", self.path)
    }
}

/// `?limit=..[&cursor=..][&q=..]`: the search is trimmed, and left out when empty.
fn search_query(q: &str, cursor: Option<&str>) -> String {
    let mut query = page_query(PAGE_SIZE, cursor);
    let q = q.trim();
    if !q.is_empty() {
        query.push_str(&format!("&q={}", encode(q)));
    }
    query
}

#[cfg(test)]
mod tests {
    use super::search_query;

    #[test]
    fn search_is_trimmed_encoded_and_optional() {
        assert_eq!(search_query("  ", None), "?limit=25");
        assert_eq!(search_query(" Ana Souza ", Some("c=")), "?limit=25&cursor=c%3D&q=Ana%20Souza");
    }
}
