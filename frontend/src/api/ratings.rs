//! The satisfaction survey of a ticket: send it, read where it stands.

use shared::ids::TicketId;
use shared::ratings::TicketRating;

use super::ApiError;
use super::client::{self, Method};

pub async fn request(id: TicketId) -> Result<TicketRating, ApiError> {
    client::send(Method::Post, &format!("/tickets/{id}/rating-request"), &serde_json::json!({})).await
}

/// The ticket's newest survey (`None`: never sent).
pub async fn of_ticket(id: TicketId) -> Result<Option<TicketRating>, ApiError> {
    client::get(&format!("/tickets/{id}/rating")).await
}
