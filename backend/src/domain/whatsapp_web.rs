//! WhatsApp Web connections: pairing (QR or phone-number code), logout, the session kept sealed in
//! the database with one instance holding it, contact names and photos, and history sync.

use chrono::{DateTime, Utc};
use sea_orm::{IntoActiveModel, Set};
use shared::contacts::{Connection, ConnectionKind};
use shared::events::{Event, SyncProgress};
use shared::tickets::{MessageKind, MessageStatus};
use shared::validate::Invalid;
use shared::{CompanyId, ConnectionId, ContactId, ErrorCode, JobId, MessageId, TicketId};

use crate::auth::CurrentUser;
use crate::domain::connections::{ConnectionRow, find, kind_of, to_dto};
use crate::domain::events::Outbox;
use crate::domain::inbound::InboundFile;
use crate::domain::tickets::{audience, find_visible, id_of};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;

/// What the session's keys are sealed for (`secrets::Sealer`).
pub const SESSION_PURPOSE: &str = "whatsapp_web.session";
/// The most messages one history sync asks for.
pub const MAX_SYNC: u32 = 500;

/// The caller's WhatsApp Web connection `id` (admins only): 409 `not_whatsapp_web` for another kind.
async fn find_web(state: &AppState, caller: &CurrentUser, id: ConnectionId) -> AppResult<ConnectionRow> {
    caller.require_admin()?;
    let connection = find(state, caller, id).await?;
    if kind_of(&connection) != ConnectionKind::WhatsappWeb {
        return Err(AppError::conflict(ErrorCode::NotWhatsappWeb, "only WhatsApp Web connections pair with a phone"));
    }
    Ok(connection)
}

/// Starts (or resumes) the connection's session: it pairs (a QR arrives as `connection.updated`) or,
/// with a kept session, connects. It stays wanted across restarts until a logout.
pub async fn connect(state: &AppState, caller: &CurrentUser, id: ConnectionId) -> AppResult<Connection> {
    let connection = find_web(state, caller, id).await?;
    set_wanted(state, id, true).await?;
    state.whatsapp_web.start(state, id);
    // What the session reported so far (often still `disconnected`: the QR follows as an event).
    Ok(to_dto(state, store::connections::get(&state.db, id).await?.unwrap_or(connection)))
}

/// Unlinks the phone, forgets the session and stops it (no reconnect).
pub async fn logout(state: &AppState, caller: &CurrentUser, id: ConnectionId) -> AppResult<Connection> {
    find_web(state, caller, id).await?;
    state.whatsapp_web.logout(id).await;
    forget(state, id).await?;
    release(state, id).await?;
    crate::domain::connections::report_state(
        state,
        id,
        crate::domain::connections::LiveState {
            status: shared::contacts::ConnectionStatus::Disconnected,
            reason: Some("logged out".into()),
            qr: None,
        },
    )
    .await
}

/// Pairing by phone number: the code to type on the phone (WhatsApp > Linked devices > Link with
/// phone number). Starts the session when it is not running.
pub async fn pair_code(state: &AppState, caller: &CurrentUser, id: ConnectionId, phone: &str) -> AppResult<String> {
    find_web(state, caller, id).await?;
    let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '+')).collect();
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldErrors::one("phone_number", Invalid::LengthBetween { min: 8, max: 15 }));
    }
    set_wanted(state, id, true).await?;
    state.whatsapp_web.start(state, id);
    let link = state.whatsapp_web.wait_link(id).await.ok_or_else(not_connected)?;
    link.pair_code(&digits).await.map_err(|e| AppError::conflict(ErrorCode::NotConnected, e.to_string()))
}

fn not_connected() -> AppError {
    AppError::conflict(ErrorCode::NotConnected, "the WhatsApp Web connection is not linked to a phone on this server")
}

/// A history sync under way: the ticket it fills and how far it got.
#[derive(Debug, Clone)]
pub struct SyncJob {
    pub job_id: JobId,
    pub company: CompanyId,
    pub ticket: TicketId,
    pub connection: ConnectionId,
    pub contact: ContactId,
    pub limit: u32,
    pub imported: u32,
    pub already: u32,
}

/// Asks the phone for up to `limit` messages of the ticket's chat older than the oldest stored;
/// they are imported as they arrive, reported by `sync.progress` events. 409 `not_whatsapp_web` or
/// `not_connected` when that cannot be.
pub async fn sync_history(state: &AppState, caller: &CurrentUser, id: TicketId, limit: u32) -> AppResult<JobId> {
    if !(1..=MAX_SYNC).contains(&limit) {
        return Err(FieldErrors::one("limit", Invalid::NumberBetween { min: 1, max: MAX_SYNC }));
    }
    let ticket = find_visible(&state.db, caller, id).await?;
    let connection_id = ConnectionId(ticket.connection_id);
    let connection =
        store::connections::get(&state.db, connection_id).await?.ok_or(AppError::NotFound("connection"))?;
    if kind_of(&connection) != ConnectionKind::WhatsappWeb {
        return Err(AppError::conflict(
            ErrorCode::NotWhatsappWeb,
            "history sync needs the ticket's connection to be WhatsApp Web",
        ));
    }
    let link = state.whatsapp_web.connected_link(connection_id).ok_or_else(not_connected)?;
    let contact = store::contacts::get_in_company(&state.db, caller.company_id, ContactId(ticket.contact_id))
        .await?
        .ok_or(AppError::NotFound("contact"))?;
    let chat = crate::channels::whatsapp_web::convert::chat_of(&contact.number, contact.is_group);
    let anchor = match store::messages::oldest_with_external_id(&state.db, id).await? {
        Some(oldest) => crate::channels::whatsapp_web::Anchor {
            id: oldest.external_id.unwrap_or_default(),
            from_me: oldest.from_me,
            timestamp_ms: oldest.created_at.timestamp_millis(),
        },
        // Nothing stored yet: the newest messages, older than now.
        None => crate::channels::whatsapp_web::Anchor {
            id: String::new(),
            from_me: false,
            timestamp_ms: Utc::now().timestamp_millis(),
        },
    };
    let request = link.request_history(&chat, &anchor, limit).await.map_err(|e| match e {
        crate::channels::whatsapp_web::LinkError::NotConnected(_) => not_connected(),
        other => AppError::conflict(ErrorCode::NotConnected, other.to_string()),
    })?;
    let job = SyncJob {
        job_id: JobId(Utc::now().timestamp_micros()),
        company: caller.company_id,
        ticket: id,
        connection: connection_id,
        contact: ContactId(contact.id),
        limit,
        imported: 0,
        already: 0,
    };
    let job_id = job.job_id;
    report_sync(state, &job, false, None).await?;
    state.whatsapp_web.expect_history(request, job);
    Ok(job_id)
}

/// One message of a history batch, in our terms.
#[derive(Debug, Clone)]
pub struct HistoryItem {
    pub external_id: String,
    pub from_me: bool,
    pub kind: MessageKind,
    pub body: String,
    pub quoted_external_id: Option<String>,
    pub file: Option<InboundFile>,
    pub at: DateTime<Utc>,
}

/// Stores the messages of a batch not stored yet into the job's ticket, oldest first, with their
/// own times; counts what was new and what was already there. No `message.created` per message:
/// the last `sync.progress` tells clients to reload the thread.
pub async fn import_history(state: &AppState, job: &mut SyncJob, mut items: Vec<HistoryItem>) -> AppResult<()> {
    items.sort_by_key(|item| item.at);
    let room = job.limit.saturating_sub(job.imported + job.already) as usize;
    // The phone may answer with more than asked: the newest `room` of them.
    let skip = items.len().saturating_sub(room);
    for item in items.into_iter().skip(skip) {
        if store::messages::find_external(&state.db, job.connection, &item.external_id).await?.is_some() {
            job.already += 1;
            continue;
        }
        let saved = match &item.file {
            Some(file) => Some(state.media.save(job.company.0, &file.bytes).await?),
            None => None,
        };
        let txn = state.begin().await?;
        let quoted_id = match &item.quoted_external_id {
            Some(external) => {
                store::messages::find_external(&txn, job.connection, external).await?.map(|m| MessageId(m.id))
            }
            None => None,
        };
        let row = store::messages::NewMessageRow {
            company_id: job.company,
            ticket_id: job.ticket,
            connection_id: job.connection,
            contact_id: job.contact,
            user_id: None,
            from_me: item.from_me,
            kind: item.kind,
            body: &item.body,
            status: if item.from_me { MessageStatus::Sent } else { MessageStatus::Received },
            external_id: Some(&item.external_id),
            quoted_id,
            system_note: None,
            media: match (&saved, &item.file) {
                (Some(path), Some(file)) => Some(store::messages::MediaRow {
                    path: Some(path),
                    mime: &file.mime,
                    name: file.name.as_deref().unwrap_or(item.kind.as_str()),
                }),
                _ => None,
            },
            error: None,
            metadata: None,
            participant: None,
            bot: None,
            created_at: item.at,
        };
        let stored = store::messages::insert(&txn, row).await?;
        txn.commit().await?;
        match stored {
            Some(_) => job.imported += 1,
            None => {
                // A live delivery stored it meanwhile.
                job.already += 1;
                if let Some(path) = saved {
                    state.media.remove(&path).await;
                }
            }
        }
    }
    Ok(())
}

/// Tells whoever may see the ticket how far its sync got (`finished` with the final counts).
pub async fn report_sync(state: &AppState, job: &SyncJob, finished: bool, error: Option<String>) -> AppResult<()> {
    let txn = state.begin().await?;
    let Some(ticket) = store::tickets::get_in_company(&txn, job.company, job.ticket).await? else {
        return Ok(());
    };
    let progress = SyncProgress {
        job_id: job.job_id,
        ticket_id: id_of(&ticket),
        done: job.imported + job.already,
        total: job.limit,
        finished,
        error,
        updated_at: Utc::now(),
        imported: job.imported,
        already: job.already,
    };
    let mut outbox = Outbox::new();
    outbox.add(&txn, job.company, audience(&ticket), Event::SyncProgress(progress)).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(())
}

/// The connection, if it still exists (the adapter's view: no caller).
pub async fn connection(state: &AppState, id: ConnectionId) -> AppResult<Option<ConnectionRow>> {
    Ok(store::connections::get(&state.db, id).await?.filter(|c| kind_of(c) == ConnectionKind::WhatsappWeb))
}

/// The kept session's keys, opened (`None` when there are none or they no longer open: pair again).
pub async fn load_session(state: &AppState, id: ConnectionId) -> AppResult<Option<Vec<u8>>> {
    let Some(sealed) = store::whatsapp_web::get(&state.db, id).await?.and_then(|row| row.session) else {
        return Ok(None);
    };
    match state.sealer.open(SESSION_PURPOSE, &sealed) {
        Ok(plain) => Ok(Some(plain)),
        Err(error) => {
            tracing::warn!(connection = id.0, ?error, "a WhatsApp Web session could not be opened; pair again");
            Ok(None)
        }
    }
}

/// Keeps the session's keys, sealed (`None` forgets them).
pub async fn save_session(state: &AppState, id: ConnectionId, session: Option<&[u8]>) -> AppResult<()> {
    let sealed = match session {
        Some(plain) => Some(state.sealer.seal(SESSION_PURPOSE, plain).map_err(AppError::Internal)?),
        None => None,
    };
    let txn = state.begin().await?;
    store::whatsapp_web::ensure(&txn, id).await?;
    store::whatsapp_web::set_session(&txn, id, sealed.as_deref()).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn set_wanted(state: &AppState, id: ConnectionId, wanted: bool) -> AppResult<()> {
    let txn = state.begin().await?;
    store::whatsapp_web::ensure(&txn, id).await?;
    store::whatsapp_web::set_wanted(&txn, id, wanted).await?;
    txn.commit().await?;
    Ok(())
}

/// Logged out (here or on the phone): no session, not wanted.
pub async fn forget(state: &AppState, id: ConnectionId) -> AppResult<()> {
    save_session(state, id, None).await?;
    set_wanted(state, id, false).await
}

/// Connections whose session a starting server resumes.
pub async fn wanted(state: &AppState) -> AppResult<Vec<ConnectionId>> {
    Ok(store::whatsapp_web::wanted(&state.db).await?.into_iter().map(|row| ConnectionId(row.connection_id)).collect())
}

/// Takes or renews this instance's lease on the session until `until`: false while another
/// instance holds it.
pub async fn claim(state: &AppState, id: ConnectionId, until: DateTime<Utc>) -> AppResult<bool> {
    let txn = state.begin().await?;
    store::whatsapp_web::ensure(&txn, id).await?;
    let held = store::whatsapp_web::claim(&txn, id, &state.instance_id, Utc::now(), until).await?;
    txn.commit().await?;
    Ok(held)
}

pub async fn release(state: &AppState, id: ConnectionId) -> AppResult<()> {
    let txn = state.begin().await?;
    store::whatsapp_web::release(&txn, id, &state.instance_id).await?;
    txn.commit().await?;
    Ok(())
}

/// What WhatsApp says of a contact: their push name (kept when the contact has no name of its own
/// yet) and the URL of their profile photo.
pub async fn profile(
    state: &AppState,
    connection: &ConnectionRow,
    number: &str,
    name: Option<&str>,
    photo_url: Option<&str>,
) -> AppResult<()> {
    let company = CompanyId(connection.company_id);
    let txn = state.begin().await?;
    let Some(contact) = store::contacts::find_by_number(&txn, company, number).await? else {
        return Ok(());
    };
    let name = name.map(str::trim).filter(|n| !n.is_empty() && contact.name == contact.number);
    if name.is_none() && (photo_url.is_none() || contact.photo_url.as_deref() == photo_url) {
        return Ok(());
    }
    let mut row = contact.into_active_model();
    if let Some(name) = name {
        row.name = Set(name.chars().take(120).collect());
    }
    if let Some(url) = photo_url {
        row.photo_url = Set(Some(url.to_owned()));
    }
    let contact = store::contacts::update(&txn, row).await?;
    let mut outbox = Outbox::new();
    let dto = crate::domain::contacts::to_dto(contact, None);
    outbox.add(&txn, company, shared::visibility::Audience::Company, Event::ContactUpdated(dto)).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(())
}

/// Whether the contact is a group (its messages go to the group's JID).
pub async fn is_group(state: &AppState, contact: ContactId) -> AppResult<bool> {
    Ok(store::contacts::by_ids(&state.db, &[contact]).await?.first().is_some_and(|c| c.is_group))
}

/// Whether the contact of `number` has no photo yet (worth asking WhatsApp for one).
pub async fn needs_photo(state: &AppState, connection: &ConnectionRow, number: &str) -> AppResult<bool> {
    let contact = store::contacts::find_by_number(&state.db, CompanyId(connection.company_id), number).await?;
    Ok(contact.is_some_and(|c| c.photo_url.is_none()))
}
