//! Shared replay reads. When many sockets resume at once (a deploy, a network blip), most ask for
//! the same `since`; one read of the events table serves them all. A batch is shared only while
//! it is fresh (read less than [`FRESH`] ago), the same staleness any in-flight read has anyway;
//! a socket that needs newer events than a shared batch holds reads on past it itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use sea_orm::{DatabaseConnection, DbErr};
use shared::visibility::Audience;
use shared::{CompanyId, TicketId};
use tokio::sync::OnceCell;

use crate::store;

/// How long a batch read for one socket may serve others that ask for the same `since`.
const FRESH: Duration = Duration::from_secs(1);

/// One stored event as a replay sends it; the frame is shared by every socket that replays it.
#[derive(Debug)]
pub struct ReplayEvent {
    pub seq: i64,
    pub audience: Audience,
    pub ticket_id: Option<TicketId>,
    pub frame: Utf8Bytes,
}

pub type Batch = Arc<[ReplayEvent]>;

struct Pending {
    started: Instant,
    batch: Arc<OnceCell<Batch>>,
}

/// Batches being read or read recently, by company, `since` and size.
#[derive(Default)]
pub struct Replays {
    batches: Mutex<HashMap<(CompanyId, i64, u64), Pending>>,
}

impl Replays {
    /// The company's events after `after` (at most `limit`), from a read another socket started
    /// less than [`FRESH`] ago or from a read of its own. A failed read is shared with nobody: the
    /// next socket tries again.
    pub async fn since(
        &self,
        db: &DatabaseConnection,
        company_id: CompanyId,
        after: i64,
        limit: u64,
    ) -> Result<Batch, DbErr> {
        let cell = {
            let mut batches = self.batches.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let now = Instant::now();
            batches.retain(|_, pending| now.duration_since(pending.started) < FRESH);
            batches
                .entry((company_id, after, limit))
                .or_insert_with(|| Pending { started: now, batch: Arc::new(OnceCell::new()) })
                .batch
                .clone()
        };
        let batch = cell.get_or_try_init(|| read(db, company_id, after, limit)).await?;
        Ok(batch.clone())
    }
}

/// Reads the batch with no sharing.
pub async fn read(db: &DatabaseConnection, company_id: CompanyId, after: i64, limit: u64) -> Result<Batch, DbErr> {
    let rows = store::events::since(db, company_id, after, limit).await?;
    Ok(rows
        .into_iter()
        .map(|row| ReplayEvent {
            seq: row.seq,
            audience: row.audience,
            ticket_id: row.ticket_id,
            frame: row.frame.into(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sockets_asking_for_the_same_since_share_one_read() {
        let mut options = sea_orm::ConnectOptions::new("sqlite::memory:");
        options.max_connections(1).min_connections(1).sqlx_logging(false);
        let db = sea_orm::Database::connect(options).await.expect("an in-memory database");
        crate::store::migrate(&db).await.expect("migrations");
        let replays = Replays::default();
        let first = replays.since(&db, CompanyId(1), 0, 10).await.expect("a read");
        let second = replays.since(&db, CompanyId(1), 0, 10).await.expect("a read");
        assert!(Arc::ptr_eq(&first, &second), "the second socket got the first one's batch");
        let other = replays.since(&db, CompanyId(1), 5, 10).await.expect("a read");
        assert!(!Arc::ptr_eq(&first, &other), "another since is another read");
    }
}
