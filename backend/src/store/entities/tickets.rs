use sea_orm::entity::prelude::*;

use crate::store::enums::{TicketKind, TicketStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub number: i64,
    pub status: TicketStatus,
    pub kind: TicketKind,
    pub contact_id: i64,
    pub connection_id: i64,
    pub queue_id: Option<i64>,
    pub user_id: Option<i64>,
    pub unread_count: i32,
    pub last_message_body: Option<String>,
    pub last_message_at: Option<DateTimeUtc>,
    pub last_message_from_me: bool,
    pub queued_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    /// The bot answering the contact (at most one); null: people do.
    pub bot: Option<crate::store::enums::BotKind>,
    /// The bot's provider state as JSON (Typebot: its session and the options it offered).
    pub bot_state: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
