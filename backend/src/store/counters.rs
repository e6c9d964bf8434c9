//! Per-company counters (ticket numbers, the event sequence), incremented atomically inside the
//! caller's transaction so numbers are gap-free and follow commit order.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

use super::entities::company_counters;

pub const TICKET_NUMBER: &str = "ticket_number";
pub const EVENT_SEQ: &str = "event_seq";

pub async fn next(db: &impl ConnectionTrait, company_id: i64, name: &str) -> Result<i64, DbErr> {
    let row = company_counters::ActiveModel { company_id: Set(company_id), name: Set(name.to_owned()), value: Set(1) };
    let saved = company_counters::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([company_counters::Column::CompanyId, company_counters::Column::Name])
                .value(
                    company_counters::Column::Value,
                    Expr::col((company_counters::Entity, company_counters::Column::Value)).add(1),
                )
                .to_owned(),
        )
        .exec_with_returning(db)
        .await?;
    Ok(saved.value)
}
