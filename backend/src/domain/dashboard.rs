//! The home screen's figures: tickets by status now, today's flow, waiting and handling times, per
//! queue and per agent. Scoped like the ticket list: an agent sees the figures of what they may see.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveTime, Utc};
use shared::tickets::{Dashboard, QueueCount, QueueRef, TicketStatus, UserCount, UserRef};
use shared::{QueueId, UserId};

use crate::auth::CurrentUser;
use crate::domain::auth::viewer_of;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store;

/// How far back the dashboard's ratings go when no period is asked.
const DEFAULT_RATINGS_DAYS: i64 = 30;

pub async fn today(
    state: &AppState,
    caller: &CurrentUser,
    ratings_from: Option<DateTime<Utc>>,
    ratings_to: Option<DateTime<Utc>>,
) -> AppResult<Dashboard> {
    let day_start: DateTime<Utc> = Utc::now().with_time(NaiveTime::MIN).single().unwrap_or_else(Utc::now);
    // One connection and one state of the database for the dozen reads below.
    let db = store::snapshot(&state.db).await?;
    let viewer = viewer_of(&db, caller).await?;
    let counts = store::dashboard::ticket_counts(&db, caller.company_id, &viewer, day_start).await?;
    let times = store::dashboard::accept_and_resolve_times(&db, caller.company_id, &viewer, day_start).await?;

    let mut dashboard = Dashboard::default();
    let mut by_queue: BTreeMap<Option<i64>, QueueCount> = BTreeMap::new();
    let mut by_agent: BTreeMap<i64, UserCount> = BTreeMap::new();
    dashboard.created_today = counts.created_today as u32;
    for row in counts.groups {
        let count = row.count as u32;
        let queue = by_queue.entry(row.queue_id).or_default();
        match TicketStatus::from(row.status) {
            TicketStatus::Open => {
                dashboard.open += count;
                queue.open += count;
            }
            TicketStatus::Pending => {
                dashboard.pending += count;
                queue.pending += count;
            }
            TicketStatus::Closed => {
                dashboard.closed_today += count;
                queue.closed_today += count;
            }
        }
        if let Some(user) = row.user_id {
            let agent = by_agent.entry(user).or_default();
            match TicketStatus::from(row.status) {
                TicketStatus::Open => agent.open += count,
                TicketStatus::Closed => agent.closed_today += count,
                TicketStatus::Pending => {}
            }
        }
    }
    let (mut waits, mut handles) = (Vec::new(), Vec::new());
    for (created_at, (accepted, resolved)) in times {
        if let Some(accepted) = accepted
            && accepted >= day_start
        {
            waits.push((accepted - created_at).num_seconds().max(0) as f64);
        }
        if let (Some(accepted), Some(resolved)) = (accepted, resolved)
            && resolved >= day_start
        {
            handles.push((resolved - accepted).num_seconds().max(0) as f64);
        }
    }
    let average = |values: &[f64]| (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
    dashboard.avg_wait_secs = average(&waits);
    dashboard.avg_handle_secs = average(&handles);

    let queue_ids: Vec<QueueId> = by_queue.keys().flatten().copied().map(QueueId).collect();
    let queues = store::queues::by_ids(&db, caller.company_id, &queue_ids).await?;
    dashboard.by_queue = by_queue
        .into_iter()
        .map(|(id, mut count)| {
            count.queue = id.and_then(|id| queues.iter().find(|q| q.id == id)).map(|q| QueueRef {
                id: QueueId(q.id),
                name: q.name.clone(),
                color: q.color.clone(),
            });
            count
        })
        .collect();
    let user_ids: Vec<UserId> = by_agent.keys().copied().map(UserId).collect();
    let users = store::users::by_ids(&db, caller.company_id, &user_ids).await?;
    dashboard.by_agent = by_agent
        .into_iter()
        .filter_map(|(id, mut count)| {
            let user = users.iter().find(|u| u.id == id)?;
            count.user = Some(UserRef { id: UserId(user.id), name: user.name.clone() });
            Some(count)
        })
        .collect();
    let ratings_from = ratings_from.unwrap_or_else(|| Utc::now() - chrono::Duration::days(DEFAULT_RATINGS_DAYS));
    dashboard.ratings = crate::domain::ratings::report(&db, caller, Some(ratings_from), ratings_to).await?;
    db.commit().await?;
    Ok(dashboard)
}
