use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "company_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub company_id: i64,
    /// The `general` section as JSON.
    pub general: String,
    /// The integrations' sections as JSON (secrets inside sealed); null until first saved.
    pub typebot: Option<String>,
    pub chatgpt: Option<String>,
    pub dialogflow: Option<String>,
    pub comtele: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
