//! The WhatsApp Cloud API connection: webhooks in (messages and delivery statuses), messages out.

use std::time::Duration;

use shared::tickets::{MessageKind, MessageStatus};

use crate::channels::cloud_api::{self, CloudApiClient, CloudApiConfig, CloudEvent, SendError};
use crate::channels::types::{self, DeliveryStatus, InboundMessage};
use crate::domain::connections::{DEFAULT_GRAPH_BASE_URL, settings_of};
use crate::domain::inbound::{self, Inbound, InboundFile};
use crate::domain::media;
use crate::domain::messages::set_status;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;
use crate::store::entities::{connections, messages};
use shared::{CompanyId, ConnectionId, ContactId, ErrorCode, MessageId, TicketId};

pub fn client_for(connection: &connections::Model) -> Result<CloudApiClient, SendError> {
    let settings = settings_of(connection);
    CloudApiClient::new(CloudApiConfig {
        base_url: settings.graph_base_url.unwrap_or_else(|| DEFAULT_GRAPH_BASE_URL.to_owned()),
        phone_number_id: settings.phone_number_id.unwrap_or_default(),
        access_token: settings.access_token.unwrap_or_default(),
    })
    .map(|client| client.with_max_media_bytes(media::MAX_UPLOAD_BYTES))
}

/// Stores everything a signed webhook carries. An error means "not stored": the handler then
/// answers 5xx so Meta delivers the webhook again (what was stored is deduplicated on the retry).
pub async fn receive_webhook(state: &AppState, connection: &connections::Model, raw: &[u8]) -> AppResult<()> {
    let settings = settings_of(connection);
    let phone_number_id = settings.phone_number_id.unwrap_or_default();
    let events = cloud_api::parse_webhook_for(raw, &phone_number_id)
        .map_err(|e| AppError::bad_request(ErrorCode::MalformedWebhook, e.to_string()))?;
    for event in events {
        match event {
            CloudEvent::Message(message) => receive_message(state, connection, message).await?,
            CloudEvent::Status(update) => {
                let Some(stored) =
                    store::messages::find_external(&state.db, ConnectionId(connection.id), &update.external_id).await?
                else {
                    // A status for a message sent from the phone itself, or long gone: nothing to update.
                    continue;
                };
                let status = match update.status {
                    DeliveryStatus::Sent => MessageStatus::Sent,
                    DeliveryStatus::Delivered => MessageStatus::Delivered,
                    DeliveryStatus::Read => MessageStatus::Read,
                    DeliveryStatus::Failed => MessageStatus::Failed,
                };
                set_status(state, MessageId(stored.id), status, None, update.error.as_deref()).await?;
            }
        }
    }
    Ok(())
}

async fn receive_message(state: &AppState, connection: &connections::Model, message: InboundMessage) -> AppResult<()> {
    if store::messages::find_external(&state.db, ConnectionId(connection.id), &message.external_id).await?.is_some() {
        return Ok(());
    }
    let file = match &message.media {
        Some(media) => {
            let client = client_for(connection).map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
            let (bytes, mime) = client
                .download_media(&media.provider_id)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("downloading media {}: {e}", media.provider_id)))?;
            let mime = mime.or_else(|| media.mime_type.clone()).unwrap_or_else(|| "application/octet-stream".into());
            Some(InboundFile { bytes, mime, name: media.filename.clone() })
        }
        None => None,
    };
    let inbound = Inbound {
        from: message.from,
        name: message.contact_name,
        group: None,
        kind: MessageKind::parse(message.kind.as_str()).unwrap_or(MessageKind::Text),
        body: message.body,
        external_id: Some(message.external_id),
        quoted_external_id: message.quoted_external_id,
        media: file,
        at: message.timestamp,
    };
    match inbound::receive(state, connection, inbound).await {
        Ok(_) => Ok(()),
        // A sender we cannot read as a phone number is not worth a retry storm.
        Err(AppError::Invalid(errors)) => {
            tracing::warn!(connection = connection.id, ?errors, "dropped an inbound Cloud API message");
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Tries sooner first, then backs off; past the last try the message is marked failed.
const RETRY_DELAYS: [Duration; 3] = [Duration::from_secs(2), Duration::from_secs(10), Duration::from_secs(60)];

/// Sends one stored message. Retryable provider errors are retried in the background with backoff;
/// permanent ones mark the message failed with the provider's reason.
pub async fn send(state: &AppState, connection: &connections::Model, message: messages::Model) -> AppResult<()> {
    match attempt(state, connection, &message).await {
        Ok(external_id) => {
            set_status(state, MessageId(message.id), MessageStatus::Sent, Some(&external_id), None).await
        }
        Err(error) if error.is_retryable() => {
            let (state, connection) = (state.clone(), connection.clone());
            tokio::spawn(async move {
                let mut last = error;
                for delay in RETRY_DELAYS {
                    tokio::time::sleep(delay).await;
                    match attempt(&state, &connection, &message).await {
                        Ok(external_id) => {
                            let _ = set_status(
                                &state,
                                MessageId(message.id),
                                MessageStatus::Sent,
                                Some(&external_id),
                                None,
                            )
                            .await;
                            return;
                        }
                        Err(error) if error.is_retryable() => last = error,
                        Err(error) => {
                            last = error;
                            break;
                        }
                    }
                }
                let _ =
                    set_status(&state, MessageId(message.id), MessageStatus::Failed, None, Some(last.message())).await;
            });
            Ok(())
        }
        Err(error) => {
            set_status(state, MessageId(message.id), MessageStatus::Failed, None, Some(error.message())).await
        }
    }
}

async fn attempt(
    state: &AppState,
    connection: &connections::Model,
    message: &messages::Model,
) -> Result<String, SendError> {
    let client = client_for(connection)?;
    let contact =
        store::contacts::get_in_company(&state.db, CompanyId(message.company_id), ContactId(message.contact_id))
            .await
            .ok()
            .flatten()
            .ok_or_else(|| SendError::permanent("the contact no longer exists"))?;
    let reply_to = match message.quoted_id {
        Some(id) => store::messages::get_in_ticket(&state.db, TicketId(message.ticket_id), MessageId(id))
            .await
            .ok()
            .flatten()
            .and_then(|m| m.external_id),
        None => None,
    };
    match &message.media_path {
        None => client.send_text(&contact.number, &message.body, reply_to.as_deref()).await,
        Some(path) => {
            let bytes = tokio::fs::read(media::absolute(&state.config.data_dir, path))
                .await
                .map_err(|e| SendError::permanent(format!("the file is gone: {e}")))?;
            let mime = message.media_mime.clone().unwrap_or_else(|| "application/octet-stream".into());
            let name = message.media_name.clone().unwrap_or_else(|| "arquivo".into());
            let media_id = client.upload_media(bytes, &mime, &name).await?;
            let kind = types::MessageKind::parse(shared::tickets::MessageKind::from(message.kind).as_str())
                .unwrap_or(types::MessageKind::Document);
            let caption = (!message.body.is_empty()).then_some(message.body.as_str());
            client.send_media(&contact.number, kind, &media_id, caption, Some(&name)).await
        }
    }
}
