//! Hands stored outbound messages to their connection's channel and records what it answered.

use shared::tickets::MessageStatus;

use crate::domain::messages::set_status;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store;

/// Sends the message through its connection. Failures are recorded on the message, never lost:
/// it stays stored with status `failed` and the reason.
pub async fn dispatch(state: &AppState, message_id: i64) {
    if let Err(error) = try_dispatch(state, message_id).await {
        tracing::error!(message_id, error = %error, "dispatching an outbound message failed");
    }
}

async fn try_dispatch(state: &AppState, message_id: i64) -> AppResult<()> {
    let Some(message) = store::messages::get(&state.db, message_id).await? else {
        return Ok(());
    };
    let Some(connection) = store::connections::get(&state.db, message.connection_id).await? else {
        return set_status(state, message_id, MessageStatus::Failed, None, Some("the connection no longer exists"))
            .await;
    };
    match connection.kind.as_str() {
        // The simulated customer's phone takes every message at once.
        "simulator" => {
            let external_id = format!("sim-{}", message.id);
            set_status(state, message_id, MessageStatus::Sent, Some(&external_id), None).await
        }
        "cloud_api" => crate::channels::whatsapp::send(state, &connection, message).await,
        other => {
            let reason = format!("sending through {other} connections is not available yet");
            set_status(state, message_id, MessageStatus::Failed, None, Some(&reason)).await
        }
    }
}
