//! A WebSocket client for the tests: connect, then read event frames with a deadline.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct EventStream {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// Long enough for a loaded 2-core machine; only reached when an expected event never comes.
const DEADLINE: Duration = Duration::from_secs(10);

impl EventStream {
    pub async fn connect(url: &str) -> Self {
        let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("websocket connects");
        Self { socket }
    }

    /// The next event frame, or `None` if none comes within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let frame = tokio::time::timeout(wait, self.socket.next()).await.ok()??.ok()?;
            match frame {
                Message::Text(text) => return serde_json::from_str(text.as_str()).ok(),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    pub async fn next(&mut self) -> Value {
        self.next_within(DEADLINE).await.expect("an event within the deadline")
    }

    /// Reads events until one of type `kind` arrives, returning every event read.
    pub async fn until(&mut self, kind: &str) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let event = self.next().await;
            let done = event["type"] == kind;
            seen.push(event);
            if done {
                return seen;
            }
        }
    }

    /// Reads until the server closes the socket; its close code (`None`: no close within the deadline).
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            let frame = tokio::time::timeout(DEADLINE, self.socket.next()).await.ok()??.ok()?;
            if let Message::Close(close) = frame {
                return close.map(|c| u16::from(c.code));
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
