//! Queries behind the home screen's figures. Open and pending tickets are counted by the writes
//! (`active_ticket_counts`); the rest is counted in SQL from today's ranges and today's logs, so the
//! cost follows the number of queues, agents and today's activity, not the company's backlog.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    QueryTrait, Statement,
};

use super::entities::{active_ticket_counts, ticket_logs, tickets};
use super::enums;
use shared::visibility::{TicketPlace, Viewer};
use shared::{CompanyId, QueueId, UserId};

/// Tickets of one status, queue and agent: how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromQueryResult)]
pub struct TicketCount {
    pub status: enums::TicketStatus,
    pub queue_id: Option<i64>,
    pub user_id: Option<i64>,
    pub count: i64,
}

/// What the dashboard counts: the open and pending tickets and those closed today per (status,
/// queue, agent), and how many of them were created today.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketCounts {
    pub groups: Vec<TicketCount>,
    pub created_today: i64,
}

/// The tickets the dashboard counts: still open or pending, or closed since `day_start`, among
/// those `scope` lets the viewer see. On SQLite the company is tested on the row, not looked up
/// (`super::tickets::company_on_the_row`): the tickets come from today's logs by id.
fn counted(backend: DbBackend, company_id: CompanyId, scope: Option<Condition>, day_start: DateTime<Utc>) -> Condition {
    use tickets::Column as T;
    let company = match backend {
        DbBackend::Sqlite => super::tickets::company_on_the_row(company_id),
        _ => T::CompanyId.eq(company_id.0),
    };
    let mut condition = Condition::all()
        .add(company)
        .add(Condition::any().add(T::Status.ne(enums::TicketStatus::Closed)).add(T::ClosedAt.gte(day_start)));
    if let Some(scope) = scope {
        condition = condition.add(scope);
    }
    condition
}

/// The viewer's counts. Open and pending come from `active_ticket_counts` (a few hundred rows a
/// company, kept by triggers), filtered by the visibility rule itself; closed today and created
/// today from today's ranges of their indexes.
pub async fn ticket_counts(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    viewer: &Viewer,
    day_start: DateTime<Utc>,
) -> Result<TicketCounts, DbErr> {
    let backend = db.get_database_backend();
    let mut active = active_ticket_counts::Entity::find()
        .filter(active_ticket_counts::Column::CompanyId.eq(company_id.0))
        .filter(active_ticket_counts::Column::Tickets.ne(0));
    if viewer.is_scoped() {
        // Only a narrowing, so an agent's rows are not each handed over to be dropped; which of
        // them count is `may_see`'s to say below.
        use active_ticket_counts::Column as C;
        let waiting = viewer.queue_ids.iter().map(|queue| queue.0).chain([0]);
        active = active.filter(
            Condition::any()
                .add(C::UserId.eq(viewer.user_id.0))
                .add(Condition::all().add(C::Status.eq(enums::TicketStatus::Pending)).add(C::QueueId.is_in(waiting))),
        );
    }
    let active = active.all(db).await?;
    let mut groups = Vec::with_capacity(active.len());
    for row in active {
        let place = TicketPlace {
            status: row.status.into(),
            queue_id: (row.queue_id != 0).then_some(QueueId(row.queue_id)),
            user_id: (row.user_id != 0).then_some(UserId(row.user_id)),
        };
        if viewer.may_see(&place) {
            groups.push(TicketCount {
                status: row.status,
                queue_id: place.queue_id.map(|id| id.0),
                user_id: place.user_id.map(|id| id.0),
                count: row.tickets,
            });
        }
    }
    for statement in super::tickets::one_read_on_sqlite(closed_today_statements(backend, company_id, viewer, day_start))
    {
        groups.extend(TicketCount::find_by_statement(statement).all(db).await?);
    }
    let created_today = db
        .query_one_raw(created_today_statement(backend, company_id, viewer, day_start))
        .await?
        .map(|row| row.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    Ok(TicketCounts { groups, created_today })
}

/// The statements behind the closed-today counts, exposed so a test can EXPLAIN them: today's
/// range of `idx_tickets_company_status_closed` as a subquery of ids (written as one filter,
/// SQLite with the statistics of a large company walks every closed ticket in another index for
/// its grouping order: 160 ms on the bench's 70,000 closed tickets, against 3 ms), grouped by
/// queue and agent, in the list's branches for an agent.
pub fn closed_today_statements(
    backend: DbBackend,
    company_id: CompanyId,
    viewer: &Viewer,
    day_start: DateTime<Utc>,
) -> Vec<Statement> {
    use tickets::Column as T;
    let closed = enums::TicketStatus::Closed;
    super::tickets::scope_branches(viewer, Some(closed.into()))
        .into_iter()
        .map(|scope| {
            let closed_today = Query::select()
                .column(T::Id)
                .from(tickets::Entity)
                .and_where(T::CompanyId.eq(company_id.0))
                .and_where(T::Status.eq(closed))
                .and_where(T::ClosedAt.gte(day_start))
                .to_owned();
            let mut condition = Condition::all().add(T::Id.in_subquery(closed_today));
            if let Some(scope) = scope {
                condition = condition.add(scope);
            }
            tickets::Entity::find()
                .select_only()
                .column(T::Status)
                .column(T::QueueId)
                .column(T::UserId)
                .column_as(Expr::expr(Func::count(Expr::col(T::Status))), "count")
                .filter(condition)
                .group_by(T::Status)
                .group_by(T::QueueId)
                .group_by(T::UserId)
                .build(backend)
        })
        .collect()
}

/// How many of the tickets the viewer may see were created since `day_start` (all of them are
/// counted: open, pending or closed since), exposed so a test can EXPLAIN it: today's range of
/// `idx_tickets_company_created`, which also holds what the scope tests.
pub fn created_today_statement(
    backend: DbBackend,
    company_id: CompanyId,
    viewer: &Viewer,
    day_start: DateTime<Utc>,
) -> Statement {
    use tickets::Column as T;
    let mut condition = Condition::all().add(T::CompanyId.eq(company_id.0)).add(T::CreatedAt.gte(day_start));
    if let Some(scope) = super::tickets::visible_to(viewer) {
        condition = condition.add(scope);
    }
    tickets::Entity::find()
        .select_only()
        .column_as(Expr::expr(Func::count(Expr::col(T::Id))), "count")
        .filter(condition)
        .build(backend)
}

/// When a ticket was last accepted and last resolved.
pub type AcceptResolve = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// For the counted tickets accepted or resolved since `day_start`: when each was created, last
/// accepted and last resolved (from all its logs, so a ticket accepted yesterday and resolved
/// today has its whole handling time). One statement, one row per ticket: on SQLite each statement
/// and row is a hand-off to sqlx's connection thread, and this used to be five statements and a
/// row per log.
pub async fn accept_and_resolve_times(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    scope: Option<Condition>,
    day_start: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, AcceptResolve)>, DbErr> {
    let statement = times_statement(db.get_database_backend(), company_id, scope, day_start);
    let mut times = Vec::new();
    for row in db.query_all_raw(statement).await? {
        times.push((row.try_get_by_index(0)?, (row.try_get_by_index(1)?, row.try_get_by_index(2)?)));
    }
    Ok(times)
}

/// The statement behind `accept_and_resolve_times`, exposed so a test can EXPLAIN it: the tickets
/// come by id from today's logs (`touched`), those counted are kept by their row, then all their
/// accept and resolve logs are read by ticket. The latest of each kind is the one that counts
/// (timestamps follow the log ids).
pub fn times_statement(
    backend: DbBackend,
    company_id: CompanyId,
    scope: Option<Condition>,
    day_start: DateTime<Utc>,
) -> Statement {
    use ticket_logs::Column as L;
    let latest = |kind: enums::TicketLogKind| {
        Func::max(Expr::case(
            Expr::col((ticket_logs::Entity, L::Kind)).eq(kind),
            Expr::col((ticket_logs::Entity, L::CreatedAt)),
        ))
    };
    let query = Query::select()
        .column((tickets::Entity, tickets::Column::CreatedAt))
        .expr(latest(enums::TicketLogKind::Accepted))
        .expr(latest(enums::TicketLogKind::Resolved))
        .from(ticket_logs::Entity)
        .inner_join(
            tickets::Entity,
            Expr::col((tickets::Entity, tickets::Column::Id)).equals((ticket_logs::Entity, L::TicketId)),
        )
        .and_where(Expr::col((ticket_logs::Entity, L::Kind)).is_in(ACCEPT_AND_RESOLVE))
        .and_where(Expr::col((tickets::Entity, tickets::Column::Id)).in_subquery(touched(company_id, day_start)))
        .cond_where(counted(backend, company_id, scope, day_start))
        .group_by_col((ticket_logs::Entity, L::TicketId))
        .group_by_col((tickets::Entity, tickets::Column::CreatedAt))
        .to_owned();
    backend.build(&query)
}

const ACCEPT_AND_RESOLVE: [enums::TicketLogKind; 2] = [enums::TicketLogKind::Accepted, enums::TicketLogKind::Resolved];

/// The tickets with an accept or resolve log since `day_start` (an id per such log; `IN` removes
/// the repeats): today's range of the logs alone, so the cost follows today's activity. Not
/// `DISTINCT`: with statistics SQLite would rather walk all the logs in ticket order than sort
/// today's few. Which of them are counted is tested on their row in the outer query, by key: a
/// join here had PostgreSQL hash every active ticket of the company (36 ms on the bench).
fn touched(company_id: CompanyId, day_start: DateTime<Utc>) -> SelectStatement {
    use ticket_logs::Column as L;
    Query::select()
        .column(L::TicketId)
        .from(ticket_logs::Entity)
        .and_where(L::CompanyId.eq(company_id.0))
        .and_where(L::CreatedAt.gte(day_start))
        .and_where(L::Kind.is_in(ACCEPT_AND_RESOLVE))
        .to_owned()
}
