//! The in-process event bus: a bounded broadcast channel. A receiver that falls more than its
//! capacity behind is told it lagged, and its socket is closed so the client resumes from `seq`.

use std::sync::Arc;

use shared::CompanyId;
use shared::visibility::Audience;
use tokio::sync::broadcast;

/// An event as committed, with who may see it and its frame already serialised once for all sockets.
#[derive(Debug)]
pub struct StoredEvent {
    pub company_id: CompanyId,
    pub seq: i64,
    pub audience: Audience,
    /// `{"seq": .., "type": .., "data": ..}`
    pub frame: Arc<str>,
}

/// In-process delivery, plus Redis for the other instances when configured.
#[derive(Clone)]
pub struct Bus {
    sender: broadcast::Sender<Arc<StoredEvent>>,
    others: Option<tokio::sync::mpsc::Sender<Arc<StoredEvent>>>,
}

/// How many events a socket may fall behind before it is disconnected.
pub const SOCKET_BUFFER: usize = 1024;

impl Default for Bus {
    fn default() -> Self {
        Self::new()
    }
}

impl Bus {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(SOCKET_BUFFER);
        Self { sender, others: None }
    }

    /// Also rings the other instances through Redis at `url`.
    pub fn with_redis(url: &str, db: sea_orm::DatabaseConnection) -> Result<Self, redis::RedisError> {
        let (sender, _) = broadcast::channel(SOCKET_BUFFER);
        let others = crate::realtime::redis::start(url, db, sender.clone())?;
        Ok(Self { sender, others: Some(others) })
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
            // No receiver (no socket connected) is fine: the events table keeps the event.
            let _ = self.sender.send(event);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.sender.subscribe()
    }
}
