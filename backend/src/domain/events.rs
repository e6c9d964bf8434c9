//! Events raised inside a transaction: each gets the company's next `seq` and a row in the events
//! table in that same transaction; they reach the bus only after commit.

use std::sync::Arc;

use shared::events::{Event, EventFrame};
use shared::{CompanyId, ContactId, TicketId};

use crate::error::AppResult;
use crate::realtime::{Audience, StoredEvent};
use crate::state::AppState;
use crate::store::{self, WriteTx};

#[derive(Default)]
pub struct Outbox {
    events: Vec<Arc<StoredEvent>>,
    /// Some event queued outgoing-webhook deliveries (their sender is woken after commit).
    webhooks: bool,
    /// A deferred outbox's events, waiting for `flush` (see `deferred`).
    pending: Option<Vec<(CompanyId, Audience, Event)>>,
}

impl Outbox {
    pub fn new() -> Self {
        Self::default()
    }

    /// An outbox whose events get their `seq` and rows only at `flush`, called right before the
    /// commit: one counter step and one insert for all of them, and (on PostgreSQL) the company's
    /// seq counter is locked only from the flush to the commit, not for the whole transaction, so
    /// concurrent transactions of one company wait less for each other. Events keep the order
    /// they were added in.
    pub fn deferred() -> Self {
        Self { pending: Some(Vec::new()), ..Self::default() }
    }

    pub async fn add(
        &mut self,
        tx: &WriteTx,
        company_id: CompanyId,
        audience: Audience,
        event: Event,
    ) -> AppResult<()> {
        if let Some(pending) = &mut self.pending {
            pending.push((company_id, audience, event));
            return Ok(());
        }
        let seq = store::counters::next(tx, company_id, store::counters::EVENT_SEQ).await?;
        let (kind, subject) = (event.kind(), event.subject());
        let frame = serde_json::to_string(&EventFrame { seq, event }).map_err(anyhow::Error::from)?;
        let row = store::events::NewEvent { company_id, seq, kind, audience, subject, payload: &frame };
        store::events::insert(tx, row).await?;
        // In the event's transaction: a committed event always has its deliveries.
        self.webhooks |= crate::domain::outgoing_webhooks::enqueue(tx, company_id, audience, kind, seq, &frame).await?;
        self.events.push(Arc::new(StoredEvent { company_id, seq, audience, frame: frame.into() }));
        Ok(())
    }

    /// Moves `other`'s events (stored or waiting for their flush) after this one's, leaving it
    /// empty: a batch of turns flushes and publishes once.
    pub fn absorb(&mut self, other: &mut Outbox) {
        self.events.append(&mut other.events);
        self.webhooks |= std::mem::take(&mut other.webhooks);
        if let Some(theirs) = &mut other.pending {
            self.pending.get_or_insert_with(Vec::new).append(theirs);
        }
    }

    /// Gives a deferred outbox's events their seq and rows, in the transaction about to commit.
    pub async fn flush(&mut self, tx: &WriteTx) -> AppResult<()> {
        let pending = match &mut self.pending {
            Some(pending) if !pending.is_empty() => std::mem::take(pending),
            _ => return Ok(()),
        };
        let mut rest = pending;
        while let Some(&(company_id, _, _)) = rest.first() {
            let (mine, others): (Vec<_>, Vec<_>) = rest.into_iter().partition(|(c, _, _)| *c == company_id);
            rest = others;
            let events: Vec<(Audience, Event)> = mine.into_iter().map(|(_, a, e)| (a, e)).collect();
            let count = events.len() as i64;
            let last = store::counters::next_many(tx, company_id, store::counters::EVENT_SEQ, count).await?;
            let mut framed = Vec::with_capacity(events.len());
            for ((audience, event), seq) in events.into_iter().zip(last - count + 1..) {
                let (kind, subject) = (event.kind(), event.subject());
                let frame = serde_json::to_string(&EventFrame { seq, event }).map_err(anyhow::Error::from)?;
                framed.push((seq, audience, kind, subject, frame));
            }
            let rows = framed
                .iter()
                .map(|(seq, audience, kind, subject, frame)| store::events::NewEvent {
                    company_id,
                    seq: *seq,
                    kind,
                    audience: *audience,
                    subject: *subject,
                    payload: frame,
                })
                .collect();
            store::events::insert_many(tx, rows).await?;
            let hooks = crate::domain::outgoing_webhooks::enabled(tx, company_id).await?;
            for (seq, audience, kind, _, frame) in framed {
                if !hooks.is_empty() {
                    self.webhooks |= crate::domain::outgoing_webhooks::enqueue_to(
                        tx, &hooks, company_id, audience, kind, seq, &frame,
                    )
                    .await?;
                }
                self.events.push(Arc::new(StoredEvent { company_id, seq, audience, frame: frame.into() }));
            }
        }
        Ok(())
    }

    /// Call after commit.
    pub fn publish(self, state: &AppState) {
        if self.pending.as_ref().is_some_and(|pending| !pending.is_empty()) {
            tracing::error!("a deferred outbox was published without its flush; its events were not stored");
        }
        if self.webhooks {
            crate::domain::outgoing_webhooks::wake();
        }
        state.bus.publish(self.events);
    }
}

/// Whether a client that saw everything up to `since` can still resume: false when events after
/// it were pruned (it must reload its lists instead).
pub async fn can_resume(state: &AppState, company_id: CompanyId, since: i64) -> AppResult<bool> {
    let (latest, oldest) = store::events::resume_bounds(&state.db, company_id).await?;
    Ok(since >= latest || oldest.is_some_and(|oldest| since + 1 >= oldest))
}

/// Empties the events that carried a contact's data: those about the contact and about its
/// tickets (`ticket.deleted` and `contact.deleted`, added after this, carry only ids). Called in
/// the transaction that deletes them (LGPD: nothing of theirs stays for a replay; review #15).
/// The rows keep their seq, so clients resuming from before them are not sent to reload.
pub async fn forget(
    tx: &WriteTx,
    company_id: CompanyId,
    contacts: &[ContactId],
    tickets: &[TicketId],
) -> AppResult<u64> {
    Ok(store::events::forget_about(tx, company_id, contacts, tickets).await?)
}

/// Deletes events past the retention window (`ATENDE_EVENT_RETENTION_HOURS`).
pub async fn prune(state: &AppState) -> AppResult<u64> {
    let window = chrono::Duration::from_std(state.config.event_retention).unwrap_or(chrono::Duration::hours(72));
    let tx = state.begin().await?;
    let pruned = store::events::prune_before(&tx, chrono::Utc::now() - window).await?;
    tx.commit().await?;
    Ok(pruned)
}

/// Prunes now and then every hour, until stopped (a prune under way finishes first).
pub struct EventPruner {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl EventPruner {
    pub fn start(state: AppState) -> Self {
        let (stop, mut stopping) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tokio::select! {
                    _ = every_hour.tick() => {}
                    _ = stopping.changed() => break,
                }
                match prune(&state).await {
                    Ok(0) => {}
                    Ok(count) => tracing::info!(count, "pruned old live events"),
                    Err(error) => tracing::warn!(%error, "pruning old live events"),
                }
            }
        });
        Self { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
