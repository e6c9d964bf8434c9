//! WhatsApp Web sessions: the sealed keys of each connection and the lease of the instance that runs
//! it (claimed with a conditional update, like an outbox job, so two instances never both win one).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use shared::ConnectionId;

use super::WriteTx;
use super::entities::whatsapp_web_sessions::{self, Column, Entity};

pub type SessionRow = whatsapp_web_sessions::Model;

pub async fn get(db: &impl ConnectionTrait, id: ConnectionId) -> Result<Option<SessionRow>, DbErr> {
    Entity::find_by_id(id.0).one(db).await
}

/// The row of the connection, created empty when missing.
pub async fn ensure(tx: &WriteTx, id: ConnectionId) -> Result<(), DbErr> {
    let row = whatsapp_web_sessions::ActiveModel {
        connection_id: Set(id.0),
        session: Set(None),
        wanted: Set(false),
        lease_owner: Set(None),
        lease_until: Set(None),
        updated_at: Set(Utc::now()),
    };
    let result = Entity::insert(row)
        .on_conflict(OnConflict::column(Column::ConnectionId).do_nothing().to_owned())
        .exec_without_returning(tx)
        .await;
    match result {
        Ok(_) | Err(DbErr::RecordNotInserted) => Ok(()),
        Err(error) => Err(error),
    }
}

/// Takes (or keeps) the lease for `owner` until `until`, unless another instance holds one that has
/// not run out. Whether `owner` holds it now.
pub async fn claim(
    tx: &WriteTx,
    id: ConnectionId,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let taken = Entity::update_many()
        .col_expr(Column::LeaseOwner, Expr::value(owner))
        .col_expr(Column::LeaseUntil, Expr::value(until))
        .filter(Column::ConnectionId.eq(id.0))
        .filter(Column::LeaseOwner.eq(owner).or(Column::LeaseUntil.is_null()).or(Column::LeaseUntil.lt(now)))
        .exec(tx)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Lets the lease go (a logout, or a graceful stop), so another instance may take it at once.
pub async fn release(tx: &WriteTx, id: ConnectionId, owner: &str) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(Column::ConnectionId.eq(id.0))
        .filter(Column::LeaseOwner.eq(owner))
        .exec(tx)
        .await?;
    Ok(())
}

pub async fn set_wanted(tx: &WriteTx, id: ConnectionId, wanted: bool) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Wanted, Expr::value(wanted))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::ConnectionId.eq(id.0))
        .exec(tx)
        .await?;
    Ok(())
}

/// Replaces the sealed session (`None` forgets it: a logout).
pub async fn set_session(tx: &WriteTx, id: ConnectionId, sealed: Option<&str>) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Session, Expr::value(sealed.map(str::to_owned)))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::ConnectionId.eq(id.0))
        .exec(tx)
        .await?;
    Ok(())
}

/// Connections whose session should run (what a starting server resumes).
pub async fn wanted(db: &impl ConnectionTrait) -> Result<Vec<SessionRow>, DbErr> {
    Entity::find().filter(Column::Wanted.eq(true)).all(db).await
}
