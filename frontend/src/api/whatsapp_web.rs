//! WhatsApp Web: pairing a connection and syncing a ticket's older messages from the phone.

use shared::contacts::Connection;
use shared::ids::{ConnectionId, TicketId};
use shared::whatsapp_web::{PairCode, PairCodeRequest, SyncHistory, SyncStarted};

use super::ApiError;
use super::client::{self, Method};

pub async fn connect(id: ConnectionId) -> Result<Connection, ApiError> {
    client::send(Method::Post, &format!("/connections/{id}/connect"), &serde_json::json!({})).await
}

pub async fn logout(id: ConnectionId) -> Result<Connection, ApiError> {
    client::send(Method::Post, &format!("/connections/{id}/logout"), &serde_json::json!({})).await
}

pub async fn pair_code(id: ConnectionId, phone_number: String) -> Result<PairCode, ApiError> {
    client::send(Method::Post, &format!("/connections/{id}/pair-code"), &PairCodeRequest { phone_number }).await
}

pub async fn sync_history(ticket: TicketId, limit: u32) -> Result<SyncStarted, ApiError> {
    client::send(Method::Post, &format!("/tickets/{ticket}/sync-history"), &SyncHistory { limit }).await
}
