//! `/contacts`: the company's customers (listed with a search), and blocking them.

use shared::Page;
use shared::contacts::{Contact, NewContact, SetWallet, UpdateContact};
use shared::ids::{ContactId, TicketId, UserId};
use shared::protocols::Protocol;

use super::client::{self, Method};
use super::resource::{HasId, PAGE_SIZE, Resource};
use super::{ApiError, encode, page_query};

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

/// A page of contacts matching `q` (all when empty), only those in `wallet`'s wallet when given.
pub async fn list(q: &str, wallet: Option<UserId>, cursor: Option<&str>) -> Result<Page<Contact>, ApiError> {
    match wallet {
        None => CONTACTS.search(q, cursor).await,
        Some(_) => client::get(&format!("/contacts{}", list_query(q, wallet, cursor))).await,
    }
}

fn list_query(q: &str, wallet: Option<UserId>, cursor: Option<&str>) -> String {
    let mut query = page_query(PAGE_SIZE, cursor);
    let q = q.trim();
    if !q.is_empty() {
        query.push_str(&format!("&q={}", encode(q)));
    }
    if let Some(user) = wallet {
        query.push_str(&format!("&wallet_user_id={user}"));
    }
    query
}

/// Makes `user_id` the contact's fixed agent; from a ticket's panel, `ticket_id` logs it there.
pub async fn set_wallet(id: ContactId, user_id: UserId, ticket_id: Option<TicketId>) -> Result<Contact, ApiError> {
    client::send(Method::Put, &format!("{}/wallet", CONTACTS.item(id)), &SetWallet { user_id, ticket_id }).await
}

pub async fn clear_wallet(id: ContactId, ticket_id: Option<TicketId>) -> Result<Contact, ApiError> {
    let query = ticket_id.map(|t| format!("?ticket_id={t}")).unwrap_or_default();
    let response = client::authed(Method::Delete, &format!("{}/wallet{query}", CONTACTS.item(id)), None).await?;
    client::read(response).await
}

/// The contact's protocols, newest first.
pub async fn protocols(id: ContactId) -> Result<Vec<Protocol>, ApiError> {
    client::get(&format!("{}/protocols", CONTACTS.item(id))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_query_carries_search_and_wallet() {
        assert_eq!(list_query(" ana ", Some(UserId(7)), None), format!("?limit={PAGE_SIZE}&q=ana&wallet_user_id=7"));
        assert_eq!(list_query("", None, Some("c")), format!("?limit={PAGE_SIZE}&cursor=c"));
    }
}
