use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set, Statement,
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

/// At most this many contacts found by name (or by number) count for a search.
pub const SEARCH_CONTACTS: u64 = 200;
/// At most this many tickets of the contacts found count for a search.
pub const SEARCH_CONTACT_TICKETS: u64 = 1000;
/// A search by words looks at the company's newest messages containing them, this many at most:
/// a common word stays a bounded read (the index gives the matches newest first).
pub const SEARCH_MESSAGES: u64 = 500;

/// `tickets.company_id = ?` that SQLite cannot use to choose an index (a unary `+`): where the
/// tickets come by id, from a search or from today's logs. Without statistics SQLite takes an
/// equality on an indexed column for a few rows and would walk the whole company's tickets by it
/// (100,000 on the bench), testing each against the ids.
pub(super) fn company_on_the_row(company_id: CompanyId) -> SimpleExpr {
    Expr::cust_with_values(r#"+"tickets"."company_id" = ?"#, [company_id.0])
}

/// The statements `page` runs for one page, exposed so a test can EXPLAIN exactly them.
///
/// An agent's scope is an `OR` (their own tickets, or pending ones waiting in their queues or in
/// no queue) no single index can serve in order; on a tab (a status) it is split into one
/// statement per branch, each an index range read in the tab's order and cut at `limit + 1`, and
/// `page` merges them. `candidates` are the tickets a search found (`search_candidates`).
#[allow(clippy::too_many_arguments)]
pub fn page_statements(
    backend: DbBackend,
    company_id: CompanyId,
    filter: &TicketFilter,
    viewer: &Viewer,
    order: TicketOrder,
    after: Option<(DateTime<Utc>, i64)>,
    limit: u64,
    candidates: Option<&[i64]>,
) -> Vec<Statement> {
    use tickets::Column as T;
    // With a search's ids, the ids lead (a primary-key lookup each, then a sort of those few).
    // SQLite, without statistics, would rather walk the tab's index and test every row against the
    // list; a unary `+` keeps a column out of its choice of index.
    let ids_lead = candidates.is_some() && backend == DbBackend::Sqlite;
    let mut query = tickets::Entity::find().filter(if ids_lead {
        company_on_the_row(company_id)
    } else {
        T::CompanyId.eq(company_id.0)
    });
    if let Some(status) = filter.status {
        let status = enums::TicketStatus::from(status);
        query = query.filter(if ids_lead {
            Expr::cust_with_values(r#"+"tickets"."status" = ?"#, [status.to_value()])
        } else {
            T::Status.eq(status)
        });
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
    if let Some(ids) = candidates {
        query = query.filter(ids_among(backend, ids));
    }
    let (key, ascending) = match order {
        TicketOrder::QueuedAsc => (T::QueuedAt, true),
        TicketOrder::UpdatedDesc => (T::UpdatedAt, false),
    };
    if let Some((at, id)) = after {
        // A row value: one index range on both databases, however deep the page.
        let row = Expr::tuple([Expr::col((tickets::Entity, key)), Expr::col((tickets::Entity, T::Id))]);
        let cursor = Expr::tuple([Expr::val(at), Expr::val(id)]);
        query = query.filter(if ascending { row.gt(cursor) } else { row.lt(cursor) });
    }
    query = if ascending {
        query.order_by_asc(key).order_by_asc(T::Id)
    } else {
        query.order_by_desc(key).order_by_desc(T::Id)
    };
    scope_branches(viewer, filter.status)
        .into_iter()
        .map(|branch| {
            let mut query = query.clone();
            if let Some(branch) = branch {
                query = query.filter(branch);
            }
            query.limit(limit + 1).build(backend)
        })
        .collect()
}

/// `"tickets"."id"` among `ids`, as one parameter: the statement's text is the same however many
/// ids a search found, so each connection prepares (and caches) it once rather than once per
/// count (the cached `IN (?, ?, …)` variants held about 12 MiB after the bench's search load).
fn ids_among(backend: DbBackend, ids: &[i64]) -> SimpleExpr {
    let listed = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    match backend {
        DbBackend::Postgres => {
            Expr::cust_with_values(r#""tickets"."id" = ANY(string_to_array($1, ',')::bigint[])"#, [listed])
        }
        _ => Expr::cust_with_values(r#""tickets"."id" IN (SELECT "value" FROM json_each(?))"#, [format!("[{listed}]")]),
    }
}

/// `visible_to` on one tab, as branches that do not overlap, each served by an index in the tab's
/// order (`None`: no narrowing): one `OR` would read every ticket of the status. An agent's open
/// and closed tickets are only their own; their pending ones wait in one of their queues, in none,
/// or are theirs in some other queue. They do not overlap, so counts over them add up and pages
/// need no merging of repeats. Without a status (no tab) it stays one `OR`.
pub fn scope_branches(viewer: &Viewer, status: Option<TicketStatus>) -> Vec<Option<Condition>> {
    use tickets::Column as T;
    if !viewer.is_scoped() {
        return vec![None];
    }
    let own = Condition::all().add(T::UserId.eq(viewer.user_id.0));
    match status {
        Some(TicketStatus::Pending) => {
            let queues: Vec<i64> = viewer.queue_ids.iter().map(|queue| queue.0).collect();
            let mut theirs_elsewhere = own.add(T::QueueId.is_not_null());
            if !queues.is_empty() {
                theirs_elsewhere = theirs_elsewhere.add(T::QueueId.is_not_in(queues.clone()));
            }
            queues
                .into_iter()
                .map(|queue| Condition::all().add(T::QueueId.eq(queue)))
                .chain([Condition::all().add(T::QueueId.is_null()), theirs_elsewhere])
                .map(Some)
                .collect()
        }
        Some(TicketStatus::Open | TicketStatus::Closed) => vec![Some(own)],
        None => vec![visible_to(viewer)],
    }
}

pub async fn page(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    filter: &TicketFilter,
    viewer: &Viewer,
    order: TicketOrder,
    after: Option<(DateTime<Utc>, i64)>,
    limit: u64,
) -> Result<Vec<tickets::Model>, DbErr> {
    let candidates = match filter.search.as_deref().and_then(TicketSearch::parse) {
        Some(search) => {
            let found = search_candidates(db, company_id, &search).await?;
            if found.is_empty() {
                return Ok(Vec::new());
            }
            Some(found)
        }
        None => None,
    };
    let statements = page_statements(
        db.get_database_backend(),
        company_id,
        filter,
        viewer,
        order,
        after,
        limit,
        candidates.as_deref(),
    );
    let branches = statements.len();
    let mut rows = Vec::new();
    for statement in one_read_on_sqlite(statements) {
        rows.extend(tickets::Entity::find().from_raw_sql(statement).all(db).await?);
    }
    if branches > 1 {
        match order {
            TicketOrder::QueuedAsc => rows.sort_by_key(|t| (t.queued_at, t.id)),
            TicketOrder::UpdatedDesc => rows.sort_by_key(|t| std::cmp::Reverse((t.updated_at, t.id))),
        }
        rows.truncate(limit as usize + 1);
    }
    Ok(rows)
}

/// On SQLite, an agent's branches as one `UNION ALL` of the same index reads: each statement is a
/// round trip to sqlx's connection thread, which costs more than the reads themselves. The
/// placeholders are positional there, so the texts and values just follow one another.
/// PostgreSQL's are numbered: its branches stay apart.
pub(super) fn one_read_on_sqlite(statements: Vec<Statement>) -> Vec<Statement> {
    if statements.len() < 2 || statements.iter().any(|s| s.db_backend != DbBackend::Sqlite) {
        return statements;
    }
    let mut sql = String::new();
    let mut values = Vec::new();
    for (n, statement) in statements.into_iter().enumerate() {
        if n > 0 {
            sql.push_str(" UNION ALL ");
        }
        sql.push_str("SELECT * FROM (");
        sql.push_str(&statement.sql);
        sql.push(')');
        values.extend(statement.values.map(|v| v.0).unwrap_or_default());
    }
    vec![Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)]
}

/// The statements that find a search's tickets, each an index lookup or a bounded index read,
/// exposed so a test can EXPLAIN exactly them. Each returns ticket ids in its first column.
pub fn search_statements(backend: DbBackend, company_id: CompanyId, search: &TicketSearch) -> Vec<Statement> {
    use tickets::Column as T;
    let mut statements = Vec::new();
    if let Some(number) = search.ticket_number {
        statements.push(
            Query::select()
                .column(T::Id)
                .from(tickets::Entity)
                .and_where(T::CompanyId.eq(company_id.0))
                .and_where(T::Number.eq(number))
                .to_owned(),
        );
    }
    // A whole protocol number is looked up exactly, alone: its digits would otherwise also run the
    // phone, name and text searches (`search_candidates` falls back to those if it finds nothing).
    if search.protocol {
        return vec![backend.build(&super::protocols::ticket_of_number(company_id, &search.text))];
    }
    // `#42` asks for a ticket number and nothing else (a name or a word "42" would not be meant).
    if search.ticket_number.is_some() && search.text.starts_with('#') {
        return statements.iter().map(|s| backend.build(s)).collect();
    }
    let of_contacts = |found: SimpleExpr| {
        let contacts_found = Query::select()
            .column(contacts::Column::Id)
            .from(contacts::Entity)
            .and_where(contacts::Column::CompanyId.eq(company_id.0))
            .and_where(found)
            .limit(SEARCH_CONTACTS)
            .to_owned();
        Query::select()
            .column(T::Id)
            .from(tickets::Entity)
            .and_where(T::CompanyId.eq(company_id.0))
            .and_where(T::ContactId.in_subquery(contacts_found))
            .limit(SEARCH_CONTACT_TICKETS)
            .to_owned()
    };
    let folded = migrations::fold_for_search(&search.text);
    // A prefix as a range: the largest code point after it bounds every name starting with it.
    let upper = |prefix: &str| format!("{prefix}\u{10FFFF}");
    statements.push(of_contacts(
        Expr::col((contacts::Entity, contacts::Column::NameFolded))
            .gte(folded.as_str())
            .and(Expr::col((contacts::Entity, contacts::Column::NameFolded)).lt(upper(&folded))),
    ));
    // A later word of the name ("prado" finds "Joana Prado"): the company's contacts read through
    // its index with a `LIMIT`, the one lookup here that is not a range (bounded by the company's
    // contacts, a few milliseconds for tens of thousands).
    let word = folded.replace(['%', '_', '\\'], "");
    if !word.trim().is_empty() {
        statements
            .push(of_contacts(Expr::col((contacts::Entity, contacts::Column::NameFolded)).like(format!("% {word}%"))));
    }
    for digits in number_prefixes(&search.text) {
        statements.push(of_contacts(match backend {
            // The index is in byte order ("C"), whatever the database's locale.
            DbBackend::Postgres => Expr::cust_with_values(
                r#""contacts"."number" COLLATE "C" >= $1 AND "contacts"."number" COLLATE "C" < $2"#,
                [digits.clone().into(), upper(&digits).into()] as [sea_orm::Value; 2],
            ),
            _ => Expr::col((contacts::Entity, contacts::Column::Number))
                .gte(digits.as_str())
                .and(Expr::col((contacts::Entity, contacts::Column::Number)).lt(upper(&digits))),
        }));
    }
    let mut built: Vec<Statement> = statements.iter().map(|s| backend.build(s)).collect();
    if let Some(messages) = message_text_statement(backend, company_id, &search.words) {
        built.push(messages);
    }
    built
}

/// Digits typed like a phone number (at least 3, nothing but digits, spaces, `+`, `-`, `(`, `)`,
/// `.`): the number prefixes to look for. Numbers are stored in E.164 without `+`
/// (`domain::phone`), and a number typed without `+` may be Brazilian without its country code.
fn number_prefixes(text: &str) -> Vec<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let phone_like = text.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !phone_like || digits.len() < 3 {
        return Vec::new();
    }
    if text.trim_start().starts_with('+') { vec![digits] } else { vec![format!("55{digits}"), digits] }
}

/// The tickets a search finds: the union of what `search_statements` return.
pub async fn search_candidates(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    search: &TicketSearch,
) -> Result<Vec<i64>, DbErr> {
    let mut ids = Vec::new();
    for statement in search_statements(db.get_database_backend(), company_id, search) {
        for row in db.query_all_raw(statement).await? {
            ids.push(row.try_get_by_index::<i64>(0)?);
        }
    }
    // No ticket has that protocol: the text may still be a number or words someone wrote.
    if ids.is_empty() && search.protocol {
        let broader = TicketSearch { protocol: false, ..search.clone() };
        return Box::pin(search_candidates(db, company_id, &broader)).await;
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Limits how long the statements of `db` (a transaction) may run, on PostgreSQL; a search past
/// it fails with a timeout (`is_statement_timeout`) instead of holding a connection. SQLite has
/// no such setting: there the search's shape bounds it (every read is an index range with a
/// `LIMIT`).
pub async fn limit_statement_time(db: &impl ConnectionTrait, limit: std::time::Duration) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(&format!("SET LOCAL statement_timeout = {}", limit.as_millis().max(1))).await?;
    }
    Ok(())
}

/// Whether `error` is PostgreSQL cancelling a statement past `statement_timeout` (57014).
pub fn is_statement_timeout(error: &DbErr) -> bool {
    let text = error.to_string();
    text.contains("57014") || text.contains("statement timeout")
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

/// The tickets of the company's newest messages containing every word (as a prefix), at most
/// `SEARCH_MESSAGES` messages, through the full-text index (FTS5 on SQLite, read newest first;
/// the GIN index over `to_tsvector('simple', atende_search_body(..))` on PostgreSQL). Both index
/// the text without the agent's signature, and no system message (migration 000031).
fn message_text_statement(backend: DbBackend, company_id: CompanyId, words: &[String]) -> Option<Statement> {
    if words.is_empty() {
        return None;
    }
    match backend {
        // CROSS JOIN: SQLite then reads the index first (newest match first, stopping at the
        // limit) and looks each message up by key, instead of scanning messages.
        DbBackend::Sqlite => {
            let query = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ");
            Some(Statement::from_sql_and_values(
                backend,
                format!(
                    r#"SELECT "messages"."ticket_id" FROM "messages_fts" CROSS JOIN "messages" ON "messages"."id" = "messages_fts"."rowid" WHERE "messages_fts" MATCH ? AND "messages"."company_id" = ? ORDER BY "messages_fts"."rowid" DESC LIMIT {SEARCH_MESSAGES}"#
                ),
                [query.into(), company_id.0.into()],
            ))
        }
        DbBackend::Postgres => {
            let query = words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ");
            Some(Statement::from_sql_and_values(
                backend,
                format!(
                    r#"SELECT "ticket_id" FROM "messages" WHERE "company_id" = $1 AND to_tsvector('simple', atende_search_body("kind", "from_me", "body")) @@ to_tsquery('simple', $2) ORDER BY "id" DESC LIMIT {SEARCH_MESSAGES}"#
                ),
                [company_id.0.into(), query.into()],
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
/// Returns the ticket as it now stands (no second read).
pub async fn note_inbound(
    tx: &WriteTx,
    id: TicketId,
    body: &str,
    at: DateTime<Utc>,
) -> Result<Option<tickets::Model>, DbErr> {
    let mut rows = tickets::Entity::update_many()
        .col_expr(tickets::Column::UnreadCount, Expr::col(tickets::Column::UnreadCount).add(1))
        .col_expr(tickets::Column::LastMessageBody, Expr::value(body.to_owned()))
        .col_expr(tickets::Column::LastMessageAt, Expr::value(at))
        .col_expr(tickets::Column::LastMessageFromMe, Expr::value(false))
        .col_expr(tickets::Column::UpdatedAt, Expr::value(at))
        .filter(tickets::Column::Id.eq(id.0))
        .exec_with_returning(tx)
        .await?;
    Ok(rows.pop())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_words_no_full_text_condition() {
        assert!(message_text_statement(DbBackend::Sqlite, CompanyId(1), &[]).is_none());
    }

    #[test]
    fn phone_like_text_is_a_number_prefix() {
        assert_eq!(number_prefixes("(21) 98765-0"), ["5521987650", "21987650"]);
        assert_eq!(number_prefixes("+55 11"), ["5511"]);
        assert!(number_prefixes("12").is_empty());
        assert!(number_prefixes("maria 123").is_empty());
    }
}
