use sea_orm::entity::prelude::*;

use crate::store::enums::ScheduleStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "schedules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub contact_id: i64,
    pub ticket_id: Option<i64>,
    pub body: String,
    pub media_path: Option<String>,
    pub media_mime: Option<String>,
    pub media_name: Option<String>,
    /// The message kind the file goes out as (`audio`, `image`…).
    pub media_kind: Option<String>,
    pub send_at: DateTimeUtc,
    pub status: ScheduleStatus,
    pub sent_at: Option<DateTimeUtc>,
    pub late: bool,
    pub error: Option<String>,
    pub message_id: Option<i64>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
