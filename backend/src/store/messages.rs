use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use shared::tickets::{MessageKind, MessageStatus};
use shared::{CompanyId, ConnectionId, ContactId, MessageId, TicketId, UserId};

use super::WriteTx;
use super::entities::{messages, outbound_jobs};
use super::enums;

pub struct MediaRow<'a> {
    /// Its name in the media store (`media/<company>/<uuid>`); `None` when the file could not be fetched.
    pub path: Option<&'a str>,
    pub mime: &'a str,
    pub name: &'a str,
}

pub struct NewMessageRow<'a> {
    pub company_id: CompanyId,
    pub ticket_id: TicketId,
    pub connection_id: ConnectionId,
    pub contact_id: ContactId,
    pub user_id: Option<UserId>,
    pub from_me: bool,
    pub kind: MessageKind,
    pub body: &'a str,
    pub status: MessageStatus,
    pub external_id: Option<&'a str>,
    pub quoted_id: Option<MessageId>,
    /// System messages: what happened, as JSON.
    pub system_note: Option<String>,
    pub media: Option<MediaRow<'a>>,
    /// Why sending failed, or why an inbound file is missing.
    pub error: Option<&'a str>,
    /// Inbound messages: what they carry beside the text, as JSON.
    pub metadata: Option<String>,
    /// Group messages: who wrote it (name, number).
    pub participant: Option<(&'a str, &'a str)>,
    /// A bot's reply: which bot wrote it.
    pub bot: Option<super::enums::BotKind>,
    pub created_at: DateTime<Utc>,
}

/// Inserts the message; `None` when a message with the same external id already exists on the
/// connection (the unique index decides, so concurrent deliveries cannot both win).
pub async fn insert(tx: &WriteTx, row: NewMessageRow<'_>) -> Result<Option<messages::Model>, DbErr> {
    let model = messages::ActiveModel {
        company_id: Set(row.company_id.into()),
        ticket_id: Set(row.ticket_id.into()),
        connection_id: Set(row.connection_id.into()),
        contact_id: Set(row.contact_id.into()),
        user_id: Set(row.user_id.map(i64::from)),
        from_me: Set(row.from_me),
        kind: Set(row.kind.into()),
        body: Set(row.body.to_owned()),
        media_path: Set(row.media.as_ref().and_then(|m| m.path).map(str::to_owned)),
        media_mime: Set(row.media.as_ref().map(|m| m.mime.to_owned())),
        media_name: Set(row.media.as_ref().map(|m| m.name.to_owned())),
        status: Set(row.status.into()),
        error: Set(row.error.map(str::to_owned)),
        external_id: Set(row.external_id.map(str::to_owned)),
        quoted_id: Set(row.quoted_id.map(i64::from)),
        system_note: Set(row.system_note),
        metadata: Set(row.metadata),
        participant_name: Set(row.participant.map(|(name, _)| name.to_owned())),
        participant_number: Set(row.participant.map(|(_, number)| number.to_owned())),
        bot: Set(row.bot),
        created_at: Set(row.created_at),
        updated_at: Set(row.created_at),
        ..Default::default()
    };
    let result = messages::Entity::insert(model)
        .on_conflict(
            OnConflict::columns([messages::Column::ConnectionId, messages::Column::ExternalId]).do_nothing().to_owned(),
        )
        .exec_with_returning(tx)
        .await;
    match result {
        Ok(saved) => Ok(Some(saved)),
        // The conflict left nothing to return: sea-orm says so with either error, depending on
        // the backend's path (PostgreSQL's RETURNING yields no row: "failed to find inserted item").
        Err(DbErr::RecordNotInserted | DbErr::RecordNotFound(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

pub async fn update(tx: &WriteTx, mut row: messages::ActiveModel) -> Result<messages::Model, DbErr> {
    row.updated_at = Set(Utc::now());
    row.update(tx).await
}

pub async fn find_external(
    db: &impl ConnectionTrait,
    connection_id: ConnectionId,
    external_id: &str,
) -> Result<Option<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::ConnectionId.eq(connection_id.0))
        .filter(messages::Column::ExternalId.eq(external_id))
        .one(db)
        .await
}

pub async fn get(db: &impl ConnectionTrait, id: MessageId) -> Result<Option<messages::Model>, DbErr> {
    messages::Entity::find_by_id(id.0).one(db).await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: MessageId,
) -> Result<Option<messages::Model>, DbErr> {
    messages::Entity::find_by_id(id.0).filter(messages::Column::CompanyId.eq(company_id.0)).one(db).await
}

pub async fn get_in_ticket(
    db: &impl ConnectionTrait,
    ticket_id: TicketId,
    id: MessageId,
) -> Result<Option<messages::Model>, DbErr> {
    messages::Entity::find_by_id(id.0).filter(messages::Column::TicketId.eq(ticket_id.0)).one(db).await
}

/// Newest first, before `before_id`.
pub async fn page(
    db: &impl ConnectionTrait,
    ticket_id: TicketId,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<messages::Model>, DbErr> {
    let mut query = messages::Entity::find().filter(messages::Column::TicketId.eq(ticket_id.0));
    if let Some(before) = before_id {
        query = query.filter(messages::Column::Id.lt(before));
    }
    query.order_by_desc(messages::Column::Id).limit(limit + 1).all(db).await
}

/// The stored files (names in the media store) of the messages of `tickets`.
pub async fn media_paths_of(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    tickets: &[TicketId],
) -> Result<Vec<String>, DbErr> {
    let mut paths = Vec::new();
    for chunk in tickets.chunks(500) {
        let rows = messages::Entity::find()
            .filter(messages::Column::CompanyId.eq(company_id.0))
            .filter(messages::Column::TicketId.is_in(chunk.iter().map(|id| id.0)))
            .filter(messages::Column::MediaPath.is_not_null())
            .all(db)
            .await?;
        paths.extend(rows.into_iter().filter_map(|m| m.media_path));
    }
    Ok(paths)
}

/// Outbound messages still `pending` since before `before` that the outbox does not hold.
pub async fn stale_pending(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<Vec<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::FromMe.eq(true))
        .filter(messages::Column::Status.eq(enums::MessageStatus::Pending))
        .filter(messages::Column::CreatedAt.lt(before))
        .filter(
            Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(outbound_jobs::Entity)
                    .and_where(
                        Expr::col((outbound_jobs::Entity, outbound_jobs::Column::MessageId))
                            .equals((messages::Entity, messages::Column::Id)),
                    )
                    .to_owned(),
            )
            .not(),
        )
        .all(db)
        .await
}

/// Marks a message as sent through another channel than its ticket's connection (an SMS).
pub async fn mark_channel(
    tx: &WriteTx,
    message: messages::Model,
    channel: super::enums::MessageChannel,
) -> Result<messages::Model, DbErr> {
    let mut row: messages::ActiveModel = message.into();
    row.channel = Set(Some(channel));
    sea_orm::ActiveModelTrait::update(row, tx).await
}

/// The oldest message of a ticket that has a provider id (where a history sync starts from).
pub async fn oldest_with_external_id(
    db: &impl ConnectionTrait,
    ticket: TicketId,
) -> Result<Option<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::TicketId.eq(ticket.0))
        .filter(messages::Column::ExternalId.is_not_null())
        .order_by_asc(messages::Column::CreatedAt)
        .order_by_asc(messages::Column::Id)
        .one(db)
        .await
}

/// The newest `limit` messages of the ticket that a conversation shows (system lines left out),
/// newest first: a bot's context.
pub async fn recent_in_ticket(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    ticket_id: TicketId,
    limit: u64,
) -> Result<Vec<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::CompanyId.eq(company_id.0))
        .filter(messages::Column::TicketId.eq(ticket_id.0))
        .filter(messages::Column::Kind.ne(enums::MessageKind::System))
        .order_by_desc(messages::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
