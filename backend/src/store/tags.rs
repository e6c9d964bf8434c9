use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use shared::{CompanyId, TagId, TicketId};

use super::WriteTx;
use super::entities::{tags, ticket_tags};

pub async fn insert(
    tx: &WriteTx,
    company_id: CompanyId,
    name: &str,
    color: &str,
    position: i32,
) -> Result<tags::Model, DbErr> {
    tags::ActiveModel {
        company_id: Set(company_id.0),
        name: Set(name.to_owned()),
        color: Set(color.to_owned()),
        position: Set(position),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(tx)
    .await
}

/// One past the company's last position (0 for its first tag).
pub async fn next_position(db: &impl ConnectionTrait, company_id: CompanyId) -> Result<i32, DbErr> {
    let last = tags::Entity::find()
        .filter(tags::Column::CompanyId.eq(company_id.0))
        .order_by_desc(tags::Column::Position)
        .one(db)
        .await?;
    Ok(last.map_or(0, |tag| tag.position.saturating_add(1)))
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: TagId,
) -> Result<Option<tags::Model>, DbErr> {
    tags::Entity::find_by_id(id.0).filter(tags::Column::CompanyId.eq(company_id.0)).one(db).await
}

pub async fn update(tx: &WriteTx, row: tags::ActiveModel) -> Result<tags::Model, DbErr> {
    row.update(tx).await
}

pub async fn delete(tx: &WriteTx, id: TagId) -> Result<u64, DbErr> {
    Ok(tags::Entity::delete_by_id(id.0).exec(tx).await?.rows_affected)
}

/// A page of the company's tags by position (ties by id), after the tag `after_id`.
pub async fn page(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<tags::Model>, DbErr> {
    use tags::Column as C;
    let mut query = tags::Entity::find().filter(C::CompanyId.eq(company_id.0));
    if let Some(after) = after_id {
        // The cursor names the last tag seen; its position is read back here, so the cursor
        // stays an id like every other list's. A tag deleted meanwhile falls back to ids.
        let beyond = match get_in_company(db, company_id, TagId(after)).await? {
            Some(last) => Condition::any()
                .add(C::Position.gt(last.position))
                .add(Condition::all().add(C::Position.eq(last.position)).add(C::Id.gt(after))),
            None => Condition::all().add(C::Id.gt(after)),
        };
        query = query.filter(beyond);
    }
    query.order_by_asc(C::Position).order_by_asc(C::Id).limit(limit + 1).all(db).await
}

/// The tags of these tickets, in one query: `(ticket id, tag)` ordered by the tags' positions.
pub async fn of_tickets(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    ticket_ids: &[TicketId],
) -> Result<Vec<(i64, tags::Model)>, DbErr> {
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = ticket_tags::Entity::find()
        .find_also_related(tags::Entity)
        .filter(ticket_tags::Column::CompanyId.eq(company_id.0))
        .filter(ticket_tags::Column::TicketId.is_in(ticket_ids.iter().map(|id| id.0)))
        .order_by_asc(Expr::col((tags::Entity, tags::Column::Position)))
        .order_by_asc(Expr::col((tags::Entity, tags::Column::Id)))
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(link, tag)| tag.map(|tag| (link.ticket_id, tag))).collect())
}

/// Puts the tag on the ticket; false when it was already there.
pub async fn attach(tx: &WriteTx, company_id: CompanyId, ticket_id: TicketId, tag_id: TagId) -> Result<bool, DbErr> {
    let row = ticket_tags::ActiveModel {
        ticket_id: Set(ticket_id.0),
        tag_id: Set(tag_id.0),
        company_id: Set(company_id.0),
        created_at: Set(Utc::now()),
    };
    let inserted = ticket_tags::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([ticket_tags::Column::TicketId, ticket_tags::Column::TagId]).do_nothing().to_owned(),
        )
        .exec_without_returning(tx)
        .await?;
    Ok(inserted == 1)
}

/// Takes the tag off the ticket; false when it was not there.
pub async fn detach(tx: &WriteTx, ticket_id: TicketId, tag_id: TagId) -> Result<bool, DbErr> {
    let deleted = ticket_tags::Entity::delete_many()
        .filter(ticket_tags::Column::TicketId.eq(ticket_id.0))
        .filter(ticket_tags::Column::TagId.eq(tag_id.0))
        .exec(tx)
        .await?;
    Ok(deleted.rows_affected == 1)
}

/// The tickets carrying a tag (told when the tag goes).
pub async fn tickets_with(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    tag_id: TagId,
) -> Result<Vec<TicketId>, DbErr> {
    let rows = ticket_tags::Entity::find()
        .filter(ticket_tags::Column::CompanyId.eq(company_id.0))
        .filter(ticket_tags::Column::TagId.eq(tag_id.0))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| TicketId(row.ticket_id)).collect())
}
