//! The one inbound path every channel uses: contact found or created, ticket found or created
//! per the life cycle, message stored once, events published after commit.

use chrono::{DateTime, Utc};
use serde_json::json;
use shared::events::Event;
use shared::tickets::{MessageKind, MessageStatus, TicketKind, TicketLogKind, TicketStatus};
use shared::validate::Invalid;
use shared::{CompanyId, ConnectionId, ContactId, MessageId, QueueId, TicketId};

use crate::domain::events::Outbox;
use crate::domain::media;
use crate::domain::messages::{MAX_BODY_CHARS, to_dto};
use crate::domain::phone::PhoneNumber;
use crate::domain::tickets::{already_active_on_race, audience, id_of, summary};
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
        ticket_id: TicketId,
        message_id: MessageId,
    },
    /// Seen before (the provider retried): nothing changed.
    Duplicate {
        ticket_id: TicketId,
        message_id: MessageId,
    },
    /// The contact is blocked: dropped.
    Blocked,
}

pub async fn receive(state: &AppState, connection: &connections::Model, inbound: Inbound) -> AppResult<Received> {
    let company_id = CompanyId(connection.company_id);
    let sender = PhoneNumber::parse(&inbound.from).map_err(|e| FieldErrors::one("from", e))?;
    let (number, name, is_group) = match &inbound.group {
        Some((id, name)) => {
            let id = id.trim();
            if id.is_empty() || id.len() > 64 {
                return Err(FieldErrors::one("group.id", Invalid::LengthBetween { min: 1, max: 64 }));
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
        Some(file) => Some(media::save(&state.config.data_dir, company_id.0, &file.bytes).await?),
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
    let company_id = CompanyId(connection.company_id);
    let connection_id = ConnectionId(connection.id);
    let txn = state.begin().await?;
    if let Some(external_id) = &inbound.external_id
        && let Some(existing) = store::messages::find_external(&txn, connection_id, external_id).await?
    {
        return Ok(duplicate(&existing));
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
    let contact_id = ContactId(contact.id);
    let ticket = match store::tickets::find_active(&txn, contact_id, connection_id).await? {
        Some(ticket) => ticket,
        None => {
            let number = store::counters::next(&txn, company_id, store::counters::TICKET_NUMBER).await?;
            let ticket = store::tickets::insert(
                &txn,
                store::tickets::NewTicketRow {
                    company_id,
                    number,
                    status: TicketStatus::Pending,
                    kind: if is_group { TicketKind::Group } else { TicketKind::Private },
                    contact_id,
                    connection_id,
                    queue_id: connection.default_queue_id.map(QueueId),
                    user_id: None,
                },
            )
            .await
            .map_err(already_active_on_race)?;
            store::ticket_logs::insert(
                &txn,
                company_id,
                id_of(&ticket),
                None,
                TicketLogKind::Created,
                &json!({"by": "contact"}),
            )
            .await?;
            let dto = summary(&txn, ticket.clone()).await?;
            outbox.add(&txn, company_id, audience(&ticket), Event::TicketCreated(dto)).await?;
            ticket
        }
    };
    let quoted_id = match &inbound.quoted_external_id {
        Some(external) => store::messages::find_external(&txn, connection_id, external).await?.map(|m| MessageId(m.id)),
        None => None,
    };
    let row = store::messages::NewMessageRow {
        company_id,
        ticket_id: id_of(&ticket),
        connection_id,
        contact_id,
        user_id: None,
        from_me: false,
        kind: inbound.kind,
        body,
        status: MessageStatus::Received,
        external_id: inbound.external_id.as_deref(),
        quoted_id,
        system_note: None,
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
        let existing = store::messages::find_external(&state.db, connection_id, external_id)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("duplicate message vanished")))?;
        return Ok(duplicate(&existing));
    };
    store::tickets::note_inbound(&txn, id_of(&ticket), body, inbound.at.max(ticket.updated_at)).await?;
    let ticket =
        store::tickets::get_in_company(&txn, company_id, id_of(&ticket)).await?.ok_or(AppError::NotFound("ticket"))?;
    outbox.add(&txn, company_id, audience(&ticket), Event::MessageCreated(to_dto(message.clone()))).await?;
    outbox.add(&txn, company_id, audience(&ticket), Event::TicketUpdated(summary(&txn, ticket.clone()).await?)).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(Received::Stored { ticket_id: id_of(&ticket), message_id: MessageId(message.id) })
}

fn duplicate(existing: &store::entities::messages::Model) -> Received {
    Received::Duplicate { ticket_id: TicketId(existing.ticket_id), message_id: MessageId(existing.id) }
}

/// A message "from a customer" through a simulator connection (admins and API tokens only).
pub async fn simulate(
    state: &AppState,
    caller: &crate::auth::CurrentUser,
    id: ConnectionId,
    message: shared::contacts::SimulatedMessage,
) -> AppResult<Received> {
    caller.require_admin()?;
    let connection = crate::domain::connections::find(state, caller, id).await?;
    if shared::contacts::ConnectionKind::from(connection.kind) != shared::contacts::ConnectionKind::Simulator {
        return Err(AppError::conflict(
            shared::ErrorCode::NotASimulator,
            "only simulator connections take simulated messages",
        ));
    }
    receive(state, &connection, simulated(message)?).await
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
                .map_err(|_| FieldErrors::one("media.base64", Invalid::NotBase64))?;
            let sniffed = media::sniff(&bytes, None)?;
            let name = media.file_name.as_deref().map(|n| media::clean_file_name(Some(n), "arquivo"));
            Some((InboundFile { bytes, mime: sniffed.mime, name }, sniffed.kind))
        }
    };
    if body.trim().is_empty() && file.is_none() {
        return Err(FieldErrors::one("body", Invalid::Required));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(FieldErrors::one("body", Invalid::TooLong { max: MAX_BODY_CHARS as u32 }));
    }
    if let Some(id) = &message.external_id
        && (id.is_empty() || id.len() > 255)
    {
        return Err(FieldErrors::one("external_id", Invalid::LengthBetween { min: 1, max: 255 }));
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
