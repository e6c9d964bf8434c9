//! Protocol numbers. Each is unique per company (`uq_protocols_company_number`), which is also
//! the index a search by number uses.

use chrono::Utc;
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use super::WriteTx;
use super::entities::protocols;
use shared::{CompanyId, ContactId, TicketId, UserId};

pub struct NewProtocolRow<'a> {
    pub company_id: CompanyId,
    pub ticket_id: TicketId,
    pub contact_id: ContactId,
    pub user_id: Option<UserId>,
    pub number: &'a str,
}

pub async fn insert(tx: &WriteTx, row: NewProtocolRow<'_>) -> Result<protocols::Model, DbErr> {
    protocols::ActiveModel {
        company_id: Set(row.company_id.0),
        ticket_id: Set(row.ticket_id.0),
        contact_id: Set(row.contact_id.0),
        user_id: Set(row.user_id.map(i64::from)),
        number: Set(row.number.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(tx)
    .await
}

/// A ticket's protocols, oldest first.
pub async fn of_ticket(db: &impl ConnectionTrait, ticket_id: TicketId) -> Result<Vec<protocols::Model>, DbErr> {
    protocols::Entity::find()
        .filter(protocols::Column::TicketId.eq(ticket_id.0))
        .order_by_asc(protocols::Column::Id)
        .all(db)
        .await
}

/// A contact's protocols (all their tickets), newest first.
pub async fn of_contact(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    contact_id: ContactId,
) -> Result<Vec<protocols::Model>, DbErr> {
    protocols::Entity::find()
        .filter(protocols::Column::CompanyId.eq(company_id.0))
        .filter(protocols::Column::ContactId.eq(contact_id.0))
        .order_by_desc(protocols::Column::Id)
        .all(db)
        .await
}

/// `SELECT ticket_id FROM protocols WHERE company_id = ? AND number = ?`: the ticket of a number,
/// for the ticket search (an exact lookup on the unique index).
pub fn ticket_of_number(company_id: CompanyId, number: &str) -> SelectStatement {
    Query::select()
        .column(protocols::Column::TicketId)
        .from(protocols::Entity)
        .and_where(protocols::Column::CompanyId.eq(company_id.0))
        .and_where(protocols::Column::Number.eq(number))
        .to_owned()
}
