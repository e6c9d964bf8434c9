//! Queries behind the home screen's figures. They count in SQL and read only the day's logs, so the
//! cost follows the number of queues, agents and today's activity, not the company's backlog.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    QueryTrait, Statement,
};

use super::entities::{ticket_logs, tickets};
use super::enums;
use shared::CompanyId;
use shared::visibility::Viewer;

/// Tickets of one status, queue and agent: how many, and how many of them were created today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromQueryResult)]
pub struct TicketCount {
    pub status: enums::TicketStatus,
    pub queue_id: Option<i64>,
    pub user_id: Option<i64>,
    pub count: i64,
    pub created_today: i64,
}

/// The tickets the dashboard counts: still open or pending, or closed since `day_start`, among
/// those `scope` lets the viewer see.
fn counted(company_id: CompanyId, scope: Option<Condition>, day_start: DateTime<Utc>) -> Condition {
    use tickets::Column as T;
    let mut condition = Condition::all()
        .add(T::CompanyId.eq(company_id.0))
        .add(Condition::any().add(T::Status.ne(enums::TicketStatus::Closed)).add(T::ClosedAt.gte(day_start)));
    if let Some(scope) = scope {
        condition = condition.add(scope);
    }
    condition
}

/// Counts per (status, queue, agent) of the counted tickets.
pub async fn ticket_counts(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    viewer: &Viewer,
    day_start: DateTime<Utc>,
) -> Result<Vec<TicketCount>, DbErr> {
    let statements = ticket_count_statements(db.get_database_backend(), company_id, viewer, day_start);
    let mut counts = Vec::new();
    for statement in super::tickets::one_read_on_sqlite(statements) {
        counts.extend(TicketCount::find_by_statement(statement).all(db).await?);
    }
    Ok(counts)
}

/// The statements behind `ticket_counts`, exposed so a test can EXPLAIN them: per status, so open
/// and pending are counted from `idx_tickets_company_status_counts` alone (grouped in its order, no
/// table row read) and closed from today's range of `idx_tickets_company_status_closed`. That
/// range is a subquery of ids: written as one filter, SQLite with the statistics of a large
/// company (ANALYZE) walks every closed ticket in the counts index for its grouping order and reads
/// each row for `closed_at` (160 ms on the bench's 70,000 closed tickets, against 3 ms). An agent's
/// tickets are counted in the list's branches (`scope_branches`), which do not overlap: as one
/// `OR`, the agent's count walked every open or pending ticket of the company. Closed today comes
/// last. `ticket_counts` runs them as one `UNION ALL` on SQLite.
pub fn ticket_count_statements(
    backend: DbBackend,
    company_id: CompanyId,
    viewer: &Viewer,
    day_start: DateTime<Utc>,
) -> Vec<Statement> {
    use tickets::Column as T;
    [enums::TicketStatus::Open, enums::TicketStatus::Pending, enums::TicketStatus::Closed]
        .into_iter()
        .flat_map(|status| {
            super::tickets::scope_branches(viewer, Some(status.into())).into_iter().map(move |scope| (status, scope))
        })
        .map(|(status, scope)| {
            let mut condition = Condition::all().add(T::CompanyId.eq(company_id.0)).add(T::Status.eq(status));
            if status == enums::TicketStatus::Closed {
                let closed_today = Query::select()
                    .column(T::Id)
                    .from(tickets::Entity)
                    .and_where(T::CompanyId.eq(company_id.0))
                    .and_where(T::Status.eq(status))
                    .and_where(T::ClosedAt.gte(day_start))
                    .to_owned();
                condition = Condition::all().add(T::Id.in_subquery(closed_today));
            }
            if let Some(scope) = scope {
                condition = condition.add(scope);
            }
            let created_today = Expr::case(T::CreatedAt.gte(day_start), 1).finally(0);
            tickets::Entity::find()
                .select_only()
                .column(T::Status)
                .column(T::QueueId)
                .column(T::UserId)
                .column_as(Expr::expr(Func::count(Expr::col(T::Status))), "count")
                .column_as(Expr::expr(Func::sum(created_today)), "created_today")
                .filter(condition)
                .group_by(T::Status)
                .group_by(T::QueueId)
                .group_by(T::UserId)
                .build(backend)
        })
        .collect()
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
/// come from today's logs (`touched`), those counted are kept by their row, then all their accept
/// and resolve logs are read by ticket. The latest of each kind is the one that counts
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
        .and_where(Expr::col((ticket_logs::Entity, L::TicketId)).in_subquery(touched(company_id, day_start)))
        .cond_where(counted(company_id, scope, day_start))
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
