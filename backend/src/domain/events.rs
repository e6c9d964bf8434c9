//! Events raised inside a transaction: each gets the company's next `seq` and a row in the events
//! table in that same transaction; they reach the bus only after commit.

use std::sync::Arc;

use shared::CompanyId;
use shared::events::{Event, EventFrame};

use crate::error::AppResult;
use crate::realtime::{Audience, StoredEvent};
use crate::state::AppState;
use crate::store::{self, WriteTx};

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
        tx: &WriteTx,
        company_id: CompanyId,
        audience: Audience,
        event: Event,
    ) -> AppResult<()> {
        let seq = store::counters::next(tx, company_id, store::counters::EVENT_SEQ).await?;
        let kind = event.kind();
        let frame = serde_json::to_string(&EventFrame { seq, event }).map_err(anyhow::Error::from)?;
        store::events::insert(tx, store::events::NewEvent { company_id, seq, kind, audience, payload: &frame }).await?;
        self.events.push(Arc::new(StoredEvent { company_id, seq, audience, frame: frame.into() }));
        Ok(())
    }

    /// Call after commit.
    pub fn publish(self, state: &AppState) {
        state.bus.publish(self.events);
    }
}
