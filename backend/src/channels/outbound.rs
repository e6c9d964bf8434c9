//! Hands stored outbound messages to their connection's channel and records what it answered.

use shared::MessageId;
use shared::contacts::ConnectionKind;
use shared::tickets::MessageStatus;

use crate::domain::connections::kind_of;
use crate::domain::messages::{outbound_job, set_status};
use crate::error::AppResult;
use crate::state::AppState;

/// Sends the message through its connection. Failures are recorded on the message, never lost:
/// it stays stored with status `failed` and the reason.
pub async fn dispatch(state: &AppState, message_id: MessageId) {
    if let Err(error) = try_dispatch(state, message_id).await {
        tracing::error!(message_id = message_id.0, error = %error, "dispatching an outbound message failed");
    }
}

async fn try_dispatch(state: &AppState, message_id: MessageId) -> AppResult<()> {
    let Some(mut job) = outbound_job(state, message_id).await? else {
        return Ok(());
    };
    let Some(connection) = job.connection.take() else {
        return set_status(state, message_id, MessageStatus::Failed, None, Some("the connection no longer exists"))
            .await;
    };
    match kind_of(&connection) {
        // The simulated customer's phone takes every message at once.
        ConnectionKind::Simulator => {
            let external_id = format!("sim-{message_id}");
            set_status(state, message_id, MessageStatus::Sent, Some(&external_id), None).await
        }
        ConnectionKind::CloudApi => crate::channels::whatsapp::send(state, &connection, job).await,
        other @ ConnectionKind::WhatsappWeb => {
            let reason = format!("sending through {} connections is not available yet", other.as_str());
            set_status(state, message_id, MessageStatus::Failed, None, Some(&reason)).await
        }
    }
}
