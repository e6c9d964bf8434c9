//! The in-process event bus. Committed events (this instance's, and those Redis rings in from the
//! others) go through one dispatcher task, which works out each event's audience once and hands the
//! event (its frame serialised once, shared by every socket) only to the sockets that may receive
//! it. The dispatcher also fills `seq` gaps from the events table, once per gap rather than once
//! per socket, so every socket sees its company's events in order and none is skipped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::extract::ws::Utf8Bytes;
use sea_orm::DatabaseConnection;
use shared::CompanyId;
use shared::visibility::{Audience, Viewer};
use tokio::sync::{broadcast, mpsc};

use crate::store;

/// An event as committed, with who may see it and its frame already serialised once for all sockets.
#[derive(Debug)]
pub struct StoredEvent {
    pub company_id: CompanyId,
    pub seq: i64,
    pub audience: Audience,
    /// `{"seq": .., "type": .., "data": ..}`; cloning it shares the bytes.
    pub frame: Utf8Bytes,
}

/// In-process delivery, plus Redis for the other instances when configured.
#[derive(Clone)]
pub struct Bus {
    sender: broadcast::Sender<Arc<StoredEvent>>,
    others: Option<mpsc::Sender<Arc<StoredEvent>>>,
    hub: Arc<Hub>,
}

/// How many events a socket may fall behind before it is disconnected (and resumes with `since`).
pub const SOCKET_BUFFER: usize = 1024;
/// Events published but not yet dispatched; past this the dispatcher fills the gap from the table.
const DISPATCH_BUFFER: usize = 4096;
/// Rows read per query when the dispatcher fills a gap.
const GAP_BATCH: u64 = 500;

impl Bus {
    /// Starts the dispatcher; `db` is where it reads the events a gap left out.
    pub fn new(db: DatabaseConnection) -> Self {
        let (sender, _) = broadcast::channel(DISPATCH_BUFFER);
        Self::start(sender, None, db)
    }

    /// Also rings the other instances through Redis at `url`.
    pub fn with_redis(url: &str, db: DatabaseConnection) -> Result<Self, redis::RedisError> {
        let (sender, _) = broadcast::channel(DISPATCH_BUFFER);
        let others = crate::realtime::redis::start(url, db.clone(), sender.clone())?;
        Ok(Self::start(sender, Some(others), db))
    }

    fn start(
        sender: broadcast::Sender<Arc<StoredEvent>>,
        others: Option<mpsc::Sender<Arc<StoredEvent>>>,
        db: DatabaseConnection,
    ) -> Self {
        let hub = Arc::new(Hub::default());
        tokio::spawn(dispatch_loop(sender.subscribe(), hub.clone(), db));
        Self { sender, others, hub }
    }

    pub fn publish(&self, events: impl IntoIterator<Item = Arc<StoredEvent>>) {
        for event in events {
            if let Some(others) = &self.others
                && others.try_send(event.clone()).is_err()
            {
                tracing::warn!(
                    seq = event.seq,
                    "the Redis bell queue is full; other instances will fill the gap later"
                );
            }
            // The dispatcher is the one receiver; it lives as long as the bus.
            let _ = self.sender.send(event);
        }
    }

    /// Registers a socket of `company_id` watching as `viewer`, which has been (or will be, by its
    /// replay) brought up to `seen`, the company's latest seq when it was read. Every event
    /// dispatched from now on that the viewer may receive is sent to the subscription. Also returns
    /// the room's cursor, which is `seen` unless other sockets of the company were connected: the
    /// socket's replay must reach it, since events up to it were dispatched before it joined.
    pub fn subscribe(&self, company_id: CompanyId, viewer: Viewer, seen: i64) -> (Subscription, i64) {
        let mut companies = self.hub.lock();
        let room = companies.entry(company_id).or_insert_with(|| CompanyRoom { cursor: seen, sockets: Vec::new() });
        self.enter(room, company_id, viewer)
    }

    /// Registers a socket only if others of `company_id` are connected, with the room's cursor as
    /// in [`Bus::subscribe`]: no read of the table is needed to know where the company stands.
    pub fn join(&self, company_id: CompanyId, viewer: Viewer) -> Option<(Subscription, i64)> {
        let mut companies = self.hub.lock();
        let room = companies.get_mut(&company_id)?;
        Some(self.enter(room, company_id, viewer))
    }

    /// Adds a member to `room`; the caller holds the hub's lock, so no event is dispatched between
    /// reading the room's cursor and joining it.
    fn enter(&self, room: &mut CompanyRoom, company_id: CompanyId, viewer: Viewer) -> (Subscription, i64) {
        let (sender, receiver) = mpsc::channel(SOCKET_BUFFER);
        let shared = Arc::new(Shared { viewer: RwLock::new(viewer), lagged: AtomicBool::new(false) });
        let id = self.hub.next_id.fetch_add(1, Ordering::Relaxed);
        room.sockets.push(Member { id, shared: shared.clone(), sender });
        (Subscription { receiver, shared, id, company_id, hub: self.hub.clone() }, room.cursor)
    }

    /// Sockets registered now (tests and metrics).
    pub fn sockets(&self) -> usize {
        self.hub.lock().values().map(|c| c.sockets.len()).sum()
    }
}

/// What a socket receives its events through. Dropping it unregisters the socket.
pub struct Subscription {
    receiver: mpsc::Receiver<Arc<StoredEvent>>,
    shared: Arc<Shared>,
    id: u64,
    company_id: CompanyId,
    hub: Arc<Hub>,
}

/// Why a subscription ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The socket fell more than [`SOCKET_BUFFER`] events behind, or a gap could not be filled:
    /// the client must resume with `since`.
    Lagged,
    /// The bus is gone (the server is stopping).
    Closed,
}

impl Subscription {
    pub async fn recv(&mut self) -> Result<Arc<StoredEvent>, Ended> {
        match self.receiver.recv().await {
            Some(event) => Ok(event),
            None if self.shared.lagged.load(Ordering::Relaxed) => Err(Ended::Lagged),
            None => Err(Ended::Closed),
        }
    }

    /// An event already waiting, if any (an ended subscription is reported by the next `recv`).
    pub fn try_recv(&mut self) -> Option<Arc<StoredEvent>> {
        self.receiver.try_recv().ok()
    }

    /// The viewer changed (role or queues): later events are filtered by the new one.
    pub fn set_viewer(&self, viewer: Viewer) {
        *self.shared.viewer.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = viewer;
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut companies = self.hub.lock();
        if let Some(company) = companies.get_mut(&self.company_id) {
            company.sockets.retain(|member| member.id != self.id);
            if company.sockets.is_empty() {
                companies.remove(&self.company_id);
            }
        }
    }
}

struct Shared {
    viewer: RwLock<Viewer>,
    lagged: AtomicBool,
}

struct Member {
    id: u64,
    shared: Arc<Shared>,
    sender: mpsc::Sender<Arc<StoredEvent>>,
}

struct CompanyRoom {
    /// The highest seq dispatched to this company's sockets (or known to them all when they joined).
    cursor: i64,
    sockets: Vec<Member>,
}

#[derive(Default)]
struct Hub {
    companies: Mutex<HashMap<CompanyId, CompanyRoom>>,
    next_id: AtomicU64,
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CompanyId, CompanyRoom>> {
        self.companies.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The company's cursor, or `None` when no socket of it is connected (nothing to deliver).
    fn cursor(&self, company_id: CompanyId) -> Option<i64> {
        self.lock().get(&company_id).map(|c| c.cursor)
    }

    /// Hands `event` to every socket of its company that may receive it, unless it was dispatched
    /// already. A socket whose buffer is full is dropped, told it lagged.
    fn deliver(&self, event: &Arc<StoredEvent>) {
        let mut companies = self.lock();
        let Some(company) = companies.get_mut(&event.company_id) else { return };
        if event.seq <= company.cursor {
            return;
        }
        company.cursor = event.seq;
        company.sockets.retain(|member| {
            let may = member
                .shared
                .viewer
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .may_receive(&event.audience);
            if !may {
                return true;
            }
            match member.sender.try_send(event.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    member.shared.lagged.store(true, Ordering::Relaxed);
                    false
                }
                // The socket ended; its subscription removes the rest.
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }

    /// Drops every socket of the company, telling them to resume (a gap could not be filled).
    fn resume_all(&self, company_id: CompanyId) {
        if let Some(company) = self.lock().remove(&company_id) {
            for member in company.sockets {
                member.shared.lagged.store(true, Ordering::Relaxed);
            }
        }
    }
}

async fn dispatch_loop(mut events: broadcast::Receiver<Arc<StoredEvent>>, hub: Arc<Hub>, db: DatabaseConnection) {
    loop {
        let event = match events.recv().await {
            Ok(event) => event,
            // Missed events are read from the table when their company's next event comes.
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the event dispatcher fell behind; filling from the events table");
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let Some(cursor) = hub.cursor(event.company_id) else { continue };
        if event.seq > cursor + 1
            && let Err(error) = fill_gap(&hub, &db, event.company_id, cursor, event.seq - 1).await
        {
            tracing::warn!(%error, company = event.company_id.0, "filling an event gap; sockets will resume");
            hub.resume_all(event.company_id);
            continue;
        }
        hub.deliver(&event);
    }
}

/// Events after `after` up to `until` (inclusive), committed but not (yet) seen on the bus: a
/// concurrent transaction published later than a newer one, a bus overflow, a lost Redis bell.
async fn fill_gap(
    hub: &Hub,
    db: &DatabaseConnection,
    company_id: CompanyId,
    mut after: i64,
    until: i64,
) -> Result<(), sea_orm::DbErr> {
    while after < until {
        let batch = store::events::since(db, company_id, after, GAP_BATCH).await?;
        let full = batch.len() as u64 == GAP_BATCH;
        for row in batch {
            if row.seq > until {
                return Ok(());
            }
            after = row.seq;
            hub.deliver(&Arc::new(StoredEvent {
                company_id: row.company_id,
                seq: row.seq,
                audience: row.audience,
                frame: row.frame.into(),
            }));
        }
        if !full {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use shared::auth::Role;
    use shared::events::Subject;
    use shared::tickets::TicketStatus;
    use shared::visibility::TicketPlace;
    use shared::{QueueId, UserId};

    use super::*;
    use crate::store::{WriteTurn, WriteTx};

    async fn database() -> DatabaseConnection {
        // One connection: each in-memory SQLite connection is a database of its own.
        let mut options = sea_orm::ConnectOptions::new("sqlite::memory:");
        options.max_connections(1).min_connections(1).sqlx_logging(false);
        let db = sea_orm::Database::connect(options).await.expect("an in-memory database");
        crate::store::migrate(&db).await.expect("migrations");
        db
    }

    fn agent(queue: i64) -> Viewer {
        Viewer { user_id: UserId(7), role: Role::Agent, queue_ids: vec![QueueId(queue)] }
    }

    fn admin() -> Viewer {
        Viewer { user_id: UserId(1), role: Role::Admin, queue_ids: Vec::new() }
    }

    fn pending_in(queue: i64) -> Audience {
        Audience::Ticket(TicketPlace { status: TicketStatus::Pending, queue_id: Some(QueueId(queue)), user_id: None })
    }

    fn event(company: i64, seq: i64, audience: Audience) -> Arc<StoredEvent> {
        Arc::new(StoredEvent { company_id: CompanyId(company), seq, audience, frame: format!("{seq}").into() })
    }

    #[tokio::test]
    async fn each_socket_gets_what_its_viewer_may_receive_once_in_order() {
        let bus = Bus::new(database().await);
        let mut boss = bus.subscribe(CompanyId(1), admin(), 0).0;
        let mut seller = bus.subscribe(CompanyId(1), agent(2), 0).0;
        let mut elsewhere = bus.subscribe(CompanyId(9), admin(), 0).0;
        bus.publish([event(1, 1, pending_in(2)), event(1, 2, pending_in(3)), event(1, 3, Audience::Company)]);
        // Dispatched already: a second copy (a late bell) is not sent again.
        bus.publish([event(1, 2, pending_in(3))]);
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(boss.recv().await.map(|e| e.seq));
        }
        // Once the boss has 3, every socket was handed 1 to 3. The seller's queues change: from
        // now on the new ones count.
        seller.set_viewer(agent(3));
        bus.publish([event(1, 4, pending_in(3)), event(9, 1, Audience::Company)]);
        got.push(boss.recv().await.map(|e| e.seq));
        assert_eq!(got, [Ok(1), Ok(2), Ok(3), Ok(4)]);
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(seller.recv().await.map(|e| e.seq));
        }
        assert_eq!(got, [Ok(1), Ok(3), Ok(4)], "queue 3's first event was not the seller's then");
        assert_eq!(elsewhere.recv().await.map(|e| (e.company_id, e.seq)), Ok((CompanyId(9), 1)));
        assert_eq!(bus.sockets(), 3);
        drop(elsewhere);
        assert_eq!(bus.sockets(), 2, "a dropped subscription leaves");
    }

    #[tokio::test]
    async fn a_socket_joining_others_gets_their_cursor_and_every_later_event() {
        let bus = Bus::new(database().await);
        assert!(bus.join(CompanyId(1), admin()).is_none(), "no socket of the company: the table must say");
        let (mut first, cursor) = bus.subscribe(CompanyId(1), admin(), 5);
        assert_eq!(cursor, 5);
        bus.publish([event(1, 6, Audience::Company)]);
        assert_eq!(first.recv().await.map(|e| e.seq), Ok(6));
        let (mut second, cursor) = bus.join(CompanyId(1), admin()).expect("the room is open");
        assert_eq!(cursor, 6, "6 was dispatched before it joined: its replay must reach it");
        // A later socket told a stale seq still learns the room's cursor.
        let (_third, cursor) = bus.subscribe(CompanyId(1), admin(), 2);
        assert_eq!(cursor, 6);
        bus.publish([event(1, 7, Audience::Company)]);
        assert_eq!(second.recv().await.map(|e| e.seq), Ok(7));
    }

    #[tokio::test]
    async fn a_socket_that_falls_too_far_behind_is_told_to_resume() {
        let bus = Bus::new(database().await);
        let mut slow = bus.subscribe(CompanyId(1), admin(), 0).0;
        let mut fast = bus.subscribe(CompanyId(1), admin(), 0).0;
        let total = SOCKET_BUFFER as i64 + 1;
        bus.publish((1..=total).map(|seq| event(1, seq, Audience::Company)));
        // The fast socket reads as events come; once it has the last, all were dispatched.
        let mut last = 0;
        while last < total {
            last = fast.recv().await.map(|e| e.seq).unwrap_or(total);
        }
        assert_eq!(bus.sockets(), 1, "the slow socket was dropped");
        let mut received = 0;
        let ended = loop {
            match slow.recv().await {
                Ok(_) => received += 1,
                Err(ended) => break ended,
            }
        };
        assert_eq!((received, ended), (SOCKET_BUFFER, Ended::Lagged));
    }

    #[tokio::test]
    async fn a_gap_is_filled_from_the_events_table_once_and_in_order() {
        let db = database().await;
        let tx = WriteTx::begin(&db, &WriteTurn::default()).await.expect("begin");
        let company = CompanyId(crate::store::companies::insert(&tx, "Loja").await.expect("company").id);
        for seq in 1..=4 {
            let frame = format!("{seq}");
            let row = crate::store::events::NewEvent {
                company_id: company,
                seq,
                kind: "ticket.updated",
                audience: if seq == 2 { pending_in(5) } else { Audience::Company },
                subject: Subject::default(),
                payload: &frame,
            };
            crate::store::events::insert(&tx, row).await.expect("event");
        }
        tx.commit().await.expect("commit");
        let bus = Bus::new(db);
        let mut boss = bus.subscribe(company, admin(), 0).0;
        let mut seller = bus.subscribe(company, agent(2), 0).0;
        // 4 is published first; 1 to 3 (committed, their bells late or lost) come from the table.
        bus.publish([event(company.0, 4, Audience::Company), event(company.0, 2, pending_in(5))]);
        bus.publish([event(company.0, 5, Audience::Company)]);
        let mut got = Vec::new();
        for _ in 0..5 {
            got.push(boss.recv().await.map(|e| (e.seq, e.frame.to_string())));
        }
        let expected: Vec<_> = (1..=5).map(|seq| Ok((seq, seq.to_string()))).collect();
        assert_eq!(got, expected);
        let mut got = Vec::new();
        for _ in 0..4 {
            got.push(seller.recv().await.map(|e| e.seq));
        }
        assert_eq!(got, [Ok(1), Ok(3), Ok(4), Ok(5)], "the seller does not see queue 5's ticket");
    }
}
