use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use shared::tickets::{TicketKind, TicketStatus};
use shared::visibility::Viewer;
use shared::{CompanyId, ConnectionId, ContactId, QueueId, TicketId, UserId};

use super::WriteTx;
use super::entities::{contacts, ticket_tags, tickets};
use super::enums;

pub struct NewTicketRow {
    pub company_id: CompanyId,
    pub number: i64,
    pub status: TicketStatus,
    pub kind: TicketKind,
    pub contact_id: ContactId,
    pub connection_id: ConnectionId,
    pub queue_id: Option<QueueId>,
    pub user_id: Option<UserId>,
}

pub async fn insert(tx: &WriteTx, row: NewTicketRow) -> Result<tickets::Model, DbErr> {
    let now = Utc::now();
    tickets::ActiveModel {
        company_id: Set(row.company_id.into()),
        number: Set(row.number),
        status: Set(row.status.into()),
        kind: Set(row.kind.into()),
        contact_id: Set(row.contact_id.into()),
        connection_id: Set(row.connection_id.into()),
        queue_id: Set(row.queue_id.map(i64::from)),
        user_id: Set(row.user_id.map(i64::from)),
        unread_count: Set(0),
        last_message_body: Set(None),
        last_message_at: Set(None),
        last_message_from_me: Set(false),
        queued_at: Set(now),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn update(tx: &WriteTx, mut row: tickets::ActiveModel) -> Result<tickets::Model, DbErr> {
    row.updated_at = Set(Utc::now());
    row.update(tx).await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: TicketId,
) -> Result<Option<tickets::Model>, DbErr> {
    tickets::Entity::find_by_id(id.0).filter(tickets::Column::CompanyId.eq(company_id.0)).one(db).await
}

/// The ticket, locked until `tx` ends (`FOR UPDATE` on PostgreSQL; SQLite's write turn already
/// serialises writers), so two transitions of one ticket cannot both read the same state.
pub async fn get_in_company_for_update(
    tx: &WriteTx,
    company_id: CompanyId,
    id: TicketId,
) -> Result<Option<tickets::Model>, DbErr> {
    tickets::Entity::find_by_id(id.0).filter(tickets::Column::CompanyId.eq(company_id.0)).lock_exclusive().one(tx).await
}

fn active(contact_id: ContactId, connection_id: ConnectionId) -> sea_orm::Select<tickets::Entity> {
    tickets::Entity::find()
        .filter(tickets::Column::ContactId.eq(contact_id.0))
        .filter(tickets::Column::ConnectionId.eq(connection_id.0))
        .filter(tickets::Column::Status.ne(enums::TicketStatus::Closed))
}

/// The company's tickets among `ids`.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    ids: &[TicketId],
) -> Result<Vec<tickets::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    tickets::Entity::find()
        .filter(tickets::Column::CompanyId.eq(company_id.0))
        .filter(tickets::Column::Id.is_in(ids.iter().map(|id| id.0)))
        .all(db)
        .await
}

/// The open or pending ticket of a contact on a connection, if any.
pub async fn find_active(
    db: &impl ConnectionTrait,
    contact_id: ContactId,
    connection_id: ConnectionId,
) -> Result<Option<tickets::Model>, DbErr> {
    active(contact_id, connection_id).one(db).await
}

/// `find_active`, locked until `tx` ends: a message joining a ticket cannot race its closing
/// (PostgreSQL re-checks the status after waiting for the lock, and skips a ticket just closed).
pub async fn find_active_for_update(
    tx: &WriteTx,
    contact_id: ContactId,
    connection_id: ConnectionId,
) -> Result<Option<tickets::Model>, DbErr> {
    active(contact_id, connection_id).lock_exclusive().one(tx).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketOrder {
    /// Pending tickets: who waited longest first, so "end of the queue" means something.
    QueuedAsc,
    /// Open and closed tickets: the most recently active first.
    UpdatedDesc,
}

pub use shared::tickets::TicketFilter;
use shared::tickets::TicketSearch;

pub async fn page(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    filter: &TicketFilter,
    viewer: &Viewer,
    order: TicketOrder,
    after: Option<(DateTime<Utc>, i64)>,
    limit: u64,
) -> Result<Vec<tickets::Model>, DbErr> {
    use tickets::Column as T;
    let mut query = tickets::Entity::find().filter(T::CompanyId.eq(company_id.0));
    if let Some(status) = filter.status {
        query = query.filter(T::Status.eq(enums::TicketStatus::from(status)));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(T::Kind.eq(enums::TicketKind::from(kind)));
    }
    if let Some(queue) = filter.queue_id {
        query = query.filter(T::QueueId.eq(queue.0));
    }
    if let Some(user) = filter.user_id {
        query = query.filter(T::UserId.eq(user.0));
    }
    if let Some(connection) = filter.connection_id {
        query = query.filter(T::ConnectionId.eq(connection.0));
    }
    if !filter.tag_ids.is_empty() {
        let tagged = Query::select()
            .column(ticket_tags::Column::TicketId)
            .from(ticket_tags::Entity)
            .and_where(ticket_tags::Column::CompanyId.eq(company_id.0))
            .and_where(ticket_tags::Column::TagId.is_in(filter.tag_ids.iter().map(|id| id.0)))
            .to_owned();
        query = query.filter(T::Id.in_subquery(tagged));
    }
    if filter.unread_only {
        query = query.filter(T::UnreadCount.gt(0));
    }
    if let Some(wallet_user) = filter.wallet_user_id {
        let in_wallet = Query::select()
            .column(contacts::Column::Id)
            .from(contacts::Entity)
            .and_where(contacts::Column::CompanyId.eq(company_id.0))
            .and_where(contacts::Column::WalletUserId.eq(wallet_user.0))
            .to_owned();
        query = query.filter(T::ContactId.in_subquery(in_wallet));
    }
    if let Some(from) = filter.from {
        query = query.filter(T::UpdatedAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(T::UpdatedAt.lt(to));
    }
    if let Some(search) = filter.search.as_deref().and_then(TicketSearch::parse) {
        let term = search.text.as_str();
        let contacts_matching = Query::select()
            .column(contacts::Column::Id)
            .from(contacts::Entity)
            .and_where(contacts::Column::CompanyId.eq(company_id.0))
            .cond_where(
                Condition::any()
                    .add(super::contains_ci((contacts::Entity, contacts::Column::Name), term))
                    .add(super::contains_ci((contacts::Entity, contacts::Column::Number), term)),
            )
            .to_owned();
        let mut any = Condition::any().add(T::ContactId.in_subquery(contacts_matching));
        if let Some(text) = message_text_matches(db.get_database_backend(), company_id, &search.words) {
            any = any.add(text);
        }
        if let Some(number) = search.ticket_number {
            any = any.add(T::Number.eq(number));
        }
        if search.protocol {
            any = any.add(T::Id.in_subquery(super::protocols::ticket_of_number(company_id, term)));
        }
        query = query.filter(any);
    }
    if let Some(visible) = visible_to(viewer) {
        query = query.filter(visible);
    }
    let (key, ascending) = match order {
        TicketOrder::QueuedAsc => (T::QueuedAt, true),
        TicketOrder::UpdatedDesc => (T::UpdatedAt, false),
    };
    if let Some((at, id)) = after {
        let beyond = if ascending {
            Condition::any().add(key.gt(at)).add(Condition::all().add(key.eq(at)).add(T::Id.gt(id)))
        } else {
            Condition::any().add(key.lt(at)).add(Condition::all().add(key.eq(at)).add(T::Id.lt(id)))
        };
        query = query.filter(beyond);
    }
    query = if ascending {
        query.order_by_asc(key).order_by_asc(T::Id)
    } else {
        query.order_by_desc(key).order_by_desc(T::Id)
    };
    query.limit(limit + 1).all(db).await
}

/// `shared::visibility::Viewer::may_see` as SQL (a test holds the two to the same answers);
/// `None` when the viewer sees every ticket of the company.
pub fn visible_to(viewer: &Viewer) -> Option<Condition> {
    use tickets::Column as T;
    if !viewer.is_scoped() {
        return None;
    }
    let waiting_for_them = Condition::all()
        .add(T::Status.eq(enums::TicketStatus::Pending))
        .add(Condition::any().add(T::QueueId.is_in(viewer.queue_ids.iter().map(|q| q.0))).add(T::QueueId.is_null()));
    Some(Condition::any().add(T::UserId.eq(viewer.user_id.0)).add(waiting_for_them))
}

/// Which of the company's tickets among `ids` the viewer may see (for the rule's agreement test).
pub async fn visible_among(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    viewer: &Viewer,
    ids: &[TicketId],
) -> Result<Vec<TicketId>, DbErr> {
    let mut query = tickets::Entity::find()
        .filter(tickets::Column::CompanyId.eq(company_id.0))
        .filter(tickets::Column::Id.is_in(ids.iter().map(|id| id.0)));
    if let Some(visible) = visible_to(viewer) {
        query = query.filter(visible);
    }
    Ok(query.all(db).await?.into_iter().map(|t| TicketId(t.id)).collect())
}

/// Tickets with a message containing every word (as a prefix), through the full-text index:
/// FTS5 on SQLite, the GIN index over `to_tsvector('simple', body)` on PostgreSQL.
fn message_text_matches(backend: DbBackend, company_id: CompanyId, words: &[String]) -> Option<SimpleExpr> {
    if words.is_empty() {
        return None;
    }
    match backend {
        DbBackend::Sqlite => {
            let query = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ");
            Some(Expr::cust_with_values(
                r#""tickets"."id" IN (SELECT "messages"."ticket_id" FROM "messages" WHERE "messages"."company_id" = ? AND "messages"."id" IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?))"#,
                [company_id.0.into(), query.into()] as [sea_orm::Value; 2],
            ))
        }
        DbBackend::Postgres => {
            let query = words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ");
            // sea-query renumbers `$n` in custom PostgreSQL fragments to their place in the query.
            Some(Expr::cust_with_values(
                r#""tickets"."id" IN (SELECT "messages"."ticket_id" FROM "messages" WHERE "messages"."company_id" = $1 AND to_tsvector('simple', "messages"."body") @@ to_tsquery('simple', $2))"#,
                [company_id.0.into(), query.into()] as [sea_orm::Value; 2],
            ))
        }
        _ => None,
    }
}

/// What a deletion is about to change: the company's tickets of a contact, a connection, a user
/// or a queue (only the open and pending ones with `active_only`).
#[derive(Debug, Clone, Copy)]
pub enum TicketsOf {
    Contact(ContactId),
    Connection(ConnectionId),
    User(UserId),
    Queue(QueueId),
}

pub async fn all_of(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    of: TicketsOf,
    active_only: bool,
) -> Result<Vec<tickets::Model>, DbErr> {
    let mut query = tickets::Entity::find().filter(tickets::Column::CompanyId.eq(company_id.0));
    query = match of {
        TicketsOf::Contact(id) => query.filter(tickets::Column::ContactId.eq(id.0)),
        TicketsOf::Connection(id) => query.filter(tickets::Column::ConnectionId.eq(id.0)),
        TicketsOf::User(id) => query.filter(tickets::Column::UserId.eq(id.0)),
        TicketsOf::Queue(id) => query.filter(tickets::Column::QueueId.eq(id.0)),
    };
    if active_only {
        query = query.filter(tickets::Column::Status.ne(enums::TicketStatus::Closed));
    }
    query.all(db).await
}

/// Sets the unread count to 0 if it is still `seen` (what the reader was shown); whether it did.
pub async fn mark_read(tx: &WriteTx, id: TicketId, seen: i32) -> Result<bool, DbErr> {
    let result = tickets::Entity::update_many()
        .col_expr(tickets::Column::UnreadCount, Expr::value(0))
        .col_expr(tickets::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(tickets::Column::Id.eq(id.0))
        .filter(tickets::Column::UnreadCount.eq(seen))
        .exec(tx)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Adds one unread message and records it as the ticket's last message.
pub async fn note_inbound(tx: &WriteTx, id: TicketId, body: &str, at: DateTime<Utc>) -> Result<(), DbErr> {
    tickets::Entity::update_many()
        .col_expr(tickets::Column::UnreadCount, Expr::col(tickets::Column::UnreadCount).add(1))
        .col_expr(tickets::Column::LastMessageBody, Expr::value(body.to_owned()))
        .col_expr(tickets::Column::LastMessageAt, Expr::value(at))
        .col_expr(tickets::Column::LastMessageFromMe, Expr::value(false))
        .col_expr(tickets::Column::UpdatedAt, Expr::value(at))
        .filter(tickets::Column::Id.eq(id.0))
        .exec(tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_words_no_full_text_condition() {
        assert!(message_text_matches(DbBackend::Sqlite, CompanyId(1), &[]).is_none());
    }
}
