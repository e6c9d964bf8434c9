//! `/tags`: everyone reads them (the panel's picker, the list's filter); administrators change
//! them. A ticket's tags are put on and taken off with `PUT|DELETE /tickets/{id}/tags/{tag_id}`.

use shared::ids::{TagId, TicketId};
use shared::tags::{NewTag, Tag, UpdateTag};
use shared::tickets::Ticket;

use super::ApiError;
use super::client::{self, Method};
use super::resource::{HasId, Resource};

pub const TAGS: Resource<Tag, NewTag, UpdateTag> = Resource::new("/tags");

impl HasId for Tag {
    type Id = TagId;
    fn id(&self) -> TagId {
        self.id
    }
}

/// Puts the tag on the ticket (a repeat changes nothing); the ticket as it is now.
pub async fn put_on(ticket: TicketId, tag: TagId) -> Result<Ticket, ApiError> {
    client::read(client::authed(Method::Put, &format!("/tickets/{ticket}/tags/{tag}"), None).await?).await
}

/// Takes the tag off the ticket; the ticket as it is now.
pub async fn take_off(ticket: TicketId, tag: TagId) -> Result<Ticket, ApiError> {
    client::read(client::authed(Method::Delete, &format!("/tickets/{ticket}/tags/{tag}"), None).await?).await
}
