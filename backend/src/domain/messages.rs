//! A ticket's messages: the thread, system notes of what happened, and sending as an agent.

use chrono::Utc;
use sea_orm::{IntoActiveModel, Set};
use shared::events::{Event, MessageUpdate};
use shared::tickets::{Message, MessageKind, MessageSender, MessageStatus, NewMessage, SystemNote, TicketStatus};
use shared::validate::Invalid;
use shared::{CompanyId, ConnectionId, ContactId, ErrorCode, MessageId, Page, TicketId, UserId};

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::media;
use crate::domain::page::PageRequest;
use crate::domain::tickets::{audience, company_of, find_visible, id_of, status_of, summary};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store::entities::{connections, messages, tickets};
use crate::store::{self, WriteTx};

pub const MAX_BODY_CHARS: usize = 4096;

pub fn to_dto(message: messages::Model) -> Message {
    Message {
        id: MessageId(message.id),
        ticket_id: TicketId(message.ticket_id),
        from_me: message.from_me,
        kind: message.kind.into(),
        media_url: message.media_path.as_ref().map(|_| format!("/api/v1/messages/{}/media", message.id)),
        media_mime: message.media_mime,
        media_name: message.media_name,
        status: message.status.into(),
        error: message.error,
        external_id: message.external_id,
        quoted_id: message.quoted_id.map(MessageId),
        user_id: message.user_id.map(UserId),
        // A note that does not parse is shown as its stored sentence (the body), never invented.
        system: message.system_note.as_deref().and_then(|note| serde_json::from_str(note).ok()),
        metadata: message.metadata.as_deref().and_then(|meta| serde_json::from_str(meta).ok()).map(Box::new),
        participant: match (message.participant_name, message.participant_number) {
            (Some(name), Some(number)) => Some(shared::message_meta::Participant { name, number }),
            _ => None,
        },
        sender: match (message.kind, message.from_me, message.bot) {
            (crate::store::enums::MessageKind::System, _, _) => MessageSender::System,
            (_, false, _) => MessageSender::Contact,
            (_, true, Some(_)) => MessageSender::Bot,
            (_, true, None) => MessageSender::User,
        },
        bot: message.bot.map(Into::into),
        body: message.body,
        created_at: message.created_at,
        updated_at: message.updated_at,
        channel: message.channel.map(Into::into),
    }
}

/// Adds a system message (what happened, by whom) to the ticket's thread.
pub async fn add_system(
    tx: &WriteTx,
    outbox: &mut Outbox,
    ticket: &tickets::Model,
    note: &SystemNote,
) -> AppResult<()> {
    let row = store::messages::NewMessageRow {
        company_id: company_of(ticket),
        ticket_id: id_of(ticket),
        connection_id: ConnectionId(ticket.connection_id),
        contact_id: ContactId(ticket.contact_id),
        user_id: None,
        from_me: true,
        kind: MessageKind::System,
        body: &note.sentence_pt(),
        status: MessageStatus::Received,
        external_id: None,
        quoted_id: None,
        system_note: Some(serde_json::to_string(note).map_err(anyhow::Error::from)?),
        media: None,
        error: None,
        metadata: None,
        participant: None,
        bot: None,
        created_at: Utc::now(),
    };
    if let Some(message) = store::messages::insert(tx, row).await? {
        outbox.add(tx, company_of(ticket), audience(ticket), Event::MessageCreated(to_dto(message))).await?;
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
    let page = PageRequest::parse_up_to(None, limit, shared::page::MAX_MESSAGE_LIMIT)?;
    let rows = store::messages::page(&state.db, id_of(&ticket), before, page.limit).await?;
    let has_more = rows.len() as u64 > page.limit;
    let items: Vec<Message> = rows.into_iter().take(page.limit as usize).map(to_dto).collect();
    let next_cursor = if has_more { items.last().map(|m| m.id.0.to_string()) } else { None };
    if before.is_none() && ticket.unread_count > 0 && ticket.user_id == Some(caller.id.0) {
        mark_read(state, ticket).await?;
    }
    Ok(Page { items, next_cursor })
}

/// Clears the unread count the reader saw. A message that arrived since the page was read keeps
/// the ticket unread (the count changed, so nothing is cleared: the next read does it).
async fn mark_read(state: &AppState, ticket: tickets::Model) -> AppResult<()> {
    let txn = state.begin().await?;
    if !store::tickets::mark_read(&txn, id_of(&ticket), ticket.unread_count).await? {
        return Ok(());
    }
    let Some(ticket) = store::tickets::get_in_company(&txn, company_of(&ticket), id_of(&ticket)).await? else {
        return Ok(());
    };
    let mut outbox = Outbox::new();
    let dto = summary(&txn, ticket.clone()).await?;
    outbox.add(&txn, company_of(&ticket), audience(&ticket), Event::TicketUpdated(dto)).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(())
}

/// A file the agent attached, as uploaded.
pub struct Attachment {
    pub body: media::FileBody,
    pub file_name: Option<String>,
    /// `audio` (voice note), `sticker` or `file` (as a document).
    pub kind_hint: Option<String>,
}

/// A JSON message: text, and the file of the quick reply it names, if that reply has one.
pub async fn send_text(state: &AppState, caller: &CurrentUser, id: TicketId, new: NewMessage) -> AppResult<Message> {
    let attachment = match (new.sticker_id, new.quick_reply_id) {
        (Some(sticker), _) => Some(crate::domain::stickers::to_send(state, caller, sticker, &new.body).await?),
        (None, Some(reply)) => crate::domain::quick_replies::attachment_for(state, caller, reply).await?,
        (None, None) => None,
    };
    send(state, caller, id, new.body, new.quoted_id, attachment).await
}

/// An agent's message: stored as pending (with its file in the media store), then handed to the
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
        return Err(FieldErrors::one("body", Invalid::Required));
    }
    if text.chars().count() > MAX_BODY_CHARS {
        return Err(FieldErrors::one("body", Invalid::TooLong { max: MAX_BODY_CHARS as u32 }));
    }
    let media = match attachment {
        None => None,
        Some(file) => Some(save_attachment(state, caller.company_id, file).await?),
    };
    let stored = store_outgoing(state, caller, id, text, quoted_id, media.as_ref()).await;
    if stored.is_err()
        && let Some((_, _, path)) = &media
    {
        state.media.remove(path).await;
    }
    let (_, dto) = stored?;
    crate::domain::outbox::wake(state);
    Ok(dto)
}

/// A file as it will go out: sniffed, checked against the company's limit, voice notes made
/// Ogg/Opus, saved in the media store. `(what it is, its name, its path)`.
pub async fn save_attachment(
    state: &AppState,
    company: CompanyId,
    file: Attachment,
) -> AppResult<(media::Sniffed, String, String)> {
    crate::domain::settings::check_upload_size(state, company, file.body.len()).await?;
    let sniffed = media::sniff(file.body.head(), file.kind_hint.as_deref())?;
    let name = media::clean_file_name(file.file_name.as_deref(), "arquivo");
    if !media::voice::needs_remux(&sniffed, file.kind_hint.as_deref()) {
        let sniffed = media::voice::typed(sniffed, file.body.head());
        let path = file.body.keep(&state.media, company.0).await?;
        return Ok((sniffed, name, path));
    }
    // A recording is rewritten whole (it is small: minutes of Opus), off the async workers.
    let (bytes, hint) = (file.body.into_bytes(&state.media).await?, file.kind_hint);
    let prepared = tokio::task::spawn_blocking(move || media::voice::prepare(bytes, name, sniffed, hint.as_deref()))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let path = state.media.save(company.0, &prepared.bytes).await?;
    Ok((prepared.sniffed, prepared.name, path))
}

async fn store_outgoing(
    state: &AppState,
    caller: &CurrentUser,
    id: TicketId,
    text: &str,
    quoted_id: Option<MessageId>,
    media: Option<&(media::Sniffed, String, String)>,
) -> AppResult<(messages::Model, Message)> {
    let txn = state.begin().await?;
    let ticket = find_visible(&txn, caller, id).await?;
    if status_of(&ticket) != TicketStatus::Open {
        return Err(AppError::conflict(ErrorCode::TicketNotOpen, "accept or reopen the ticket before writing in it"));
    }
    if let Some(quoted) = quoted_id
        && store::messages::get_in_ticket(&txn, id_of(&ticket), quoted).await?.is_none()
    {
        return Err(FieldErrors::one("quoted_id", Invalid::NotInTicket));
    }
    let author = store::users::get(&txn, caller.id).await?;
    let mut outbox = Outbox::new();
    let written = write_outgoing(&txn, &mut outbox, ticket, author.as_ref(), text, quoted_id, media).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(written)
}

/// Stores an outbound message in `ticket` (by `author`, with their signature when they use one),
/// moves the ticket's last message, queues the send in the outbox and adds the events.
pub async fn write_outgoing(
    tx: &WriteTx,
    outbox: &mut Outbox,
    ticket: tickets::Model,
    author: Option<&crate::store::entities::users::Model>,
    text: &str,
    quoted_id: Option<MessageId>,
    media: Option<&(media::Sniffed, String, String)>,
) -> AppResult<(messages::Model, Message)> {
    // The signature is part of what the contact reads, so it is part of the stored body.
    let body = match author.filter(|u| u.signature_enabled) {
        Some(user) if !text.is_empty() => format!("*{}*:\n{}", user.name, text),
        _ => text.to_owned(),
    };
    let now = Utc::now();
    let kind = media.map(|(sniffed, _, _)| sniffed.kind).unwrap_or(MessageKind::Text);
    let row = store::messages::NewMessageRow {
        company_id: company_of(&ticket),
        ticket_id: id_of(&ticket),
        connection_id: ConnectionId(ticket.connection_id),
        contact_id: ContactId(ticket.contact_id),
        user_id: author.map(|u| UserId(u.id)),
        from_me: true,
        kind,
        body: &body,
        status: MessageStatus::Pending,
        external_id: None,
        quoted_id,
        system_note: None,
        media: media.map(|(sniffed, name, path)| store::messages::MediaRow {
            path: Some(path),
            mime: &sniffed.mime,
            name,
        }),
        error: None,
        metadata: None,
        participant: None,
        bot: None,
        created_at: now,
    };
    let message = store::messages::insert(tx, row)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("message not stored")))?;
    let preview =
        if body.is_empty() { media.map(|(_, name, _)| name.clone()).unwrap_or_default() } else { body.clone() };
    let mut ticket_row = ticket.into_active_model();
    ticket_row.last_message_body = Set(Some(preview));
    ticket_row.last_message_at = Set(Some(now));
    ticket_row.last_message_from_me = Set(true);
    let ticket = store::tickets::update(tx, ticket_row).await?;
    crate::domain::outbox::enqueue(tx, &message).await?;
    let dto = to_dto(message.clone());
    outbox.add(tx, company_of(&ticket), audience(&ticket), Event::MessageCreated(dto.clone())).await?;
    let summary = summary(tx, ticket.clone()).await?;
    outbox.add(tx, company_of(&ticket), audience(&ticket), Event::TicketUpdated(summary)).await?;
    Ok((message, dto))
}

/// Queues an outbound message that failed, or whose fate is unknown, once more.
pub async fn resend(state: &AppState, caller: &CurrentUser, id: MessageId) -> AppResult<Message> {
    let txn = state.begin().await?;
    let message =
        store::messages::get_in_company(&txn, caller.company_id, id).await?.ok_or(AppError::NotFound("message"))?;
    let ticket =
        find_visible(&txn, caller, TicketId(message.ticket_id)).await.map_err(|_| AppError::NotFound("message"))?;
    let status = MessageStatus::from(message.status);
    if !message.from_me || !matches!(status, MessageStatus::Failed | MessageStatus::Unknown) {
        return Err(AppError::conflict(
            ErrorCode::NotResendable,
            "only a failed message, or one of unknown fate, can be sent again",
        ));
    }
    // An SMS is not the connection's to send: the agent sends a new one from the panel.
    if message.channel.is_some() {
        return Err(AppError::conflict(ErrorCode::NotResendable, "an SMS is sent again from the ticket's SMS button"));
    }
    if status_of(&ticket) != TicketStatus::Open {
        return Err(AppError::conflict(ErrorCode::TicketNotOpen, "accept or reopen the ticket before writing in it"));
    }
    let mut row = message.into_active_model();
    row.status = Set(MessageStatus::Pending.into());
    row.error = Set(None);
    let message = store::messages::update(&txn, row).await?;
    crate::domain::outbox::enqueue(&txn, &message).await?;
    let mut outbox = Outbox::new();
    outbox.add(&txn, company_of(&ticket), audience(&ticket), Event::MessageUpdated(update_of(&message))).await?;
    txn.commit().await?;
    outbox.publish(state);
    crate::domain::outbox::wake(state);
    Ok(to_dto(message))
}

/// The file of a message, for a user who may see its ticket: (its name in the media store, mime,
/// file name).
pub async fn media_of(state: &AppState, caller: &CurrentUser, id: MessageId) -> AppResult<(String, String, String)> {
    let message =
        store::messages::get_in_company(&state.db, caller.company_id, id).await?.ok_or(AppError::NotFound("media"))?;
    find_visible(&state.db, caller, TicketId(message.ticket_id)).await.map_err(|_| AppError::NotFound("media"))?;
    let path = message.media_path.ok_or(AppError::NotFound("media"))?;
    Ok((
        path,
        message.media_mime.unwrap_or_else(|| "application/octet-stream".into()),
        message.media_name.unwrap_or_else(|| "arquivo".into()),
    ))
}

/// Records a delivery status reported by a channel; status only moves forward.
pub async fn set_status(
    state: &AppState,
    message_id: MessageId,
    status: MessageStatus,
    external_id: Option<&str>,
    error: Option<&str>,
) -> AppResult<()> {
    let txn = state.begin().await?;
    let mut outbox = Outbox::new();
    record_status(&txn, &mut outbox, message_id, status, external_id, error).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(())
}

/// [`set_status`] inside the caller's transaction. The message as it stands after, if it exists.
pub async fn record_status(
    tx: &WriteTx,
    outbox: &mut Outbox,
    message_id: MessageId,
    status: MessageStatus,
    external_id: Option<&str>,
    error: Option<&str>,
) -> AppResult<Option<messages::Model>> {
    let Some(message) = store::messages::get(tx, message_id).await? else {
        return Ok(None);
    };
    let current = MessageStatus::from(message.status);
    if !current.may_become(status) {
        return Ok(Some(message));
    }
    let Some(ticket) =
        store::tickets::get_in_company(tx, CompanyId(message.company_id), TicketId(message.ticket_id)).await?
    else {
        return Ok(Some(message));
    };
    let mut row = message.into_active_model();
    row.status = Set(status.into());
    if let Some(external_id) = external_id {
        row.external_id = Set(Some(external_id.to_owned()));
    }
    row.error = Set(error.map(str::to_owned));
    let message = store::messages::update(tx, row).await?;
    outbox.add(tx, company_of(&ticket), audience(&ticket), Event::MessageUpdated(update_of(&message))).await?;
    Ok(Some(message))
}

fn update_of(message: &messages::Model) -> MessageUpdate {
    MessageUpdate {
        id: MessageId(message.id),
        ticket_id: TicketId(message.ticket_id),
        status: message.status.into(),
        error: message.error.clone(),
        external_id: message.external_id.clone(),
    }
}

/// At start-up: outbound messages left `pending` with no outbox row (written by a version that
/// sent from memory) are marked failed, so the agent sees them and can send them again.
pub async fn fail_orphaned_sends(state: &AppState) -> AppResult<usize> {
    let before = Utc::now() - chrono::Duration::minutes(5);
    let stale = store::messages::stale_pending(&state.db, before).await?;
    for message in &stale {
        set_status(
            state,
            MessageId(message.id),
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
pub struct Outgoing {
    pub message: messages::Model,
    /// `None` when the connection was deleted since.
    pub connection: Option<connections::Model>,
    /// The contact's number (where the message goes); `None` when the contact is gone.
    pub to: Option<String>,
    /// `to` is a group's id (a group ticket): the reply goes to the group.
    pub to_group: bool,
    /// The provider's id of the message this one quotes, when it has one.
    pub reply_to: Option<String>,
}

/// The job for message `message_id`, or `None` when the message no longer exists.
pub async fn outgoing(state: &AppState, message_id: MessageId) -> AppResult<Option<Outgoing>> {
    let Some(message) = store::messages::get(&state.db, message_id).await? else {
        return Ok(None);
    };
    let connection = store::connections::get(&state.db, ConnectionId(message.connection_id)).await?;
    let contact =
        store::contacts::get_in_company(&state.db, CompanyId(message.company_id), ContactId(message.contact_id))
            .await?;
    let to_group = contact.as_ref().is_some_and(|c| c.is_group);
    let to = contact.map(|c| c.number);
    let reply_to = match message.quoted_id {
        Some(id) => store::messages::get_in_ticket(&state.db, TicketId(message.ticket_id), MessageId(id))
            .await?
            .and_then(|m| m.external_id),
        None => None,
    };
    Ok(Some(Outgoing { message, connection, to, to_group, reply_to }))
}

/// A provider's delivery status for the message it knows as `external_id` on `connection_id`; a
/// status for a message we do not have (sent from the phone itself, or long gone) changes nothing.
pub async fn set_status_by_external_id(
    state: &AppState,
    connection_id: ConnectionId,
    external_id: &str,
    status: MessageStatus,
    error: Option<&str>,
) -> AppResult<()> {
    match store::messages::find_external(&state.db, connection_id, external_id).await? {
        Some(message) => set_status(state, MessageId(message.id), status, None, error).await,
        None => Ok(()),
    }
}
