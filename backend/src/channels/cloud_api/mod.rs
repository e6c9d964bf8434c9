//! The WhatsApp Cloud API (Meta's Graph API), one concern per file:
//!
//! - `webhook`: the GET subscription handshake, and `X-Hub-Signature-256` checked over the raw body
//!   bytes before anything is parsed, in constant time.
//! - `payload`: the notification as typed structs, turned into `CloudEvent`s (messages and
//!   delivery statuses); `parse_webhook_for` keeps only one phone number's events.
//! - `client`: `CloudApiClient`, for sending messages and moving media, with errors classified as
//!   permanent or retryable.

mod client;
mod payload;
mod webhook;

pub use client::{
    CloudApiClient, CloudApiConfig, DEFAULT_GRAPH_BASE_URL, DEFAULT_MAX_MEDIA_BYTES, SendError, build_http_client,
    http_client_builder,
};
pub use payload::{CloudEvent, ParseError, parse_webhook, parse_webhook_for};
pub use webhook::{verify_signature, verify_subscription};
