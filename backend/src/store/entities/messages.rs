use sea_orm::entity::prelude::*;

use crate::store::enums::{MessageKind, MessageStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub ticket_id: i64,
    pub connection_id: i64,
    pub contact_id: i64,
    pub user_id: Option<i64>,
    pub from_me: bool,
    pub kind: MessageKind,
    pub body: String,
    pub media_path: Option<String>,
    pub media_mime: Option<String>,
    pub media_name: Option<String>,
    pub status: MessageStatus,
    pub error: Option<String>,
    pub external_id: Option<String>,
    pub quoted_id: Option<i64>,
    /// System messages: the `shared::tickets::SystemNote` as JSON.
    pub system_note: Option<String>,
    /// Inbound messages: a `shared::message_meta::MessageMetadata` as JSON.
    pub metadata: Option<String>,
    /// Group messages: who wrote it.
    pub participant_name: Option<String>,
    pub participant_number: Option<String>,
    /// Null: the ticket's connection; `sms`: sent by Comtele.
    pub channel: Option<crate::store::enums::MessageChannel>,
    /// A bot's message: which bot wrote it.
    pub bot: Option<crate::store::enums::BotKind>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
