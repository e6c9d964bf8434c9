//! The durable outbox's rows: queued in the transaction that stores the message, claimed with a
//! conditional update (so two instances never both win one), removed when the provider answered.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use shared::{CompanyId, MessageId, TicketId};

use super::WriteTx;
use super::entities::outbound_jobs::{self, Column, Entity};

pub type Job = outbound_jobs::Model;

pub async fn enqueue(
    tx: &WriteTx,
    company: CompanyId,
    ticket: TicketId,
    message: MessageId,
    run_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = outbound_jobs::ActiveModel {
        company_id: Set(company.0),
        message_id: Set(message.0),
        ticket_id: Set(ticket.0),
        run_at: Set(run_at),
        attempts: Set(0),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    Entity::insert(row).exec_without_returning(tx).await?;
    Ok(())
}

/// Due rows nobody holds, each the oldest of its ticket (a conversation's messages go out in the
/// order they were written: a later one waits while an earlier one is retried).
pub async fn due(db: &impl ConnectionTrait, now: DateTime<Utc>, limit: u64) -> Result<Vec<Job>, DbErr> {
    let earlier_of_same_ticket = Query::select()
        .expr(Expr::val(1))
        .from_as(Entity, "earlier")
        .and_where(Expr::col(("earlier", Column::TicketId)).equals((Entity, Column::TicketId)))
        .and_where(Expr::col(("earlier", Column::Id)).lt(Expr::col((Entity, Column::Id))))
        .to_owned();
    Entity::find()
        .filter(Column::RunAt.lte(now))
        .filter(Column::LeaseUntil.is_null().or(Column::LeaseUntil.lt(now)))
        .filter(Expr::exists(earlier_of_same_ticket).not())
        .order_by_asc(Column::RunAt)
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Takes the row for `owner` until `until`, unless someone else took it first. The row as taken.
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

/// Keeps `owner`'s claim on the row until `until` (while its provider call runs).
pub async fn renew(tx: &WriteTx, id: i64, owner: &str, until: DateTime<Utc>) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LeaseUntil, Expr::value(until))
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseOwner.eq(owner))
        .exec(tx)
        .await?;
    Ok(())
}

/// Marks the start of a call to the provider (committed before the call).
pub async fn start_attempt(tx: &WriteTx, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::AttemptStartedAt, Expr::value(now))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .filter(Column::Id.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}

/// After a transient error: free again at `run_at`.
pub async fn retry_at(tx: &WriteTx, id: i64, run_at: DateTime<Utc>, error: &str) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::RunAt, Expr::value(run_at))
        .col_expr(Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(Column::AttemptStartedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(Column::LastError, Expr::value(error))
        .filter(Column::Id.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}

pub async fn remove(tx: &WriteTx, id: i64) -> Result<(), DbErr> {
    Entity::delete_by_id(id).exec(tx).await?;
    Ok(())
}

/// Lets go of what `owner` holds and has not started (a graceful stop): another instance may
/// take it at once.
pub async fn release(tx: &WriteTx, owner: &str) -> Result<u64, DbErr> {
    let released = Entity::update_many()
        .col_expr(Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(Column::LeaseOwner.eq(owner))
        .filter(Column::AttemptStartedAt.is_null())
        .exec(tx)
        .await?;
    Ok(released.rows_affected)
}
