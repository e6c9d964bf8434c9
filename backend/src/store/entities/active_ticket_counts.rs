//! How many open or pending tickets stand at each (status, queue, agent) of a company, kept by
//! triggers on `tickets` (migration `m20261129_000034`). No queue or no agent is 0.

use sea_orm::entity::prelude::*;

use crate::store::enums::TicketStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "active_ticket_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub company_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub status: TicketStatus,
    #[sea_orm(primary_key, auto_increment = false)]
    pub queue_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub tickets: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
