use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::WriteTx;
use super::entities::ticket_logs;
use shared::tickets::TicketLogKind;
use shared::{CompanyId, TicketId, UserId};

pub async fn insert(
    tx: &WriteTx,
    company_id: CompanyId,
    ticket_id: TicketId,
    user_id: Option<UserId>,
    kind: TicketLogKind,
    details: &serde_json::Value,
) -> Result<(), DbErr> {
    let row = ticket_logs::ActiveModel {
        company_id: Set(company_id.0),
        ticket_id: Set(ticket_id.0),
        user_id: Set(user_id.map(i64::from)),
        kind: Set(kind.into()),
        details: Set(details.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    ticket_logs::Entity::insert(row).exec_without_returning(tx).await?;
    Ok(())
}

/// Newest first.
pub async fn page(
    db: &impl ConnectionTrait,
    ticket_id: TicketId,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<ticket_logs::Model>, DbErr> {
    let mut query = ticket_logs::Entity::find().filter(ticket_logs::Column::TicketId.eq(ticket_id.0));
    if let Some(before) = before_id {
        query = query.filter(ticket_logs::Column::Id.lt(before));
    }
    query.order_by_desc(ticket_logs::Column::Id).limit(limit + 1).all(db).await
}
