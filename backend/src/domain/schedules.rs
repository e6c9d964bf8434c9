//! Scheduled messages (Agendamento de Mensagem). A schedule is a promise kept by each instance's
//! sender: when it is due, one transaction turns it `sent` (a conditional update, so only one
//! instance wins), stores the message and queues it in the outbox. A schedule due while every
//! instance was down is sent when one comes back, marked `late`.
//!
//! Where it goes: the ticket it was written from while that is open or pending; else the
//! contact's open or pending ticket on the same connection; else a new ticket, open and assigned to
//! its author (or pending in the connection's queue when the author is gone).
//!
//! Who sees them: admins and supervisors all; an agent the ones they wrote, and those of tickets
//! they may see (the panel lists a ticket's).

use chrono::{DateTime, Utc};
use sea_orm::{IntoActiveModel, Set};
use shared::events::Event;
use shared::schedules::{MAX_DAYS_AHEAD, NewSchedule, Schedule, ScheduleStatus, UpdateSchedule};
use shared::tickets::{MessageKind, TicketKind, TicketLogKind, TicketStatus};
use shared::validate::Invalid;
use shared::visibility::Audience;
use shared::{CompanyId, ConnectionId, ContactId, ErrorCode, MessageId, Page, QueueId, ScheduleId, TicketId, UserId};
use tokio::sync::watch;

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::media;
use crate::domain::messages::{self, Attachment, MAX_BODY_CHARS};
use crate::domain::page::PageRequest;
use crate::domain::tickets::{self, audience, find_visible, id_of, summary};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store::schedules::{NewScheduleRow, Row, ScheduleFilter, Settled};
use crate::store::{self, WriteTx};

/// A time this close to now counts as now (clocks and typing take a moment).
const PAST_GRACE_SECS: i64 = 60;

pub async fn to_dto(db: &impl sea_orm::ConnectionTrait, row: Row) -> AppResult<Schedule> {
    Ok(to_dtos(db, vec![row]).await?.remove(0))
}

/// The rows with their contacts' and authors' names, read in two queries whatever their number.
async fn to_dtos(db: &impl sea_orm::ConnectionTrait, rows: Vec<Row>) -> AppResult<Vec<Schedule>> {
    let Some(company) = rows.first().map(|r| CompanyId(r.company_id)) else {
        return Ok(Vec::new());
    };
    let contact_ids: Vec<ContactId> = rows.iter().map(|r| ContactId(r.contact_id)).collect();
    let author_ids: Vec<UserId> = rows.iter().map(|r| UserId(r.created_by)).collect();
    let contacts: std::collections::HashMap<i64, String> = store::contacts::by_ids(db, &contact_ids)
        .await?
        .into_iter()
        .filter(|c| c.company_id == company.0)
        .map(|c| (c.id, c.name))
        .collect();
    let authors: std::collections::HashMap<i64, String> =
        store::users::by_ids(db, company, &author_ids).await?.into_iter().map(|u| (u.id, u.name)).collect();
    Ok(rows
        .into_iter()
        .map(|row| Schedule {
            id: ScheduleId(row.id),
            contact_id: ContactId(row.contact_id),
            contact_name: contacts.get(&row.contact_id).cloned().unwrap_or_default(),
            ticket_id: row.ticket_id.map(TicketId),
            media_url: row.media_path.as_ref().map(|_| format!("/api/v1/schedules/{}/media", row.id)),
            media_name: row.media_name,
            media_mime: row.media_mime,
            body: row.body,
            send_at: row.send_at,
            status: row.status.into(),
            sent_at: row.sent_at,
            late: row.late,
            error: row.error,
            created_by: UserId(row.created_by),
            created_by_name: authors.get(&row.created_by).cloned(),
            message_id: row.message_id.map(MessageId),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
        .collect())
}

/// `GET /api/v1/schedules` filters.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub contact_id: Option<ContactId>,
    pub ticket_id: Option<TicketId>,
    pub status: Option<ScheduleStatus>,
    pub user_id: Option<UserId>,
    pub page: PageRequest,
}

pub async fn list(state: &AppState, caller: &CurrentUser, query: ListQuery) -> AppResult<Page<Schedule>> {
    let mut filter = ScheduleFilter {
        contact_id: query.contact_id,
        ticket_id: query.ticket_id,
        status: query.status,
        created_by: query.user_id,
    };
    match query.ticket_id {
        // A ticket's schedules: whoever may see the ticket.
        Some(ticket) => {
            find_visible(&state.db, caller, ticket).await?;
        }
        None if !caller.is_staff() => filter.created_by = Some(caller.id),
        None => {}
    }
    let before = query.page.after_id;
    let rows = store::schedules::page(&state.db, caller.company_id, &filter, before, query.page.limit).await?;
    let has_more = rows.len() as u64 > query.page.limit;
    let items = to_dtos(&state.db, rows.into_iter().take(query.page.limit as usize).collect()).await?;
    let next_cursor = if has_more { items.last().map(|s| s.id.0.to_string()) } else { None };
    Ok(Page { items, next_cursor })
}

/// A schedule the caller may see and change.
async fn find(db: &impl sea_orm::ConnectionTrait, caller: &CurrentUser, id: ScheduleId) -> AppResult<Row> {
    let row =
        store::schedules::get_in_company(db, caller.company_id, id).await?.ok_or(AppError::NotFound("schedule"))?;
    if caller.is_staff() || row.created_by == caller.id.0 {
        return Ok(row);
    }
    match row.ticket_id {
        Some(ticket) if find_visible(db, caller, TicketId(ticket)).await.is_ok() => Ok(row),
        _ => Err(AppError::NotFound("schedule")),
    }
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: ScheduleId) -> AppResult<Schedule> {
    let row = find(&state.db, caller, id).await?;
    to_dto(&state.db, row).await
}

fn check_send_at(send_at: DateTime<Utc>) -> Result<(), Invalid> {
    let now = Utc::now();
    if send_at < now - chrono::Duration::seconds(PAST_GRACE_SECS) {
        return Err(Invalid::NotInFuture);
    }
    if send_at > now + chrono::Duration::days(MAX_DAYS_AHEAD) {
        return Err(Invalid::TooFarAhead { days: MAX_DAYS_AHEAD as u32 });
    }
    Ok(())
}

fn check_body(body: &str, has_file: bool) -> Result<String, Invalid> {
    let body = body.trim();
    if body.is_empty() && !has_file {
        return Err(Invalid::Required);
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(Invalid::TooLong { max: MAX_BODY_CHARS as u32 });
    }
    Ok(body.to_owned())
}

pub async fn create(
    state: &AppState,
    caller: &CurrentUser,
    new: NewSchedule,
    attachment: Option<Attachment>,
) -> AppResult<Schedule> {
    let mut errors = FieldErrors::new();
    let body = errors.check("body", check_body(&new.body, attachment.is_some()));
    errors.check("send_at", check_send_at(new.send_at));
    errors.into_result()?;
    let body = body.unwrap_or_default();
    crate::domain::contacts::find(state, caller, new.contact_id)
        .await
        .map_err(|_| FieldErrors::one("contact_id", Invalid::NotInCompany))?;
    if let Some(ticket) = new.ticket_id {
        let ticket = find_visible(&state.db, caller, ticket)
            .await
            .map_err(|_| FieldErrors::one("ticket_id", Invalid::NotInCompany))?;
        if ticket.contact_id != new.contact_id.0 {
            return Err(FieldErrors::one("ticket_id", Invalid::NotInCompany));
        }
    }
    let media = match attachment {
        Some(file) => Some(messages::save_attachment(state, caller.company_id, file).await?),
        None => None,
    };
    let stored = insert(state, caller, &new, &body, media.as_ref()).await;
    if stored.is_err()
        && let Some((_, _, path)) = &media
    {
        state.media.remove(path).await;
    }
    stored
}

async fn insert(
    state: &AppState,
    caller: &CurrentUser,
    new: &NewSchedule,
    body: &str,
    media: Option<&(media::Sniffed, String, String)>,
) -> AppResult<Schedule> {
    let txn = state.begin().await?;
    let row = store::schedules::insert(
        &txn,
        NewScheduleRow {
            company_id: caller.company_id,
            contact_id: new.contact_id,
            ticket_id: new.ticket_id,
            body,
            media: media.map(|(sniffed, name, path)| store::messages::MediaRow {
                path: Some(path),
                mime: &sniffed.mime,
                name,
            }),
            media_kind: media.map(|(sniffed, _, _)| sniffed.kind.as_str()),
            send_at: new.send_at,
            created_by: caller.id,
        },
    )
    .await?;
    let mut outbox = Outbox::new();
    let dto = announce(&txn, &mut outbox, row).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

/// Adds `schedule.updated` for whoever may see the schedule.
async fn announce(tx: &WriteTx, outbox: &mut Outbox, row: Row) -> AppResult<Schedule> {
    let company = CompanyId(row.company_id);
    let who = match row.ticket_id {
        Some(ticket) => match store::tickets::get_in_company(tx, company, TicketId(ticket)).await? {
            Some(ticket) => audience(&ticket),
            None => Audience::Person(UserId(row.created_by)),
        },
        None => Audience::Person(UserId(row.created_by)),
    };
    let dto = to_dto(tx, row).await?;
    outbox.add(tx, company, who, Event::ScheduleUpdated(dto.clone())).await?;
    Ok(dto)
}

fn not_scheduled() -> AppError {
    AppError::conflict(ErrorCode::ScheduleNotPending, "only a message still waiting for its time can be changed")
}

pub async fn update(
    state: &AppState,
    caller: &CurrentUser,
    id: ScheduleId,
    change: UpdateSchedule,
) -> AppResult<Schedule> {
    let txn = state.begin().await?;
    let row = find(&txn, caller, id).await?;
    if ScheduleStatus::from(row.status) != ScheduleStatus::Scheduled {
        return Err(not_scheduled());
    }
    let mut errors = FieldErrors::new();
    let body = change.body.as_deref().and_then(|b| errors.check("body", check_body(b, row.media_path.is_some())));
    if let Some(send_at) = change.send_at {
        errors.check("send_at", check_send_at(send_at));
    }
    errors.into_result()?;
    let mut active = row.into_active_model();
    if let Some(body) = body {
        active.body = Set(body);
    }
    if let Some(send_at) = change.send_at {
        active.send_at = Set(send_at);
    }
    let row = store::schedules::update(&txn, active).await?;
    let mut outbox = Outbox::new();
    let dto = announce(&txn, &mut outbox, row).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

/// Cancels a schedule still waiting; it stays in the list as canceled.
pub async fn cancel(state: &AppState, caller: &CurrentUser, id: ScheduleId) -> AppResult<Schedule> {
    let txn = state.begin().await?;
    let row = find(&txn, caller, id).await?;
    if !store::schedules::settle(&txn, ScheduleId(row.id), ScheduleStatus::Canceled, Settled::default()).await? {
        return Err(not_scheduled());
    }
    let row =
        store::schedules::get_in_company(&txn, caller.company_id, id).await?.ok_or(AppError::NotFound("schedule"))?;
    let mut outbox = Outbox::new();
    let dto = announce(&txn, &mut outbox, row).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

/// The file of a schedule, for who may see it: (its name in the media store, mime, name).
pub async fn media_of(state: &AppState, caller: &CurrentUser, id: ScheduleId) -> AppResult<(String, String, String)> {
    let row = find(&state.db, caller, id).await?;
    let path = row.media_path.ok_or(AppError::NotFound("media"))?;
    Ok((
        path,
        row.media_mime.unwrap_or_else(|| media::OCTET_STREAM.into()),
        row.media_name.unwrap_or_else(|| "arquivo".into()),
    ))
}

/// After the outbox settled a message: a scheduled one the provider refused makes its schedule
/// `failed` with the reason.
pub async fn message_failed(tx: &WriteTx, outbox: &mut Outbox, message: MessageId, reason: &str) -> AppResult<()> {
    let Some(row) = store::schedules::of_message(tx, message).await? else {
        return Ok(());
    };
    store::schedules::mark_failed(tx, ScheduleId(row.id), reason).await?;
    let row = store::schedules::get_in_company(tx, CompanyId(row.company_id), ScheduleId(row.id))
        .await?
        .ok_or(AppError::NotFound("schedule"))?;
    announce(tx, outbox, row).await?;
    Ok(())
}

/// Each instance's sender: due schedules become messages, once.
pub struct ScheduleSender {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl ScheduleSender {
    pub fn start(state: AppState) -> Self {
        let (stop, mut stopping) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                if let Err(error) = send_due(&state).await {
                    tracing::warn!(%error, "sending due scheduled messages");
                }
                tokio::select! {
                    () = tokio::time::sleep(state.config.outbox_poll) => {}
                    _ = stopping.changed() => break,
                }
            }
        });
        Self { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Sends what is due now; the number sent.
pub async fn send_due(state: &AppState) -> AppResult<usize> {
    let mut sent = 0;
    loop {
        let due = store::schedules::due(&state.db, Utc::now(), 50).await?;
        if due.is_empty() {
            return Ok(sent);
        }
        for row in due {
            let id = row.id;
            match send_one(state, row).await {
                Ok(true) => sent += 1,
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(schedule = id, %error, "a scheduled message could not be sent");
                    fail(state, ScheduleId(id), &error.to_string()).await?;
                }
            }
        }
        crate::domain::outbox::wake(state);
    }
}

async fn fail(state: &AppState, id: ScheduleId, reason: &str) -> AppResult<()> {
    let txn = state.begin().await?;
    let settled = Settled { error: Some(reason), ..Settled::default() };
    if store::schedules::settle(&txn, id, ScheduleStatus::Failed, settled).await? {
        let mut outbox = Outbox::new();
        if let Some(row) = store::schedules::get(&txn, id).await? {
            announce(&txn, &mut outbox, row).await?;
        }
        txn.commit().await?;
        outbox.publish(state);
    }
    Ok(())
}

/// One schedule, in one transaction; false when another instance sent it (or it was canceled).
async fn send_one(state: &AppState, row: Row) -> AppResult<bool> {
    let now = Utc::now();
    let company = CompanyId(row.company_id);
    let txn = state.begin().await?;
    let contact = store::contacts::get_in_company(&txn, company, ContactId(row.contact_id))
        .await?
        .ok_or(AppError::NotFound("contact"))?;
    let author = store::users::get_in_company(&txn, company, UserId(row.created_by)).await?;
    let mut outbox = Outbox::new();
    let ticket = ticket_for(&txn, &mut outbox, &row, &contact, author.as_ref()).await?;
    let media = match (&row.media_path, &row.media_mime) {
        (Some(path), Some(mime)) => Some((
            media::Sniffed {
                kind: row.media_kind.as_deref().and_then(MessageKind::parse).unwrap_or(MessageKind::Document),
                mime: mime.clone(),
            },
            row.media_name.clone().unwrap_or_else(|| "arquivo".into()),
            path.clone(),
        )),
        _ => None,
    };
    let ticket_id = id_of(&ticket);
    let (message, _) =
        messages::write_outgoing(&txn, &mut outbox, ticket, author.as_ref(), &row.body, None, media.as_ref()).await?;
    let late_after =
        chrono::Duration::from_std(state.config.schedule_late_after).unwrap_or(chrono::Duration::minutes(1));
    let settled = Settled {
        sent_at: Some(now),
        late: now - row.send_at > late_after,
        error: None,
        message_id: Some(MessageId(message.id)),
        ticket_id: Some(ticket_id),
    };
    if !store::schedules::settle(&txn, ScheduleId(row.id), ScheduleStatus::Sent, settled).await? {
        return Ok(false); // dropped: the transaction rolls back the message with it
    }
    let sent = store::schedules::get_in_company(&txn, company, ScheduleId(row.id))
        .await?
        .ok_or(AppError::NotFound("schedule"))?;
    announce(&txn, &mut outbox, sent).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(true)
}

/// The ticket a due schedule goes out in (see the module's notes), created when there is none.
async fn ticket_for(
    tx: &WriteTx,
    outbox: &mut Outbox,
    row: &Row,
    contact: &crate::store::entities::contacts::Model,
    author: Option<&crate::store::entities::users::Model>,
) -> AppResult<crate::store::entities::tickets::Model> {
    let company = CompanyId(row.company_id);
    let written_from = match row.ticket_id {
        Some(id) => store::tickets::get_in_company(tx, company, TicketId(id)).await?,
        None => None,
    };
    if let Some(ticket) = &written_from
        && tickets::status_of(ticket) != TicketStatus::Closed
    {
        return Ok(ticket.clone());
    }
    let connection = match &written_from {
        Some(ticket) => store::connections::get(tx, ConnectionId(ticket.connection_id)).await?,
        None => None,
    };
    let connection = match connection {
        Some(connection) => connection,
        None => store::connections::first_of_company(tx, company).await?.ok_or_else(|| {
            AppError::conflict(ErrorCode::NoConnection, "the company has no connection to send through")
        })?,
    };
    if let Some(active) =
        store::tickets::find_active_for_update(tx, ContactId(contact.id), ConnectionId(connection.id)).await?
    {
        return Ok(active);
    }
    let number = store::counters::next(tx, company, store::counters::TICKET_NUMBER).await?;
    let queue_id = written_from.as_ref().and_then(|t| t.queue_id).or(connection.default_queue_id).map(QueueId);
    let ticket = store::tickets::insert(
        tx,
        store::tickets::NewTicketRow {
            company_id: company,
            number,
            status: if author.is_some() { TicketStatus::Open } else { TicketStatus::Pending },
            kind: if contact.is_group { TicketKind::Group } else { TicketKind::Private },
            contact_id: ContactId(contact.id),
            connection_id: ConnectionId(connection.id),
            queue_id,
            user_id: author.map(|u| UserId(u.id)),
        },
    )
    .await
    .map_err(tickets::already_active_on_race)?;
    store::ticket_logs::insert(
        tx,
        company,
        id_of(&ticket),
        author.map(|u| UserId(u.id)),
        TicketLogKind::Created,
        &serde_json::json!({"by": "schedule", "schedule_id": row.id}),
    )
    .await?;
    let dto = summary(tx, ticket.clone()).await?;
    outbox.add(tx, company, audience(&ticket), Event::TicketCreated(dto)).await?;
    Ok(ticket)
}
