//! The ticket life cycle: who sees which tickets, and the transitions accept, transfer, return to
//! queue, resolve and reopen — each with a system message in the thread, a log row and events.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, IntoActiveModel, Set};
use serde_json::json;
use shared::auth::Role;
use shared::tickets::{
    ContactRef, LastMessage, NewTicket, QueueRef, Ticket, TicketBots, TicketDetail, TicketKind, TicketLog,
    TicketStatus, TransferTicket, UserRef,
};
use shared::{ConnectionId, ContactId, Page, QueueId, TicketId, UserId};

use crate::auth::CurrentUser;
use crate::domain::events::{Audience, Outbox};
use crate::domain::messages::{self, SystemMessage};
use crate::domain::page::PageRequest;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::{queues, tickets, users};
use crate::store::tickets::{AgentScope, TicketFilter, TicketOrder};

pub fn status_of(ticket: &tickets::Model) -> TicketStatus {
    TicketStatus::parse(&ticket.status).unwrap_or(TicketStatus::Pending)
}

pub fn audience(ticket: &tickets::Model) -> Audience {
    Audience { queue_id: ticket.queue_id, user_id: ticket.user_id }
}

/// `None` for admins and supervisors, who see the whole company.
pub async fn scope_of(db: &impl ConnectionTrait, caller: &CurrentUser) -> AppResult<Option<AgentScope>> {
    if caller.role != Role::Agent {
        return Ok(None);
    }
    let queue_ids = store::users::queue_ids_of(db, &[caller.id.0]).await?.remove(&caller.id.0).unwrap_or_default();
    Ok(Some(AgentScope { user_id: caller.id.0, queue_ids }))
}

pub fn visible(scope: Option<&AgentScope>, ticket: &tickets::Model) -> bool {
    match scope {
        None => true,
        Some(scope) => {
            ticket.user_id == Some(scope.user_id)
                || (ticket.status == TicketStatus::Pending.as_str()
                    && ticket.queue_id.is_none_or(|queue| scope.queue_ids.contains(&queue)))
        }
    }
}

/// The ticket, if it is in the caller's company and the caller may see it.
pub async fn find_visible(db: &impl ConnectionTrait, caller: &CurrentUser, id: TicketId) -> AppResult<tickets::Model> {
    let ticket =
        store::tickets::get_in_company(db, caller.company_id.0, id.0).await?.ok_or(AppError::NotFound("ticket"))?;
    let scope = scope_of(db, caller).await?;
    if visible(scope.as_ref(), &ticket) { Ok(ticket) } else { Err(AppError::NotFound("ticket")) }
}

/// List rows with their contact, agent and queue, in three queries whatever the page size.
pub async fn summaries(db: &impl ConnectionTrait, rows: Vec<tickets::Model>) -> AppResult<Vec<Ticket>> {
    let ids = |f: fn(&tickets::Model) -> Option<i64>| {
        let mut ids: Vec<i64> = rows.iter().filter_map(f).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let contact_ids = ids(|t| Some(t.contact_id));
    let user_ids = ids(|t| t.user_id);
    let queue_ids = ids(|t| t.queue_id);
    let contacts: HashMap<i64, _> =
        store::contacts::by_ids(db, &contact_ids).await?.into_iter().map(|c| (c.id, c)).collect();
    let company_id = rows.first().map(|t| t.company_id).unwrap_or_default();
    let users: HashMap<i64, users::Model> =
        store::users::by_ids(db, company_id, &user_ids).await?.into_iter().map(|u| (u.id, u)).collect();
    let queues: HashMap<i64, queues::Model> =
        store::queues::by_ids(db, company_id, &queue_ids).await?.into_iter().map(|q| (q.id, q)).collect();
    Ok(rows
        .into_iter()
        .map(|t| {
            let contact = contacts.get(&t.contact_id);
            Ticket {
                id: TicketId(t.id),
                number: t.number,
                status: status_of(&t),
                kind: TicketKind::parse(&t.kind).unwrap_or(TicketKind::Private),
                contact: ContactRef {
                    id: ContactId(t.contact_id),
                    name: contact.map(|c| c.name.clone()).unwrap_or_default(),
                    number: contact.map(|c| c.number.clone()).unwrap_or_default(),
                    photo_url: contact.and_then(|c| c.photo_url.clone()),
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
                tags: Vec::new(),
                created_at: t.created_at,
                updated_at: t.updated_at,
            }
        })
        .collect())
}

pub async fn summary(db: &impl ConnectionTrait, ticket: tickets::Model) -> AppResult<Ticket> {
    summaries(db, vec![ticket]).await?.pop().ok_or(AppError::NotFound("ticket"))
}

/// The list's query, already validated.
pub struct ListQuery {
    pub filter: TicketFilter,
    pub tag_id: Option<i64>,
    pub wallet_mine: bool,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
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
        Some(raw) => Some(decode_cursor(raw).ok_or(AppError::BadRequest {
            code: "invalid_cursor",
            message: "the cursor is not one this server gave out".into(),
        })?),
    };
    // Tags and wallets arrive with their own modules; until then nothing carries them.
    if query.tag_id.is_some() || query.wallet_mine {
        return Ok(Page { items: Vec::new(), next_cursor: None });
    }
    let order = if query.filter.status == Some(TicketStatus::Pending.as_str()) {
        TicketOrder::QueuedAsc
    } else {
        TicketOrder::UpdatedDesc
    };
    let scope = scope_of(&state.db, caller).await?;
    let mut rows =
        store::tickets::page(&state.db, caller.company_id.0, &query.filter, scope.as_ref(), order, after, limit)
            .await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if has_more {
        rows.last()
            .map(|t| encode_cursor(if order == TicketOrder::QueuedAsc { t.queued_at } else { t.updated_at }, t.id))
    } else {
        None
    };
    Ok(Page { items: summaries(&state.db, rows).await?, next_cursor })
}

/// Opening a ticket is recorded in its logs (`access`).
pub async fn get(state: &AppState, caller: &CurrentUser, id: TicketId) -> AppResult<TicketDetail> {
    let ticket = find_visible(&state.db, caller, id).await?;
    store::ticket_logs::insert(&state.db, ticket.company_id, ticket.id, Some(caller.id.0), "access", &json!({}))
        .await?;
    let ticket = summary(&state.db, ticket).await?;
    Ok(TicketDetail { ticket, protocols: Vec::new(), bots: TicketBots::default(), kanban_lane_id: None })
}

pub async fn logs(
    state: &AppState,
    caller: &CurrentUser,
    id: TicketId,
    page: PageRequest,
) -> AppResult<Page<TicketLog>> {
    let ticket = find_visible(&state.db, caller, id).await?;
    let rows = store::ticket_logs::page(&state.db, ticket.id, page.after_id, page.limit).await?;
    let user_ids: Vec<i64> = rows.iter().filter_map(|r| r.user_id).collect();
    let users: HashMap<i64, users::Model> =
        store::users::by_ids(&state.db, ticket.company_id, &user_ids).await?.into_iter().map(|u| (u.id, u)).collect();
    Ok(page.finish(
        rows,
        |r| r.id,
        |r| TicketLog {
            id: r.id,
            user: r.user_id.and_then(|id| users.get(&id)).map(|u| UserRef { id: UserId(u.id), name: u.name.clone() }),
            kind: r.kind,
            details: serde_json::from_str(&r.details).unwrap_or_else(|_| json!({})),
            created_at: r.created_at,
        },
    ))
}

fn invalid_transition(ticket: &tickets::Model, action: &str) -> AppError {
    AppError::conflict("invalid_transition", format!("a {} ticket cannot be {action}", ticket.status))
}

/// Starts a conversation: an open ticket for the caller with an existing contact.
pub async fn create(state: &AppState, caller: &CurrentUser, new: NewTicket) -> AppResult<Ticket> {
    let contact = crate::domain::contacts::find(state, caller, new.contact_id).await?;
    let connection = match new.connection_id {
        Some(id) => crate::domain::connections::find(state, caller, id).await?,
        None => store::connections::first_of_company(&state.db, caller.company_id.0)
            .await?
            .ok_or_else(|| FieldErrors::one("connection_id", "the company has no connection yet"))?,
    };
    if let Some(queue) = new.queue_id
        && store::queues::get_in_company(&state.db, caller.company_id.0, queue.0).await?.is_none()
    {
        return Err(FieldErrors::one("queue_id", "must be a queue of your company"));
    }
    let (txn, _turn) = state.begin().await?;
    if let Some(active) = store::tickets::find_active(&txn, contact.id, connection.id).await? {
        return Err(AppError::Conflict {
            code: "ticket_already_active",
            message: format!("this contact already has ticket #{} open or pending on this connection", active.number),
        });
    }
    let number = store::counters::next(&txn, caller.company_id.0, store::counters::TICKET_NUMBER).await?;
    let ticket = store::tickets::insert(
        &txn,
        store::tickets::NewTicketRow {
            company_id: caller.company_id.0,
            number,
            status: TicketStatus::Open.as_str(),
            kind: if contact.is_group { TicketKind::Group.as_str() } else { TicketKind::Private.as_str() },
            contact_id: contact.id,
            connection_id: connection.id,
            queue_id: new.queue_id.map(|q| q.0).or(connection.default_queue_id),
            user_id: Some(caller.id.0),
        },
    )
    .await?;
    store::ticket_logs::insert(
        &txn,
        ticket.company_id,
        ticket.id,
        Some(caller.id.0),
        "created",
        &json!({"by": "user"}),
    )
    .await?;
    let dto = summary(&txn, ticket.clone()).await?;
    let mut outbox = Outbox::new();
    outbox.add(&txn, ticket.company_id, "ticket.created", audience(&ticket), &dto).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

pub enum Transition {
    Accept,
    Transfer(TransferTicket),
    ReturnToQueue,
    Resolve,
    Reopen,
}

pub async fn transition(state: &AppState, caller: &CurrentUser, id: TicketId, action: Transition) -> AppResult<Ticket> {
    // Validate the transfer's targets before taking the write turn.
    let (target_queue, target_user) = match &action {
        Transition::Transfer(transfer) => check_transfer(state, caller, transfer).await?,
        _ => (None, None),
    };
    let (txn, _turn) = state.begin().await?;
    let ticket = find_visible(&txn, caller, id).await?;
    let before = audience(&ticket);
    let status = status_of(&ticket);
    let now = Utc::now();
    let mut row = ticket.clone().into_active_model();
    let (log_kind, details, text) = match action {
        Transition::Accept => {
            if status != TicketStatus::Pending {
                return Err(invalid_transition(&ticket, "accepted"));
            }
            row.status = Set(TicketStatus::Open.as_str().into());
            row.user_id = Set(Some(caller.id.0));
            ("accepted", json!({}), SystemMessage::Accepted)
        }
        Transition::Transfer(_) => {
            if status == TicketStatus::Closed {
                return Err(invalid_transition(&ticket, "transferred"));
            }
            if let Some(queue) = &target_queue {
                row.queue_id = Set(Some(queue.id));
            }
            match &target_user {
                Some(user) => {
                    row.user_id = Set(Some(user.id));
                    row.status = Set(TicketStatus::Open.as_str().into());
                }
                None => {
                    row.user_id = Set(None);
                    row.status = Set(TicketStatus::Pending.as_str().into());
                    row.queued_at = Set(now);
                }
            }
            let details = json!({
                "from_queue_id": ticket.queue_id, "from_user_id": ticket.user_id,
                "to_queue_id": target_queue.as_ref().map(|q| q.id), "to_user_id": target_user.as_ref().map(|u| u.id),
            });
            let to = target_user.as_ref().map(|u| u.name.clone()).or(target_queue.as_ref().map(|q| q.name.clone()));
            ("transferred", details, SystemMessage::Transferred(to.unwrap_or_default()))
        }
        Transition::ReturnToQueue => {
            if status != TicketStatus::Open {
                return Err(invalid_transition(&ticket, "returned to the queue"));
            }
            row.status = Set(TicketStatus::Pending.as_str().into());
            row.user_id = Set(None);
            // The end of the queue: pending tickets are served oldest `queued_at` first.
            row.queued_at = Set(now);
            ("returned", json!({"from_user_id": ticket.user_id}), SystemMessage::Returned)
        }
        Transition::Resolve => {
            if status == TicketStatus::Closed {
                return Err(invalid_transition(&ticket, "resolved"));
            }
            row.status = Set(TicketStatus::Closed.as_str().into());
            row.closed_at = Set(Some(now));
            row.unread_count = Set(0);
            ("resolved", json!({}), SystemMessage::Resolved)
        }
        Transition::Reopen => {
            if status != TicketStatus::Closed {
                return Err(invalid_transition(&ticket, "reopened"));
            }
            if store::tickets::find_active(&txn, ticket.contact_id, ticket.connection_id).await?.is_some() {
                return Err(AppError::conflict(
                    "ticket_already_active",
                    "this contact already has another open or pending ticket on this connection",
                ));
            }
            row.status = Set(TicketStatus::Open.as_str().into());
            row.user_id = Set(Some(caller.id.0));
            row.closed_at = Set(None);
            ("reopened", json!({}), SystemMessage::Reopened)
        }
    };
    let updated = store::tickets::update(&txn, row).await?;
    store::ticket_logs::insert(&txn, updated.company_id, updated.id, Some(caller.id.0), log_kind, &details).await?;
    let mut outbox = Outbox::new();
    let actor = store::users::get(&txn, caller.id.0).await?.map(|u| u.name).unwrap_or_default();
    messages::add_system(&txn, &mut outbox, &updated, &text.render(&actor)).await?;
    let dto = summary(&txn, updated.clone()).await?;
    outbox.add(&txn, updated.company_id, "ticket.updated", audience(&updated), &dto).await?;
    // Whoever could see it before and no longer can must still hear that it left their list.
    if before.user_id != updated.user_id || before.queue_id != updated.queue_id {
        outbox.add(&txn, updated.company_id, "ticket.updated", before, &dto).await?;
    }
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

async fn check_transfer(
    state: &AppState,
    caller: &CurrentUser,
    transfer: &TransferTicket,
) -> AppResult<(Option<queues::Model>, Option<users::Model>)> {
    if transfer.queue_id.is_none() && transfer.user_id.is_none() {
        return Err(FieldErrors::one("queue_id", "give a queue, a user, or both"));
    }
    let mut errors = FieldErrors::new();
    let queue = match transfer.queue_id {
        Some(id) => {
            let queue = store::queues::get_in_company(&state.db, caller.company_id.0, id.0).await?;
            if queue.is_none() {
                errors.add("queue_id", "must be a queue of your company");
            }
            queue
        }
        None => None,
    };
    let user = match transfer.user_id {
        Some(id) => {
            let user = store::users::get_in_company(&state.db, caller.company_id.0, id.0).await?;
            if user.is_none() {
                errors.add("user_id", "must be a user of your company");
            }
            user
        }
        None => None,
    };
    errors.into_result()?;
    Ok((queue, user))
}
