use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbound_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub message_id: i64,
    pub ticket_id: i64,
    /// Not before this time (now, or after a transient error, later).
    pub run_at: DateTimeUtc,
    pub attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    /// Set just before the provider is called and cleared when its answer is recorded: found set
    /// by a new claim, it means an instance stopped mid-call, and nobody knows if the provider
    /// took the message.
    pub attempt_started_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
