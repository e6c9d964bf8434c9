//! A ticket's messages: the thread, system notes of what happened, and sending as an agent.

use chrono::Utc;
use sea_orm::{ConnectionTrait, IntoActiveModel, Set};
use serde_json::json;
use shared::tickets::{Message, MessageKind, MessageStatus, NewMessage, TicketStatus};
use shared::{MessageId, Page, TicketId, UserId};

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::media;
use crate::domain::page::PageRequest;
use crate::domain::tickets::{audience, find_visible, status_of, summary};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::{connections, messages, tickets};

pub const MAX_BODY_CHARS: usize = 4096;

pub fn to_dto(message: messages::Model) -> Message {
    Message {
        id: MessageId(message.id),
        ticket_id: TicketId(message.ticket_id),
        from_me: message.from_me,
        kind: MessageKind::parse(&message.kind).unwrap_or(MessageKind::Text),
        media_url: message.media_path.as_ref().map(|_| format!("/api/v1/messages/{}/media", message.id)),
        media_mime: message.media_mime,
        media_name: message.media_name,
        status: MessageStatus::parse(&message.status).unwrap_or(MessageStatus::Pending),
        error: message.error,
        external_id: message.external_id,
        quoted_id: message.quoted_id.map(MessageId),
        user_id: message.user_id.map(UserId),
        body: message.body,
        created_at: message.created_at,
        updated_at: message.updated_at,
    }
}

/// What the thread says happened, in the interface's default language.
pub enum SystemMessage {
    Accepted,
    Transferred(String),
    Returned,
    Resolved,
    Reopened,
}

impl SystemMessage {
    pub fn render(&self, actor: &str) -> String {
        match self {
            SystemMessage::Accepted => format!("Atendimento aceito por {actor}"),
            SystemMessage::Transferred(to) => format!("Atendimento transferido por {actor} para {to}"),
            SystemMessage::Returned => format!("{actor} retornou o atendimento para a fila"),
            SystemMessage::Resolved => format!("Atendimento resolvido por {actor}"),
            SystemMessage::Reopened => format!("Atendimento reaberto por {actor}"),
        }
    }
}

pub async fn add_system(
    db: &impl ConnectionTrait,
    outbox: &mut Outbox,
    ticket: &tickets::Model,
    text: &str,
) -> AppResult<()> {
    let row = store::messages::NewMessageRow {
        company_id: ticket.company_id,
        ticket_id: ticket.id,
        connection_id: ticket.connection_id,
        contact_id: ticket.contact_id,
        user_id: None,
        from_me: true,
        kind: MessageKind::System.as_str(),
        body: text,
        status: MessageStatus::Received.as_str(),
        external_id: None,
        quoted_id: None,
        media: None,
        error: None,
        created_at: Utc::now(),
    };
    if let Some(message) = store::messages::insert(db, row).await? {
        outbox.add(db, ticket.company_id, "message.created", audience(ticket), &to_dto(message)).await?;
    }
    Ok(())
}

/// Newest first. The assigned agent reading the newest page marks the ticket read.
pub async fn list(
    state: &AppState,
    caller: &CurrentUser,
    id: TicketId,
    before: Option<i64>,
    limit: Option<u64>,
) -> AppResult<Page<Message>> {
    let ticket = find_visible(&state.db, caller, id).await?;
    let page = PageRequest::parse(None, limit)?;
    let rows = store::messages::page(&state.db, ticket.id, before, page.limit).await?;
    let has_more = rows.len() as u64 > page.limit;
    let items: Vec<Message> = rows.into_iter().take(page.limit as usize).map(to_dto).collect();
    let next_cursor = if has_more { items.last().map(|m| m.id.0.to_string()) } else { None };
    if before.is_none() && ticket.unread_count > 0 && ticket.user_id == Some(caller.id.0) {
        mark_read(state, ticket).await?;
    }
    Ok(Page { items, next_cursor })
}

async fn mark_read(state: &AppState, ticket: tickets::Model) -> AppResult<()> {
    let (txn, _turn) = state.begin().await?;
    let mut row = ticket.into_active_model();
    row.unread_count = Set(0);
    let ticket = store::tickets::update(&txn, row).await?;
    let mut outbox = Outbox::new();
    let dto = summary(&txn, ticket.clone()).await?;
    outbox.add(&txn, ticket.company_id, "ticket.updated", audience(&ticket), &dto).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(())
}

/// A file the agent attached, as uploaded.
pub struct Attachment {
    pub bytes: Vec<u8>,
    pub file_name: Option<String>,
    /// `audio` (voice note), `sticker` or `file` (as a document).
    pub kind_hint: Option<String>,
}

pub async fn send_text(state: &AppState, caller: &CurrentUser, id: TicketId, new: NewMessage) -> AppResult<Message> {
    send(state, caller, id, new.body, new.quoted_id, None).await
}

/// An agent's message: stored as pending (with its file under the data dir), then handed to the
/// connection's channel, which records the outcome.
pub async fn send(
    state: &AppState,
    caller: &CurrentUser,
    id: TicketId,
    body: String,
    quoted_id: Option<MessageId>,
    attachment: Option<Attachment>,
) -> AppResult<Message> {
    let text = body.trim();
    if text.is_empty() && attachment.is_none() {
        return Err(FieldErrors::one("body", "must not be empty"));
    }
    if text.chars().count() > MAX_BODY_CHARS {
        return Err(FieldErrors::one("body", "must be at most 4096 characters"));
    }
    let media = match &attachment {
        None => None,
        Some(file) => {
            if file.bytes.len() > media::MAX_UPLOAD_BYTES {
                return Err(AppError::PayloadTooLarge);
            }
            let sniffed = media::sniff(&file.bytes, file.kind_hint.as_deref())?;
            let name = media::clean_file_name(file.file_name.as_deref(), "arquivo");
            let path = media::save(&state.config.data_dir, caller.company_id.0, &file.bytes).await?;
            Some((sniffed, name, path))
        }
    };
    let stored = store_outgoing(state, caller, id, text, quoted_id, media.as_ref()).await;
    if stored.is_err()
        && let Some((_, _, path)) = &media
    {
        media::remove(&state.config.data_dir, path).await;
    }
    let (message, dto) = stored?;
    crate::channels::dispatch(state, message.id).await;
    Ok(dto)
}

async fn store_outgoing(
    state: &AppState,
    caller: &CurrentUser,
    id: TicketId,
    text: &str,
    quoted_id: Option<MessageId>,
    media: Option<&(media::Sniffed, String, String)>,
) -> AppResult<(messages::Model, Message)> {
    let (txn, _turn) = state.begin().await?;
    let ticket = find_visible(&txn, caller, id).await?;
    if status_of(&ticket) != TicketStatus::Open {
        return Err(AppError::conflict("ticket_not_open", "accept or reopen the ticket before writing in it"));
    }
    if let Some(quoted) = quoted_id
        && store::messages::get_in_ticket(&txn, ticket.id, quoted.0).await?.is_none()
    {
        return Err(FieldErrors::one("quoted_id", "must be a message of this ticket"));
    }
    let author = store::users::get(&txn, caller.id.0).await?;
    // The signature is part of what the contact reads, so it is part of the stored body.
    let body = match author.filter(|u| u.signature_enabled) {
        Some(user) if !text.is_empty() => format!("*{}*:\n{}", user.name, text),
        _ => text.to_owned(),
    };
    let now = Utc::now();
    let kind = media.map(|(sniffed, _, _)| sniffed.kind).unwrap_or(MessageKind::Text);
    let row = store::messages::NewMessageRow {
        company_id: ticket.company_id,
        ticket_id: ticket.id,
        connection_id: ticket.connection_id,
        contact_id: ticket.contact_id,
        user_id: Some(caller.id.0),
        from_me: true,
        kind: kind.as_str(),
        body: &body,
        status: MessageStatus::Pending.as_str(),
        external_id: None,
        quoted_id: quoted_id.map(|q| q.0),
        media: media.map(|(sniffed, name, path)| store::messages::MediaRow {
            path: Some(path),
            mime: &sniffed.mime,
            name,
        }),
        error: None,
        created_at: now,
    };
    let message = store::messages::insert(&txn, row)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("message not stored")))?;
    let preview =
        if body.is_empty() { media.map(|(_, name, _)| name.clone()).unwrap_or_default() } else { body.clone() };
    let mut ticket_row = ticket.clone().into_active_model();
    ticket_row.last_message_body = Set(Some(preview));
    ticket_row.last_message_at = Set(Some(now));
    ticket_row.last_message_from_me = Set(true);
    let ticket = store::tickets::update(&txn, ticket_row).await?;
    let mut outbox = Outbox::new();
    let dto = to_dto(message.clone());
    outbox.add(&txn, ticket.company_id, "message.created", audience(&ticket), &dto).await?;
    outbox
        .add(&txn, ticket.company_id, "ticket.updated", audience(&ticket), &summary(&txn, ticket.clone()).await?)
        .await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok((message, dto))
}

/// The file of a message, for a user who may see its ticket: (absolute path, mime, file name).
pub async fn media_of(
    state: &AppState,
    caller: &CurrentUser,
    id: MessageId,
) -> AppResult<(std::path::PathBuf, String, String)> {
    let message = store::messages::get_in_company(&state.db, caller.company_id.0, id.0)
        .await?
        .ok_or(AppError::NotFound("media"))?;
    find_visible(&state.db, caller, TicketId(message.ticket_id)).await.map_err(|_| AppError::NotFound("media"))?;
    let path = message.media_path.ok_or(AppError::NotFound("media"))?;
    Ok((
        media::absolute(&state.config.data_dir, &path),
        message.media_mime.unwrap_or_else(|| "application/octet-stream".into()),
        message.media_name.unwrap_or_else(|| "arquivo".into()),
    ))
}

/// Records a delivery status reported by a channel; status only moves forward.
pub async fn set_status(
    state: &AppState,
    message_id: i64,
    status: MessageStatus,
    external_id: Option<&str>,
    error: Option<&str>,
) -> AppResult<()> {
    let (txn, _turn) = state.begin().await?;
    let Some(message) = store::messages::get(&txn, message_id).await? else {
        return Ok(());
    };
    let current = MessageStatus::parse(&message.status).unwrap_or(MessageStatus::Pending);
    if status.rank() <= current.rank() && status != MessageStatus::Failed {
        return Ok(());
    }
    let Some(ticket) = store::tickets::get_in_company(&txn, message.company_id, message.ticket_id).await? else {
        return Ok(());
    };
    let mut row = message.into_active_model();
    row.status = Set(status.as_str().into());
    if let Some(external_id) = external_id {
        row.external_id = Set(Some(external_id.to_owned()));
    }
    row.error = Set(error.map(str::to_owned));
    let message = store::messages::update(&txn, row).await?;
    let mut outbox = Outbox::new();
    let data = json!({"id": message.id, "ticket_id": message.ticket_id, "status": message.status, "error": message.error, "external_id": message.external_id});
    outbox.add(&txn, ticket.company_id, "message.updated", audience(&ticket), &data).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(())
}

/// After a restart: outbound messages left `pending` by a send that was cut short are marked
/// failed, so the agent sees them and can resend. Resending automatically could deliver a message
/// twice (the provider may have taken it just before the stop), which is worse.
pub async fn fail_interrupted_sends(state: &AppState) -> AppResult<usize> {
    // Retries end within a couple of minutes; anything older is not in flight on any instance.
    let before = Utc::now() - chrono::Duration::minutes(5);
    let stale = store::messages::stale_pending(&state.db, before).await?;
    for message in &stale {
        set_status(
            state,
            message.id,
            MessageStatus::Failed,
            None,
            Some("sending was interrupted by a server restart; send it again"),
        )
        .await?;
    }
    Ok(stale.len())
}

/// What a channel needs to send one stored outbound message, read in one place so channels need not
/// query the store.
#[derive(Debug, Clone)]
pub struct OutboundJob {
    pub message: messages::Model,
    /// `None` when the connection was deleted since.
    pub connection: Option<connections::Model>,
    /// The contact's number (where the message goes); `None` when the contact is gone.
    pub to: Option<String>,
    /// The provider's id of the message this one quotes, when it has one.
    pub reply_to: Option<String>,
}

/// The job for message `message_id`, or `None` when the message no longer exists.
pub async fn outbound_job(state: &AppState, message_id: i64) -> AppResult<Option<OutboundJob>> {
    let Some(message) = store::messages::get(&state.db, message_id).await? else {
        return Ok(None);
    };
    let connection = store::connections::get(&state.db, message.connection_id).await?;
    let to =
        store::contacts::get_in_company(&state.db, message.company_id, message.contact_id).await?.map(|c| c.number);
    let reply_to = match message.quoted_id {
        Some(id) => store::messages::get_in_ticket(&state.db, message.ticket_id, id).await?.and_then(|m| m.external_id),
        None => None,
    };
    Ok(Some(OutboundJob { message, connection, to, reply_to }))
}

/// A provider's delivery status for the message it knows as `external_id` on `connection_id`; a
/// status for a message we do not have (sent from the phone itself, or long gone) changes nothing.
pub async fn set_status_by_external_id(
    state: &AppState,
    connection_id: i64,
    external_id: &str,
    status: MessageStatus,
    error: Option<&str>,
) -> AppResult<()> {
    match store::messages::find_external(&state.db, connection_id, external_id).await? {
        Some(message) => set_status(state, message.id, status, None, error).await,
        None => Ok(()),
    }
}
