//! `/contacts`: the company's customers (listed with a search), and blocking them.

use shared::contacts::{Contact, NewContact, UpdateContact};
use shared::ids::ContactId;

use super::ApiError;
use super::client::{self, Method};
use super::resource::{HasId, Resource};

pub const CONTACTS: Resource<Contact, NewContact, UpdateContact> = Resource::new("/contacts");

impl HasId for Contact {
    type Id = ContactId;
    fn id(&self) -> ContactId {
        self.id
    }
}

pub async fn set_blocked(id: ContactId, blocked: bool) -> Result<Contact, ApiError> {
    let action = if blocked { "block" } else { "unblock" };
    client::send(Method::Post, &format!("{}/{action}", CONTACTS.item(id)), &serde_json::json!({})).await
}
