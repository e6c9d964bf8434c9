//! Events raised inside a transaction: each gets the company's next `seq` and a row in the events
//! table in that same transaction; they reach the bus only after commit.

use std::sync::Arc;

use serde::Serialize;
use serde_json::json;

use crate::error::AppResult;
use crate::realtime::StoredEvent;
use crate::state::AppState;
use crate::store;

/// Who may see an event: admins and supervisors of the company see all; an agent sees it when it
/// concerns their queue or a ticket assigned to them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Audience {
    pub queue_id: Option<i64>,
    pub user_id: Option<i64>,
}

#[derive(Default)]
pub struct Outbox {
    events: Vec<Arc<StoredEvent>>,
}

impl Outbox {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn add(
        &mut self,
        db: &impl sea_orm::ConnectionTrait,
        company_id: i64,
        kind: &str,
        audience: Audience,
        data: &impl Serialize,
    ) -> AppResult<()> {
        let seq = store::counters::next(db, company_id, store::counters::EVENT_SEQ).await?;
        let frame = json!({ "seq": seq, "type": kind, "data": data }).to_string();
        store::events::insert(
            db,
            store::events::NewEvent {
                company_id,
                seq,
                kind,
                queue_id: audience.queue_id,
                user_id: audience.user_id,
                payload: &frame,
            },
        )
        .await?;
        self.events.push(Arc::new(StoredEvent {
            company_id,
            seq,
            kind: kind.to_owned(),
            queue_id: audience.queue_id,
            user_id: audience.user_id,
            frame: frame.into(),
        }));
        Ok(())
    }

    /// Call after commit.
    pub fn publish(self, state: &AppState) {
        state.bus.publish(self.events);
    }
}
