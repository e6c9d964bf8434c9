//! The events table: every live event, kept so a WebSocket client can resume from a `seq`.

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use shared::visibility::{Audience, TicketPlace};
use shared::{CompanyId, QueueId, UserId};

use super::WriteTx;
use super::entities::events;

pub struct NewEvent<'a> {
    pub company_id: CompanyId,
    pub seq: i64,
    pub kind: &'a str,
    pub audience: Audience,
    pub payload: &'a str,
}

/// An event as stored: its audience and its frame, serialised once.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    pub company_id: CompanyId,
    pub seq: i64,
    pub audience: Audience,
    pub frame: String,
}

fn audience_of(row: &events::Model) -> Audience {
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
    StoredRow { company_id: CompanyId(row.company_id), seq: row.seq, audience: audience_of(&row), frame: row.payload }
}

pub async fn insert(tx: &WriteTx, event: NewEvent<'_>) -> Result<(), DbErr> {
    let (place, person) = match event.audience {
        Audience::Company => (None, None),
        Audience::Person(user) => (None, Some(user)),
        Audience::Ticket(place) => (Some(place), None),
    };
    let row = events::ActiveModel {
        company_id: Set(event.company_id.0),
        seq: Set(event.seq),
        kind: Set(event.kind.to_owned()),
        ticket_status: Set(place.map(|p| p.status.into())),
        queue_id: Set(place.and_then(|p| p.queue_id).map(i64::from)),
        user_id: Set(place.and_then(|p| p.user_id).or(person).map(i64::from)),
        payload: Set(event.payload.to_owned()),
        created_at: Set(Utc::now()),
    };
    events::Entity::insert(row).exec_without_returning(tx).await?;
    Ok(())
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
        .one(db)
        .await?;
    Ok(row.map(stored))
}

/// The company's oldest event still kept, if any.
pub async fn oldest_seq(db: &impl ConnectionTrait, company_id: CompanyId) -> Result<Option<i64>, DbErr> {
    let oldest = events::Entity::find()
        .filter(events::Column::CompanyId.eq(company_id.0))
        .order_by_asc(events::Column::Seq)
        .one(db)
        .await?;
    Ok(oldest.map(|e| e.seq))
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
