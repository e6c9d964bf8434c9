//! The ticket life cycle: who sees which tickets, and the transitions accept, transfer, return to
//! queue, resolve and reopen — each planned by `shared::lifecycle`, applied here with a system
//! message in the thread, a log row and events.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, IntoActiveModel, Set};
use serde_json::json;
use shared::events::Event;
use shared::lifecycle::{self, Transition};
use shared::tickets::{
    ContactRef, LastMessage, NewTicket, QueueRef, SystemNote, TagRef, Ticket, TicketBots, TicketDetail, TicketKind,
    TicketLog, TicketLogKind, TicketStatus, TransferTicket, UserRef,
};
use shared::validate::Invalid;
use shared::visibility::{Audience, TicketPlace};
use shared::{CompanyId, ConnectionId, ContactId, ErrorCode, Page, QueueId, TicketId, TicketLogId, UserId};

use crate::auth::CurrentUser;
use crate::domain::auth::viewer_of;
use crate::domain::events::Outbox;
use crate::domain::messages;
use crate::domain::page::PageRequest;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store::entities::{queues, tickets, users};
use crate::store::tickets::{TicketFilter, TicketOrder};
use crate::store::{self, WriteTx};

pub fn id_of(ticket: &tickets::Model) -> TicketId {
    TicketId(ticket.id)
}

pub fn company_of(ticket: &tickets::Model) -> CompanyId {
    CompanyId(ticket.company_id)
}

pub fn status_of(ticket: &tickets::Model) -> TicketStatus {
    ticket.status.into()
}

/// Where the ticket stands, for the visibility rule.
pub fn place_of(ticket: &tickets::Model) -> TicketPlace {
    TicketPlace {
        status: status_of(ticket),
        queue_id: ticket.queue_id.map(QueueId),
        user_id: ticket.user_id.map(UserId),
    }
}

/// Whoever may see the ticket as it stands now.
pub fn audience(ticket: &tickets::Model) -> Audience {
    Audience::Ticket(place_of(ticket))
}

/// The ticket, if it is in the caller's company and the caller may see it.
pub async fn find_visible(db: &impl ConnectionTrait, caller: &CurrentUser, id: TicketId) -> AppResult<tickets::Model> {
    let ticket =
        store::tickets::get_in_company(db, caller.company_id, id).await?.ok_or(AppError::NotFound("ticket"))?;
    let viewer = viewer_of(db, caller).await?;
    if viewer.may_see(&place_of(&ticket)) { Ok(ticket) } else { Err(AppError::NotFound("ticket")) }
}

/// `find_visible`, with the row locked until `tx` ends (transitions read, decide, then write).
/// An agent too late to accept a ticket of their queue is told it changed (409), not that it
/// vanished: they saw it waiting there.
async fn find_visible_locked(
    tx: &WriteTx,
    caller: &CurrentUser,
    id: TicketId,
    transition: Transition,
) -> AppResult<tickets::Model> {
    let ticket = store::tickets::get_in_company_for_update(tx, caller.company_id, id)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let viewer = viewer_of(tx, caller).await?;
    let place = place_of(&ticket);
    if viewer.may_see(&place) {
        return Ok(ticket);
    }
    let waited_in_their_queue = place.queue_id.is_none_or(|queue| viewer.queue_ids.contains(&queue));
    if transition == Transition::Accept && waited_in_their_queue {
        let taken = lifecycle::InvalidTransition { from: place.status, action: lifecycle::TicketAction::Accept };
        return Err(AppError::conflict(ErrorCode::InvalidTransition, taken.to_string()));
    }
    Err(AppError::NotFound("ticket"))
}

/// List rows with their contact, agent, queue and tags, in four queries whatever the page size.
pub async fn summaries(db: &impl ConnectionTrait, rows: Vec<tickets::Model>) -> AppResult<Vec<Ticket>> {
    summaries_knowing(db, rows, None).await
}

/// `summary` of a ticket whose contact the caller has just read (one query fewer).
pub async fn summary_with_contact(
    db: &impl ConnectionTrait,
    ticket: tickets::Model,
    contact: &store::entities::contacts::Model,
) -> AppResult<Ticket> {
    summaries_knowing(db, vec![ticket], Some(contact)).await?.pop().ok_or(AppError::NotFound("ticket"))
}

async fn summaries_knowing(
    db: &impl ConnectionTrait,
    rows: Vec<tickets::Model>,
    known_contact: Option<&store::entities::contacts::Model>,
) -> AppResult<Vec<Ticket>> {
    fn distinct<T: Ord>(mut ids: Vec<T>) -> Vec<T> {
        ids.sort_unstable();
        ids.dedup();
        ids
    }
    let contact_ids = distinct(rows.iter().map(|t| ContactId(t.contact_id)).collect());
    let user_ids = distinct(rows.iter().filter_map(|t| t.user_id.map(UserId)).collect());
    let queue_ids = distinct(rows.iter().filter_map(|t| t.queue_id.map(QueueId)).collect());
    let contacts: HashMap<i64, _> = match known_contact {
        Some(contact) if contact_ids == [ContactId(contact.id)] => HashMap::from([(contact.id, contact.clone())]),
        _ => store::contacts::by_ids(db, &contact_ids).await?.into_iter().map(|c| (c.id, c)).collect(),
    };
    let Some(company_id) = rows.first().map(company_of) else {
        return Ok(Vec::new());
    };
    let users: HashMap<i64, users::Model> =
        store::users::by_ids(db, company_id, &user_ids).await?.into_iter().map(|u| (u.id, u)).collect();
    let queues: HashMap<i64, queues::Model> =
        store::queues::by_ids(db, company_id, &queue_ids).await?.into_iter().map(|q| (q.id, q)).collect();
    let ticket_ids: Vec<TicketId> = rows.iter().map(id_of).collect();
    let mut tags: HashMap<i64, Vec<TagRef>> = HashMap::new();
    for (ticket_id, tag) in store::tags::of_tickets(db, company_id, &ticket_ids).await? {
        tags.entry(ticket_id).or_default().push(crate::domain::tags::to_ref(&tag));
    }
    let lanes = store::kanban::lanes_of_tickets(db, &ticket_ids).await?;
    Ok(rows
        .into_iter()
        .map(|t| {
            let contact = contacts.get(&t.contact_id);
            Ticket {
                id: TicketId(t.id),
                number: t.number,
                status: status_of(&t),
                kind: t.kind.into(),
                contact: ContactRef {
                    id: ContactId(t.contact_id),
                    name: contact.map(|c| c.name.clone()).unwrap_or_default(),
                    number: contact.map(|c| c.number.clone()).unwrap_or_default(),
                    photo_url: contact.and_then(|c| c.photo_url.clone()),
                    wallet_user_id: contact.and_then(|c| c.wallet_user_id.map(UserId)),
                },
                user: t
                    .user_id
                    .and_then(|id| users.get(&id))
                    .map(|u| UserRef { id: UserId(u.id), name: u.name.clone() }),
                queue: t.queue_id.and_then(|id| queues.get(&id)).map(|q| QueueRef {
                    id: QueueId(q.id),
                    name: q.name.clone(),
                    color: q.color.clone(),
                }),
                connection_id: ConnectionId(t.connection_id),
                unread_count: t.unread_count,
                last_message: match (t.last_message_body, t.last_message_at) {
                    (Some(body), Some(created_at)) => {
                        Some(LastMessage { body, created_at, from_me: t.last_message_from_me })
                    }
                    _ => None,
                },
                tags: tags.remove(&t.id).unwrap_or_default(),
                kanban_lane_id: lanes.get(&t.id).copied(),
                bot: t.bot.map(Into::into),
                created_at: t.created_at,
                updated_at: t.updated_at,
            }
        })
        .collect())
}

pub async fn summary(db: &impl ConnectionTrait, ticket: tickets::Model) -> AppResult<Ticket> {
    summaries(db, vec![ticket]).await?.pop().ok_or(AppError::NotFound("ticket"))
}

/// The list's query, as the caller asked for it.
#[derive(Debug, Default)]
pub struct ListQuery {
    pub filter: TicketFilter,
    pub wallet_mine: bool,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// Searches longer than this are cut: nobody types more, and it bounds the query.
const MAX_SEARCH_CHARS: usize = 100;

/// How long a search waits for a free slot (`AppState::search_slots`) before it is refused.
const SEARCH_WAIT: std::time::Duration = std::time::Duration::from_millis(100);
/// How long a search's statements may run (PostgreSQL's `statement_timeout`).
const SEARCH_STATEMENT_TIME: std::time::Duration = std::time::Duration::from_secs(2);

fn search_busy() -> AppError {
    AppError::Busy {
        code: ErrorCode::SearchBusy,
        message: "too many searches are running; try again in a moment",
        retry_after_secs: 1,
    }
}

fn encode_cursor(at: DateTime<Utc>, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)))
}

fn decode_cursor(raw: &str) -> Option<(DateTime<Utc>, i64)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw).ok()?).ok()?;
    let (at, id) = text.split_once('|')?;
    Some((DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc), id.parse().ok()?))
}

pub async fn list(state: &AppState, caller: &CurrentUser, query: ListQuery) -> AppResult<Page<Ticket>> {
    let limit = PageRequest::parse(None, query.limit)?.limit;
    let after = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(raw) => Some(
            decode_cursor(raw)
                .ok_or(AppError::bad_request(ErrorCode::InvalidCursor, "the cursor is not one this server gave out"))?,
        ),
    };
    let order = if query.filter.status == Some(TicketStatus::Pending) {
        TicketOrder::QueuedAsc
    } else {
        TicketOrder::UpdatedDesc
    };
    let filter = TicketFilter {
        search: query.filter.search.map(|q| q.chars().take(MAX_SEARCH_CHARS).collect()),
        wallet_user_id: query.wallet_mine.then_some(caller.id),
        ..query.filter
    };
    let searching = filter.search.as_deref().is_some_and(|q| !q.trim().is_empty());
    // A burst of searches must not take every connection from the lists: a few at a time, each
    // with a time limit; past that the client is told to come back (503), not queued.
    let search_slot = if searching {
        let slot = tokio::time::timeout(SEARCH_WAIT, state.search_slots.clone().acquire_owned()).await;
        Some(slot.map_err(|_| search_busy())?.map_err(|_| search_busy())?)
    } else {
        None
    };
    let db = store::snapshot(&state.db).await?;
    let viewer = viewer_of(&db, caller).await?;
    if searching {
        store::tickets::limit_statement_time(&db, SEARCH_STATEMENT_TIME).await?;
    }
    let mut rows = store::tickets::page(&db, caller.company_id, &filter, &viewer, order, after, limit)
        .await
        .map_err(|error| if store::tickets::is_statement_timeout(&error) { search_busy() } else { error.into() })?;
    // The search itself is done: the next one may start while this page is completed.
    drop(search_slot);
    let has_more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if has_more {
        rows.last()
            .map(|t| encode_cursor(if order == TicketOrder::QueuedAsc { t.queued_at } else { t.updated_at }, t.id))
    } else {
        None
    };
    let items = summaries(&db, rows).await?;
    db.commit().await?;
    Ok(Page { items, next_cursor })
}

/// Opening a ticket is recorded in its logs (`access`).
pub async fn get(state: &AppState, caller: &CurrentUser, id: TicketId) -> AppResult<TicketDetail> {
    let ticket = find_visible(&state.db, caller, id).await?;
    let tx = state.begin().await?;
    store::ticket_logs::insert(
        &tx,
        company_of(&ticket),
        id_of(&ticket),
        Some(caller.id),
        TicketLogKind::Access,
        &json!({}),
    )
    .await?;
    tx.commit().await?;
    let protocols = crate::domain::protocols::of_ticket(&state.db, id_of(&ticket)).await?;
    let bots = TicketBots::of(ticket.bot.map(Into::into));
    let ticket = summary(&state.db, ticket).await?;
    Ok(TicketDetail { ticket, protocols, bots })
}

pub async fn logs(
    state: &AppState,
    caller: &CurrentUser,
    id: TicketId,
    page: PageRequest,
) -> AppResult<Page<TicketLog>> {
    let ticket = find_visible(&state.db, caller, id).await?;
    let rows = store::ticket_logs::page(&state.db, id_of(&ticket), page.after_id, page.limit).await?;
    let user_ids: Vec<UserId> = rows.iter().filter_map(|r| r.user_id.map(UserId)).collect();
    let users: HashMap<i64, users::Model> =
        store::users::by_ids(&state.db, company_of(&ticket), &user_ids).await?.into_iter().map(|u| (u.id, u)).collect();
    Ok(page.finish(
        rows,
        |r| r.id,
        |r| TicketLog {
            id: TicketLogId(r.id),
            user: r.user_id.and_then(|id| users.get(&id)).map(|u| UserRef { id: UserId(u.id), name: u.name.clone() }),
            kind: r.kind.into(),
            details: serde_json::from_str(&r.details).unwrap_or_else(|_| json!({})),
            created_at: r.created_at,
        },
    ))
}

/// Starts a conversation: an open ticket for the caller with an existing contact.
pub async fn create(state: &AppState, caller: &CurrentUser, new: NewTicket) -> AppResult<Ticket> {
    let contact = crate::domain::contacts::find(state, caller, new.contact_id).await?;
    let connection = match new.connection_id {
        Some(id) => crate::domain::connections::find(state, caller, id).await?,
        None => store::connections::first_of_company(&state.db, caller.company_id)
            .await?
            .ok_or_else(|| FieldErrors::one("connection_id", Invalid::NoConnection))?,
    };
    if let Some(queue) = new.queue_id
        && store::queues::get_in_company(&state.db, caller.company_id, queue).await?.is_none()
    {
        return Err(FieldErrors::one("queue_id", Invalid::NotInCompany));
    }
    let (contact_id, connection_id) = (ContactId(contact.id), ConnectionId(connection.id));
    let txn = state.begin().await?;
    if let Some(active) = store::tickets::find_active(&txn, contact_id, connection_id).await? {
        return Err(already_active(format!(
            "this contact already has ticket #{} open or pending on this connection",
            active.number
        )));
    }
    let number = store::counters::next(&txn, caller.company_id, store::counters::TICKET_NUMBER).await?;
    let ticket = store::tickets::insert(
        &txn,
        store::tickets::NewTicketRow {
            company_id: caller.company_id,
            number,
            status: TicketStatus::Open,
            kind: if contact.is_group { TicketKind::Group } else { TicketKind::Private },
            contact_id,
            connection_id,
            queue_id: new.queue_id.or(connection.default_queue_id.map(QueueId)),
            user_id: Some(caller.id),
        },
    )
    .await
    .map_err(already_active_on_race)?;
    store::ticket_logs::insert(
        &txn,
        caller.company_id,
        id_of(&ticket),
        Some(caller.id),
        TicketLogKind::Created,
        &json!({"by": "user"}),
    )
    .await?;
    let dto = summary(&txn, ticket.clone()).await?;
    let mut outbox = Outbox::new();
    outbox.add(&txn, caller.company_id, audience(&ticket), Event::TicketCreated(dto.clone())).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

fn already_active(message: impl Into<String>) -> AppError {
    AppError::conflict(ErrorCode::TicketAlreadyActive, message)
}

/// Two requests racing past the check above meet the database's one-active-ticket index.
pub fn already_active_on_race(error: sea_orm::DbErr) -> AppError {
    if store::UniqueKey::of(&error) == Some(store::UniqueKey::ActiveTicket) {
        already_active("this contact already has an open or pending ticket on this connection")
    } else {
        error.into()
    }
}

/// What the caller asked to do to a ticket.
pub enum Action {
    Accept,
    Transfer(TransferTicket),
    ReturnToQueue,
    /// `send_rating`: send the satisfaction survey too (see `domain::ratings::on_resolve`).
    Resolve {
        send_rating: bool,
    },
    Reopen,
}

pub async fn transition(state: &AppState, caller: &CurrentUser, id: TicketId, action: Action) -> AppResult<Ticket> {
    // Validate the transfer's targets before taking the write turn.
    let send_rating = matches!(action, Action::Resolve { send_rating: true });
    let (transition, target_queue, target_user) = match action {
        Action::Accept => (Transition::Accept, None, None),
        Action::Transfer(transfer) => {
            let (queue, user) = check_transfer(state, caller, &transfer).await?;
            (Transition::Transfer { queue_id: transfer.queue_id, user_id: transfer.user_id }, queue, user)
        }
        Action::ReturnToQueue => (Transition::ReturnToQueue, None, None),
        Action::Resolve { .. } => (Transition::Resolve, None, None),
        Action::Reopen => (Transition::Reopen, None, None),
    };
    let txn = state.begin().await?;
    let ticket = find_visible_locked(&txn, caller, id, transition).await?;
    let before = place_of(&ticket);
    let change = lifecycle::plan(transition, before, caller.id)
        .map_err(|invalid| AppError::conflict(ErrorCode::InvalidTransition, invalid.to_string()))?;
    if transition == Transition::Reopen
        && store::tickets::find_active(&txn, ContactId(ticket.contact_id), ConnectionId(ticket.connection_id))
            .await?
            .is_some()
    {
        return Err(already_active("this contact already has another open or pending ticket on this connection"));
    }
    let now = Utc::now();
    let mut row = ticket.clone().into_active_model();
    row.status = Set(change.place.status.into());
    row.queue_id = Set(change.place.queue_id.map(i64::from));
    row.user_id = Set(change.place.user_id.map(i64::from));
    if change.requeue {
        // The end of the queue: pending tickets are served oldest `queued_at` first.
        row.queued_at = Set(now);
    }
    match change.closed {
        Some(true) => row.closed_at = Set(Some(now)),
        Some(false) => row.closed_at = Set(None),
        None => {}
    }
    if change.clear_unread {
        row.unread_count = Set(0);
    }
    // A person taking the ticket (accept, transfer to a user, reopen) or closing it ends the bot's
    // turn; they may switch it on again.
    if ticket.bot.is_some() && (change.place.user_id.is_some() || change.place.status == TicketStatus::Closed) {
        row.bot = Set(None);
        row.bot_state = Set(None);
    }
    let updated = store::tickets::update(&txn, row).await.map_err(already_active_on_race)?;
    // Names as they were then, so the timeline reads the same after a rename or a deletion.
    let details = match transition {
        Transition::Transfer { .. } => {
            let from_queue = queue_named(&txn, caller.company_id, before.queue_id).await?;
            let from_user = user_named(&txn, before.user_id).await?;
            json!({
                "from_queue_id": before.queue_id, "from_user_id": before.user_id,
                "to_queue_id": target_queue.as_ref().map(|q| q.id), "to_user_id": target_user.as_ref().map(|u| u.id),
                "from_queue": from_queue, "from_user": from_user,
                "to_queue": target_queue.as_ref().map(|q| json!({"id": q.id, "name": q.name})),
                "to_user": target_user.as_ref().map(|u| json!({"id": u.id, "name": u.name})),
            })
        }
        Transition::ReturnToQueue => {
            json!({"from_user_id": before.user_id, "from_user": user_named(&txn, before.user_id).await?})
        }
        _ => json!({}),
    };
    store::ticket_logs::insert(&txn, company_of(&updated), id_of(&updated), Some(caller.id), change.log, &details)
        .await?;
    let mut outbox = Outbox::new();
    let actor = store::users::get(&txn, caller.id).await?.map(|u| u.name).unwrap_or_default();
    let to = target_user.map(|u| u.name).or(target_queue.map(|q| q.name));
    let note = SystemNote { kind: change.note, actor, to };
    messages::add_system(&txn, &mut outbox, &updated, &note).await?;
    let updated = if transition == Transition::Resolve
        && crate::domain::ratings::on_resolve(&txn, &mut outbox, &updated, caller, send_rating).await?
    {
        // The survey moved the ticket's last message.
        store::tickets::get_in_company(&txn, company_of(&updated), id_of(&updated))
            .await?
            .ok_or(AppError::NotFound("ticket"))?
    } else {
        updated
    };
    let dto = summary(&txn, updated.clone()).await?;
    outbox.add(&txn, company_of(&updated), audience(&updated), Event::TicketUpdated(dto.clone())).await?;
    // Whoever could see it before and no longer can must still hear that it left their list.
    if before.user_id != change.place.user_id
        || before.queue_id != change.place.queue_id
        || before.status != change.place.status
    {
        outbox.add(&txn, company_of(&updated), Audience::Ticket(before), Event::TicketUpdated(dto.clone())).await?;
    }
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

/// `{id, name}` of a queue, for a log row.
async fn queue_named(tx: &WriteTx, company: CompanyId, id: Option<QueueId>) -> AppResult<Option<serde_json::Value>> {
    let Some(id) = id else { return Ok(None) };
    let queue = store::queues::get_in_company(tx, company, id).await?;
    Ok(queue.map(|q| json!({"id": q.id, "name": q.name})))
}

/// `{id, name}` of a user, for a log row.
async fn user_named(tx: &WriteTx, id: Option<UserId>) -> AppResult<Option<serde_json::Value>> {
    let Some(id) = id else { return Ok(None) };
    let user = store::users::get(tx, id).await?;
    Ok(user.map(|u| json!({"id": u.id, "name": u.name})))
}

async fn check_transfer(
    state: &AppState,
    caller: &CurrentUser,
    transfer: &TransferTicket,
) -> AppResult<(Option<queues::Model>, Option<users::Model>)> {
    if transfer.queue_id.is_none() && transfer.user_id.is_none() {
        return Err(FieldErrors::one("queue_id", Invalid::QueueOrUser));
    }
    let mut errors = FieldErrors::new();
    let queue = match transfer.queue_id {
        Some(id) => {
            let queue = store::queues::get_in_company(&state.db, caller.company_id, id).await?;
            if queue.is_none() {
                errors.add("queue_id", Invalid::NotInCompany);
            }
            queue
        }
        None => None,
    };
    let user = match transfer.user_id {
        Some(id) => {
            let user = store::users::get_in_company(&state.db, caller.company_id, id).await?;
            if user.is_none() {
                errors.add("user_id", Invalid::NotInCompany);
            }
            user
        }
        None => None,
    };
    errors.into_result()?;
    Ok((queue, user))
}

/// Puts the open ones among `rows` back in their queues, unassigned, at the end of the line.
pub async fn return_to_queues(tx: &WriteTx, rows: &[tickets::Model]) -> AppResult<()> {
    let now = Utc::now();
    for ticket in rows.iter().filter(|t| status_of(t) == TicketStatus::Open) {
        let mut row = ticket.clone().into_active_model();
        row.status = Set(TicketStatus::Pending.into());
        row.user_id = Set(None);
        row.queued_at = Set(now);
        store::tickets::update(tx, row).await?;
        let from = json!({"from_user_id": ticket.user_id, "reason": "user_deleted"});
        store::ticket_logs::insert(tx, company_of(ticket), id_of(ticket), None, TicketLogKind::Returned, &from).await?;
    }
    Ok(())
}

/// Publishes what a write transaction changed on `before` (as they were) to whoever could see
/// them before and to whoever may see them now; tickets that are gone are announced deleted.
pub async fn announce_updated(tx: &WriteTx, outbox: &mut Outbox, before: &[tickets::Model]) -> AppResult<()> {
    let Some(company_id) = before.first().map(company_of) else {
        return Ok(());
    };
    // The rows as they are now, and their list rows, in a few queries whatever their number.
    let ids: Vec<TicketId> = before.iter().map(id_of).collect();
    let now: HashMap<i64, tickets::Model> =
        store::tickets::by_ids(tx, company_id, &ids).await?.into_iter().map(|t| (t.id, t)).collect();
    let dtos: HashMap<TicketId, Ticket> =
        summaries(tx, now.values().cloned().collect()).await?.into_iter().map(|t| (t.id, t)).collect();
    for old in before {
        let (Some(current), Some(dto)) = (now.get(&old.id), dtos.get(&id_of(old))) else {
            let gone = Event::TicketDeleted(shared::events::TicketDeleted { id: id_of(old) });
            outbox.add(tx, company_of(old), audience(old), gone).await?;
            continue;
        };
        outbox.add(tx, company_of(current), audience(current), Event::TicketUpdated(dto.clone())).await?;
        if place_of(old) != place_of(current) {
            outbox.add(tx, company_of(old), audience(old), Event::TicketUpdated(dto.clone())).await?;
        }
    }
    Ok(())
}
