//! WhatsApp Web by QR code (`kind: whatsapp_web`), on the `whatsapp-rust` crate.
//!
//! The adapter needs little from the crate, and says so in two small traits: a [`Transport`] opens
//! a connection's link (its events then arrive as the crate's own `Event`s) and a [`Link`] sends,
//! reads, pairs and logs out. The real ones wrap the crate (`real`); tests drive the same adapter
//! code (`events`, `convert`, `session`) through doubles of them, and `ATENDE_WHATSAPP_WEB_FAKE=1`
//! runs a fake that only pairs (browser tests).

pub mod convert;
pub mod events;
pub mod fake;
pub mod real;
pub mod send;
pub mod session;

use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::mpsc;

pub use session::Sessions;
pub use whatsapp_rust::types::events::Event;
pub use whatsapp_rust::waproto::whatsapp as wa;
pub use whatsapp_rust::{Jid, Server};

/// Why the crate (or the phone) did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Not linked to the phone right now (pairing, reconnecting, logged out).
    #[error("not connected: {0}")]
    NotConnected(String),
    /// Worth another try later (a network error, a time-out).
    #[error("{0}")]
    Retryable(String),
    /// Trying again would fail the same way.
    #[error("{0}")]
    Permanent(String),
}

/// What an upload answered: the fields a media message carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uploaded {
    pub url: String,
    pub direct_path: String,
    pub media_key: Vec<u8>,
    pub file_enc_sha256: Vec<u8>,
    pub file_sha256: Vec<u8>,
    pub file_length: u64,
    pub media_key_timestamp: i64,
}

/// Which kind of file is uploaded (WhatsApp encrypts each kind with its own key info).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Audio,
    Video,
    Document,
    Sticker,
}

/// The oldest message of a chat we know: where an on-demand history sync starts (older than it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub id: String,
    pub from_me: bool,
    pub timestamp_ms: i64,
}

/// Opens links: one per connection whose session runs on this instance.
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Connects with the stored session (`None`: pair anew). The crate's events go to `events` until
    /// the link drops, which closes the sender.
    async fn open(
        &self,
        session: Option<Vec<u8>>,
        events: mpsc::UnboundedSender<Event>,
    ) -> Result<Arc<dyn Link>, LinkError>;
}

/// One connection's link to the phone: what the adapter asks of the crate.
#[async_trait]
pub trait Link: Send + Sync + 'static {
    /// Sends a message to a chat; the provider's id for it.
    async fn send(&self, to: &Jid, message: wa::Message) -> Result<String, LinkError>;
    async fn upload(&self, bytes: Vec<u8>, kind: MediaKind) -> Result<Uploaded, LinkError>;
    /// The file of an inbound media message.
    async fn download(&self, message: &wa::Message) -> Result<Vec<u8>, LinkError>;
    async fn mark_read(&self, chat: &Jid, sender: Option<&Jid>, ids: &[String]) -> Result<(), LinkError>;
    /// Asks the phone for up to `count` messages of `chat` older than `anchor`; they arrive later as an
    /// on-demand `HistorySync` event carrying the id returned here.
    async fn request_history(&self, chat: &Jid, anchor: &Anchor, count: u32) -> Result<String, LinkError>;
    /// Pairing by phone number: the code to type on the phone.
    async fn pair_code(&self, phone_number: &str) -> Result<String, LinkError>;
    /// The URL of the profile photo of `jid`, when it has one we may see.
    async fn profile_picture(&self, jid: &Jid) -> Result<Option<String>, LinkError>;
    /// Unlinks this device from the phone.
    async fn logout(&self) -> Result<(), LinkError>;
    /// The session's keys when they changed since the last call, to keep (sealed) so a restart
    /// resumes without pairing.
    async fn session(&self) -> Option<Vec<u8>>;
    /// Drops the link without logging out (a graceful stop, or another instance takes over).
    async fn close(&self);
}
