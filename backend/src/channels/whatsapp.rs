//! The WhatsApp Cloud API connection: webhooks in (messages and delivery statuses), messages out.

use shared::ErrorCode;
use shared::contacts::ConnectionTest;
use shared::tickets::{MessageKind, MessageStatus};

use crate::channels::cloud_api::{self, CloudApiClient, CloudApiConfig, CloudEvent, DEFAULT_GRAPH_BASE_URL, SendError};
use crate::channels::types::{self, DeliveryStatus, InboundMessage};
use crate::domain::connections::{ConnectionRow, WebhookTarget, settings_of};
use crate::domain::inbound::{self, Inbound, InboundFile, MissingMedia, SenderId};
use crate::domain::media;
use crate::domain::messages::{Outgoing, set_status_by_external_id};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn client_for(state: &AppState, connection: &ConnectionRow) -> Result<CloudApiClient, SendError> {
    let settings = settings_of(connection);
    let access_token = settings.access_token(&state.sealer).map_err(|error| {
        SendError::permanent(format!("the stored access token cannot be used ({error}): set it again"))
    })?;
    CloudApiClient::new(CloudApiConfig {
        base_url: settings.graph_base_url.unwrap_or_else(|| DEFAULT_GRAPH_BASE_URL.to_owned()),
        phone_number_id: settings.phone_number_id.unwrap_or_default(),
        access_token: access_token.unwrap_or_default(),
        allow_private_urls: state.config.allow_private_urls,
    })
    .map(|client| client.with_max_media_bytes(media::MAX_UPLOAD_BYTES))
}

/// Asks the Graph API about the connection's number with its stored credentials: the provider's
/// answer or refusal in its own words, never the token.
pub async fn test_credentials(state: &AppState, connection: &ConnectionRow) -> ConnectionTest {
    let result = match client_for(state, connection) {
        Ok(client) => client.phone_number_info().await,
        Err(error) => Err(error),
    };
    let (ok, detail) = match result {
        Ok(info) => {
            let detail = match (info.display_phone_number, info.verified_name) {
                (Some(number), Some(name)) => format!("{number} ({name})"),
                (Some(one), None) | (None, Some(one)) => one,
                (None, None) => "the Graph API accepted the credentials".to_owned(),
            };
            (true, detail)
        }
        Err(error) => (false, error.message().to_owned()),
    };
    // A provider echoing the token back must not put it on the screen.
    let token = settings_of(connection).access_token(&state.sealer).ok().flatten().filter(|t| t.len() >= 4);
    let detail = match token {
        Some(token) => detail.replace(&token, "***"),
        None => detail,
    };
    ConnectionTest { ok, detail }
}

/// Stores everything a signed webhook carries. An error means "not stored": the handler then
/// answers 5xx so Meta delivers the webhook again (what was stored is deduplicated on the retry).
pub async fn receive_webhook(state: &AppState, target: &WebhookTarget, raw: &[u8]) -> AppResult<()> {
    let connection = &target.connection;
    let phone_number_id = target.settings.phone_number_id.as_deref().unwrap_or_default();
    let events = cloud_api::parse_webhook_for(raw, phone_number_id)
        .map_err(|e| AppError::bad_request(ErrorCode::MalformedWebhook, e.to_string()))?;
    for event in events {
        match event {
            CloudEvent::Message(message) => receive_message(state, connection, message).await?,
            CloudEvent::NumberChanged(change) => {
                let change = inbound::NumberChange {
                    from: change.from,
                    new_number: change.new_wa_id,
                    sender: SenderId::WhatsappId,
                    external_id: Some(change.external_id),
                    at: change.timestamp,
                };
                match inbound::number_changed(state, connection, change).await {
                    Ok(_) => {}
                    Err(AppError::Invalid(errors)) => {
                        tracing::warn!(connection = connection.id, ?errors, "dropped a Cloud API number change");
                    }
                    Err(error) => return Err(error),
                }
            }
            CloudEvent::Status(update) => {
                let status = match update.status {
                    DeliveryStatus::Sent => MessageStatus::Sent,
                    DeliveryStatus::Delivered => MessageStatus::Delivered,
                    DeliveryStatus::Read => MessageStatus::Read,
                    DeliveryStatus::Failed => MessageStatus::Failed,
                };
                set_status_by_external_id(
                    state,
                    shared::ConnectionId(connection.id),
                    &update.external_id,
                    status,
                    update.error.as_deref(),
                )
                .await?;
            }
        }
    }
    Ok(())
}

async fn receive_message(state: &AppState, connection: &ConnectionRow, message: InboundMessage) -> AppResult<()> {
    if inbound::is_known(state, connection, &message.external_id).await? {
        return Ok(());
    }
    let mut kind = MessageKind::parse(message.kind.as_str()).unwrap_or(MessageKind::Text);
    let (mut file, mut missing_media) = (None, None);
    if let Some(announced) = &message.media {
        let name = announced.filename.as_deref().map(|n| media::clean_file_name(Some(n), kind.as_str()));
        match download(state, connection, &announced.provider_id).await {
            Ok(bytes) => {
                // The bytes decide the type, never the provider's word (finding #2).
                let sniffed = media::sniff_inbound(kind, &bytes);
                kind = sniffed.kind;
                file = Some(InboundFile { bytes, mime: sniffed.mime, name });
            }
            // The message is still worth keeping without its file (finding #6): a retry would fail
            // the same way, and the rest of the webhook would be lost with it.
            Err(error) => {
                tracing::warn!(connection = connection.id, media = %announced.provider_id, error = %error,
                    "an inbound file could not be fetched; the message is kept without it");
                missing_media = Some(MissingMedia {
                    name,
                    mime: announced.mime_type.as_deref().and_then(media::clean_mime),
                    reason: error.message().to_owned(),
                });
            }
        }
    }
    let inbound = Inbound {
        from: message.from,
        sender: SenderId::WhatsappId,
        name: message.contact_name,
        group: None,
        kind,
        body: message.body,
        external_id: Some(message.external_id),
        quoted_external_id: message.quoted_external_id,
        media: file,
        missing_media,
        metadata: message.metadata.map(|meta| *meta),
        at: message.timestamp,
    };
    match inbound::receive(state, connection, inbound).await {
        Ok(_) => Ok(()),
        // A sender id that is not even digits is not worth a retry storm.
        Err(AppError::Invalid(errors)) => {
            tracing::warn!(connection = connection.id, ?errors, "dropped an inbound Cloud API message");
            Ok(())
        }
        Err(error) => Err(error),
    }
}

async fn download(state: &AppState, connection: &ConnectionRow, media_id: &str) -> Result<Vec<u8>, SendError> {
    let (bytes, _provider_mime) = client_for(state, connection)?.download_media(media_id).await?;
    if bytes.is_empty() {
        return Err(SendError::permanent("the media file is empty"));
    }
    Ok(bytes)
}

/// Sends one stored message: the provider's id for it, or why not (the outbox decides what next).
pub async fn send(state: &AppState, connection: &ConnectionRow, job: &Outgoing) -> Result<String, SendError> {
    let client = client_for(state, connection)?.to_group(job.to_group);
    let to = job.to.as_deref().ok_or_else(|| SendError::permanent("the contact no longer exists"))?;
    let message = &job.message;
    match &message.media_path {
        None => client.send_text(to, &message.body, job.reply_to.as_deref()).await,
        Some(path) => {
            // Streamed from the store to WhatsApp: a 100 MB document never sits whole in memory.
            let file = match state.media.open(path).await {
                Ok(Some(file)) => file,
                Ok(None) => return Err(SendError::permanent(format!("the file {path} is gone"))),
                // The media store did not answer: the file is there, try again later.
                Err(error) => {
                    return Err(SendError::Retryable {
                        status: None,
                        code: None,
                        message: format!("reading {path}: {error}"),
                    });
                }
            };
            let mime = message.media_mime.clone().unwrap_or_else(|| media::OCTET_STREAM.into());
            let name = message.media_name.clone().unwrap_or_else(|| "arquivo".into());
            let media_id = client.upload_media(file, &mime, &name).await?;
            let kind = types::MessageKind::parse(shared::tickets::MessageKind::from(message.kind).as_str())
                .unwrap_or(types::MessageKind::Document);
            let caption = (!message.body.is_empty()).then_some(message.body.as_str());
            client.send_media(to, kind, &media_id, caption, Some(&name)).await
        }
    }
}
