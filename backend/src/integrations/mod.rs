//! Clients for the providers the settings configure (Typebot, OpenAI-compatible chat, DialogFlow,
//! Comtele SMS) and for outgoing webhooks. Each speaks its provider's documented format; the bots
//! and the SMS button reuse them. Every request goes through the SSRF guard
//! (`domain::outbound_url`): the base URL is checked when stored and names resolve through
//! `GuardedResolver` unless `ATENDE_ALLOW_PRIVATE_URLS` is set.

pub mod chatgpt;
pub mod comtele;
pub mod dialogflow;
pub mod typebot;

use std::sync::OnceLock;
use std::time::Duration;

use crate::channels::cloud_api::http_client_builder;
use crate::domain::outbound_url::{self, GuardedResolver};

/// Providers answer within this, or the call counts as failed (a person waits on most of them).
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(20);

/// The process-wide client for provider calls, one per URL policy (redirects off, time-outs on).
pub fn http_client(allow_private_urls: bool) -> Result<reqwest::Client, reqwest::Error> {
    static GUARDED: OnceLock<reqwest::Client> = OnceLock::new();
    static OPEN: OnceLock<reqwest::Client> = OnceLock::new();
    let cell = if allow_private_urls { &OPEN } else { &GUARDED };
    if let Some(client) = cell.get() {
        return Ok(client.clone());
    }
    let builder = http_client_builder().timeout(PROVIDER_TIMEOUT);
    let builder = if allow_private_urls { builder } else { builder.dns_resolver(std::sync::Arc::new(GuardedResolver)) };
    let client = builder.build()?;
    Ok(cell.get_or_init(|| client).clone())
}

/// Why a provider call did not succeed, in words an admin can act on (shown as the test's detail,
/// stored as an SMS's delivery result).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The URL is refused by the SSRF guard.
    #[error("the URL {0}")]
    Refused(#[from] outbound_url::Refused),
    #[error("could not reach the provider: {0}")]
    Network(String),
    /// The provider answered with an error status (and maybe a message).
    #[error("the provider answered HTTP {status}: {message}")]
    Status { status: u16, message: String },
    /// The provider answered 2xx but refused (or with a body this client does not understand).
    #[error("the provider refused: {0}")]
    Rejected(String),
    #[error("{0}")]
    NotConfigured(&'static str),
}

impl ProviderError {
    /// A failed request, with the SSRF guard's refusal found among its causes.
    pub fn from_reqwest(error: reqwest::Error) -> Self {
        Self::network(error)
    }

    fn network(error: reqwest::Error) -> Self {
        // The guard's refusal hides among the error's sources.
        let mut source: Option<&dyn std::error::Error> = Some(&error);
        while let Some(cause) = source {
            if let Some(refused) = cause.downcast_ref::<outbound_url::Refused>() {
                return ProviderError::Refused(refused.clone());
            }
            source = cause.source();
        }
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "connection failed"
        } else {
            "request failed"
        };
        ProviderError::Network(kind.to_owned())
    }
}

/// The start of a body, for an error message (providers may answer pages of HTML).
fn excerpt(body: &str) -> String {
    let body = body.trim();
    let mut cut: String = body.chars().take(200).collect();
    if cut.len() < body.len() {
        cut.push('…');
    }
    cut
}

/// Reads the answer: the body of a 2xx, or `ProviderError::Status` with the provider's words.
async fn read(response: Result<reqwest::Response, reqwest::Error>) -> Result<String, ProviderError> {
    let response = response.map_err(ProviderError::network)?;
    let status = response.status();
    let body = response.text().await.map_err(ProviderError::network)?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(ProviderError::Status { status: status.as_u16(), message: excerpt(&body) })
    }
}

/// `base` + `/path`, without doubling the slash.
fn join(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}
