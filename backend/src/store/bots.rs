//! The bots' queue of customer messages to answer: queued in the inbound transaction, claimed with
//! a conditional update (one instance wins a row), removed with the bot's answer.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use shared::{CompanyId, MessageId, TicketId};

use super::WriteTx;
use super::entities::bot_jobs::{self, Column, Entity};

pub type Job = bot_jobs::Model;

pub async fn enqueue(tx: &WriteTx, company: CompanyId, ticket: TicketId, message: MessageId) -> Result<(), DbErr> {
    let row = bot_jobs::ActiveModel {
        company_id: Set(company.0),
        ticket_id: Set(ticket.0),
        message_id: Set(message.0),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    Entity::insert(row)
        .on_conflict(sea_orm::sea_query::OnConflict::column(Column::MessageId).do_nothing().to_owned())
        .exec_without_returning(tx)
        .await?;
    Ok(())
}

/// Rows nobody holds, each the oldest of its ticket (a bot reads a conversation in order).
pub async fn due(db: &impl ConnectionTrait, now: DateTime<Utc>, limit: u64) -> Result<Vec<Job>, DbErr> {
    let earlier_of_same_ticket = Query::select()
        .expr(Expr::val(1))
        .from_as(Entity, "earlier")
        .and_where(Expr::col(("earlier", Column::TicketId)).equals((Entity, Column::TicketId)))
        .and_where(Expr::col(("earlier", Column::Id)).lt(Expr::col((Entity, Column::Id))))
        .to_owned();
    Entity::find()
        .filter(Column::LeaseUntil.is_null().or(Column::LeaseUntil.lt(now)))
        .filter(Expr::exists(earlier_of_same_ticket).not())
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Takes the row for `owner` until `until`, unless someone else holds it. The row as taken.
pub async fn claim(
    tx: &WriteTx,
    id: i64,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Option<Job>, DbErr> {
    let taken = Entity::update_many()
        .col_expr(Column::LeaseOwner, Expr::value(owner))
        .col_expr(Column::LeaseUntil, Expr::value(until))
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseUntil.is_null().or(Column::LeaseUntil.lt(now)))
        .exec(tx)
        .await?;
    if taken.rows_affected == 0 {
        return Ok(None);
    }
    Entity::find_by_id(id).one(tx).await
}

pub async fn start_attempt(tx: &WriteTx, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::AttemptStartedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}

pub async fn remove(tx: &WriteTx, id: i64) -> Result<(), DbErr> {
    Entity::delete_by_id(id).exec(tx).await?;
    Ok(())
}

/// Lets go of what `owner` holds and has not started (a graceful stop).
pub async fn release(tx: &WriteTx, owner: &str) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(Column::LeaseOwner.eq(owner))
        .filter(Column::AttemptStartedAt.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// Keeps a bot's provider state on the ticket, only while that bot still answers it.
pub async fn save_state(
    tx: &WriteTx,
    ticket: TicketId,
    bot: super::enums::BotKind,
    state: Option<String>,
) -> Result<(), DbErr> {
    use super::entities::tickets;
    tickets::Entity::update_many()
        .col_expr(tickets::Column::BotState, Expr::value(state))
        .filter(tickets::Column::Id.eq(ticket.0))
        .filter(tickets::Column::Bot.eq(bot))
        .exec(tx)
        .await?;
    Ok(())
}
