//! Rating surveys: asked, awaited, answered.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::{CompanyId, ConnectionId, ContactId, QueueId, RatingId, TicketId, UserId};

use sea_orm::sea_query::{Expr, Func};

use super::WriteTx;
use super::entities::ratings;

pub struct NewRatingRow {
    pub company_id: CompanyId,
    pub ticket_id: TicketId,
    pub contact_id: ContactId,
    pub connection_id: ConnectionId,
    pub user_id: Option<UserId>,
    pub queue_id: Option<QueueId>,
    pub requested_by: Option<UserId>,
    pub scale: u8,
    pub requested_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(tx: &WriteTx, row: NewRatingRow) -> Result<ratings::Model, DbErr> {
    ratings::ActiveModel {
        company_id: Set(row.company_id.0),
        ticket_id: Set(row.ticket_id.0),
        contact_id: Set(row.contact_id.0),
        connection_id: Set(row.connection_id.0),
        user_id: Set(row.user_id.map(i64::from)),
        queue_id: Set(row.queue_id.map(i64::from)),
        requested_by: Set(row.requested_by.map(i64::from)),
        scale: Set(i16::from(row.scale)),
        score: Set(None),
        reasked: Set(false),
        abandoned: Set(false),
        requested_at: Set(row.requested_at),
        expires_at: Set(row.expires_at),
        answered_at: Set(None),
        ..Default::default()
    }
    .insert(tx)
    .await
}

/// Surveys of this contact on this connection still waiting for an answer at `now`.
fn awaiting(
    contact_id: ContactId,
    connection_id: ConnectionId,
    now: DateTime<Utc>,
) -> sea_orm::Select<ratings::Entity> {
    ratings::Entity::find()
        .filter(ratings::Column::ContactId.eq(contact_id.0))
        .filter(ratings::Column::ConnectionId.eq(connection_id.0))
        .filter(ratings::Column::ExpiresAt.gt(now))
        .filter(ratings::Column::Score.is_null())
        .filter(ratings::Column::Abandoned.eq(false))
}

/// The newest survey awaiting this contact's answer, locked until `tx` ends.
pub async fn awaiting_for_update(
    tx: &WriteTx,
    contact_id: ContactId,
    connection_id: ConnectionId,
    now: DateTime<Utc>,
) -> Result<Option<ratings::Model>, DbErr> {
    awaiting(contact_id, connection_id, now).order_by_desc(ratings::Column::Id).lock_exclusive().one(tx).await
}

/// Gives up every survey still awaiting this contact's answer (a newer one replaces them).
pub async fn abandon_awaiting(
    tx: &WriteTx,
    contact_id: ContactId,
    connection_id: ConnectionId,
    now: DateTime<Utc>,
) -> Result<Vec<ratings::Model>, DbErr> {
    let open = awaiting(contact_id, connection_id, now).all(tx).await?;
    let mut abandoned = Vec::with_capacity(open.len());
    for row in open {
        if let Some(row) = abandon(tx, RatingId(row.id)).await? {
            abandoned.push(row);
        }
    }
    Ok(abandoned)
}

/// Records the score, once: `None` when the survey already had one or was given up.
pub async fn record_score(
    tx: &WriteTx,
    id: RatingId,
    score: u8,
    at: DateTime<Utc>,
) -> Result<Option<ratings::Model>, DbErr> {
    let changed = ratings::Entity::update_many()
        .col_expr(ratings::Column::Score, sea_orm::sea_query::Expr::value(i16::from(score)))
        .col_expr(ratings::Column::AnsweredAt, sea_orm::sea_query::Expr::value(at))
        .filter(ratings::Column::Id.eq(id.0))
        .filter(ratings::Column::Score.is_null())
        .filter(ratings::Column::Abandoned.eq(false))
        .exec(tx)
        .await?
        .rows_affected;
    if changed == 0 { Ok(None) } else { ratings::Entity::find_by_id(id.0).one(tx).await }
}

/// Marks that the contact was asked once more: `None` when that already happened.
pub async fn mark_reasked(tx: &WriteTx, id: RatingId) -> Result<Option<ratings::Model>, DbErr> {
    let changed = ratings::Entity::update_many()
        .col_expr(ratings::Column::Reasked, sea_orm::sea_query::Expr::value(true))
        .filter(ratings::Column::Id.eq(id.0))
        .filter(ratings::Column::Reasked.eq(false))
        .filter(ratings::Column::Score.is_null())
        .exec(tx)
        .await?
        .rows_affected;
    if changed == 0 { Ok(None) } else { ratings::Entity::find_by_id(id.0).one(tx).await }
}

/// Stops awaiting an answer: `None` when it was answered or given up already.
pub async fn abandon(tx: &WriteTx, id: RatingId) -> Result<Option<ratings::Model>, DbErr> {
    let changed = ratings::Entity::update_many()
        .col_expr(ratings::Column::Abandoned, sea_orm::sea_query::Expr::value(true))
        .filter(ratings::Column::Id.eq(id.0))
        .filter(ratings::Column::Score.is_null())
        .filter(ratings::Column::Abandoned.eq(false))
        .exec(tx)
        .await?
        .rows_affected;
    if changed == 0 { Ok(None) } else { ratings::Entity::find_by_id(id.0).one(tx).await }
}

/// The ticket's newest survey.
pub async fn latest_of_ticket(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    ticket_id: TicketId,
) -> Result<Option<ratings::Model>, DbErr> {
    ratings::Entity::find()
        .filter(ratings::Column::CompanyId.eq(company_id.0))
        .filter(ratings::Column::TicketId.eq(ticket_id.0))
        .order_by_desc(ratings::Column::Id)
        .one(db)
        .await
}

/// Which received ratings a report covers: answered in `[from, to)`, of this agent and queue.
#[derive(Debug, Clone, Default)]
pub struct RatingFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub user_id: Option<UserId>,
    pub queue_id: Option<QueueId>,
}

fn received(company_id: CompanyId, filter: &RatingFilter) -> sea_orm::Select<ratings::Entity> {
    let mut query = ratings::Entity::find()
        .filter(ratings::Column::CompanyId.eq(company_id.0))
        .filter(ratings::Column::Score.is_not_null());
    if let Some(from) = filter.from {
        query = query.filter(ratings::Column::AnsweredAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(ratings::Column::AnsweredAt.lt(to));
    }
    if let Some(user) = filter.user_id {
        query = query.filter(ratings::Column::UserId.eq(user.0));
    }
    if let Some(queue) = filter.queue_id {
        query = query.filter(ratings::Column::QueueId.eq(queue.0));
    }
    query
}

/// The newest received ratings matching `filter`, at most `limit`.
pub async fn received_page(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    filter: &RatingFilter,
    limit: u64,
) -> Result<Vec<ratings::Model>, DbErr> {
    received(company_id, filter)
        .order_by_desc(ratings::Column::AnsweredAt)
        .order_by_desc(ratings::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// `(agent, queue, score, how many)` of the received ratings matching `filter`, counted in SQL so
/// a long period costs a row per group, not per rating.
pub async fn received_scores(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    filter: &RatingFilter,
) -> Result<Vec<(Option<i64>, Option<i64>, i16, u32)>, DbErr> {
    use ratings::Column as R;
    type Row = (Option<i64>, Option<i64>, Option<i16>, i64);
    let rows: Vec<Row> = received(company_id, filter)
        .select_only()
        .column(R::UserId)
        .column(R::QueueId)
        .column(R::Score)
        .column_as(Expr::expr(Func::count(Expr::col(R::Id))), "count")
        .group_by(R::UserId)
        .group_by(R::QueueId)
        .group_by(R::Score)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(user, queue, score, count)| Some((user, queue, score?, u32::try_from(count).ok()?)))
        .collect())
}
