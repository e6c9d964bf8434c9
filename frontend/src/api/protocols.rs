//! Protocol numbers of a ticket (`POST /tickets/{id}/protocols`).

use shared::ids::TicketId;
use shared::protocols::{NewProtocol, Protocol};

use super::ApiError;
use super::client::{self, Method};

/// Generates the ticket's next protocol; `send_to_contact` also sends it to the contact.
pub async fn generate(ticket: TicketId, send_to_contact: bool) -> Result<Protocol, ApiError> {
    client::send(Method::Post, &format!("/tickets/{ticket}/protocols"), &NewProtocol { send_to_contact }).await
}
