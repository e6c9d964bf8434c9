//! Where this instance stands in a graceful handover (SIGTERM): serving, then draining (`/readyz`
//! answers 503 so a load balancer moves traffic away while requests are still served), then
//! leaving (the listener is closed and every WebSocket is told to reconnect elsewhere).

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

pub struct Lifecycle {
    draining: AtomicBool,
    /// `true` once sockets must close. Each open socket holds a receiver, so `closed()` on the
    /// sender tells when the last one has said goodbye.
    leaving: watch::Sender<bool>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        // The first receiver is dropped at once: only sockets hold receivers.
        let (leaving, _) = watch::channel(false);
        Self { draining: AtomicBool::new(false), leaving }
    }
}

impl Lifecycle {
    /// `/readyz` answers 503 from now on.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Tells every socket (open now or opened later) to close.
    pub fn leave(&self) {
        self.drain();
        self.leaving.send_replace(true);
    }

    /// Held by a socket for as long as it is open; resolves when it must close.
    pub fn socket_ticket(&self) -> watch::Receiver<bool> {
        self.leaving.subscribe()
    }

    /// Resolves when no socket is open any more.
    pub async fn sockets_closed(&self) {
        self.leaving.closed().await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn sockets_are_told_to_leave_and_counted_out() {
        let lifecycle = Lifecycle::default();
        assert!(!lifecycle.is_draining());
        let mut open = lifecycle.socket_ticket();
        lifecycle.leave();
        assert!(lifecycle.is_draining(), "leaving implies unready");
        assert!(open.wait_for(|leave| *leave).await.is_ok(), "an open socket hears it");
        let mut late = lifecycle.socket_ticket();
        assert!(late.wait_for(|leave| *leave).await.is_ok(), "a socket opened later hears it too");
        let waiting = tokio::time::timeout(Duration::from_millis(50), lifecycle.sockets_closed()).await;
        assert!(waiting.is_err(), "two sockets are still open");
        drop((open, late));
        tokio::time::timeout(Duration::from_secs(1), lifecycle.sockets_closed()).await.expect("all closed");
    }
}
