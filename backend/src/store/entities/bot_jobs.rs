use sea_orm::entity::prelude::*;

/// A customer message a bot still has to answer, queued in the transaction that stored it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bot_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub ticket_id: i64,
    pub message_id: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    /// Set (and committed) just before the provider is called: found set by a new claim, the
    /// instance stopped mid-call and the bot may already have moved on.
    pub attempt_started_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
