//! Ratings (Avaliação): the survey sent to a contact (on demand from the panel, or on resolve),
//! the capture of their answer in the inbound path, and the reports.
//!
//! A survey awaits the contact's answer on the ticket's connection until `window_minutes` pass.
//! Their next message is read by [`parse_score`]: a score is stored (once per survey) and
//! thanked; anything else gets one polite re-ask, and the message after that is an ordinary
//! message again. While a survey is awaited its answers stay in the rated ticket's thread (a
//! closed ticket is not reopened and no new ticket starts).

mod reply;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use shared::events::Event;
use shared::ratings::{
    AgentRatings, QueueRatings, Rating, RatingList, RatingReport, RatingState, RatingSummary, TicketRating,
};
use shared::settings::RatingSettings;
use shared::tickets::{QueueRef, TicketKind, TicketLogKind, TicketStatus, UserRef};
use shared::{CompanyId, ConnectionId, ContactId, ErrorCode, QueueId, RatingId, TicketId, UserId};

pub use self::reply::parse_score;
use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::messages;
use crate::domain::settings::general_of;
use crate::domain::tickets::{audience, company_of, find_visible, id_of};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::entities::{ratings, tickets};
use crate::store::ratings::RatingFilter;
use crate::store::{self, WriteTx};

/// Sent after a score is stored.
pub const THANKS: &str = "Obrigado pela sua avaliação!";

/// The survey as the contact reads it: the company's question and the scale.
pub fn survey_text(settings: &RatingSettings) -> String {
    let scale = settings.scale;
    format!("{}\nDe 1 a {scale}, responda só com o número da sua nota ({scale} é a melhor).", settings.question.trim())
}

/// The one re-ask after an answer that is not a score.
pub fn reask_text(scale: u8) -> String {
    format!("Desculpe, não entendi a sua nota. De 1 a {scale}, responda só com um número, por favor.")
}

fn disabled() -> AppError {
    AppError::conflict(ErrorCode::RatingsDisabled, "the satisfaction survey is switched off in the settings")
}

fn scale_of(row: &ratings::Model) -> u8 {
    u8::try_from(row.scale).unwrap_or(u8::MAX)
}

fn score_of(row: &ratings::Model) -> Option<u8> {
    row.score.and_then(|s| u8::try_from(s).ok())
}

pub fn to_dto(row: &ratings::Model, now: DateTime<Utc>) -> TicketRating {
    let state = if row.score.is_some() {
        RatingState::Received
    } else if row.abandoned {
        RatingState::Abandoned
    } else if row.expires_at <= now {
        RatingState::Expired
    } else {
        RatingState::Awaiting
    };
    TicketRating {
        id: RatingId(row.id),
        ticket_id: TicketId(row.ticket_id),
        state,
        score: score_of(row),
        scale: scale_of(row),
        reasked: row.reasked,
        requested_at: row.requested_at,
        expires_at: row.expires_at,
        answered_at: row.answered_at,
    }
}

/// `POST /tickets/{id}/rating-request`: sends the survey now.
pub async fn request(state: &AppState, caller: &CurrentUser, id: TicketId) -> AppResult<TicketRating> {
    let txn = state.begin().await?;
    let ticket = find_visible(&txn, caller, id).await?;
    let settings = general_of(&txn, caller.company_id).await?.ratings;
    if !settings.enabled {
        return Err(disabled());
    }
    let mut outbox = Outbox::new();
    let row = ask(&txn, &mut outbox, ticket, Some(caller.id), &settings).await?;
    txn.commit().await?;
    outbox.publish(state);
    crate::domain::outbox::wake(state);
    Ok(to_dto(&row, Utc::now()))
}

/// Resolving sends the survey when asked (`send_rating`) or when the settings say so
/// (`on_resolve`; not to groups, which are no one person to rate). With ratings off, nothing is
/// sent and the ticket is resolved all the same.
pub async fn on_resolve(
    tx: &WriteTx,
    outbox: &mut Outbox,
    resolved: &tickets::Model,
    caller: &CurrentUser,
    send_rating: bool,
) -> AppResult<bool> {
    let settings = general_of(tx, company_of(resolved)).await?.ratings;
    let automatic = settings.on_resolve && TicketKind::from(resolved.kind) != TicketKind::Group;
    if !settings.enabled || !(send_rating || automatic) {
        return Ok(false);
    }
    ask(tx, outbox, resolved.clone(), Some(caller.id), &settings).await?;
    Ok(true)
}

/// Writes the survey to the contact through the outbox and starts awaiting their answer; an
/// earlier survey still awaiting this contact's answer is given up (one answer, one survey).
async fn ask(
    tx: &WriteTx,
    outbox: &mut Outbox,
    ticket: tickets::Model,
    requested_by: Option<UserId>,
    settings: &RatingSettings,
) -> AppResult<ratings::Model> {
    let now = Utc::now();
    let (company, contact, connection) =
        (company_of(&ticket), ContactId(ticket.contact_id), ConnectionId(ticket.connection_id));
    for old in store::ratings::abandon_awaiting(tx, contact, connection, now).await? {
        announce(tx, outbox, company, &old).await?;
    }
    messages::write_outgoing(tx, outbox, ticket.clone(), None, &survey_text(settings), None, None).await?;
    let row = store::ratings::insert(
        tx,
        store::ratings::NewRatingRow {
            company_id: company,
            ticket_id: id_of(&ticket),
            contact_id: contact,
            connection_id: connection,
            user_id: ticket.user_id.map(UserId),
            queue_id: ticket.queue_id.map(QueueId),
            requested_by,
            scale: settings.scale,
            requested_at: now,
            expires_at: now + Duration::minutes(i64::from(settings.window_minutes)),
        },
    )
    .await?;
    store::ticket_logs::insert(tx, company, id_of(&ticket), requested_by, TicketLogKind::RatingRequested, &json!({}))
        .await?;
    outbox.add(tx, company, audience(&ticket), Event::RatingUpdated(to_dto(&row, now))).await?;
    Ok(row)
}

/// `rating.updated` to whoever may see the survey's ticket.
async fn announce(tx: &WriteTx, outbox: &mut Outbox, company: CompanyId, row: &ratings::Model) -> AppResult<()> {
    if let Some(ticket) = store::tickets::get_in_company(tx, company, TicketId(row.ticket_id)).await? {
        outbox.add(tx, company, audience(&ticket), Event::RatingUpdated(to_dto(row, Utc::now()))).await?;
    }
    Ok(())
}

/// An inbound message that answers a survey: it belongs in the survey's ticket, whatever that
/// ticket's status, and [`record_reply`] acts on it once it is stored.
#[derive(Debug, Clone)]
pub struct SurveyReply {
    pub rating: ratings::Model,
    pub score: Option<u8>,
}

impl SurveyReply {
    pub fn ticket_id(&self) -> TicketId {
        TicketId(self.rating.ticket_id)
    }
}

/// Whether a message `body` from this contact, written `at`, answers a survey awaiting it. After
/// the one re-ask, a reply that is still not a score gives the survey up and is an ordinary
/// message (`None`), as is any message once the window has passed.
pub async fn reply_to_survey(
    tx: &WriteTx,
    outbox: &mut Outbox,
    contact: ContactId,
    connection: ConnectionId,
    body: &str,
    at: DateTime<Utc>,
) -> AppResult<Option<SurveyReply>> {
    let Some(rating) = store::ratings::awaiting_for_update(tx, contact, connection, at).await? else {
        return Ok(None);
    };
    let score = parse_score(body, scale_of(&rating));
    if score.is_none() && rating.reasked {
        if let Some(row) = store::ratings::abandon(tx, RatingId(rating.id)).await? {
            announce(tx, outbox, CompanyId(row.company_id), &row).await?;
        }
        return Ok(None);
    }
    Ok(Some(SurveyReply { rating, score }))
}

/// After the answer is stored in `ticket` (the survey's): the score is recorded and thanked, or
/// the contact is asked once more.
pub async fn record_reply(
    tx: &WriteTx,
    outbox: &mut Outbox,
    reply: SurveyReply,
    ticket: &tickets::Model,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let (company, id) = (company_of(ticket), RatingId(reply.rating.id));
    let (row, text) = match reply.score {
        Some(score) => {
            let Some(row) = store::ratings::record_score(tx, id, score, at).await? else {
                return Ok(());
            };
            let details = json!({"score": score});
            store::ticket_logs::insert(tx, company, id_of(ticket), None, TicketLogKind::RatingReceived, &details)
                .await?;
            (row, THANKS.to_owned())
        }
        None => {
            let Some(row) = store::ratings::mark_reasked(tx, id).await? else {
                return Ok(());
            };
            let text = reask_text(scale_of(&row));
            (row, text)
        }
    };
    messages::write_outgoing(tx, outbox, ticket.clone(), None, &text, None, None).await?;
    outbox.add(tx, company, audience(ticket), Event::RatingUpdated(to_dto(&row, Utc::now()))).await?;
    Ok(())
}

/// Whether a stored answer to a survey counts as unread news for the ticket: not in a closed
/// ticket, which it does not reopen.
pub fn reply_is_news(ticket: &tickets::Model) -> bool {
    TicketStatus::from(ticket.status) != TicketStatus::Closed
}

/// `GET /tickets/{id}/rating`: the ticket's newest survey, if it was ever sent.
pub async fn of_ticket(state: &AppState, caller: &CurrentUser, id: TicketId) -> AppResult<Option<TicketRating>> {
    let ticket = find_visible(&state.db, caller, id).await?;
    let row = store::ratings::latest_of_ticket(&state.db, company_of(&ticket), id_of(&ticket)).await?;
    Ok(row.map(|r| to_dto(&r, Utc::now())))
}

/// What a report covers, as asked.
#[derive(Debug, Clone, Default)]
pub struct RatingQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub user_id: Option<UserId>,
    pub queue_id: Option<QueueId>,
    pub limit: Option<u64>,
}

/// The most items `GET /ratings` returns (the summary covers every match).
pub const MAX_ITEMS: u64 = 1000;
const DEFAULT_ITEMS: u64 = 100;

/// Admins and supervisors see the company's ratings; an agent sees only their own (asking for
/// another agent's is 403).
fn scoped(
    caller: &CurrentUser,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    user_id: Option<UserId>,
    queue_id: Option<QueueId>,
) -> AppResult<RatingFilter> {
    let user_id = if caller.is_staff() {
        user_id
    } else {
        match user_id {
            Some(other) if other != caller.id => return Err(AppError::Forbidden("agents see only their own ratings")),
            _ => Some(caller.id),
        }
    };
    Ok(RatingFilter { from, to, user_id, queue_id })
}

pub async fn list(state: &AppState, caller: &CurrentUser, query: RatingQuery) -> AppResult<RatingList> {
    let filter = scoped(caller, query.from, query.to, query.user_id, query.queue_id)?;
    let limit = query.limit.unwrap_or(DEFAULT_ITEMS).clamp(1, MAX_ITEMS);
    let rows = store::ratings::received_page(&state.db, caller.company_id, &filter, limit).await?;
    let scores = store::ratings::received_scores(&state.db, caller.company_id, &filter).await?;
    let scale = general_of(&state.db, caller.company_id).await?.ratings.scale;
    let items = rows
        .iter()
        .filter_map(|row| {
            Some(Rating {
                id: RatingId(row.id),
                ticket_id: TicketId(row.ticket_id),
                user_id: row.user_id.map(UserId),
                queue_id: row.queue_id.map(QueueId),
                score: score_of(row)?,
                scale: scale_of(row),
                created_at: row.answered_at.unwrap_or(row.requested_at),
            })
        })
        .collect();
    let summary =
        RatingSummary::of_counted(scores.iter().filter_map(|(_, _, s, n)| Some((u8::try_from(*s).ok()?, *n))), scale);
    Ok(RatingList { items, summary })
}

/// The dashboard's ratings: the period's summary, per agent and per queue (agents: their own).
pub async fn report(
    db: &impl sea_orm::ConnectionTrait,
    caller: &CurrentUser,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> AppResult<RatingReport> {
    let filter = scoped(caller, from, to, None, None)?;
    let scores = store::ratings::received_scores(db, caller.company_id, &filter).await?;
    let scale = general_of(db, caller.company_id).await?.ratings.scale;
    let mut by_agent: BTreeMap<Option<i64>, Vec<(u8, u32)>> = BTreeMap::new();
    let mut by_queue: BTreeMap<Option<i64>, Vec<(u8, u32)>> = BTreeMap::new();
    let mut all = Vec::with_capacity(scores.len());
    for (user, queue, score, times) in scores {
        let Ok(score) = u8::try_from(score) else { continue };
        by_agent.entry(user).or_default().push((score, times));
        by_queue.entry(queue).or_default().push((score, times));
        all.push((score, times));
    }
    let user_ids: Vec<UserId> = by_agent.keys().flatten().copied().map(UserId).collect();
    let users = store::users::by_ids(db, caller.company_id, &user_ids).await?;
    let queue_ids: Vec<QueueId> = by_queue.keys().flatten().copied().map(QueueId).collect();
    let queues = store::queues::by_ids(db, caller.company_id, &queue_ids).await?;
    Ok(RatingReport {
        from,
        to,
        summary: RatingSummary::of_counted(all, scale),
        by_agent: by_agent
            .into_iter()
            .map(|(id, scores)| AgentRatings {
                user: id
                    .and_then(|id| users.iter().find(|u| u.id == id))
                    .map(|u| UserRef { id: UserId(u.id), name: u.name.clone() }),
                summary: RatingSummary::of_counted(scores, scale),
            })
            .collect(),
        by_queue: by_queue
            .into_iter()
            .map(|(id, scores)| QueueRatings {
                queue: id.and_then(|id| queues.iter().find(|q| q.id == id)).map(|q| QueueRef {
                    id: QueueId(q.id),
                    name: q.name.clone(),
                    color: q.color.clone(),
                }),
                summary: RatingSummary::of_counted(scores, scale),
            })
            .collect(),
    })
}
