//! The events table: every live event, kept so a WebSocket client can resume from a `seq`.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use shared::events::Subject;
use shared::visibility::{Audience, TicketPlace};
use shared::{CompanyId, ContactId, QueueId, TicketId, UserId};

use super::WriteTx;
use super::entities::{company_counters, events};

pub struct NewEvent<'a> {
    pub company_id: CompanyId,
    pub seq: i64,
    pub kind: &'a str,
    pub audience: Audience,
    pub subject: Subject,
    pub payload: &'a str,
}

/// An event as stored: its audience and its frame, serialised once.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    pub company_id: CompanyId,
    pub seq: i64,
    pub audience: Audience,
    /// The ticket it is about, if any (rows older than the column have none).
    pub ticket_id: Option<TicketId>,
    pub frame: String,
}

fn audience_of(row: &events::Model) -> Audience {
    if row.admins_only {
        return Audience::Admins;
    }
    match row.ticket_status {
        None => match row.user_id {
            None => Audience::Company,
            Some(user) => Audience::Person(UserId(user)),
        },
        Some(status) => Audience::Ticket(TicketPlace {
            status: status.into(),
            queue_id: row.queue_id.map(QueueId),
            user_id: row.user_id.map(UserId),
        }),
    }
}

fn stored(row: events::Model) -> StoredRow {
    StoredRow {
        company_id: CompanyId(row.company_id),
        seq: row.seq,
        audience: audience_of(&row),
        ticket_id: row.ticket_id.map(TicketId),
        frame: row.payload,
    }
}

pub async fn insert(tx: &WriteTx, event: NewEvent<'_>) -> Result<(), DbErr> {
    events::Entity::insert(active(event)).exec_without_returning(tx).await?;
    Ok(())
}

/// Several events in one statement.
pub async fn insert_many(tx: &WriteTx, rows: Vec<NewEvent<'_>>) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    events::Entity::insert_many(rows.into_iter().map(active)).exec_without_returning(tx).await?;
    Ok(())
}

fn active(event: NewEvent<'_>) -> events::ActiveModel {
    let admins_only = event.audience == Audience::Admins;
    let (place, person) = match event.audience {
        Audience::Company | Audience::Admins => (None, None),
        Audience::Person(user) => (None, Some(user)),
        Audience::Ticket(place) => (Some(place), None),
    };
    events::ActiveModel {
        company_id: Set(event.company_id.0),
        seq: Set(event.seq),
        kind: Set(event.kind.to_owned()),
        ticket_status: Set(place.map(|p| p.status.into())),
        queue_id: Set(place.and_then(|p| p.queue_id).map(i64::from)),
        user_id: Set(place.and_then(|p| p.user_id).or(person).map(i64::from)),
        payload: Set(event.payload.to_owned()),
        ticket_id: Set(event.subject.ticket.map(i64::from)),
        contact_id: Set(event.subject.contact.map(i64::from)),
        admins_only: Set(admins_only),
        created_at: Set(Utc::now()),
    }
}

/// Up to `limit` events of the company after `since`, in order.
pub async fn since(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    since: i64,
    limit: u64,
) -> Result<Vec<StoredRow>, DbErr> {
    let rows = events::Entity::find()
        .filter(events::Column::CompanyId.eq(company_id.0))
        .filter(events::Column::Seq.gt(since))
        .filter(events::Column::Kind.ne(FORGOTTEN))
        .order_by_asc(events::Column::Seq)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(stored).collect())
}

/// One event, by its company and seq.
pub async fn get(db: &impl ConnectionTrait, company_id: CompanyId, seq: i64) -> Result<Option<StoredRow>, DbErr> {
    let row = events::Entity::find()
        .filter(events::Column::CompanyId.eq(company_id.0))
        .filter(events::Column::Seq.eq(seq))
        .filter(events::Column::Kind.ne(FORGOTTEN))
        .one(db)
        .await?;
    Ok(row.map(stored))
}

/// The company's oldest event still kept, if any.
/// The company's latest event `seq` (0 before its first event) and its oldest kept event's, read
/// in one statement: a resuming socket needs both before it is accepted.
pub async fn resume_bounds(db: &impl ConnectionTrait, company_id: CompanyId) -> Result<(i64, Option<i64>), DbErr> {
    use sea_orm::FromQueryResult;
    use sea_orm::sea_query::{ExprTrait, Query};

    #[derive(FromQueryResult)]
    struct Bounds {
        latest: Option<i64>,
        oldest: Option<i64>,
    }
    let latest = Query::select()
        .column(company_counters::Column::Value)
        .from(company_counters::Entity)
        .and_where(Expr::col(company_counters::Column::CompanyId).eq(company_id.0))
        .and_where(Expr::col(company_counters::Column::Name).eq(super::counters::EVENT_SEQ))
        .to_owned();
    let oldest = Query::select()
        .expr(Expr::col(events::Column::Seq).min())
        .from(events::Entity)
        .and_where(Expr::col(events::Column::CompanyId).eq(company_id.0))
        .to_owned();
    let both = Query::select().expr_as(Expr::from(latest), "latest").expr_as(Expr::from(oldest), "oldest").to_owned();
    let bounds = Bounds::find_by_statement(db.get_database_backend().build(&both)).one(db).await?;
    Ok(bounds.map_or((0, None), |b| (b.latest.unwrap_or(0), b.oldest)))
}

/// What a forgotten event's row keeps: its place in the sequence (so a client resuming from
/// before it is not told its history is gone), none of its data. Never sent.
pub const FORGOTTEN: &str = "forgotten";

/// Empties the company's events about any of `contacts` or `tickets` (see [`FORGOTTEN`]); how
/// many.
pub async fn forget_about(
    tx: &WriteTx,
    company_id: CompanyId,
    contacts: &[ContactId],
    tickets: &[TicketId],
) -> Result<u64, DbErr> {
    let mut forgotten = 0;
    // Bounded lists per statement (both databases cap bound parameters).
    let by_contact = contacts.chunks(500).map(|ids| events::Column::ContactId.is_in(ids.iter().map(|c| c.0)));
    let by_ticket = tickets.chunks(500).map(|ids| events::Column::TicketId.is_in(ids.iter().map(|t| t.0)));
    for about in by_contact.chain(by_ticket) {
        forgotten += events::Entity::update_many()
            .col_expr(events::Column::Kind, Expr::value(FORGOTTEN))
            .col_expr(events::Column::Payload, Expr::value(""))
            .col_expr(events::Column::TicketId, Expr::value(Option::<i64>::None))
            .col_expr(events::Column::ContactId, Expr::value(Option::<i64>::None))
            .filter(events::Column::CompanyId.eq(company_id.0))
            .filter(about)
            .exec(tx)
            .await?
            .rows_affected;
    }
    Ok(forgotten)
}

/// Deletes every company's events created before `cutoff`; how many went.
pub async fn prune_before(tx: &WriteTx, cutoff: chrono::DateTime<Utc>) -> Result<u64, DbErr> {
    let deleted = events::Entity::delete_many().filter(events::Column::CreatedAt.lt(cutoff)).exec(tx).await?;
    Ok(deleted.rows_affected)
}

/// The company's latest event seq (0 before the first event).
pub async fn latest_seq(db: &impl ConnectionTrait, company_id: CompanyId) -> Result<i64, DbErr> {
    let latest = events::Entity::find()
        .filter(events::Column::CompanyId.eq(company_id.0))
        .order_by_desc(events::Column::Seq)
        .one(db)
        .await?;
    Ok(latest.map(|e| e.seq).unwrap_or(0))
}
