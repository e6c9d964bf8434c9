//! A ticket's internal notes: `GET|POST /tickets/{id}/notes`, `DELETE /notes/{id}`.

use shared::Page;
use shared::ids::{NoteId, TicketId};
use shared::tickets::{NewNote, Note};

use super::ApiError;
use super::client::{self, Method};

/// The newest notes of a ticket (the server's largest page), newest first.
pub async fn list(ticket: TicketId) -> Result<Vec<Note>, ApiError> {
    client::get::<Page<Note>>(&format!("/tickets/{ticket}/notes?limit=100")).await.map(|page| page.items)
}

pub async fn create(ticket: TicketId, body: &str) -> Result<Note, ApiError> {
    client::send(Method::Post, &format!("/tickets/{ticket}/notes"), &NewNote { body: body.to_owned() }).await
}

pub async fn delete(id: NoteId) -> Result<(), ApiError> {
    client::delete(&format!("/notes/{id}")).await
}
