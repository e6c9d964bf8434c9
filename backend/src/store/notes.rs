use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::{CompanyId, NoteId, TicketId, UserId};

use super::WriteTx;
use super::entities::notes;

pub async fn insert(
    tx: &WriteTx,
    company_id: CompanyId,
    ticket_id: TicketId,
    user_id: UserId,
    user_name: &str,
    body: &str,
) -> Result<notes::Model, DbErr> {
    notes::ActiveModel {
        company_id: Set(company_id.0),
        ticket_id: Set(ticket_id.0),
        user_id: Set(user_id.0),
        user_name: Set(user_name.to_owned()),
        body: Set(body.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: NoteId,
) -> Result<Option<notes::Model>, DbErr> {
    notes::Entity::find_by_id(id.0).filter(notes::Column::CompanyId.eq(company_id.0)).one(db).await
}

pub async fn delete(tx: &WriteTx, id: NoteId) -> Result<u64, DbErr> {
    Ok(notes::Entity::delete_by_id(id.0).exec(tx).await?.rows_affected)
}

/// A ticket's notes, newest first, before the note `before_id`.
pub async fn page(
    db: &impl ConnectionTrait,
    ticket_id: TicketId,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<notes::Model>, DbErr> {
    let mut query = notes::Entity::find().filter(notes::Column::TicketId.eq(ticket_id.0));
    if let Some(before) = before_id {
        query = query.filter(notes::Column::Id.lt(before));
    }
    query.order_by_desc(notes::Column::Id).limit(limit + 1).all(db).await
}
