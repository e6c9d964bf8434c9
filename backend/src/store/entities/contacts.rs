use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub name: String,
    pub number: String,
    pub email: Option<String>,
    pub photo_url: Option<String>,
    pub extra: String,
    pub is_group: bool,
    pub blocked: bool,
    /// The contact's fixed agent (Carteira).
    pub wallet_user_id: Option<i64>,
    /// `name` folded for search (`migrations::fold_for_search`); the store keeps it in step.
    pub name_folded: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
