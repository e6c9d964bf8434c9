//! Queries behind the home screen's figures. They count in SQL and read only the day's logs, so the
//! cost follows the number of queues, agents and today's activity, not the company's backlog.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

use super::entities::{ticket_logs, tickets};
use super::enums;
use shared::CompanyId;

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
    scope: Option<Condition>,
    day_start: DateTime<Utc>,
) -> Result<Vec<TicketCount>, DbErr> {
    use tickets::Column as T;
    let created_today = Expr::case(T::CreatedAt.gte(day_start), 1).finally(0);
    tickets::Entity::find()
        .select_only()
        .column(T::Status)
        .column(T::QueueId)
        .column(T::UserId)
        .column_as(Expr::expr(Func::count(Expr::col(T::Id))), "count")
        .column_as(Expr::expr(Func::sum(created_today)), "created_today")
        .filter(counted(company_id, scope, day_start))
        .group_by(T::Status)
        .group_by(T::QueueId)
        .group_by(T::UserId)
        .into_model::<TicketCount>()
        .all(db)
        .await
}

/// When a ticket was last accepted and last resolved.
pub type AcceptResolve = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// For the counted tickets accepted or resolved since `day_start`: when each was created, last
/// accepted and last resolved (from all its logs, so a ticket accepted yesterday and resolved
/// today has its whole handling time).
pub async fn accept_and_resolve_times(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    scope: Option<Condition>,
    day_start: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, AcceptResolve)>, DbErr> {
    use ticket_logs::Column as L;
    let kinds = [enums::TicketLogKind::Accepted, enums::TicketLogKind::Resolved];
    let counted_ids = Query::select()
        .column(tickets::Column::Id)
        .from(tickets::Entity)
        .cond_where(counted(company_id, scope, day_start))
        .to_owned();
    let touched: Vec<i64> = ticket_logs::Entity::find()
        .select_only()
        .column(L::TicketId)
        .distinct()
        .filter(L::CompanyId.eq(company_id.0))
        .filter(L::CreatedAt.gte(day_start))
        .filter(L::Kind.is_in(kinds))
        .filter(L::TicketId.in_subquery(counted_ids))
        .into_tuple()
        .all(db)
        .await?;
    let mut times: HashMap<i64, AcceptResolve> = HashMap::new();
    let mut created: HashMap<i64, DateTime<Utc>> = HashMap::new();
    for chunk in touched.chunks(500) {
        let logs = ticket_logs::Entity::find()
            .filter(L::TicketId.is_in(chunk.iter().copied()))
            .filter(L::Kind.is_in(kinds))
            .order_by_asc(L::Id)
            .all(db)
            .await?;
        for log in logs {
            let entry = times.entry(log.ticket_id).or_default();
            if log.kind == enums::TicketLogKind::Accepted {
                entry.0 = Some(log.created_at);
            } else {
                entry.1 = Some(log.created_at);
            }
        }
        let rows: Vec<(i64, DateTime<Utc>)> = tickets::Entity::find()
            .select_only()
            .column(tickets::Column::Id)
            .column(tickets::Column::CreatedAt)
            .filter(tickets::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        created.extend(rows);
    }
    Ok(times.into_iter().filter_map(|(id, times)| Some((*created.get(&id)?, times))).collect())
}
