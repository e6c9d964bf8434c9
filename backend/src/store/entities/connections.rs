use sea_orm::entity::prelude::*;

use crate::store::enums::{ConnectionKind, ConnectionStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "connections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub name: String,
    pub kind: ConnectionKind,
    pub status: ConnectionStatus,
    /// Why it is in error or disconnected, in the provider's words.
    pub status_reason: Option<String>,
    /// WhatsApp Web, while pairing: the QR code's text to scan (rotates every few seconds).
    pub qr: Option<String>,
    pub default_queue_id: Option<i64>,
    /// The bot new tickets of this connection start with (before the queue's).
    pub default_bot: Option<crate::store::enums::BotKind>,
    /// JSON: the channel settings (Cloud API ids and secrets).
    pub settings: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
