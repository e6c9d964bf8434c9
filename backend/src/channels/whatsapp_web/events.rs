//! The crate's events, handled: pairing and link state to `connection.updated`, messages to the one
//! inbound path, receipts to the same statuses as Cloud API, names and photos to contacts, and
//! on-demand history batches to the ticket that asked for them.

use std::sync::Arc;

use shared::ConnectionId;
use shared::contacts::ConnectionStatus;
use shared::tickets::{MessageKind, MessageStatus};
use whatsapp_rust::types::message::MessageInfo;
use whatsapp_rust::types::presence::ReceiptType;

use super::convert::{self, Parsed};
use super::session::report;
use super::{Event, Link, wa};
use crate::domain::connections::{ConnectionRow, LiveState, report_state};
use crate::domain::inbound::{self, Inbound, InboundFile, MissingMedia, SenderId};
use crate::domain::media;
use crate::domain::messages::set_status_by_external_id;
use crate::domain::whatsapp_web::{self as domain, HistoryItem};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// What the supervisor does after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Linked to the phone: reconnect failures start counting from zero again.
    Connected,
    /// The phone unlinked this device (or pairing gave up): stop, no reconnect.
    LoggedOut,
}

pub async fn handle(state: &AppState, id: ConnectionId, link: &Arc<dyn Link>, event: Event) -> AppResult<Flow> {
    let Some(connection) = domain::connection(state, id).await? else {
        // Deleted meanwhile: nothing to keep the session for.
        return Ok(Flow::LoggedOut);
    };
    match event {
        Event::PairingQrCode(qr) => {
            let live = LiveState { status: ConnectionStatus::Pairing, reason: None, qr: Some(qr.code) };
            report_state(state, id, live).await?;
        }
        Event::PairingQrCodesExhausted(_) => {
            domain::set_wanted(state, id, false).await?;
            report(state, id, ConnectionStatus::Disconnected, Some("the QR codes expired: connect again".into())).await;
            return Ok(Flow::LoggedOut);
        }
        Event::PairSuccess(_) => keep_session(state, id, link).await?,
        Event::Connected(_) => {
            keep_session(state, id, link).await?;
            state.whatsapp_web.set_connected(id, true);
            report(state, id, ConnectionStatus::Connected, None).await;
            return Ok(Flow::Connected);
        }
        Event::Disconnected(gone) => {
            state.whatsapp_web.set_connected(id, false);
            report(state, id, ConnectionStatus::Disconnected, Some(gone.reason.to_string())).await;
        }
        Event::LoggedOut(_) => {
            state.whatsapp_web.set_connected(id, false);
            domain::forget(state, id).await?;
            report(state, id, ConnectionStatus::Disconnected, Some("logged out on the phone: pair again".into())).await;
            return Ok(Flow::LoggedOut);
        }
        Event::StreamReplaced(_) => {
            report(state, id, ConnectionStatus::Error, Some("another WhatsApp Web session replaced this one".into()))
                .await;
        }
        Event::TemporaryBan(ban) => {
            report(
                state,
                id,
                ConnectionStatus::Error,
                Some(format!("temporarily banned by WhatsApp ({:?})", ban.code)),
            )
            .await;
        }
        Event::ConnectFailure(failure) => {
            let why = failure.message.unwrap_or_else(|| format!("{:?}", failure.reason));
            report(state, id, ConnectionStatus::Error, Some(format!("WhatsApp refused the connection: {why}"))).await;
        }
        Event::ClientOutdated(_) => {
            report(
                state,
                id,
                ConnectionStatus::Error,
                Some("this WhatsApp Web client is outdated: update Atende".into()),
            )
            .await;
        }
        Event::Messages(batch) => {
            for item in batch.iter() {
                receive(state, &connection, link, &item.message, &item.info).await?;
            }
        }
        Event::Receipt(receipt) => {
            let status = match receipt.r#type {
                ReceiptType::Delivered => MessageStatus::Delivered,
                ReceiptType::Read | ReceiptType::ReadSelf | ReceiptType::Played | ReceiptType::PlayedSelf => {
                    MessageStatus::Read
                }
                ReceiptType::Sent => MessageStatus::Sent,
                _ => return Ok(Flow::Continue),
            };
            for message_id in &receipt.message_ids {
                set_status_by_external_id(state, id, message_id.as_ref(), status, None).await?;
            }
        }
        Event::PushNameUpdate(update) => {
            let number = convert::number_of(&update.jid, None);
            domain::profile(state, &connection, &number, Some(&update.new_push_name), None).await?;
        }
        Event::PictureUpdate(update) => {
            let number = convert::number_of(&update.jid, None);
            let url = if update.removed { None } else { link.profile_picture(&update.jid).await.ok().flatten() };
            domain::profile(state, &connection, &number, None, url.as_deref()).await?;
        }
        Event::HistorySync(history) => {
            if let Some(request) = history.peer_data_request_session_id()
                && let Some(job) = state.whatsapp_web.take_sync(request)
                && let Some(batch) = history.get()
            {
                import(state, link, job, batch).await?;
            }
        }
        _ => {}
    }
    Ok(Flow::Continue)
}

async fn keep_session(state: &AppState, id: ConnectionId, link: &Arc<dyn Link>) -> AppResult<()> {
    match link.session().await {
        Some(session) => domain::save_session(state, id, Some(&session)).await,
        None => Ok(()),
    }
}

fn stored_kind(parsed: &Parsed) -> MessageKind {
    MessageKind::parse(parsed.kind.as_str()).unwrap_or(MessageKind::Text)
}

/// The message's file, downloaded and sniffed, or why it is missing.
async fn fetch_file(
    link: &Arc<dyn Link>,
    message: &wa::Message,
    parsed: &Parsed,
    kind: &mut MessageKind,
) -> (Option<InboundFile>, Option<MissingMedia>) {
    let Some(announced) = &parsed.media else {
        return (None, None);
    };
    let name = announced.name.as_deref().map(|n| media::clean_file_name(Some(n), kind.as_str()));
    match link.download(message).await {
        Ok(bytes) if !bytes.is_empty() => {
            // The bytes decide the type, never the sender's word.
            let sniffed = media::sniff_inbound(*kind, &bytes);
            *kind = sniffed.kind;
            (Some(InboundFile { bytes, mime: sniffed.mime, name }), None)
        }
        outcome => {
            let reason = match outcome {
                Err(error) => error.to_string(),
                Ok(_) => "the file is empty".into(),
            };
            let mime = announced.mime.as_deref().and_then(media::clean_mime);
            (None, Some(MissingMedia { name, mime, reason }))
        }
    }
}

/// One live message, through the same inbound path as every channel.
async fn receive(
    state: &AppState,
    connection: &ConnectionRow,
    link: &Arc<dyn Link>,
    message: &wa::Message,
    info: &MessageInfo,
) -> AppResult<()> {
    // Our own messages (sent from the phone) and protocol messages are not a customer writing.
    if info.source.is_from_me {
        return Ok(());
    }
    let Some(parsed) = convert::parse(message) else {
        return Ok(());
    };
    let external_id = info.id.to_string();
    if inbound::is_known(state, connection, &external_id).await? {
        return Ok(());
    }
    let mut kind = stored_kind(&parsed);
    let (file, missing) = fetch_file(link, message, &parsed, &mut kind).await;
    let number = convert::number_of(&info.source.sender, info.source.sender_alt.as_ref());
    let group = info.source.is_group.then(|| (info.source.chat.user.to_string(), String::new()));
    let push_name = Some(info.push_name.clone()).filter(|n| !n.trim().is_empty());
    let inbound = inbound_of(number.clone(), push_name.clone(), group, kind, parsed, external_id, file, missing, info);
    match inbound::receive(state, connection, inbound).await {
        Ok(_) => {}
        Err(AppError::Invalid(errors)) => {
            tracing::warn!(connection = connection.id, ?errors, "dropped an inbound WhatsApp Web message");
            return Ok(());
        }
        Err(error) => return Err(error),
    }
    if !info.source.is_group && domain::needs_photo(state, connection, &number).await? {
        let url = link.profile_picture(&info.source.sender).await.ok().flatten();
        domain::profile(state, connection, &number, push_name.as_deref(), url.as_deref()).await?;
    }
    Ok(())
}

/// The one place an `Inbound` is built from WhatsApp Web's message (so fields added to `Inbound`
/// land here only).
#[allow(clippy::too_many_arguments)]
fn inbound_of(
    from: String,
    name: Option<String>,
    group: Option<(String, String)>,
    kind: MessageKind,
    parsed: Parsed,
    external_id: String,
    media: Option<InboundFile>,
    missing_media: Option<MissingMedia>,
    info: &MessageInfo,
) -> Inbound {
    Inbound {
        from,
        sender: SenderId::WhatsappId,
        name,
        group,
        kind,
        body: parsed.body,
        external_id: Some(external_id),
        quoted_external_id: parsed.quoted_external_id,
        media,
        missing_media,
        at: info.timestamp,
        metadata: parsed.metadata,
    }
}

/// An on-demand history batch: the messages of the job's chat, imported into its ticket.
async fn import(
    state: &AppState,
    link: &Arc<dyn Link>,
    mut job: domain::SyncJob,
    batch: &wa::HistorySync,
) -> AppResult<()> {
    let mut items = Vec::new();
    for conversation in &batch.conversations {
        for entry in &conversation.messages {
            let Some(web) = entry.message.as_option() else { continue };
            let Some(key) = web.key.as_option() else { continue };
            let (Some(external_id), Some(message)) = (key.id.clone(), web.message.as_option()) else { continue };
            let Some(parsed) = convert::parse(message) else { continue };
            let mut kind = stored_kind(&parsed);
            let (file, _missing) = fetch_file(link, message, &parsed, &mut kind).await;
            let seconds = web.message_timestamp.unwrap_or_default();
            let at = chrono::DateTime::from_timestamp(i64::try_from(seconds).unwrap_or_default(), 0)
                .unwrap_or_else(chrono::Utc::now);
            items.push(HistoryItem {
                external_id,
                from_me: key.from_me.unwrap_or(false),
                kind,
                body: parsed.body,
                quoted_external_id: parsed.quoted_external_id,
                file,
                at,
            });
        }
    }
    let result = domain::import_history(state, &mut job, items).await;
    let error = result.as_ref().err().map(ToString::to_string);
    domain::report_sync(state, &job, true, error).await?;
    result
}
