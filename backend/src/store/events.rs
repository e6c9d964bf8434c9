//! The events table: every live event, kept so a WebSocket client can resume from a `seq`.

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::entities::events;

pub struct NewEvent<'a> {
    pub company_id: i64,
    pub seq: i64,
    pub kind: &'a str,
    pub queue_id: Option<i64>,
    pub user_id: Option<i64>,
    pub payload: &'a str,
}

pub async fn insert(db: &impl ConnectionTrait, event: NewEvent<'_>) -> Result<(), DbErr> {
    let row = events::ActiveModel {
        company_id: Set(event.company_id),
        seq: Set(event.seq),
        kind: Set(event.kind.to_owned()),
        queue_id: Set(event.queue_id),
        user_id: Set(event.user_id),
        payload: Set(event.payload.to_owned()),
        created_at: Set(Utc::now()),
    };
    events::Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}

/// Up to `limit` events of the company after `since`, in order.
pub async fn since(
    db: &impl ConnectionTrait,
    company_id: i64,
    since: i64,
    limit: u64,
) -> Result<Vec<events::Model>, DbErr> {
    events::Entity::find()
        .filter(events::Column::CompanyId.eq(company_id))
        .filter(events::Column::Seq.gt(since))
        .order_by_asc(events::Column::Seq)
        .limit(limit)
        .all(db)
        .await
}

/// The company's latest event seq (0 before the first event).
pub async fn latest_seq(db: &impl ConnectionTrait, company_id: i64) -> Result<i64, DbErr> {
    let latest = events::Entity::find()
        .filter(events::Column::CompanyId.eq(company_id))
        .order_by_desc(events::Column::Seq)
        .one(db)
        .await?;
    Ok(latest.map(|e| e.seq).unwrap_or(0))
}
