//! `/contacts`: the company's customers.

use shared::Page;
use shared::contacts::{Contact, NewContact, UpdateContact};
use shared::ids::ContactId;

use super::client::{self, Method};
use super::{ApiError, encode, page_query};

pub const PAGE_SIZE: u32 = 25;

pub async fn list(search: &str, cursor: Option<&str>) -> Result<Page<Contact>, ApiError> {
    let mut query = page_query(PAGE_SIZE, cursor);
    let search = search.trim();
    if !search.is_empty() {
        query.push_str(&format!("&q={}", encode(search)));
    }
    client::get(&format!("/contacts{query}")).await
}

pub async fn create(contact: &NewContact) -> Result<Contact, ApiError> {
    client::send(Method::Post, "/contacts", contact).await
}

pub async fn update(id: ContactId, changes: &UpdateContact) -> Result<Contact, ApiError> {
    client::send(Method::Patch, &format!("/contacts/{id}"), changes).await
}

pub async fn delete(id: ContactId) -> Result<(), ApiError> {
    client::delete(&format!("/contacts/{id}")).await
}

pub async fn set_blocked(id: ContactId, blocked: bool) -> Result<Contact, ApiError> {
    let action = if blocked { "block" } else { "unblock" };
    client::send(Method::Post, &format!("/contacts/{id}/{action}"), &serde_json::json!({})).await
}
