//! Hands one stored outbound message to its connection's provider. What happens with the answer
//! (sent, retried later, failed, unknown) is the outbox's business (`domain::outbox`).

use shared::contacts::ConnectionKind;

use crate::channels::cloud_api::SendError;
use crate::domain::connections::{ConnectionRow, kind_of};
use crate::domain::messages::Outgoing;
use crate::state::AppState;

/// The provider's id for the message, or why it was not taken.
pub async fn send(state: &AppState, outgoing: &Outgoing) -> Result<String, SendError> {
    let Some(connection) = &outgoing.connection else {
        return Err(SendError::permanent("the connection no longer exists"));
    };
    match kind_of(connection) {
        // The simulated customer's phone takes every message at once.
        ConnectionKind::Simulator => Ok(format!("sim-{}", outgoing.message.id)),
        ConnectionKind::CloudApi => crate::channels::whatsapp::send(state, connection, outgoing).await,
        ConnectionKind::WhatsappWeb => crate::channels::whatsapp_web::send::send(state, connection, outgoing).await,
    }
}

/// Whether sending again after an interrupted attempt can never deliver the message twice.
pub fn repeat_is_safe(connection: &ConnectionRow) -> bool {
    match kind_of(connection) {
        ConnectionKind::Simulator => true,
        // Graph takes no idempotency key: a second POST is a second message.
        ConnectionKind::CloudApi | ConnectionKind::WhatsappWeb => false,
    }
}
