use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entities::messages;

pub struct MediaRow<'a> {
    /// Relative to the data dir; `None` when the file could not be fetched.
    pub path: Option<&'a str>,
    pub mime: &'a str,
    pub name: &'a str,
}

pub struct NewMessageRow<'a> {
    pub company_id: i64,
    pub ticket_id: i64,
    pub connection_id: i64,
    pub contact_id: i64,
    pub user_id: Option<i64>,
    pub from_me: bool,
    pub kind: &'a str,
    pub body: &'a str,
    pub status: &'a str,
    pub external_id: Option<&'a str>,
    pub quoted_id: Option<i64>,
    pub media: Option<MediaRow<'a>>,
    /// Why sending failed, or why an inbound file is missing.
    pub error: Option<&'a str>,
    pub created_at: DateTime<Utc>,
}

/// Inserts the message; `None` when a message with the same external id already exists on the
/// connection (the unique index decides, so concurrent deliveries cannot both win).
pub async fn insert(db: &impl ConnectionTrait, row: NewMessageRow<'_>) -> Result<Option<messages::Model>, DbErr> {
    let model = messages::ActiveModel {
        company_id: Set(row.company_id),
        ticket_id: Set(row.ticket_id),
        connection_id: Set(row.connection_id),
        contact_id: Set(row.contact_id),
        user_id: Set(row.user_id),
        from_me: Set(row.from_me),
        kind: Set(row.kind.to_owned()),
        body: Set(row.body.to_owned()),
        media_path: Set(row.media.as_ref().and_then(|m| m.path).map(str::to_owned)),
        media_mime: Set(row.media.as_ref().map(|m| m.mime.to_owned())),
        media_name: Set(row.media.as_ref().map(|m| m.name.to_owned())),
        status: Set(row.status.to_owned()),
        error: Set(row.error.map(str::to_owned)),
        external_id: Set(row.external_id.map(str::to_owned)),
        quoted_id: Set(row.quoted_id),
        created_at: Set(row.created_at),
        updated_at: Set(row.created_at),
        ..Default::default()
    };
    let result = messages::Entity::insert(model)
        .on_conflict(
            OnConflict::columns([messages::Column::ConnectionId, messages::Column::ExternalId]).do_nothing().to_owned(),
        )
        .exec_with_returning(db)
        .await;
    match result {
        Ok(saved) => Ok(Some(saved)),
        Err(DbErr::RecordNotInserted) => Ok(None),
        Err(error) => Err(error),
    }
}

pub async fn update(db: &impl ConnectionTrait, mut row: messages::ActiveModel) -> Result<messages::Model, DbErr> {
    row.updated_at = Set(Utc::now());
    row.update(db).await
}

pub async fn find_external(
    db: &impl ConnectionTrait,
    connection_id: i64,
    external_id: &str,
) -> Result<Option<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::ConnectionId.eq(connection_id))
        .filter(messages::Column::ExternalId.eq(external_id))
        .one(db)
        .await
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<Option<messages::Model>, DbErr> {
    messages::Entity::find_by_id(id).one(db).await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: i64,
    id: i64,
) -> Result<Option<messages::Model>, DbErr> {
    messages::Entity::find_by_id(id).filter(messages::Column::CompanyId.eq(company_id)).one(db).await
}

pub async fn get_in_ticket(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    id: i64,
) -> Result<Option<messages::Model>, DbErr> {
    messages::Entity::find_by_id(id).filter(messages::Column::TicketId.eq(ticket_id)).one(db).await
}

/// Newest first, before `before_id`.
pub async fn page(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<messages::Model>, DbErr> {
    let mut query = messages::Entity::find().filter(messages::Column::TicketId.eq(ticket_id));
    if let Some(before) = before_id {
        query = query.filter(messages::Column::Id.lt(before));
    }
    query.order_by_desc(messages::Column::Id).limit(limit + 1).all(db).await
}

/// Outbound messages still `pending` since before `before`: their send was interrupted.
pub async fn stale_pending(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<Vec<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::FromMe.eq(true))
        .filter(messages::Column::Status.eq("pending"))
        .filter(messages::Column::CreatedAt.lt(before))
        .all(db)
        .await
}
