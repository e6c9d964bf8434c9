//! Per-company counters (ticket numbers, the event sequence), incremented atomically inside the
//! caller's transaction so numbers are gap-free and follow commit order.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{DbErr, EntityTrait, Set};

use super::WriteTx;
use super::entities::company_counters;
use shared::CompanyId;

pub const TICKET_NUMBER: &str = "ticket_number";
pub const EVENT_SEQ: &str = "event_seq";
/// Protocol numbers count per local day: this prefix and the day (`protocol:20261128`).
pub const PROTOCOL_DAY: &str = "protocol:";

pub async fn next(tx: &WriteTx, company_id: CompanyId, name: &str) -> Result<i64, DbErr> {
    let row =
        company_counters::ActiveModel { company_id: Set(company_id.0), name: Set(name.to_owned()), value: Set(1) };
    let saved = company_counters::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([company_counters::Column::CompanyId, company_counters::Column::Name])
                .value(
                    company_counters::Column::Value,
                    Expr::col((company_counters::Entity, company_counters::Column::Value)).add(1),
                )
                .to_owned(),
        )
        .exec_with_returning(tx)
        .await?;
    Ok(saved.value)
}

/// Moves the counter `count` steps at once and returns its new value: the values taken are
/// `value - count + 1 ..= value` (one statement for a transaction's several events).
pub async fn next_many(tx: &WriteTx, company_id: CompanyId, name: &str, count: i64) -> Result<i64, DbErr> {
    let step = i32::try_from(count).map_err(|_| DbErr::Custom(format!("{count} counter steps at once")))?;
    let row =
        company_counters::ActiveModel { company_id: Set(company_id.0), name: Set(name.to_owned()), value: Set(count) };
    let saved = company_counters::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([company_counters::Column::CompanyId, company_counters::Column::Name])
                .value(
                    company_counters::Column::Value,
                    // Bound as a 4-byte integer, like `next`'s 1: PostgreSQL types the parameter from
                    // the column it is added to.
                    Expr::col((company_counters::Entity, company_counters::Column::Value)).add(step),
                )
                .to_owned(),
        )
        .exec_with_returning(tx)
        .await?;
    Ok(saved.value)
}

/// The counter's current value (0 before its first use), without moving it.
pub async fn current(db: &impl sea_orm::ConnectionTrait, company_id: CompanyId, name: &str) -> Result<i64, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let row = company_counters::Entity::find()
        .filter(company_counters::Column::CompanyId.eq(company_id.0))
        .filter(company_counters::Column::Name.eq(name))
        .one(db)
        .await?;
    Ok(row.map(|r| r.value).unwrap_or(0))
}
