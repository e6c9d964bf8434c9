//! One WebSocket client: replay from `since` out of the events table, then live events from the
//! bus. The bus's dispatcher checks each live event against what this user may see and fills `seq`
//! gaps from the table, so an event published out of order (or dropped by a bus) still arrives, in
//! order; this task only writes what it is handed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
pub use shared::events::{CLOSE_RESUME, CLOSE_RESUME_TOO_OLD, CLOSE_SERVER_LEAVING, CLOSE_UNAUTHORIZED};
use shared::visibility::{TicketPlace, Viewer};
use shared::{CompanyId, TicketId};
use tokio::time::{Instant, interval, timeout};

use crate::domain::tickets::place_of;
use crate::realtime::StoredEvent;
use crate::realtime::bus::{Ended, Subscription};
use crate::realtime::replay;
use crate::state::AppState;
use crate::store;

pub const PING_EVERY: Duration = Duration::from_secs(25);
/// A send that takes longer means the client is not reading: it is disconnected and may resume.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
const REPLAY_BATCH: u64 = 500;
/// Live events written before one flush, at most.
const LIVE_BATCH: usize = 64;
/// Who is listening: what they may see is `shared::visibility`'s one rule.
#[derive(Debug, Clone)]
pub struct Listener {
    pub company_id: CompanyId,
    pub viewer: Viewer,
}

/// Asks again who is listening: `None` when the token, session or user no longer hold. Given by
/// the handler that authenticated the socket; called every `ATENDE_WS_RECHECK_SECS`.
pub type Reauthorize =
    Box<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Listener>> + Send>> + Send + Sync>;

enum Flow {
    Continue,
    Stop,
}

struct Client {
    socket: WebSocket,
    listener: Listener,
    /// The highest company `seq` this client has been brought past (seen or not visible to it).
    last_seq: i64,
}

impl Client {
    /// Sends every visible event after `last_seq` up to `latest` (the newest seq when the socket
    /// subscribed) or further, from the table; reads are shared with sockets resuming from the same
    /// point ([`replay::Replays`]). An event about a ticket is sent only if the viewer may see that ticket
    /// now, too: a replay gives nothing that REST would refuse them today (review #15). Frames are
    /// written without a flush each and flushed once per batch, so a long replay costs a few writes.
    async fn replay(&mut self, state: &AppState, latest: i64) -> Result<Flow, sea_orm::DbErr> {
        let company_id = self.listener.company_id;
        let mut shared = true;
        loop {
            let batch = if shared {
                state.replays.since(&state.db, company_id, self.last_seq, REPLAY_BATCH).await?
            } else {
                replay::read(&state.db, company_id, self.last_seq, REPLAY_BATCH).await?
            };
            let full = batch.len() as u64 == REPLAY_BATCH;
            let places = if self.listener.viewer.is_scoped() {
                places_now(state, company_id, batch.iter().filter_map(|event| event.ticket_id)).await?
            } else {
                HashMap::new()
            };
            for event in batch.iter() {
                let visible_now = !self.listener.viewer.is_scoped()
                    || event.ticket_id.is_none_or(|ticket| {
                        places.get(&ticket).is_some_and(|place| self.listener.viewer.may_see(place))
                    });
                if visible_now
                    && self.listener.viewer.may_receive(&event.audience)
                    && let Flow::Stop = self.feed_text(event.frame.clone()).await
                {
                    return Ok(Flow::Stop);
                }
                self.last_seq = event.seq;
            }
            if let Flow::Stop = self.flush().await {
                return Ok(Flow::Stop);
            }
            if full {
                continue;
            }
            // A shared batch may have been read before `latest` was: read on past it alone.
            if !shared || self.last_seq >= latest {
                return Ok(Flow::Continue);
            }
            shared = false;
        }
    }

    async fn feed_text(&mut self, text: Utf8Bytes) -> Flow {
        match timeout(SEND_TIMEOUT, self.socket.feed(Message::Text(text))).await {
            Ok(Ok(())) => Flow::Continue,
            _ => Flow::Stop,
        }
    }

    async fn flush(&mut self) -> Flow {
        match timeout(SEND_TIMEOUT, self.socket.flush()).await {
            Ok(Ok(())) => Flow::Continue,
            _ => Flow::Stop,
        }
    }

    /// Live events the dispatcher found this viewer may receive, in seq order: `first` and those
    /// already waiting behind it (up to [`LIVE_BATCH`]), written with one flush. A turn raises
    /// several events and a group commit many turns; one write each cost a syscall per event and
    /// socket. One the replay already sent is skipped.
    async fn deliver(&mut self, first: Arc<StoredEvent>, live: &mut Subscription) -> Flow {
        let (mut next, mut written) = (Some(first), 0);
        while let Some(event) = next.take() {
            if event.seq > self.last_seq {
                self.last_seq = event.seq;
                if let Flow::Stop = self.feed_text(event.frame.clone()).await {
                    return Flow::Stop;
                }
                written += 1;
            }
            if written < LIVE_BATCH {
                next = live.try_recv();
            }
        }
        if written == 0 { Flow::Continue } else { self.flush().await }
    }

    async fn close(mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame { code, reason: reason.into() };
        let _ = timeout(SEND_TIMEOUT, self.socket.send(Message::Close(Some(frame)))).await;
    }
}

/// Where the batch's tickets stand now; a ticket since deleted is absent (its events are not
/// replayed to anyone).
async fn places_now(
    state: &AppState,
    company_id: CompanyId,
    tickets: impl Iterator<Item = TicketId>,
) -> Result<HashMap<TicketId, TicketPlace>, sea_orm::DbErr> {
    let mut ids: Vec<TicketId> = tickets.collect();
    ids.sort_unstable_by_key(|id| id.0);
    ids.dedup();
    let tickets = store::tickets::by_ids(&state.db, company_id, &ids).await?;
    Ok(tickets.iter().map(|ticket| (crate::domain::tickets::id_of(ticket), place_of(ticket))).collect())
}

/// Closes a socket whose `since` is older than the events kept: the client must reload its lists
/// and connect without `since`.
pub async fn refuse_resume(mut socket: WebSocket) {
    let frame = CloseFrame { code: CLOSE_RESUME_TOO_OLD, reason: "resume point too old; reload".into() };
    let _ = timeout(SEND_TIMEOUT, socket.send(Message::Close(Some(frame)))).await;
}

/// A listener's place on the bus, taken before the WebSocket handshake is answered: an event
/// committed after the client sees its 101 reaches it even without `since`.
pub struct Entered {
    live: Subscription,
    /// The last `seq` dispatched to the company's sockets when this one entered.
    latest: i64,
}

/// Subscribes the listener (before replaying, so nothing committed in between is missed). When
/// other sockets of the company are connected, their cursor says where it stands; otherwise the
/// table does.
pub async fn enter(state: &AppState, listener: &Listener) -> Result<Entered, sea_orm::DbErr> {
    let joined = state.bus.join(listener.company_id, listener.viewer.clone());
    let (live, latest) = match joined {
        Some(joined) => joined,
        None => {
            let seq = store::events::latest_seq(&state.db, listener.company_id).await?;
            state.bus.subscribe(listener.company_id, listener.viewer.clone(), seq)
        }
    };
    Ok(Entered { live, latest })
}

pub async fn run(
    socket: WebSocket,
    state: AppState,
    listener: Listener,
    entered: Entered,
    since: Option<i64>,
    reauthorize: Reauthorize,
) {
    // Held until the socket ends, so a graceful shutdown can wait for its close frame.
    let mut leaving = state.lifecycle.socket_ticket();
    let Entered { mut live, latest } = entered;
    let last_seq = since.map_or(latest, |since| since.max(0));
    let mut client = Client { socket, listener, last_seq };
    // Boxed: held inline, the replay's database futures would size every idle socket's task by
    // the largest of them, long after they finished.
    match Box::pin(client.replay(&state, latest)).await {
        Ok(Flow::Continue) => {}
        Ok(Flow::Stop) => return,
        Err(error) => {
            tracing::error!(%error, "replaying events");
            return client.close(1011, "internal error").await;
        }
    }
    let mut ping = interval(PING_EVERY);
    ping.reset();
    let mut recheck = interval(state.config.ws_recheck);
    recheck.reset();
    let mut heard_at = Instant::now();
    loop {
        tokio::select! {
            received = live.recv() => match received {
                Ok(event) => if let Flow::Stop = client.deliver(event, &mut live).await {
                    return;
                },
                Err(Ended::Lagged) => return client.close(CLOSE_RESUME, "too far behind; resume with since").await,
                Err(Ended::Closed) => return client.close(CLOSE_RESUME, "server stopping; resume with since").await,
            },
            // The server is shutting down: the client reconnects (elsewhere) from its last seq.
            () = async { let _ = leaving.wait_for(|leave| *leave).await; } => {
                return client.close(CLOSE_SERVER_LEAVING, "server shutting down; reconnect with since").await;
            }
            incoming = client.socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => heard_at = Instant::now(),
            },
            _ = recheck.tick() => match reauthorize().await {
                // Role or queues may have changed: from now on events are filtered by the new ones.
                Some(listener) if listener.company_id == client.listener.company_id => {
                    live.set_viewer(listener.viewer.clone());
                    client.listener = listener;
                }
                _ => return client.close(CLOSE_UNAUTHORIZED, "credentials no longer valid; sign in again").await,
            },
            _ = ping.tick() => {
                if heard_at.elapsed() > PING_EVERY * 2 {
                    return client.close(1001, "no answer to pings").await;
                }
                if timeout(SEND_TIMEOUT, client.socket.send(Message::Ping(Vec::new().into()))).await.map_or(true, |r| r.is_err()) {
                    return;
                }
            }
        }
    }
}
