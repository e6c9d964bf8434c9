use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "whatsapp_web_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub connection_id: i64,
    /// The session's keys, sealed (`secrets::Sealer`, purpose `whatsapp_web.session`).
    pub session: Option<String>,
    /// Connect was asked and no logout since: a restarted server resumes it.
    pub wanted: bool,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
