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

/// The tickets the dashboard counts: still open or pending, or closed since `day_start`. On SQLite
/// the company is tested on the row, not looked up (`super::tickets::company_on_the_row`): the
/// tickets come from today's logs by id.
fn counted(backend: DbBackend, company_id: CompanyId, day_start: DateTime<Utc>) -> Condition {
    use tickets::Column as T;
    let company = match backend {
        DbBackend::Sqlite => super::tickets::company_on_the_row(company_id),
        _ => T::CompanyId.eq(company_id.0),
    };
    Condition::all()
        .add(company)
        .add(Condition::any().add(T::Status.ne(enums::TicketStatus::Closed)).add(T::ClosedAt.gte(day_start)))
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

/// The statements behind the closed-today counts, exposed so a test can EXPLAIN them, grouped by
/// queue and agent, in the list's branches for an agent: today's range of
/// `idx_tickets_company_status_closed` (an agent's own: of `idx_tickets_company_status_user_closed`,
/// not the company's day looked up ticket by ticket) as a subquery of ids. Written as one filter,
/// SQLite with the statistics of a large company walks every closed ticket in another index for
/// its grouping order: 160 ms on the bench's 70,000 closed tickets, against 3 ms.
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
            let mut closed_today = Condition::all()
                .add(T::CompanyId.eq(company_id.0))
                .add(T::Status.eq(closed))
                .add(T::ClosedAt.gte(day_start));
            if let Some(scope) = scope {
                closed_today = closed_today.add(scope);
            }
            let ids = Query::select().column(T::Id).from(tickets::Entity).cond_where(closed_today).to_owned();
            tickets::Entity::find()
                .select_only()
                .column(T::Status)
                .column(T::QueueId)
                .column(T::UserId)
                .column_as(Expr::expr(Func::count(Expr::col(T::Status))), "count")
                .filter(T::Id.in_subquery(ids))
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

/// For the counted tickets accepted or resolved since `day_start` that the viewer may see: when
/// each was created, last accepted and last resolved (from all its logs, so a ticket accepted
/// yesterday and resolved today has its whole handling time). One row per ticket; on SQLite the
/// statements are one read (each statement and row is a hand-off to sqlx's connection thread).
pub async fn accept_and_resolve_times(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    viewer: &Viewer,
    day_start: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, AcceptResolve)>, DbErr> {
    let statements = times_statements(db.get_database_backend(), company_id, viewer, day_start);
    let mut times = Vec::new();
    for statement in super::tickets::one_read_on_sqlite(statements) {
        for row in db.query_all_raw(statement).await? {
            times.push((row.try_get_by_index(0)?, (row.try_get_by_index(1)?, row.try_get_by_index(2)?)));
        }
    }
    Ok(times)
}

/// The statements behind `accept_and_resolve_times`, exposed so a test can EXPLAIN them. Each
/// groups the accept and resolve logs of some tickets; the latest of each kind is the one that
/// counts (timestamps follow the log ids).
///
/// For the whole company the tickets come by id from today's logs (`touched`) and those counted
/// are kept by their row. An agent's few are found from their own side instead, each branch an
/// index range, so the cost follows the agent's tickets and not the company's day (that read
/// looked up 875 tickets to keep 3, and an `OR` of the scope let PostgreSQL choose to scan all
/// tickets: 3–27 ms against under 1):
/// - their open and pending tickets, and those closed today (`idx_tickets_company_status_user_closed`);
/// - pending tickets of someone else (or no one) waiting in their queues or in none, queued again
///   today. A ticket goes to the end of a queue (`queued_at` set) on every way into pending
///   (return, transfer to a queue, a bot's hand-over), so one pending now and accepted or resolved
///   today was queued after that, today, and later than it arrived (`queued_at = created_at`
///   until then: today's new tickets, most of what waits, are not each looked up).
///
/// Branches keep a ticket only if it has an accept or resolve log from today (`HAVING`).
pub fn times_statements(
    backend: DbBackend,
    company_id: CompanyId,
    viewer: &Viewer,
    day_start: DateTime<Utc>,
) -> Vec<Statement> {
    use enums::TicketStatus as S;
    use tickets::Column as T;
    if !viewer.is_scoped() {
        let counted = Condition::all()
            .add(T::Id.in_subquery(touched(company_id, day_start)))
            .add(counted(backend, company_id, day_start));
        return vec![times_of(backend, counted, None)];
    }
    let company = T::CompanyId.eq(company_id.0);
    let me = viewer.user_id.0;
    let own_active =
        Condition::all().add(company.clone()).add(T::Status.is_in([S::Open, S::Pending])).add(T::UserId.eq(me));
    let own_closed_today = Condition::all()
        .add(company.clone())
        .add(T::Status.eq(S::Closed))
        .add(T::UserId.eq(me))
        .add(T::ClosedAt.gte(day_start));
    let someone_elses = Condition::any().add(T::UserId.is_null()).add(T::UserId.ne(me));
    let queued_today = |queue: Condition| {
        Condition::all()
            .add(company.clone())
            .add(T::Status.eq(S::Pending))
            .add(queue)
            .add(T::QueuedAt.gte(day_start))
            .add(Expr::col((tickets::Entity, T::QueuedAt)).gt(Expr::col((tickets::Entity, T::CreatedAt))))
            .add(someone_elses.clone())
    };
    let mut branches = vec![own_active, own_closed_today];
    if !viewer.queue_ids.is_empty() {
        branches.push(queued_today(Condition::all().add(T::QueueId.is_in(viewer.queue_ids.iter().map(|q| q.0)))));
    }
    branches.push(queued_today(Condition::all().add(T::QueueId.is_null())));
    branches.into_iter().map(|tickets| times_of(backend, tickets, Some(day_start))).collect()
}

/// Per ticket matching `tickets` (a condition on its row): when it was created, last accepted and
/// last resolved; with `touched_since`, only those with an accept or resolve log since then.
fn times_of(backend: DbBackend, tickets: Condition, touched_since: Option<DateTime<Utc>>) -> Statement {
    use ticket_logs::Column as L;
    let logged = |column: L| Expr::col((ticket_logs::Entity, column));
    let latest = |kind: enums::TicketLogKind| Func::max(Expr::case(logged(L::Kind).eq(kind), logged(L::CreatedAt)));
    let mut query = Query::select()
        .column((tickets::Entity, tickets::Column::CreatedAt))
        .expr(latest(enums::TicketLogKind::Accepted))
        .expr(latest(enums::TicketLogKind::Resolved))
        .from(tickets::Entity)
        .inner_join(
            ticket_logs::Entity,
            Expr::col((ticket_logs::Entity, L::TicketId)).equals((tickets::Entity, tickets::Column::Id)),
        )
        .and_where(logged(L::Kind).is_in(ACCEPT_AND_RESOLVE))
        .cond_where(tickets)
        .group_by_col((tickets::Entity, tickets::Column::Id))
        .group_by_col((tickets::Entity, tickets::Column::CreatedAt))
        .to_owned();
    if let Some(since) = touched_since {
        query.and_having(Func::max(logged(L::CreatedAt)).gte(since));
    }
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
