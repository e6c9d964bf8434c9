//! The one inbound path every channel uses: contact found or created, ticket found or created
//! per the life cycle, message stored once, events published after commit.

use chrono::{DateTime, Utc};
use serde_json::json;
use shared::tickets::{MessageKind, MessageStatus, TicketKind, TicketStatus};

use crate::domain::events::Outbox;
use crate::domain::media;
use crate::domain::messages::to_dto;
use crate::domain::phone::PhoneNumber;
use crate::domain::tickets::{audience, summary};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::connections;

/// A message from a contact, as any channel delivers it.
#[derive(Debug, Clone)]
pub struct Inbound {
    /// The sender's number as the provider spells it.
    pub from: String,
    pub name: Option<String>,
    /// The WhatsApp group it was written in: (group id, group name).
    pub group: Option<(String, String)>,
    pub kind: MessageKind,
    pub body: String,
    /// The provider's message id: the same id twice is stored once.
    pub external_id: Option<String>,
    pub quoted_external_id: Option<String>,
    /// The file of an image, audio, video, document or sticker, already downloaded.
    pub media: Option<InboundFile>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct InboundFile {
    pub bytes: Vec<u8>,
    pub mime: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    Stored {
        ticket_id: i64,
        message_id: i64,
    },
    /// Seen before (the provider retried): nothing changed.
    Duplicate {
        ticket_id: i64,
        message_id: i64,
    },
    /// The contact is blocked: dropped.
    Blocked,
}

pub async fn receive(state: &AppState, connection: &connections::Model, inbound: Inbound) -> AppResult<Received> {
    let company_id = connection.company_id;
    let sender = PhoneNumber::parse(&inbound.from).map_err(|e| FieldErrors::one("from", e.0))?;
    let (number, name, is_group) = match &inbound.group {
        Some((id, name)) => {
            let id = id.trim();
            if id.is_empty() || id.len() > 64 {
                return Err(FieldErrors::one("group.id", "must be 1 to 64 characters"));
            }
            (id.to_owned(), name.trim().to_owned(), true)
        }
        None => (sender.as_str().to_owned(), inbound.name.clone().unwrap_or_default().trim().to_owned(), false),
    };
    let name = if name.is_empty() { number.clone() } else { name.chars().take(120).collect() };
    let body = if is_group {
        // In a group the ticket belongs to the group; say who wrote each message.
        let who = inbound.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(sender.as_str());
        format!("{who}: {}", inbound.body)
    } else {
        inbound.body.clone()
    };

    // The file goes to disk first; if storing the message fails it is removed again.
    let saved_media = match &inbound.media {
        Some(file) => Some(media::save(&state.config.data_dir, company_id, &file.bytes).await?),
        None => None,
    };
    let result =
        store_inbound(state, connection, &inbound, &number, &name, is_group, &body, saved_media.as_deref()).await;
    if let (Some(path), Ok(Received::Duplicate { .. } | Received::Blocked) | Err(_)) = (&saved_media, &result) {
        media::remove(&state.config.data_dir, path).await;
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn store_inbound(
    state: &AppState,
    connection: &connections::Model,
    inbound: &Inbound,
    number: &str,
    name: &str,
    is_group: bool,
    body: &str,
    media_path: Option<&str>,
) -> AppResult<Received> {
    let company_id = connection.company_id;
    let (txn, _turn) = state.begin().await?;
    if let Some(external_id) = &inbound.external_id
        && let Some(existing) = store::messages::find_external(&txn, connection.id, external_id).await?
    {
        return Ok(Received::Duplicate { ticket_id: existing.ticket_id, message_id: existing.id });
    }
    let contact = match store::contacts::find_by_number(&txn, company_id, number).await? {
        Some(contact) => contact,
        None => {
            let row = store::contacts::NewContactRow { company_id, name, number, email: None, extra: "{}", is_group };
            store::contacts::insert(&txn, row).await?
        }
    };
    if contact.blocked {
        return Ok(Received::Blocked);
    }
    let mut outbox = Outbox::new();
    let ticket = match store::tickets::find_active(&txn, contact.id, connection.id).await? {
        Some(ticket) => ticket,
        None => {
            let number = store::counters::next(&txn, company_id, store::counters::TICKET_NUMBER).await?;
            let ticket = store::tickets::insert(
                &txn,
                store::tickets::NewTicketRow {
                    company_id,
                    number,
                    status: TicketStatus::Pending.as_str(),
                    kind: if is_group { TicketKind::Group.as_str() } else { TicketKind::Private.as_str() },
                    contact_id: contact.id,
                    connection_id: connection.id,
                    queue_id: connection.default_queue_id,
                    user_id: None,
                },
            )
            .await?;
            store::ticket_logs::insert(&txn, company_id, ticket.id, None, "created", &json!({"by": "contact"})).await?;
            let dto = summary(&txn, ticket.clone()).await?;
            outbox.add(&txn, company_id, "ticket.created", audience(&ticket), &dto).await?;
            ticket
        }
    };
    let quoted_id = match &inbound.quoted_external_id {
        Some(external) => store::messages::find_external(&txn, connection.id, external).await?.map(|m| m.id),
        None => None,
    };
    let row = store::messages::NewMessageRow {
        company_id,
        ticket_id: ticket.id,
        connection_id: connection.id,
        contact_id: contact.id,
        user_id: None,
        from_me: false,
        kind: inbound.kind.as_str(),
        body,
        status: MessageStatus::Received.as_str(),
        external_id: inbound.external_id.as_deref(),
        quoted_id,
        media: match (media_path, &inbound.media) {
            (Some(path), Some(file)) => Some(store::messages::MediaRow {
                path,
                mime: &file.mime,
                name: file.name.as_deref().unwrap_or(inbound.kind.as_str()),
            }),
            _ => None,
        },
        created_at: inbound.at,
    };
    let Some(message) = store::messages::insert(&txn, row).await? else {
        // Another delivery of the same message won the race; theirs is the stored one.
        drop(txn);
        let external_id = inbound.external_id.as_deref().unwrap_or_default();
        let existing = store::messages::find_external(&state.db, connection.id, external_id)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("duplicate message vanished")))?;
        return Ok(Received::Duplicate { ticket_id: existing.ticket_id, message_id: existing.id });
    };
    store::tickets::note_inbound(&txn, ticket.id, body, inbound.at.max(ticket.updated_at)).await?;
    let ticket =
        store::tickets::get_in_company(&txn, company_id, ticket.id).await?.ok_or(AppError::NotFound("ticket"))?;
    outbox.add(&txn, company_id, "message.created", audience(&ticket), &to_dto(message.clone())).await?;
    outbox.add(&txn, company_id, "ticket.updated", audience(&ticket), &summary(&txn, ticket.clone()).await?).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(Received::Stored { ticket_id: ticket.id, message_id: message.id })
}

/// The simulated channel's payload, checked like any provider's.
pub fn simulated(message: shared::contacts::SimulatedMessage) -> AppResult<Inbound> {
    use base64::Engine;
    let body = message.body.unwrap_or_default();
    let file = match message.media {
        None => None,
        Some(media) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(media.base64.trim())
                .map_err(|_| FieldErrors::one("media.base64", "is not valid base64"))?;
            let sniffed = media::sniff(&bytes, None)?;
            let name = media.file_name.as_deref().map(|n| media::clean_file_name(Some(n), "arquivo"));
            Some((InboundFile { bytes, mime: sniffed.mime, name }, sniffed.kind))
        }
    };
    if body.trim().is_empty() && file.is_none() {
        return Err(FieldErrors::one("body", "must not be empty"));
    }
    if body.chars().count() > crate::domain::messages::MAX_BODY_CHARS {
        return Err(FieldErrors::one("body", "must be at most 4096 characters"));
    }
    if let Some(id) = &message.external_id
        && (id.is_empty() || id.len() > 255)
    {
        return Err(FieldErrors::one("external_id", "must be 1 to 255 characters"));
    }
    let (media, kind) = match file {
        Some((file, kind)) => (Some(file), kind),
        None => (None, MessageKind::Text),
    };
    Ok(Inbound {
        from: message.from,
        name: message.name,
        group: message.group.map(|g| (g.id, g.name)),
        kind,
        body,
        external_id: message.external_id,
        quoted_external_id: None,
        media,
        at: Utc::now(),
    })
}
