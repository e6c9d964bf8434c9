use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::entities::ticket_logs;

pub async fn insert(
    db: &impl ConnectionTrait,
    company_id: i64,
    ticket_id: i64,
    user_id: Option<i64>,
    kind: &str,
    details: &serde_json::Value,
) -> Result<(), DbErr> {
    let row = ticket_logs::ActiveModel {
        company_id: Set(company_id),
        ticket_id: Set(ticket_id),
        user_id: Set(user_id),
        kind: Set(kind.to_owned()),
        details: Set(details.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    ticket_logs::Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}

/// Newest first.
pub async fn page(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<ticket_logs::Model>, DbErr> {
    let mut query = ticket_logs::Entity::find().filter(ticket_logs::Column::TicketId.eq(ticket_id));
    if let Some(before) = before_id {
        query = query.filter(ticket_logs::Column::Id.lt(before));
    }
    query.order_by_desc(ticket_logs::Column::Id).limit(limit + 1).all(db).await
}
