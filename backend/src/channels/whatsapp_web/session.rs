//! The sessions this instance runs: one supervisor task per connection that holds the lease, opens
//! the link, feeds its events to `events::handle`, and reconnects with backoff when it drops.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::Utc;
use shared::ConnectionId;
use shared::contacts::ConnectionStatus;
use tokio::sync::mpsc;

use super::events::{self, Flow};
use super::{Link, Transport};
use crate::domain::connections::{LiveState, report_state};
use crate::domain::whatsapp_web::{self as domain, SyncJob};
use crate::state::AppState;

/// How long a lease lasts without renewal: an instance that died lets go after this.
const LEASE: Duration = Duration::from_secs(60);

struct Running {
    link: Option<Arc<dyn Link>>,
    connected: bool,
    task: tokio::task::JoinHandle<()>,
}

/// Backoff between reconnects: `first`, doubled each failure, at most `max`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    pub fn delay(&self, failures: u32) -> Duration {
        let factor = 1u32.checked_shl(failures.min(16)).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.max)
    }
}

pub struct Sessions {
    transport: RwLock<Arc<dyn Transport>>,
    backoff: RwLock<Backoff>,
    running: Mutex<HashMap<i64, Running>>,
    /// History syncs waiting for the phone's answer, by the request's id.
    syncs: Mutex<HashMap<String, SyncJob>>,
    changed: tokio::sync::Notify,
}

impl Sessions {
    /// The real crate, or with `ATENDE_WHATSAPP_WEB_FAKE=1` (browser tests only) a fake that pairs.
    pub fn new(fake: bool) -> Self {
        let transport: Arc<dyn Transport> =
            if fake { Arc::new(super::fake::FakeTransport) } else { Arc::new(super::real::CrateTransport) };
        Self {
            transport: RwLock::new(transport),
            backoff: RwLock::new(Backoff { first: Duration::from_secs(1), max: Duration::from_secs(60) }),
            running: Mutex::new(HashMap::new()),
            syncs: Mutex::new(HashMap::new()),
            changed: tokio::sync::Notify::new(),
        }
    }

    /// Replaces how links are opened (tests: a double of the crate).
    pub fn use_transport(&self, transport: Arc<dyn Transport>) {
        *self.transport.write().unwrap_or_else(|e| e.into_inner()) = transport;
    }

    pub fn set_backoff(&self, backoff: Backoff) {
        *self.backoff.write().unwrap_or_else(|e| e.into_inner()) = backoff;
    }

    fn transport(&self) -> Arc<dyn Transport> {
        self.transport.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn backoff(&self) -> Backoff {
        *self.backoff.read().unwrap_or_else(|e| e.into_inner())
    }

    fn with_running<T>(&self, f: impl FnOnce(&mut HashMap<i64, Running>) -> T) -> T {
        f(&mut self.running.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Starts the connection's supervisor unless it runs already.
    pub fn start(&self, state: &AppState, id: ConnectionId) {
        self.with_running(|running| {
            if running.get(&id.0).is_some_and(|r| !r.task.is_finished()) {
                return;
            }
            let task = tokio::spawn(supervise(state.clone(), id));
            running.insert(id.0, Running { link: None, connected: false, task });
        });
    }

    /// Resumes every session that was running when the server stopped.
    pub async fn resume_all(&self, state: &AppState) {
        match domain::wanted(state).await {
            Ok(ids) => ids.into_iter().for_each(|id| self.start(state, id)),
            Err(error) => tracing::warn!(%error, "WhatsApp Web sessions could not be resumed"),
        }
    }

    /// The link of a running session (connected or pairing).
    pub fn link(&self, id: ConnectionId) -> Option<Arc<dyn Link>> {
        self.with_running(|running| running.get(&id.0).and_then(|r| r.link.clone()))
    }

    /// The link of a session linked to its phone.
    pub fn connected_link(&self, id: ConnectionId) -> Option<Arc<dyn Link>> {
        self.with_running(|running| running.get(&id.0).filter(|r| r.connected).and_then(|r| r.link.clone()))
    }

    /// The link, waiting a little for a session just started to open it.
    pub async fn wait_link(&self, id: ConnectionId) -> Option<Arc<dyn Link>> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let changed = self.changed.notified();
            if let Some(link) = self.link(id) {
                return Some(link);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return None;
            }
        }
    }

    fn set_link(&self, id: ConnectionId, link: Option<Arc<dyn Link>>) {
        self.with_running(|running| {
            if let Some(r) = running.get_mut(&id.0) {
                r.link = link;
                r.connected = false;
            }
        });
        self.changed.notify_waiters();
    }

    pub(super) fn set_connected(&self, id: ConnectionId, connected: bool) {
        self.with_running(|running| {
            if let Some(r) = running.get_mut(&id.0) {
                r.connected = connected;
            }
        });
        self.changed.notify_waiters();
    }

    /// Logs the session out and stops it.
    pub async fn logout(&self, id: ConnectionId) {
        let stopped = self.with_running(|running| running.remove(&id.0));
        if let Some(stopped) = stopped {
            stopped.task.abort();
            if let Some(link) = stopped.link
                && let Err(error) = link.logout().await
            {
                tracing::warn!(connection = id.0, %error, "WhatsApp Web logout failed; the session is forgotten anyway");
            }
        }
        self.changed.notify_waiters();
    }

    /// Drops every link without logging out (a graceful stop); the leases go with them.
    pub async fn stop_all(&self, state: &AppState) {
        let all: Vec<(i64, Running)> = self.with_running(|running| running.drain().collect());
        for (id, stopped) in all {
            stopped.task.abort();
            if let Some(link) = stopped.link {
                link.close().await;
            }
            let _ = domain::release(state, ConnectionId(id)).await;
        }
    }

    pub fn expect_history(&self, request: String, job: SyncJob) {
        self.syncs.lock().unwrap_or_else(|e| e.into_inner()).insert(request, job);
    }

    pub(super) fn take_sync(&self, request: &str) -> Option<SyncJob> {
        self.syncs.lock().unwrap_or_else(|e| e.into_inner()).remove(request)
    }
}

/// Keeps one connection's session up while it is wanted: claim the lease, open, pump events,
/// reconnect after `backoff` when the link drops or cannot open. Ends on logout.
async fn supervise(state: AppState, id: ConnectionId) {
    let sessions = &state.whatsapp_web;
    let mut failures = 0u32;
    loop {
        match domain::claim(&state, id, Utc::now() + chrono::Duration::from_std(LEASE).unwrap_or_default()).await {
            Ok(true) => {}
            // Another instance runs it: try again when its lease could have run out.
            Ok(false) => {
                tokio::time::sleep(LEASE / 2).await;
                continue;
            }
            Err(error) => {
                tracing::warn!(connection = id.0, %error, "the WhatsApp Web lease could not be taken");
                tokio::time::sleep(sessions.backoff().delay(failures)).await;
                failures += 1;
                continue;
            }
        }
        let session = match domain::load_session(&state, id).await {
            Ok(session) => session,
            Err(error) => {
                tracing::warn!(connection = id.0, %error, "the WhatsApp Web session could not be read");
                None
            }
        };
        let (sender, mut receiver) = mpsc::unbounded_channel();
        let link = match sessions.transport().open(session, sender).await {
            Ok(link) => link,
            Err(error) => {
                let delay = sessions.backoff().delay(failures);
                failures += 1;
                report(
                    &state,
                    id,
                    ConnectionStatus::Error,
                    Some(format!("{error}; trying again in {}s", delay.as_secs())),
                )
                .await;
                tokio::time::sleep(delay).await;
                continue;
            }
        };
        sessions.set_link(id, Some(link.clone()));
        let mut renew = tokio::time::interval(LEASE / 3);
        renew.tick().await;
        let flow = loop {
            tokio::select! {
                event = receiver.recv() => match event {
                    Some(event) => match events::handle(&state, id, &link, event).await {
                        Ok(Flow::Continue) => {}
                        Ok(Flow::Connected) => failures = 0,
                        Ok(Flow::LoggedOut) => break Flow::LoggedOut,
                        Err(error) => tracing::warn!(connection = id.0, %error, "a WhatsApp Web event was not handled"),
                    },
                    None => break Flow::Continue,
                },
                _ = renew.tick() => {
                    // New keys (sessions with new contacts, fresh pre-keys) are kept as they come.
                    if let Some(session) = link.session().await
                        && let Err(error) = domain::save_session(&state, id, Some(&session)).await
                    {
                        tracing::warn!(connection = id.0, %error, "a WhatsApp Web session could not be kept");
                    }
                    let until = Utc::now() + chrono::Duration::from_std(LEASE).unwrap_or_default();
                    if let Ok(false) = domain::claim(&state, id, until).await {
                        // Another instance took over (this one was too slow to renew): let go.
                        link.close().await;
                        break Flow::Continue;
                    }
                }
            }
        };
        sessions.set_link(id, None);
        if matches!(flow, Flow::LoggedOut) {
            let _ = domain::release(&state, id).await;
            sessions.with_running(|running| running.remove(&id.0));
            return;
        }
        let delay = sessions.backoff().delay(failures);
        failures += 1;
        report(
            &state,
            id,
            ConnectionStatus::Disconnected,
            Some(format!("connection lost; reconnecting in {}s", delay.as_secs())),
        )
        .await;
        tokio::time::sleep(delay).await;
    }
}

pub(super) async fn report(state: &AppState, id: ConnectionId, status: ConnectionStatus, reason: Option<String>) {
    if let Err(error) = report_state(state, id, LiveState { status, reason, qr: None }).await {
        tracing::warn!(connection = id.0, %error, "a WhatsApp Web state could not be stored");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let backoff = Backoff { first: Duration::from_secs(1), max: Duration::from_secs(60) };
        let delays: Vec<u64> = (0..8).map(|n| backoff.delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff.delay(1000), Duration::from_secs(60));
    }
}
