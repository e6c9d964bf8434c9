use sea_orm::entity::prelude::*;

use crate::store::enums::TicketStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub company_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub kind: String,
    /// Who may see it: the place of the ticket it concerns (no status: the whole company).
    pub ticket_status: Option<TicketStatus>,
    pub queue_id: Option<i64>,
    pub user_id: Option<i64>,
    pub payload: String,
    /// The ticket the event is about (its current visibility filters a replay).
    pub ticket_id: Option<i64>,
    /// The contact whose data it carries (deleted with the contact).
    pub contact_id: Option<i64>,
    /// Only the company's admins may receive it.
    pub admins_only: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
