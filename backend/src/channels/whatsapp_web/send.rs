//! An agent's message out through the connection's link, from the durable outbox like Cloud API.

use shared::{ConnectionId, ContactId};

use super::{LinkError, convert};
use crate::channels::cloud_api::SendError;
use crate::channels::types::MessageKind;
use crate::domain::connections::ConnectionRow;
use crate::domain::media;
use crate::domain::messages::Outgoing;
use crate::state::AppState;

fn retryable(message: String) -> SendError {
    SendError::Retryable { status: None, code: None, message }
}

/// Nothing left before the error: safe to try again. Once the message went to the crate, an error
/// may still mean it was delivered (the outbox then says `unknown` rather than send it twice).
fn from_send(error: LinkError) -> SendError {
    match error {
        LinkError::NotConnected(message) => retryable(format!("not connected: {message}")),
        LinkError::Permanent(message) => SendError::permanent(message),
        LinkError::Retryable(message) => SendError::Unanswered { message },
    }
}

/// Sends one stored message: the provider's id for it, or why not.
pub async fn send(state: &AppState, connection: &ConnectionRow, job: &Outgoing) -> Result<String, SendError> {
    let Some(link) = state.whatsapp_web.connected_link(ConnectionId(connection.id)) else {
        // Reconnecting, or the session runs on another instance: the outbox tries again later.
        return Err(retryable("the WhatsApp Web connection is not linked on this server right now".into()));
    };
    let to = job.to.as_deref().ok_or_else(|| SendError::permanent("the contact no longer exists"))?;
    let message = &job.message;
    let is_group = crate::domain::whatsapp_web::is_group(state, ContactId(message.contact_id))
        .await
        .map_err(|e| retryable(e.to_string()))?;
    let chat = convert::chat_of(to, is_group);
    let reply_to = job.reply_to.as_deref();
    let kind =
        MessageKind::parse(shared::tickets::MessageKind::from(message.kind).as_str()).unwrap_or(MessageKind::Text);
    let outgoing = match (&message.media_path, kind) {
        (Some(path), _) => {
            let bytes = match state.media.read(path).await {
                Ok(Some(bytes)) => bytes,
                Ok(None) => return Err(SendError::permanent(format!("the file {path} is gone"))),
                Err(error) => return Err(retryable(format!("reading {path}: {error}"))),
            };
            let media_kind = convert::media_kind(kind);
            let uploaded = link.upload(bytes, media_kind).await.map_err(|e| retryable(e.to_string()))?;
            let mime = message.media_mime.clone().unwrap_or_else(|| media::OCTET_STREAM.into());
            let name = message.media_name.clone().unwrap_or_else(|| "arquivo".into());
            convert::media(media_kind, uploaded, &mime, &name, Some(&message.body), reply_to)
        }
        (None, MessageKind::Reaction) => match reply_to {
            Some(target) => convert::reaction(&chat, target, &message.body),
            None => return Err(SendError::permanent("a reaction needs the message it reacts to")),
        },
        (None, MessageKind::Location) => {
            convert::location(&message.body).unwrap_or_else(|| convert::text(&message.body, reply_to))
        }
        (None, _) => convert::text(&message.body, reply_to),
    };
    link.send(&chat, outgoing).await.map_err(from_send)
}
