//! Queries behind the home screen's figures.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::entities::{ticket_logs, tickets};
use super::enums;
use shared::CompanyId;

/// Tickets still open or pending, and those closed since `since`.
pub async fn active_or_touched_since(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    since: DateTime<Utc>,
) -> Result<Vec<tickets::Model>, DbErr> {
    tickets::Entity::find()
        .filter(tickets::Column::CompanyId.eq(company_id.0))
        .filter(
            Condition::any()
                .add(tickets::Column::Status.ne(enums::TicketStatus::Closed))
                .add(tickets::Column::ClosedAt.gte(since)),
        )
        .all(db)
        .await
}

/// When a ticket was last accepted and last resolved.
pub type AcceptResolve = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Per ticket: when it was last accepted and last resolved, from its logs.
pub async fn accept_and_resolve_times(
    db: &impl ConnectionTrait,
    ticket_ids: &[i64],
) -> Result<HashMap<i64, AcceptResolve>, DbErr> {
    let mut times: HashMap<i64, AcceptResolve> = HashMap::new();
    for chunk in ticket_ids.chunks(500) {
        let logs = ticket_logs::Entity::find()
            .filter(ticket_logs::Column::TicketId.is_in(chunk.iter().copied()))
            .filter(ticket_logs::Column::Kind.is_in([enums::TicketLogKind::Accepted, enums::TicketLogKind::Resolved]))
            .order_by_asc(ticket_logs::Column::Id)
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
    }
    Ok(times)
}
