//! Scheduled messages' rows.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use shared::schedules::ScheduleStatus;
use shared::{CompanyId, ContactId, MessageId, ScheduleId, TicketId, UserId};

use super::WriteTx;
use super::entities::schedules::{self, Column, Entity};
use super::enums;

pub type Row = schedules::Model;

pub struct NewScheduleRow<'a> {
    pub company_id: CompanyId,
    pub contact_id: ContactId,
    pub ticket_id: Option<TicketId>,
    pub body: &'a str,
    pub media: Option<super::messages::MediaRow<'a>>,
    pub media_kind: Option<&'a str>,
    pub send_at: DateTime<Utc>,
    pub created_by: UserId,
}

pub async fn insert(tx: &WriteTx, row: NewScheduleRow<'_>) -> Result<Row, DbErr> {
    let now = Utc::now();
    let media = row.media.as_ref();
    schedules::ActiveModel {
        company_id: Set(row.company_id.0),
        contact_id: Set(row.contact_id.0),
        ticket_id: Set(row.ticket_id.map(|t| t.0)),
        body: Set(row.body.to_owned()),
        media_path: Set(media.and_then(|m| m.path.map(str::to_owned))),
        media_mime: Set(media.map(|m| m.mime.to_owned())),
        media_name: Set(media.map(|m| m.name.to_owned())),
        media_kind: Set(row.media_kind.map(str::to_owned)),
        send_at: Set(row.send_at),
        status: Set(enums::ScheduleStatus::Scheduled),
        sent_at: Set(None),
        late: Set(false),
        error: Set(None),
        message_id: Set(None),
        created_by: Set(row.created_by.0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company: CompanyId,
    id: ScheduleId,
) -> Result<Option<Row>, DbErr> {
    Entity::find_by_id(id.0).filter(Column::CompanyId.eq(company.0)).one(db).await
}

pub async fn get(db: &impl ConnectionTrait, id: ScheduleId) -> Result<Option<Row>, DbErr> {
    Entity::find_by_id(id.0).one(db).await
}

/// What a list may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ScheduleFilter {
    pub contact_id: Option<ContactId>,
    pub ticket_id: Option<TicketId>,
    pub status: Option<ScheduleStatus>,
    pub created_by: Option<UserId>,
}

/// Newest first (by id), after the cursor.
pub async fn page(
    db: &impl ConnectionTrait,
    company: CompanyId,
    filter: &ScheduleFilter,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Row>, DbErr> {
    let mut condition = Condition::all().add(Column::CompanyId.eq(company.0));
    if let Some(contact) = filter.contact_id {
        condition = condition.add(Column::ContactId.eq(contact.0));
    }
    if let Some(ticket) = filter.ticket_id {
        condition = condition.add(Column::TicketId.eq(ticket.0));
    }
    if let Some(status) = filter.status {
        condition = condition.add(Column::Status.eq(enums::ScheduleStatus::from(status)));
    }
    if let Some(user) = filter.created_by {
        condition = condition.add(Column::CreatedBy.eq(user.0));
    }
    if let Some(before) = before_id {
        condition = condition.add(Column::Id.lt(before));
    }
    Entity::find().filter(condition).order_by_desc(Column::Id).limit(limit + 1).all(db).await
}

/// Scheduled ones whose time has come, oldest first.
pub async fn due(db: &impl ConnectionTrait, now: DateTime<Utc>, limit: u64) -> Result<Vec<Row>, DbErr> {
    Entity::find()
        .filter(Column::Status.eq(enums::ScheduleStatus::Scheduled))
        .filter(Column::SendAt.lte(now))
        .order_by_asc(Column::SendAt)
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Moves a still-scheduled row to `status`; false when it was no longer scheduled (sent by
/// another instance, or canceled meanwhile). On PostgreSQL the second of two racing updates waits
/// for the first and then finds nothing to change.
pub async fn settle(tx: &WriteTx, id: ScheduleId, status: ScheduleStatus, outcome: Settled<'_>) -> Result<bool, DbErr> {
    let now = Utc::now();
    let updated = Entity::update_many()
        .col_expr(Column::Status, Expr::value(enums::ScheduleStatus::from(status)))
        .col_expr(Column::SentAt, Expr::value(outcome.sent_at))
        .col_expr(Column::Late, Expr::value(outcome.late))
        .col_expr(Column::Error, Expr::value(outcome.error.map(str::to_owned)))
        .col_expr(Column::MessageId, Expr::value(outcome.message_id.map(|m| m.0)))
        .col_expr(Column::TicketId, Expr::value(outcome.ticket_id.map(|t| t.0)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id.0))
        .filter(Column::Status.eq(enums::ScheduleStatus::Scheduled))
        .exec(tx)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// What became of a schedule.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settled<'a> {
    pub sent_at: Option<DateTime<Utc>>,
    pub late: bool,
    pub error: Option<&'a str>,
    pub message_id: Option<MessageId>,
    pub ticket_id: Option<TicketId>,
}

pub async fn update(tx: &WriteTx, mut row: schedules::ActiveModel) -> Result<Row, DbErr> {
    row.updated_at = Set(Utc::now());
    row.update(tx).await
}

/// The schedule a sent message came from, if any.
pub async fn of_message(db: &impl ConnectionTrait, message: MessageId) -> Result<Option<Row>, DbErr> {
    Entity::find().filter(Column::MessageId.eq(message.0)).one(db).await
}

/// A sent schedule whose message the provider refused afterwards.
pub async fn mark_failed(tx: &WriteTx, id: ScheduleId, error: &str) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(enums::ScheduleStatus::Failed))
        .col_expr(Column::Error, Expr::value(error))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::Id.eq(id.0))
        .exec(tx)
        .await?;
    Ok(())
}

/// Files of the contact's schedules, to remove from disk with them.
pub async fn media_paths_of_contact(db: &impl ConnectionTrait, contact: ContactId) -> Result<Vec<String>, DbErr> {
    let rows =
        Entity::find().filter(Column::ContactId.eq(contact.0)).filter(Column::MediaPath.is_not_null()).all(db).await?;
    Ok(rows.into_iter().filter_map(|r| r.media_path).collect())
}
