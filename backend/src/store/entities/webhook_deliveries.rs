use sea_orm::entity::prelude::*;

use crate::store::enums::DeliveryStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub webhook_id: i64,
    pub seq: i64,
    pub event_type: String,
    /// The WebSocket frame, byte for byte what is POSTed (and signed).
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When a pending delivery is due (null once delivered or failed).
    pub next_attempt_at: Option<DateTimeUtc>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub response_status: Option<i32>,
    pub latency_ms: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
