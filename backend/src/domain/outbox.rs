//! The durable outbox: every outbound message is a row, queued in the transaction that stores the
//! message, so a crash can lose neither. Each instance runs one worker that claims due rows with
//! a lease (exactly one instance wins a row), hands the message to its provider and records the
//! answer in one transaction with removing the row:
//! - taken: `sent` with the provider's id;
//! - a transient refusal: tried again later (`ATENDE_OUTBOX_RETRY_SECS`), then `failed`;
//! - a permanent refusal: `failed` with the provider's reason;
//! - no answer (a time-out, or an instance that died mid-call, found by the next claim): `unknown`,
//!   unless the channel makes repeating harmless. Repeating blindly could deliver it twice; the
//!   agent decides (`POST /api/v1/messages/{id}/resend`).

use std::time::Duration;

use chrono::Utc;
use shared::MessageId;
use shared::tickets::MessageStatus;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::channels::outbound;
use crate::domain::events::Outbox;
use crate::domain::messages::{outgoing, record_status};
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::entities::messages as message_rows;
use crate::store::outbox::Job;
use crate::store::{self, WriteTx};

/// Messages in flight at once per instance (each to a different conversation).
const MAX_IN_FLIGHT: usize = 16;

const INTERRUPTED: &str =
    "the server stopped while sending this message: WhatsApp may or may not have it; check before sending again";

/// Queues `message` (just stored, in `tx`) to be sent. Call [`wake`] after the commit.
pub async fn enqueue(tx: &WriteTx, message: &message_rows::Model) -> AppResult<()> {
    store::outbox::enqueue(
        tx,
        shared::CompanyId(message.company_id),
        shared::TicketId(message.ticket_id),
        MessageId(message.id),
        Utc::now(),
    )
    .await?;
    Ok(())
}

/// Tells this instance's worker there is work (others find it within `outbox_poll`).
pub fn wake(state: &AppState) {
    state.outbox_wake.notify_one();
}

/// The running worker; [`OutboxWorker::stop`] lets the sends in flight finish.
pub struct OutboxWorker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl OutboxWorker {
    pub fn start(state: AppState) -> Self {
        let (stop, stopping) = watch::channel(false);
        let task = tokio::spawn(work(state, stopping));
        Self { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn work(state: AppState, mut stopping: watch::Receiver<bool>) {
    let mut in_flight = JoinSet::new();
    loop {
        if *stopping.borrow() {
            break;
        }
        let room = MAX_IN_FLIGHT.saturating_sub(in_flight.len());
        let claimed = if room > 0 {
            claim(&state, room).await.unwrap_or_else(|error| {
                tracing::warn!(%error, "the outbox could not claim messages");
                Vec::new()
            })
        } else {
            Vec::new()
        };
        let found = !claimed.is_empty();
        for job in claimed {
            let state = state.clone();
            in_flight.spawn(async move {
                let id = job.message_id;
                if let Err(error) = process(&state, job).await {
                    tracing::error!(message_id = id, %error, "the outbox could not record a send");
                }
            });
        }
        if found && in_flight.len() < MAX_IN_FLIGHT {
            continue; // there may be more due right away
        }
        tokio::select! {
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            () = state.outbox_wake.notified() => {}
            () = tokio::time::sleep(state.config.outbox_poll) => {}
            _ = stopping.changed() => {}
        }
    }
    // A graceful stop: what is in flight finishes; what was claimed but not started is let go.
    while in_flight.join_next().await.is_some() {}
    if let Err(error) = release(&state).await {
        tracing::warn!(%error, "the outbox could not release its claims");
    }
}

async fn claim(state: &AppState, room: usize) -> AppResult<Vec<Job>> {
    let now = Utc::now();
    let due = store::outbox::due(&state.db, now, room as u64).await?;
    if due.is_empty() {
        return Ok(due);
    }
    let lease = chrono::Duration::from_std(state.config.outbox_lease).unwrap_or(chrono::Duration::minutes(5));
    let txn = state.begin().await?;
    let mut claimed = Vec::with_capacity(due.len());
    for job in due {
        if let Some(job) = store::outbox::claim(&txn, job.id, &state.instance_id, now, now + lease).await? {
            claimed.push(job);
        }
    }
    txn.commit().await?;
    Ok(claimed)
}

async fn release(state: &AppState) -> AppResult<()> {
    let txn = state.begin().await?;
    store::outbox::release(&txn, &state.instance_id).await?;
    txn.commit().await?;
    Ok(())
}

/// What became of one attempt.
enum Outcome {
    Sent(String),
    RetryAfter(Duration, String),
    Failed(String),
    Unknown(String),
}

async fn process(state: &AppState, job: Job) -> AppResult<()> {
    let message_id = MessageId(job.message_id);
    let Some(outgoing) = outgoing(state, message_id).await? else {
        return finish(state, &job, None).await; // the message was deleted meanwhile
    };
    let repeat_is_safe = outgoing.connection.as_ref().is_some_and(outbound::repeat_is_safe);
    if job.attempt_started_at.is_some() && !repeat_is_safe {
        return finish(state, &job, Some(Outcome::Unknown(INTERRUPTED.to_owned()))).await;
    }
    let txn = state.begin().await?;
    store::outbox::start_attempt(&txn, job.id, Utc::now()).await?;
    txn.commit().await?;
    let outcome = match with_renewed_lease(state, job.id, outbound::send(state, &outgoing)).await {
        Ok(external_id) => Outcome::Sent(external_id),
        Err(error) if error.may_have_been_taken() && !repeat_is_safe => Outcome::Unknown(error.message().to_owned()),
        Err(error) if error.is_retryable() || error.may_have_been_taken() => {
            match state.config.outbox_retry_delays.get(job.attempts.max(0) as usize) {
                Some(delay) => Outcome::RetryAfter(*delay, error.message().to_owned()),
                None => Outcome::Failed(error.message().to_owned()),
            }
        }
        Err(error) => Outcome::Failed(error.message().to_owned()),
    };
    finish(state, &job, Some(outcome)).await
}

/// Runs `call` while renewing this instance's claim on row `id` every third of the lease, so the
/// claim runs out only if this instance dies.
async fn with_renewed_lease<T>(state: &AppState, id: i64, call: impl std::future::Future<Output = T>) -> T {
    let lease = state.config.outbox_lease;
    let mut renew = tokio::time::interval(lease / 3);
    renew.tick().await; // the first tick is immediate; the claim is fresh
    tokio::pin!(call);
    loop {
        tokio::select! {
            done = &mut call => return done,
            _ = renew.tick() => {
                let until = Utc::now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30));
                if let Err(error) = renew_claim(state, id, until).await {
                    tracing::warn!(%error, job = id, "an outbox claim could not be renewed");
                }
            }
        }
    }
}

async fn renew_claim(state: &AppState, id: i64, until: chrono::DateTime<Utc>) -> AppResult<()> {
    let txn = state.begin().await?;
    store::outbox::renew(&txn, id, &state.instance_id, until).await?;
    txn.commit().await?;
    Ok(())
}

/// Records the outcome and lets go of the row, in one transaction.
async fn finish(state: &AppState, job: &Job, outcome: Option<Outcome>) -> AppResult<()> {
    let message_id = MessageId(job.message_id);
    let txn = state.begin().await?;
    let mut events = Outbox::new();
    let (status, external_id, error) = match outcome {
        None => (None, None, None),
        Some(Outcome::RetryAfter(delay, error)) => {
            let at = Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::zero());
            store::outbox::retry_at(&txn, job.id, at, &error).await?;
            txn.commit().await?;
            tracing::info!(message_id = message_id.0, attempt = job.attempts + 1, %error, "a send will be tried again");
            return Ok(());
        }
        Some(Outcome::Sent(id)) => (Some(MessageStatus::Sent), Some(id), None),
        Some(Outcome::Failed(error)) => (Some(MessageStatus::Failed), None, Some(error)),
        Some(Outcome::Unknown(error)) => (Some(MessageStatus::Unknown), None, Some(error)),
    };
    if let Some(status) = status {
        record_status(&txn, &mut events, message_id, status, external_id.as_deref(), error.as_deref()).await?;
        if let (MessageStatus::Failed, Some(reason)) = (status, error.as_deref()) {
            crate::domain::schedules::message_failed(&txn, &mut events, message_id, reason).await?;
        }
    }
    store::outbox::remove(&txn, job.id).await?;
    txn.commit().await?;
    events.publish(state);
    Ok(())
}
