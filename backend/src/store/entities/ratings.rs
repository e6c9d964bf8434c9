use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ratings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub ticket_id: i64,
    pub contact_id: i64,
    pub connection_id: i64,
    pub user_id: Option<i64>,
    pub queue_id: Option<i64>,
    pub requested_by: Option<i64>,
    pub scale: i16,
    pub score: Option<i16>,
    pub reasked: bool,
    pub abandoned: bool,
    pub requested_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
