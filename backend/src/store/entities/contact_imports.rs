use sea_orm::entity::prelude::*;

use crate::store::enums::{ImportExisting, ImportStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub user_id: i64,
    pub instance_id: String,
    pub status: ImportStatus,
    pub existing: ImportExisting,
    pub file_name: String,
    pub file_path: String,
    pub total: i32,
    pub processed: i32,
    pub created: i32,
    pub updated: i32,
    pub skipped: i32,
    pub rejected: i32,
    /// JSON array of `shared::contact_imports::ImportRowError`.
    pub errors: String,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
