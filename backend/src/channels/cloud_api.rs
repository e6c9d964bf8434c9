//! The WhatsApp Cloud API (Meta's Graph API): webhook checks and parsing, and a client for sending
//! messages and moving media.
//!
//! Inbound: `verify_subscription` answers the GET handshake; for a POST, `verify_signature` checks
//! `X-Hub-Signature-256` over the raw body bytes (before any parsing), then `parse_webhook` (or
//! `parse_webhook_for`, which keeps only one phone number's events) turns the body into events.
//! Outbound: `CloudApiClient`.

use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::types::{DeliveryStatus, InboundMedia, InboundMessage, MessageKind, StatusUpdate};

/// Meta's Graph API; a connection may point elsewhere (a test double).
pub const DEFAULT_GRAPH_BASE_URL: &str = "https://graph.facebook.com/v21.0";
/// The largest media file we download (WhatsApp's own limit for documents is 100 MB; nothing else is
/// over 16 MB).
pub const DEFAULT_MAX_MEDIA_BYTES: usize = 64 * 1024 * 1024;
/// The largest JSON answer we read from the Graph API.
const MAX_API_RESPONSE_BYTES: usize = 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const API_TIMEOUT: Duration = Duration::from_secs(30);
const MEDIA_TIMEOUT: Duration = Duration::from_secs(180);
/// Longest `hub.challenge` we echo back.
const MAX_CHALLENGE_LEN: usize = 256;

// ---------------------------------------------------------------------------------------------------
// Webhook checks

/// Whether `header` (`X-Hub-Signature-256: sha256=<hex>`) is the HMAC-SHA256 of `raw_body` keyed with
/// the app secret. The comparison takes the same time wherever the first difference is. An empty
/// secret, a missing or malformed header all give `false`.
pub fn verify_signature(app_secret: &str, raw_body: &[u8], header: Option<&str>) -> bool {
    if app_secret.is_empty() {
        return false;
    }
    let Some(header) = header else {
        return false;
    };
    let header = header.trim();
    let Some(hex_digest) = header.strip_prefix("sha256=").or_else(|| header.strip_prefix("SHA256=")) else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_digest.trim()) else {
        return false;
    };
    if expected.len() != 32 {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) else {
        return false;
    };
    mac.update(raw_body);
    mac.verify_slice(&expected).is_ok()
}

/// The GET handshake (`hub.mode`, `hub.verify_token`, `hub.challenge`): the challenge to echo back
/// (as `text/plain`) when the mode is `subscribe` and the token is the connection's verify token,
/// otherwise `None` (answer 403). The token is compared in constant time; an empty expected token
/// never matches, and only a short challenge of letters, digits, `-`, `_` and `.` is echoed.
pub fn verify_subscription(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
    expected_verify_token: &str,
) -> Option<String> {
    if mode != Some("subscribe") || expected_verify_token.is_empty() {
        return None;
    }
    let token = token?;
    if !bool::from(token.as_bytes().ct_eq(expected_verify_token.as_bytes())) {
        return None;
    }
    let challenge = challenge?;
    let printable = challenge.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    (!challenge.is_empty() && challenge.len() <= MAX_CHALLENGE_LEN && printable).then(|| challenge.to_owned())
}

// ---------------------------------------------------------------------------------------------------
// Webhook parsing

/// One thing a webhook told us.
#[derive(Debug, Clone, PartialEq)]
pub enum CloudEvent {
    Message(InboundMessage),
    Status(StatusUpdate),
}

/// A webhook body that is not a Cloud API notification at all.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("webhook body is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("webhook body is not a notification: {0}")]
    Shape(&'static str),
}

/// Every message and status in a notification, in the order they appear (entries, then changes,
/// messages before statuses within a change). Changes other than `messages`, message types we do not
/// handle (`unsupported`, `system`, `order`…), unknown statuses and items without an id are skipped;
/// a body that is not JSON, or not a JSON object, is an error. Never panics.
pub fn parse_webhook(raw: &[u8]) -> Result<Vec<CloudEvent>, ParseError> {
    parse_events(raw, None)
}

/// `parse_webhook`, keeping only the changes for `phone_number_id` (`value.metadata.phone_number_id`):
/// Meta sends every number of an app to the same callback, so a connection must ignore the others'.
/// A change without metadata is kept.
pub fn parse_webhook_for(raw: &[u8], phone_number_id: &str) -> Result<Vec<CloudEvent>, ParseError> {
    parse_events(raw, Some(phone_number_id))
}

fn parse_events(raw: &[u8], only_phone_number_id: Option<&str>) -> Result<Vec<CloudEvent>, ParseError> {
    let root: Value = serde_json::from_slice(raw)?;
    let root = root.as_object().ok_or(ParseError::Shape("not a JSON object"))?;
    let entries = match root.get("entry") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(ParseError::Shape("`entry` is not a list")),
    };
    let mut events = Vec::new();
    for entry in entries {
        for change in array(entry, "changes") {
            if change.get("field").and_then(Value::as_str).is_some_and(|field| field != "messages") {
                continue;
            }
            let Some(value) = change.get("value").filter(|v| v.is_object()) else {
                continue;
            };
            if let Some(wanted) = only_phone_number_id
                && let Some(got) = value.pointer("/metadata/phone_number_id").and_then(text)
                && got != wanted
            {
                continue;
            }
            let contacts = array(value, "contacts");
            for message in array(value, "messages") {
                if let Some(message) = parse_message(message, contacts) {
                    events.push(CloudEvent::Message(message));
                }
            }
            for status in array(value, "statuses") {
                if let Some(status) = parse_status(status) {
                    events.push(CloudEvent::Status(status));
                }
            }
        }
    }
    Ok(events)
}

/// `value[key]` as a slice, empty when absent or not a list.
fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// A string, or a number written as one (Meta sends ids and timestamps as strings, but be lenient).
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `value[key]` as a non-empty string.
fn field(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(text).filter(|s| !s.trim().is_empty())
}

/// Unix seconds (string or number) as a time; now when absent or absurd.
fn timestamp(value: &Value) -> DateTime<Utc> {
    value
        .get("timestamp")
        .and_then(text)
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(Utc::now)
}

fn parse_message(message: &Value, contacts: &[Value]) -> Option<InboundMessage> {
    let external_id = field(message, "id")?;
    let from = field(message, "from")?;
    let kind_name = message.get("type").and_then(Value::as_str)?;
    let payload = message.get(kind_name).unwrap_or(&Value::Null);
    let mut quoted_external_id = message.get("context").and_then(|c| field(c, "id"));
    let mut media = None;
    let (kind, body) = match kind_name {
        "text" => (MessageKind::Text, payload.get("body").and_then(text)?),
        "image" | "audio" | "video" | "document" | "sticker" => {
            let kind = MessageKind::parse(kind_name)?;
            media = field(payload, "id").map(|provider_id| InboundMedia {
                provider_id,
                mime_type: field(payload, "mime_type"),
                filename: field(payload, "filename"),
                sha256: field(payload, "sha256"),
            });
            (kind, field(payload, "caption").unwrap_or_default())
        }
        "location" => (MessageKind::Location, location_body(payload)?),
        "reaction" => {
            quoted_external_id = field(payload, "message_id");
            (MessageKind::Reaction, field(payload, "emoji").unwrap_or_default())
        }
        "interactive" => (MessageKind::Text, interactive_body(payload)?),
        // A quick-reply button of a template.
        "button" => (MessageKind::Text, field(payload, "text").or_else(|| field(payload, "payload"))?),
        "contacts" => (MessageKind::Text, shared_contacts_body(message.get("contacts")?)?),
        _ => return None,
    };
    let contact_name = contacts
        .iter()
        .find(|c| c.get("wa_id").and_then(text).as_deref() == Some(from.as_str()))
        .or(match contacts {
            [only] => Some(only),
            _ => None,
        })
        .and_then(|c| c.get("profile"))
        .and_then(|p| field(p, "name"));
    Some(InboundMessage {
        external_id,
        from,
        contact_name,
        kind,
        body,
        media,
        quoted_external_id,
        timestamp: timestamp(message),
    })
}

/// `"lat,long name address"`, leaving out what is missing.
fn location_body(payload: &Value) -> Option<String> {
    let mut parts = Vec::new();
    if let (Some(lat), Some(long)) = (payload.get("latitude").and_then(text), payload.get("longitude").and_then(text)) {
        parts.push(format!("{lat},{long}"));
    }
    parts.extend(field(payload, "name"));
    parts.extend(field(payload, "address"));
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The chosen button or list row's title (a Flow's `body`), as the customer saw it.
fn interactive_body(payload: &Value) -> Option<String> {
    let reply_kind = payload.get("type").and_then(Value::as_str)?;
    let reply = payload.get(reply_kind)?;
    match reply_kind {
        "button_reply" | "list_reply" => field(reply, "title").or_else(|| field(reply, "id")),
        "nfm_reply" => field(reply, "body").or_else(|| field(reply, "response_json")),
        _ => None,
    }
}

/// Shared contact cards as lines of `name: phone, phone`.
fn shared_contacts_body(cards: &Value) -> Option<String> {
    let lines: Vec<String> = cards
        .as_array()?
        .iter()
        .filter_map(|card| {
            let name = card.get("name").and_then(|n| field(n, "formatted_name"));
            let phones: Vec<String> = array(card, "phones").iter().filter_map(|p| field(p, "phone")).collect();
            match (name, phones.is_empty()) {
                (Some(name), true) => Some(name),
                (Some(name), false) => Some(format!("{name}: {}", phones.join(", "))),
                (None, false) => Some(phones.join(", ")),
                (None, true) => None,
            }
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn parse_status(status: &Value) -> Option<StatusUpdate> {
    let external_id = field(status, "id")?;
    let delivery = DeliveryStatus::parse(status.get("status").and_then(Value::as_str)?)?;
    let errors: Vec<String> = array(status, "errors").iter().filter_map(describe_error).collect();
    let error = (!errors.is_empty()).then(|| errors.join("; "));
    Some(StatusUpdate { external_id, status: delivery, error, timestamp: timestamp(status) })
}

/// `"Title: message (details) [#code]"`, leaving out repeats and what is missing.
fn describe_error(error: &Value) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for candidate in
        [field(error, "title"), field(error, "message"), error.get("error_data").and_then(|d| field(d, "details"))]
            .into_iter()
            .flatten()
    {
        if !parts.iter().any(|p| p == &candidate) {
            parts.push(candidate);
        }
    }
    let code = error.get("code").and_then(text);
    let mut out = match parts.as_slice() {
        [] => return code.map(|c| format!("error #{c}")),
        [one] => one.clone(),
        [first, second] => format!("{first}: {second}"),
        [first, second, rest @ ..] => format!("{first}: {second} ({})", rest.join("; ")),
    };
    if let Some(code) = code {
        out.push_str(&format!(" [#{code}]"));
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------------
// Client

/// What a Cloud API connection needs to send.
#[derive(Clone)]
pub struct CloudApiConfig {
    /// `DEFAULT_GRAPH_BASE_URL` unless a test points elsewhere.
    pub base_url: String,
    pub phone_number_id: String,
    pub access_token: String,
}

impl std::fmt::Debug for CloudApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudApiConfig")
            .field("base_url", &self.base_url)
            .field("phone_number_id", &self.phone_number_id)
            .field("access_token", &"<redacted>")
            .finish()
    }
}

/// Why a request to WhatsApp failed. `Retryable`: network trouble, time-outs, 5xx, 429 and Graph's
/// throttling or transient errors; the same request may succeed later. `Permanent`: the provider
/// refused it (bad number, expired token, outside the 24-hour window…) or answered nonsense; sending
/// it again will not help. Both keep the provider's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("WhatsApp unavailable for now: {message}")]
    Retryable { status: Option<u16>, code: Option<i64>, message: String },
    #[error("WhatsApp refused the request: {message}")]
    Permanent { status: Option<u16>, code: Option<i64>, message: String },
}

impl SendError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Retryable { .. })
    }

    /// The provider's (or the network's) own words.
    pub fn message(&self) -> &str {
        match self {
            SendError::Retryable { message, .. } | SendError::Permanent { message, .. } => message,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            SendError::Retryable { status, .. } | SendError::Permanent { status, .. } => *status,
        }
    }

    /// Graph's error code (`131047`…), when it gave one.
    pub fn code(&self) -> Option<i64> {
        match self {
            SendError::Retryable { code, .. } | SendError::Permanent { code, .. } => *code,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        SendError::Permanent { status: None, code: None, message: message.into() }
    }

    fn network(error: reqwest::Error) -> Self {
        let error = error.without_url();
        let retryable = !error.is_builder();
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        if retryable {
            SendError::Retryable { status: None, code: None, message }
        } else {
            SendError::Permanent { status: None, code: None, message }
        }
    }

    /// A non-2xx answer: Graph's `{"error": {...}}` when there is one.
    fn from_response(status: reqwest::StatusCode, body: &[u8]) -> Self {
        let error = serde_json::from_slice::<Value>(body).ok().and_then(|v| v.get("error").cloned());
        let code = error.as_ref().and_then(|e| e.get("code")).and_then(Value::as_i64);
        let transient = error.as_ref().and_then(|e| e.get("is_transient")).and_then(Value::as_bool) == Some(true);
        let message = match &error {
            Some(e) => {
                let main = field(e, "message").or_else(|| field(e, "error_user_msg"));
                let details = e.get("error_data").and_then(|d| field(d, "details"));
                match (main, details) {
                    (Some(main), Some(details)) if details != main => format!("{main}: {details}"),
                    (Some(main), _) => main,
                    (None, Some(details)) => details,
                    (None, None) => status.to_string(),
                }
            }
            None => {
                let snippet: String = String::from_utf8_lossy(body).chars().take(200).collect();
                let snippet = snippet.trim();
                if snippet.is_empty() { status.to_string() } else { format!("{status}: {snippet}") }
            }
        };
        let status_code = Some(status.as_u16());
        let retryable = status.is_server_error()
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            || status == reqwest::StatusCode::REQUEST_TIMEOUT
            || transient
            || code.is_some_and(|c| RETRYABLE_GRAPH_CODES.contains(&c));
        if retryable {
            SendError::Retryable { status: status_code, code, message }
        } else {
            SendError::Permanent { status: status_code, code, message }
        }
    }
}

/// Graph error codes that mean "not now" whatever the HTTP status: unknown/service errors (1, 2),
/// rate limits (4, 17, 32, 341, 613, 80007, 130429, 131056), spam throttling (131048), "something
/// went wrong" (131000), service unavailable (131016, 133004).
const RETRYABLE_GRAPH_CODES: [i64; 14] =
    [1, 2, 4, 17, 32, 341, 613, 80007, 130429, 131000, 131016, 131048, 131056, 133004];

/// A Cloud API client for one phone number. Cheap to clone; all clients share one connection pool.
#[derive(Clone)]
pub struct CloudApiClient {
    http: reqwest::Client,
    base_url: String,
    phone_number_id: String,
    access_token: String,
    max_media_bytes: usize,
}

impl std::fmt::Debug for CloudApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudApiClient")
            .field("base_url", &self.base_url)
            .field("phone_number_id", &self.phone_number_id)
            .finish_non_exhaustive()
    }
}

/// An HTTP client with the time-outs the Graph API calls need (connect 10 s, request 30 s; media
/// transfers get 180 s). HTTPS uses rustls with Mozilla's roots.
pub fn build_http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("atende/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(API_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(90))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
}

/// The process-wide client behind `CloudApiClient::new`.
fn shared_http_client() -> Result<reqwest::Client, SendError> {
    static HTTP: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(client) = HTTP.get() {
        return Ok(client.clone());
    }
    let client = build_http_client().map_err(SendError::network)?;
    Ok(HTTP.get_or_init(|| client).clone())
}

impl CloudApiClient {
    /// A client on the process-wide connection pool. Fails only if the TLS stack cannot start.
    pub fn new(config: CloudApiConfig) -> Result<Self, SendError> {
        Ok(Self::with_http_client(config, shared_http_client()?))
    }

    /// A client on a given `reqwest::Client` (see `build_http_client`).
    pub fn with_http_client(config: CloudApiConfig, http: reqwest::Client) -> Self {
        let base = config.base_url.trim().trim_end_matches('/');
        let base_url = if base.is_empty() { DEFAULT_GRAPH_BASE_URL.to_owned() } else { base.to_owned() };
        Self {
            http,
            base_url,
            phone_number_id: config.phone_number_id.trim().to_owned(),
            access_token: config.access_token,
            max_media_bytes: DEFAULT_MAX_MEDIA_BYTES,
        }
    }

    /// Caps `download_media` at `bytes` instead of `DEFAULT_MAX_MEDIA_BYTES`.
    pub fn with_max_media_bytes(mut self, bytes: usize) -> Self {
        self.max_media_bytes = bytes;
        self
    }

    pub fn phone_number_id(&self) -> &str {
        &self.phone_number_id
    }

    /// Sends a text (as a reply to `reply_to`, a `wamid`, when given); returns the new message's id.
    pub async fn send_text(&self, to: &str, body: &str, reply_to: Option<&str>) -> Result<String, SendError> {
        let mut message = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "text",
            "text": { "preview_url": false, "body": body },
        });
        if let Some(reply_to) = reply_to.filter(|id| !id.is_empty()) {
            message["context"] = json!({ "message_id": reply_to });
        }
        self.send_message(&message).await
    }

    /// Sends an uploaded file (`media_id` from `upload_media`) as an image, audio, video, document or
    /// sticker. The caption goes with images, videos and documents, the file name with documents;
    /// other kinds ignore them. Returns the new message's id.
    pub async fn send_media(
        &self,
        to: &str,
        kind: MessageKind,
        media_id: &str,
        caption: Option<&str>,
        filename: Option<&str>,
    ) -> Result<String, SendError> {
        if !kind.is_media() {
            return Err(SendError::permanent(format!("a {kind} message carries no media")));
        }
        if media_id.trim().is_empty() {
            return Err(SendError::permanent("no media id"));
        }
        let mut media = json!({ "id": media_id });
        let caption = caption.filter(|c| !c.is_empty());
        if let Some(caption) = caption
            && matches!(kind, MessageKind::Image | MessageKind::Video | MessageKind::Document)
        {
            media["caption"] = json!(caption);
        }
        if let Some(filename) = filename.filter(|f| !f.is_empty())
            && kind == MessageKind::Document
        {
            media["filename"] = json!(filename);
        }
        let mut message = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": kind.as_str(),
        });
        message[kind.as_str()] = media;
        self.send_message(&message).await
    }

    /// Uploads a file for a later `send_media`; returns its media id.
    pub async fn upload_media(&self, bytes: Vec<u8>, mime: &str, filename: &str) -> Result<String, SendError> {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_owned())
            .mime_str(mime)
            .map_err(|_| SendError::permanent(format!("not a MIME type: {mime}")))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime.to_owned())
            .part("file", part);
        let url = format!("{}/{}/media", self.base_url, path_segment(&self.phone_number_id)?);
        let request = self.http.post(url).timeout(MEDIA_TIMEOUT).multipart(form);
        let answer = self.call(request).await?;
        field(&answer, "id").ok_or_else(|| SendError::permanent("WhatsApp's answer to an upload has no media id"))
    }

    /// Fetches an inbound file: asks Graph for its URL, then downloads it with the same token.
    /// Returns the bytes and the MIME type (Graph's, else the download's `Content-Type`). Files over
    /// the cap are refused without reading them whole.
    pub async fn download_media(&self, media_id: &str) -> Result<(Vec<u8>, Option<String>), SendError> {
        let info_url = format!("{}/{}", self.base_url, path_segment(media_id)?);
        let info = self.call(self.http.get(info_url)).await?;
        let url = field(&info, "url").ok_or_else(|| SendError::permanent("WhatsApp gave no URL for the media"))?;
        let declared = info.get("file_size").and_then(text).and_then(|s| s.parse::<u64>().ok());
        if declared.is_some_and(|size| size > self.max_media_bytes as u64) {
            return Err(self.too_large());
        }
        let url = reqwest::Url::parse(&url).map_err(|_| SendError::permanent("WhatsApp gave a malformed media URL"))?;
        let https_only = self.base_url.starts_with("https://");
        if (https_only && url.scheme() != "https") || !matches!(url.scheme(), "https" | "http") {
            return Err(SendError::permanent("WhatsApp gave a media URL that is not HTTPS"));
        }
        let mut response = self
            .http
            .get(url)
            .bearer_auth(&self.access_token)
            .timeout(MEDIA_TIMEOUT)
            .send()
            .await
            .map_err(SendError::network)?;
        let status = response.status();
        if !status.is_success() {
            let body = read_capped(&mut response, MAX_API_RESPONSE_BYTES).await.ok().flatten().unwrap_or_default();
            return Err(SendError::from_response(status, &body));
        }
        if response.content_length().is_some_and(|len| len > self.max_media_bytes as u64) {
            return Err(self.too_large());
        }
        let header_mime = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .filter(|m| !m.is_empty());
        let bytes = read_capped(&mut response, self.max_media_bytes).await?.ok_or_else(|| self.too_large())?;
        Ok((bytes, field(&info, "mime_type").or(header_mime)))
    }

    fn too_large(&self) -> SendError {
        SendError::permanent(format!("the media file is larger than {} bytes", self.max_media_bytes))
    }

    /// POST /{phone_number_id}/messages; the new message's `wamid`.
    async fn send_message(&self, message: &Value) -> Result<String, SendError> {
        let url = format!("{}/{}/messages", self.base_url, path_segment(&self.phone_number_id)?);
        let answer = self.call(self.http.post(url).json(message)).await?;
        answer
            .pointer("/messages/0/id")
            .and_then(text)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| SendError::permanent("WhatsApp's answer has no message id"))
    }

    /// Sends with the token and reads a JSON answer, or the error.
    async fn call(&self, request: reqwest::RequestBuilder) -> Result<Value, SendError> {
        let mut response = request.bearer_auth(&self.access_token).send().await.map_err(SendError::network)?;
        let status = response.status();
        let body = read_capped(&mut response, MAX_API_RESPONSE_BYTES)
            .await?
            .ok_or_else(|| SendError::permanent("WhatsApp's answer is too large"))?;
        if !status.is_success() {
            return Err(SendError::from_response(status, &body));
        }
        serde_json::from_slice(&body).map_err(|_| SendError::Permanent {
            status: Some(status.as_u16()),
            code: None,
            message: "WhatsApp's answer is not JSON".to_owned(),
        })
    }
}

/// The body, or `None` once it passes `cap` bytes (reading stops there).
async fn read_capped(response: &mut reqwest::Response, cap: usize) -> Result<Option<Vec<u8>>, SendError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(SendError::network)? {
        if bytes.len() + chunk.len() > cap {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

/// An id put in a URL path: letters, digits, `_`, `-` and `.` only, so it cannot reach another
/// endpoint.
fn path_segment(id: &str) -> Result<&str, SendError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id != "."
        && id != ".."
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok { Ok(id) } else { Err(SendError::permanent(format!("not a WhatsApp id: {id:?}"))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW_CLOSED: &str = "Message failed to send because more than 24 hours have passed since the customer last \
                                 replied to this number.";

    fn events(payload: &Value) -> Vec<CloudEvent> {
        parse_webhook(payload.to_string().as_bytes()).unwrap()
    }

    fn messages(payload: &Value) -> Vec<InboundMessage> {
        events(payload)
            .into_iter()
            .filter_map(|e| match e {
                CloudEvent::Message(m) => Some(m),
                CloudEvent::Status(_) => None,
            })
            .collect()
    }

    fn only_message(payload: &Value) -> InboundMessage {
        let mut all = messages(payload);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    /// Meta's envelope around one change's `messages`, with the sender's profile.
    fn envelope(messages: Value) -> Value {
        json!({
            "object": "whatsapp_business_account",
            "entry": [{
                "id": "102290129340398",
                "changes": [{
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": { "display_phone_number": "15550783881", "phone_number_id": "106540352242922" },
                        "contacts": [{ "profile": { "name": "Sheena Nelson" }, "wa_id": "5511987654321" }],
                        "messages": messages
                    },
                    "field": "messages"
                }]
            }]
        })
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn text_message() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321",
            "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
            "timestamp": "1749416383",
            "type": "text",
            "text": { "body": "Olá, preciso de ajuda" }
        }])));
        assert_eq!(
            m,
            InboundMessage {
                external_id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=".into(),
                from: "5511987654321".into(),
                contact_name: Some("Sheena Nelson".into()),
                kind: MessageKind::Text,
                body: "Olá, preciso de ajuda".into(),
                media: None,
                quoted_external_id: None,
                timestamp: at(1749416383),
            }
        );
    }

    #[test]
    fn quoted_reply_keeps_the_context_id() {
        let m = only_message(&envelope(json!([{
            "context": { "from": "15550783881", "id": "wamid.QUOTED" },
            "from": "5511987654321",
            "id": "wamid.REPLY",
            "timestamp": "1749416383",
            "type": "text",
            "text": { "body": "Sim, esse mesmo" }
        }])));
        assert_eq!(m.quoted_external_id.as_deref(), Some("wamid.QUOTED"));
        assert_eq!(m.body, "Sim, esse mesmo");
    }

    #[test]
    fn forwarded_message_has_no_quote() {
        let m = only_message(&envelope(json!([{
            "context": { "forwarded": true },
            "from": "5511987654321", "id": "wamid.FWD", "timestamp": "1749416383",
            "type": "text", "text": { "body": "encaminhada" }
        }])));
        assert_eq!(m.quoted_external_id, None);
    }

    #[test]
    fn image_with_caption() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321",
            "id": "wamid.IMAGE",
            "timestamp": "1744344496",
            "type": "image",
            "image": {
                "caption": "Nota fiscal",
                "mime_type": "image/jpeg",
                "sha256": "SfInY0gHMk7kdFxNm7Pp2GeMA6Mpu8CMnE+Ox8Dtm6w=",
                "id": "1003383421387256"
            }
        }])));
        assert_eq!(m.kind, MessageKind::Image);
        assert_eq!(m.body, "Nota fiscal");
        assert_eq!(
            m.media,
            Some(InboundMedia {
                provider_id: "1003383421387256".into(),
                mime_type: Some("image/jpeg".into()),
                filename: None,
                sha256: Some("SfInY0gHMk7kdFxNm7Pp2GeMA6Mpu8CMnE+Ox8Dtm6w=".into()),
            })
        );
        assert_eq!(m.timestamp, at(1744344496));
    }

    #[test]
    fn document_with_filename() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321",
            "id": "wamid.DOC",
            "timestamp": "1744344496",
            "type": "document",
            "document": {
                "caption": "Segue o contrato",
                "filename": "contrato.pdf",
                "mime_type": "application/pdf",
                "sha256": "0c1d2e3f",
                "id": "2003383421387256"
            }
        }])));
        assert_eq!(m.kind, MessageKind::Document);
        assert_eq!(m.body, "Segue o contrato");
        let media = m.media.unwrap();
        assert_eq!(media.filename.as_deref(), Some("contrato.pdf"));
        assert_eq!(media.mime_type.as_deref(), Some("application/pdf"));
        assert_eq!(media.provider_id, "2003383421387256");
    }

    #[test]
    fn voice_audio_video_and_sticker() {
        let all = messages(&envelope(json!([
            {
                "from": "5511987654321", "id": "wamid.VOICE", "timestamp": "1744344496", "type": "audio",
                "audio": { "mime_type": "audio/ogg; codecs=opus", "sha256": "abc", "id": "301", "voice": true }
            },
            {
                "from": "5511987654321", "id": "wamid.VIDEO", "timestamp": "1744344497", "type": "video",
                "video": { "caption": "olha isso", "mime_type": "video/mp4", "sha256": "def", "id": "302" }
            },
            {
                "from": "5511987654321", "id": "wamid.STICKER", "timestamp": "1744344498", "type": "sticker",
                "sticker": { "mime_type": "image/webp", "sha256": "ghi", "id": "303", "animated": false }
            }
        ])));
        let kinds: Vec<_> = all.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, [MessageKind::Audio, MessageKind::Video, MessageKind::Sticker]);
        assert_eq!(all[0].body, "");
        assert_eq!(all[0].media.as_ref().unwrap().mime_type.as_deref(), Some("audio/ogg; codecs=opus"));
        assert_eq!(all[1].body, "olha isso");
        assert_eq!(all[2].media.as_ref().unwrap().provider_id, "303");
        assert!(all.iter().all(|m| m.contact_name.as_deref() == Some("Sheena Nelson")));
    }

    #[test]
    fn location() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321", "id": "wamid.LOC", "timestamp": "1744344496", "type": "location",
            "location": {
                "address": "Av. Paulista, 1578 - Bela Vista, São Paulo",
                "latitude": -23.561414,
                "longitude": -46.655881,
                "name": "MASP",
                "url": "https://masp.org.br"
            }
        }])));
        assert_eq!(m.kind, MessageKind::Location);
        assert_eq!(m.body, "-23.561414,-46.655881 MASP Av. Paulista, 1578 - Bela Vista, São Paulo");
        assert!(m.media.is_none());

        // A pin dropped without a name.
        let m = only_message(&envelope(json!([{
            "from": "5511987654321", "id": "wamid.PIN", "timestamp": "1744344496", "type": "location",
            "location": { "latitude": 38.9, "longitude": -77.04 }
        }])));
        assert_eq!(m.body, "38.9,-77.04");
    }

    #[test]
    fn reaction_points_at_the_reacted_message() {
        let all = messages(&envelope(json!([
            {
                "from": "5511987654321", "id": "wamid.REACT", "timestamp": "1744344496", "type": "reaction",
                "reaction": { "message_id": "wamid.OURS", "emoji": "👍" }
            },
            {
                "from": "5511987654321", "id": "wamid.UNREACT", "timestamp": "1744344497", "type": "reaction",
                "reaction": { "message_id": "wamid.OURS" }
            }
        ])));
        assert_eq!(all[0].kind, MessageKind::Reaction);
        assert_eq!(all[0].body, "👍");
        assert_eq!(all[0].quoted_external_id.as_deref(), Some("wamid.OURS"));
        // Removing a reaction: empty emoji.
        assert_eq!(all[1].body, "");
        assert_eq!(all[1].quoted_external_id.as_deref(), Some("wamid.OURS"));
    }

    #[test]
    fn interactive_and_button_replies_are_text() {
        let all = messages(&envelope(json!([
            {
                "context": { "from": "15550783881", "id": "wamid.MENU" },
                "from": "5511987654321", "id": "wamid.BTN", "timestamp": "1744344496", "type": "interactive",
                "interactive": { "type": "button_reply", "button_reply": { "id": "opt-2", "title": "Financeiro" } }
            },
            {
                "from": "5511987654321", "id": "wamid.LIST", "timestamp": "1744344497", "type": "interactive",
                "interactive": {
                    "type": "list_reply",
                    "list_reply": { "id": "row-1", "title": "Segunda via", "description": "Boleto" }
                }
            },
            {
                "context": { "from": "15550783881", "id": "wamid.TEMPLATE" },
                "from": "5511987654321", "id": "wamid.QUICK", "timestamp": "1744344498", "type": "button",
                "button": { "text": "Quero falar com atendente", "payload": "HUMAN" }
            }
        ])));
        assert_eq!(all.len(), 3);
        assert!(all.iter().all(|m| m.kind == MessageKind::Text));
        assert_eq!(all[0].body, "Financeiro");
        assert_eq!(all[0].quoted_external_id.as_deref(), Some("wamid.MENU"));
        assert_eq!(all[1].body, "Segunda via");
        assert_eq!(all[2].body, "Quero falar com atendente");
    }

    #[test]
    fn shared_contacts_are_text() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321", "id": "wamid.CARD", "timestamp": "1744344496", "type": "contacts",
            "contacts": [{
                "name": { "first_name": "Maria", "formatted_name": "Maria Souza" },
                "phones": [{ "phone": "+55 21 99876-5432", "type": "CELL", "wa_id": "5521998765432" }]
            }]
        }])));
        assert_eq!(m.kind, MessageKind::Text);
        assert_eq!(m.body, "Maria Souza: +55 21 99876-5432");
    }

    #[test]
    fn unknown_types_and_broken_items_are_skipped() {
        let all = messages(&envelope(json!([
            {
                "from": "5511987654321", "id": "wamid.UNSUP", "timestamp": "1744344496", "type": "unsupported",
                "errors": [{ "code": 131051, "title": "Message type unknown", "message": "Message type unknown" }]
            },
            {
                "from": "5511987654321", "id": "wamid.SYS", "timestamp": "1744344496", "type": "system",
                "system": { "body": "User changed number", "wa_id": "5511900000000", "type": "user_changed_number" }
            },
            { "from": "5511987654321", "timestamp": "1744344496", "type": "text", "text": { "body": "no id" } },
            { "id": "wamid.NOFROM", "timestamp": "1744344496", "type": "text", "text": { "body": "no from" } },
            { "from": "5511987654321", "id": "wamid.NOBODY", "timestamp": "1744344496", "type": "text" },
            { "from": "5511987654321", "id": "wamid.NOTYPE", "timestamp": "1744344496" },
            "not an object",
            42,
            {
                "from": "5511987654321", "id": "wamid.GOOD", "timestamp": "1744344496", "type": "text",
                "text": { "body": "still here" }
            }
        ])));
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].external_id, "wamid.GOOD");
    }

    #[test]
    fn status_batch_with_a_failure() {
        let payload = json!({
            "object": "whatsapp_business_account",
            "entry": [{
                "id": "102290129340398",
                "changes": [{
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": { "display_phone_number": "15550783881", "phone_number_id": "106540352242922" },
                        "statuses": [
                            {
                                "id": "wamid.SENT", "status": "sent", "timestamp": "1750263773",
                                "recipient_id": "5511987654321",
                                "conversation": { "id": "abc", "origin": { "type": "service" } },
                                "pricing": { "billable": true, "pricing_model": "PMP", "category": "service" }
                            },
                            {
                                "id": "wamid.SENT", "status": "delivered", "timestamp": "1750263774",
                                "recipient_id": "5511987654321"
                            },
                            {
                                "id": "wamid.SENT", "status": "read", "timestamp": 1750263780,
                                "recipient_id": "5511987654321"
                            },
                            {
                                "id": "wamid.FAILED", "status": "failed", "timestamp": "1750263790",
                                "recipient_id": "5511987654321",
                                "errors": [{
                                    "code": 131047,
                                    "title": "Re-engagement message",
                                    "message": "Re-engagement message",
                                    "error_data": {
                                        "details": WINDOW_CLOSED
                                    },
                                    "href": "https://developers.facebook.com/docs/whatsapp/"
                                }]
                            },
                            { "id": "wamid.X", "status": "deleted", "timestamp": "1750263791" },
                            { "status": "sent", "timestamp": "1750263792" }
                        ]
                    }
                }]
            }]
        });
        let all: Vec<StatusUpdate> = events(&payload)
            .into_iter()
            .map(|e| match e {
                CloudEvent::Status(s) => s,
                CloudEvent::Message(m) => panic!("unexpected {m:?}"),
            })
            .collect();
        assert_eq!(all.len(), 4);
        let statuses: Vec<_> = all.iter().map(|s| s.status).collect();
        assert_eq!(
            statuses,
            [DeliveryStatus::Sent, DeliveryStatus::Delivered, DeliveryStatus::Read, DeliveryStatus::Failed]
        );
        assert_eq!(all[0].external_id, "wamid.SENT");
        assert_eq!(all[0].error, None);
        assert_eq!(all[0].timestamp, at(1750263773));
        assert_eq!(all[2].timestamp, at(1750263780));
        assert_eq!(all[3].external_id, "wamid.FAILED");
        assert_eq!(
            all[3].error.as_deref(),
            Some(
                "Re-engagement message: Message failed to send because more than 24 hours have passed since the \
                 customer last replied to this number. [#131047]"
            )
        );
    }

    #[test]
    fn two_entries_in_one_payload() {
        let payload = json!({
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA1",
                    "changes": [{
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": { "display_phone_number": "15550783881", "phone_number_id": "111" },
                            "contacts": [
                                { "profile": { "name": "Ana" }, "wa_id": "5511987654321" },
                                { "profile": { "name": "Bruno" }, "wa_id": "551187654322" }
                            ],
                            "messages": [
                                {
                                    "from": "551187654322", "id": "wamid.B", "timestamp": "1700000001",
                                    "type": "text", "text": { "body": "oi" }
                                },
                                {
                                    "from": "5511987654321", "id": "wamid.A", "timestamp": "1700000002",
                                    "type": "text", "text": { "body": "olá" }
                                }
                            ]
                        }
                    }]
                },
                {
                    "id": "WABA2",
                    "changes": [
                        { "field": "account_update", "value": { "event": "VERIFIED_ACCOUNT" } },
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": { "display_phone_number": "15550000000", "phone_number_id": "222" },
                                "statuses": [{
                                    "id": "wamid.OUT", "status": "delivered", "timestamp": "1700000003",
                                    "recipient_id": "1"
                                }]
                            }
                        }
                    ]
                }
            ]
        });
        let all = events(&payload);
        assert_eq!(all.len(), 3);
        match (&all[0], &all[1], &all[2]) {
            (CloudEvent::Message(b), CloudEvent::Message(a), CloudEvent::Status(s)) => {
                assert_eq!((b.external_id.as_str(), b.contact_name.as_deref()), ("wamid.B", Some("Bruno")));
                assert_eq!(b.from, "551187654322");
                assert_eq!((a.external_id.as_str(), a.contact_name.as_deref()), ("wamid.A", Some("Ana")));
                assert_eq!(s.external_id, "wamid.OUT");
            }
            other => panic!("unexpected {other:?}"),
        }

        // Only one phone number's events.
        let bytes = payload.to_string();
        let first = parse_webhook_for(bytes.as_bytes(), "111").unwrap();
        assert_eq!(first.len(), 2);
        assert!(first.iter().all(|e| matches!(e, CloudEvent::Message(_))));
        let second = parse_webhook_for(bytes.as_bytes(), "222").unwrap();
        assert!(matches!(second.as_slice(), [CloudEvent::Status(_)]));
        assert!(parse_webhook_for(bytes.as_bytes(), "333").unwrap().is_empty());
    }

    #[test]
    fn missing_timestamp_is_now_and_name_is_optional() {
        let payload = json!({
            "entry": [{ "changes": [{ "field": "messages", "value": {
                "messages": [{
                    "from": "16505551234", "id": "wamid.T", "type": "text", "text": { "body": "hi" },
                    "timestamp": "soon"
                }]
            } }] }]
        });
        let before = Utc::now();
        let m = only_message(&payload);
        assert!(m.timestamp >= before);
        assert_eq!(m.contact_name, None);
    }

    #[test]
    fn malformed_bodies() {
        for bad in [&b""[..], b"{", b"not json", b"\xff\xfe", b"{\"entry\": [}"] {
            assert!(matches!(parse_webhook(bad), Err(ParseError::Json(_))), "{bad:?}");
        }
        for bad in [&b"[]"[..], b"42", b"\"entry\"", b"null", b"{\"entry\": {}}", b"{\"entry\": 1}"] {
            assert!(matches!(parse_webhook(bad), Err(ParseError::Shape(_))), "{bad:?}");
        }
        // JSON objects of the wrong shape are simply empty.
        for odd in [
            json!({}),
            json!({ "object": "page" }),
            json!({ "entry": [] }),
            json!({ "entry": [1, "x", null, {}] }),
            json!({ "entry": [{ "changes": "x" }] }),
            json!({ "entry": [{ "changes": [null, 1, { "value": 3 }, { "value": { "messages": {} } }] }] }),
            json!({ "entry": [{ "changes": [{ "value": { "messages": [{ "id": 1, "from": [], "type": {} }] } }] }] }),
            json!({ "entry": [{ "changes": [{ "value": { "statuses": [{ "id": "w", "status": 1 }] } }] }] }),
            json!({ "entry": [{ "changes": [{ "value": {
                "messages": [{ "id": "w", "from": "1", "type": "image", "image": 5 }]
            } }] }] }),
        ] {
            let _ = parse_webhook(odd.to_string().as_bytes()).unwrap();
        }
        // Deep nesting is refused by the JSON parser, not a stack overflow.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_webhook(deep.as_bytes()).is_err());
    }

    #[test]
    fn image_without_media_id_keeps_the_caption() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321", "id": "wamid.IMG", "timestamp": "1", "type": "image",
            "image": { "caption": "sem id" }
        }])));
        assert_eq!(m.kind, MessageKind::Image);
        assert_eq!(m.media, None);
        assert_eq!(m.body, "sem id");
    }

    // -----------------------------------------------------------------------------------------------
    // Signature and handshake

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn signature_known_vector() {
        let body = b"The quick brown fox jumps over the lazy dog";
        let header = "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
        assert!(verify_signature("key", body, Some(header)));
        assert!(verify_signature("key", body, Some(&header.to_uppercase().replace("SHA256=", "sha256="))));
        assert!(verify_signature("key", body, Some(&format!("  {header}\t"))));
    }

    #[test]
    fn signature_accepts_the_raw_bytes_it_was_made_over() {
        // Not re-serialised: whitespace and escapes as Meta sent them.
        let body = "{\"entry\": [ {\"id\":\"1\", \"text\":\"ol\\u00e1 😀\"} ]}\n".as_bytes();
        let header = sign("app-secret", body);
        assert!(verify_signature("app-secret", body, Some(&header)));
        let reserialised = serde_json::to_vec(&serde_json::from_slice::<Value>(body).unwrap()).unwrap();
        assert!(!verify_signature("app-secret", &reserialised, Some(&header)));
    }

    #[test]
    fn signature_rejects() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let good = sign("app-secret", body);
        assert!(verify_signature("app-secret", body, Some(&good)));
        // Wrong secret.
        assert!(!verify_signature("other-secret", body, Some(&good)));
        assert!(!verify_signature("", body, Some(&sign("", body))));
        // Tampered body.
        let mut tampered = body.to_vec();
        tampered[10] ^= 1;
        assert!(!verify_signature("app-secret", &tampered, Some(&good)));
        assert!(!verify_signature("app-secret", &body[..body.len() - 1], Some(&good)));
        // Missing or malformed header.
        let hex_only = good.trim_start_matches("sha256=");
        for header in [
            None,
            Some(""),
            Some("sha256="),
            Some(hex_only),
            Some(&*format!("sha1={hex_only}")),
            Some(&*format!("sha256={}", &hex_only[..62])),
            Some(&*format!("sha256={hex_only}00")),
            Some(&*format!("sha256={}zz", &hex_only[..62])),
            Some(&*format!("sha256=={hex_only}")),
            Some("sha256=ünïcödé"),
        ] {
            assert!(!verify_signature("app-secret", body, header), "{header:?}");
        }
    }

    #[test]
    fn subscription_handshake() {
        let check = |mode, token, challenge| verify_subscription(mode, token, challenge, "s3cret-token");
        assert_eq!(check(Some("subscribe"), Some("s3cret-token"), Some("1158201444")), Some("1158201444".into()));
        assert_eq!(check(Some("subscribe"), Some("wrong"), Some("1158201444")), None);
        assert_eq!(check(Some("subscribe"), Some("s3cret-toke"), Some("1158201444")), None);
        assert_eq!(check(Some("subscribe"), None, Some("1158201444")), None);
        assert_eq!(check(Some("unsubscribe"), Some("s3cret-token"), Some("1158201444")), None);
        assert_eq!(check(None, Some("s3cret-token"), Some("1158201444")), None);
        assert_eq!(check(Some("subscribe"), Some("s3cret-token"), None), None);
        assert_eq!(check(Some("subscribe"), Some("s3cret-token"), Some("")), None);
        assert_eq!(check(Some("subscribe"), Some("s3cret-token"), Some("<script>alert(1)</script>")), None);
        assert_eq!(check(Some("subscribe"), Some("s3cret-token"), Some(&"1".repeat(300))), None);
        // A connection without a verify token accepts nobody.
        assert_eq!(verify_subscription(Some("subscribe"), Some(""), Some("1"), ""), None);
    }

    // -----------------------------------------------------------------------------------------------
    // Client, against a local fake Graph API

    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    use axum::body::{Body, to_bytes};
    use axum::extract::{Request, State};
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Response};

    /// One request the fake received.
    #[derive(Debug, Clone)]
    struct Seen {
        method: String,
        path: String,
        authorization: Option<String>,
        content_type: Option<String>,
        body: Vec<u8>,
    }

    impl Seen {
        fn json(&self) -> Value {
            serde_json::from_slice(&self.body).unwrap()
        }
    }

    /// A scripted answer.
    struct Reply {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
        delay: Duration,
    }

    fn reply_json(status: u16, body: Value) -> Reply {
        Reply { status, content_type: "application/json", body: body.to_string().into_bytes(), delay: Duration::ZERO }
    }

    #[derive(Clone, Default)]
    struct Fake {
        seen: Arc<Mutex<Vec<Seen>>>,
        replies: Arc<Mutex<VecDeque<Reply>>>,
    }

    impl Fake {
        fn push(&self, reply: Reply) {
            self.replies.lock().unwrap().push_back(reply);
        }
        fn seen(&self) -> Vec<Seen> {
            self.seen.lock().unwrap().clone()
        }
    }

    async fn fake_handler(State(fake): State<Fake>, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        let body = to_bytes(body, usize::MAX).await.unwrap().to_vec();
        let header =
            |name| parts.headers.get(name).and_then(|v: &header::HeaderValue| v.to_str().ok()).map(str::to_owned);
        fake.seen.lock().unwrap().push(Seen {
            method: parts.method.to_string(),
            path: parts.uri.path_and_query().map(|p| p.to_string()).unwrap_or_default(),
            authorization: header(header::AUTHORIZATION),
            content_type: header(header::CONTENT_TYPE),
            body,
        });
        let reply = fake.replies.lock().unwrap().pop_front();
        let Some(reply) = reply else {
            return (StatusCode::NOT_FOUND, "no scripted reply").into_response();
        };
        tokio::time::sleep(reply.delay).await;
        Response::builder()
            .status(reply.status)
            .header(header::CONTENT_TYPE, reply.content_type)
            .body(Body::from(reply.body))
            .unwrap()
    }

    /// A fake Graph API on 127.0.0.1 and a client pointed at it.
    async fn fake_graph() -> (Fake, String, CloudApiClient) {
        let fake = Fake::default();
        let app = axum::Router::new().fallback(fake_handler).with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let client = test_client(&format!("{origin}/v21.0/"), Duration::from_secs(10));
        (fake, origin, client)
    }

    fn test_client(base_url: &str, timeout: Duration) -> CloudApiClient {
        let http = reqwest::Client::builder().no_proxy().timeout(timeout).build().unwrap();
        let config = CloudApiConfig {
            base_url: base_url.to_owned(),
            phone_number_id: "106540352242922".into(),
            access_token: "EAAG-test-token".into(),
        };
        CloudApiClient::with_http_client(config, http)
    }

    fn sent_ok(wamid: &str) -> Reply {
        reply_json(
            200,
            json!({
                "messaging_product": "whatsapp",
                "contacts": [{ "input": "5511987654321", "wa_id": "5511987654321" }],
                "messages": [{ "id": wamid }]
            }),
        )
    }

    fn graph_error(status: u16, code: i64, message: &str) -> Reply {
        reply_json(
            status,
            json!({
                "error": {
                    "message": message,
                    "type": "OAuthException",
                    "code": code,
                    "fbtrace_id": "AbCdEf123"
                }
            }),
        )
    }

    #[tokio::test]
    async fn send_text_posts_meta_shape_with_bearer() {
        let (fake, _, client) = fake_graph().await;
        fake.push(sent_ok("wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ="));
        let id = client.send_text("5511987654321", "Olá! Como posso ajudar?", None).await.unwrap();
        assert_eq!(id, "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ=");

        let seen = fake.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].method, "POST");
        assert_eq!(seen[0].path, "/v21.0/106540352242922/messages");
        assert_eq!(seen[0].authorization.as_deref(), Some("Bearer EAAG-test-token"));
        assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
        assert_eq!(
            seen[0].json(),
            json!({
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "5511987654321",
                "type": "text",
                "text": { "preview_url": false, "body": "Olá! Como posso ajudar?" }
            })
        );
    }

    #[tokio::test]
    async fn send_text_as_a_reply_carries_the_context() {
        let (fake, _, client) = fake_graph().await;
        fake.push(sent_ok("wamid.REPLY"));
        let id = client.send_text("5511987654321", "Respondendo", Some("wamid.QUOTED")).await.unwrap();
        assert_eq!(id, "wamid.REPLY");
        let body = fake.seen()[0].json();
        assert_eq!(body["context"], json!({ "message_id": "wamid.QUOTED" }));
        assert_eq!(body["text"]["body"], "Respondendo");
        assert_eq!(body["to"], "5511987654321");
    }

    #[tokio::test]
    async fn send_media_by_kind() {
        let (fake, _, client) = fake_graph().await;
        for n in 0..4 {
            fake.push(sent_ok(&format!("wamid.M{n}")));
        }
        let to = "5511987654321";
        assert_eq!(
            client.send_media(to, MessageKind::Image, "1479537139650973", Some("A foto"), None).await.unwrap(),
            "wamid.M0"
        );
        client.send_media(to, MessageKind::Document, "222", Some("Contrato"), Some("contrato.pdf")).await.unwrap();
        client.send_media(to, MessageKind::Audio, "333", Some("ignored"), Some("ignored.ogg")).await.unwrap();
        client.send_media(to, MessageKind::Sticker, "444", None, None).await.unwrap();

        let bodies: Vec<Value> = fake.seen().iter().map(Seen::json).collect();
        let base = |kind: &str, media: Value| {
            let mut v =
                json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": kind });
            v[kind] = media;
            v
        };
        assert_eq!(bodies[0], base("image", json!({ "id": "1479537139650973", "caption": "A foto" })));
        assert_eq!(
            bodies[1],
            base("document", json!({ "id": "222", "caption": "Contrato", "filename": "contrato.pdf" }))
        );
        assert_eq!(bodies[2], base("audio", json!({ "id": "333" })));
        assert_eq!(bodies[3], base("sticker", json!({ "id": "444" })));
        assert!(fake.seen().iter().all(|s| s.path == "/v21.0/106540352242922/messages"));

        // Not media: refused before any request.
        let err = client.send_media(to, MessageKind::Text, "1", None, None).await.unwrap_err();
        assert!(!err.is_retryable());
        let err = client.send_media(to, MessageKind::Image, " ", None, None).await.unwrap_err();
        assert!(!err.is_retryable());
        assert_eq!(fake.seen().len(), 4);
    }

    #[tokio::test]
    async fn upload_media_is_multipart() {
        let (fake, _, client) = fake_graph().await;
        fake.push(reply_json(200, json!({ "id": "1037543291543636" })));
        let bytes = b"\x89PNG\r\n\x1a\nfake image bytes".to_vec();
        let id = client.upload_media(bytes.clone(), "image/png", "foto.png").await.unwrap();
        assert_eq!(id, "1037543291543636");

        let seen = &fake.seen()[0];
        assert_eq!(seen.method, "POST");
        assert_eq!(seen.path, "/v21.0/106540352242922/media");
        assert_eq!(seen.authorization.as_deref(), Some("Bearer EAAG-test-token"));
        let content_type = seen.content_type.clone().unwrap();
        assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
        let body = String::from_utf8_lossy(&seen.body);
        assert!(body.contains("name=\"messaging_product\"\r\n\r\nwhatsapp\r\n"), "{body}");
        assert!(body.contains("name=\"type\"\r\n\r\nimage/png\r\n"), "{body}");
        assert!(body.contains("name=\"file\"; filename=\"foto.png\""), "{body}");
        assert!(body.contains("Content-Type: image/png"), "{body}");
        assert!(seen.body.windows(bytes.len()).any(|w| w == bytes.as_slice()));

        // A MIME type that is not one is refused locally.
        let err = client.upload_media(vec![1], "not a mime", "x").await.unwrap_err();
        assert!(!err.is_retryable());
        assert_eq!(fake.seen().len(), 1);
    }

    #[tokio::test]
    async fn download_media_follows_the_url() {
        let (fake, origin, client) = fake_graph().await;
        let file = b"OggS voice note bytes".to_vec();
        fake.push(reply_json(
            200,
            json!({
                "messaging_product": "whatsapp",
                "url": format!("{origin}/whatsapp_business/attachments/?mid=1037543291543636&ext=1713459&hash=ATuAbc"),
                "mime_type": "audio/ogg",
                "sha256": "abc",
                "file_size": "21",
                "id": "1037543291543636"
            }),
        ));
        fake.push(Reply {
            status: 200,
            content_type: "application/octet-stream",
            body: file.clone(),
            delay: Duration::ZERO,
        });
        let (bytes, mime) = client.download_media("1037543291543636").await.unwrap();
        assert_eq!(bytes, file);
        assert_eq!(mime.as_deref(), Some("audio/ogg"));

        let seen = fake.seen();
        assert_eq!(seen.len(), 2);
        assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), ("GET", "/v21.0/1037543291543636"));
        assert_eq!(seen[0].authorization.as_deref(), Some("Bearer EAAG-test-token"));
        assert_eq!(seen[1].method, "GET");
        assert_eq!(seen[1].path, "/whatsapp_business/attachments/?mid=1037543291543636&ext=1713459&hash=ATuAbc");
        assert_eq!(seen[1].authorization.as_deref(), Some("Bearer EAAG-test-token"));
    }

    #[tokio::test]
    async fn download_media_uses_the_content_type_when_graph_gives_none() {
        let (fake, origin, client) = fake_graph().await;
        fake.push(reply_json(200, json!({ "url": format!("{origin}/file"), "id": "5" })));
        fake.push(Reply {
            status: 200,
            content_type: "image/jpeg",
            body: vec![0xff, 0xd8, 0xff],
            delay: Duration::ZERO,
        });
        let (bytes, mime) = client.download_media("5").await.unwrap();
        assert_eq!(bytes, [0xff, 0xd8, 0xff]);
        assert_eq!(mime.as_deref(), Some("image/jpeg"));
    }

    #[tokio::test]
    async fn download_media_is_capped() {
        let (fake, origin, client) = fake_graph().await;
        let client = client.with_max_media_bytes(1000);
        // Declared too large: the file is not fetched.
        fake.push(reply_json(200, json!({ "url": format!("{origin}/big"), "file_size": 5000, "id": "6" })));
        let err = client.download_media("6").await.unwrap_err();
        assert!(!err.is_retryable());
        assert!(err.message().contains("larger than 1000 bytes"), "{err}");
        assert_eq!(fake.seen().len(), 1);
        // Undeclared, and too large once fetched.
        fake.push(reply_json(200, json!({ "url": format!("{origin}/big"), "id": "7" })));
        fake.push(Reply { status: 200, content_type: "video/mp4", body: vec![0; 5000], delay: Duration::ZERO });
        let err = client.download_media("7").await.unwrap_err();
        assert!(err.message().contains("larger than"), "{err}");
    }

    #[tokio::test]
    async fn download_media_errors() {
        let (fake, origin, client) = fake_graph().await;
        // Unknown media id: Graph's 400.
        fake.push(graph_error(
            400,
            100,
            "Unsupported get request. Object with ID '999' does not exist, cannot be loaded due to missing \
             permissions, or does not support this operation.",
        ));
        let err = client.download_media("999").await.unwrap_err();
        assert!(!err.is_retryable());
        assert_eq!(err.code(), Some(100));
        assert!(err.message().starts_with("Unsupported get request"));
        // The file server failing is worth a retry.
        fake.push(reply_json(200, json!({ "url": format!("{origin}/file"), "id": "8" })));
        fake.push(Reply {
            status: 503,
            content_type: "text/html",
            body: b"<h1>busy</h1>".to_vec(),
            delay: Duration::ZERO,
        });
        let err = client.download_media("8").await.unwrap_err();
        assert!(err.is_retryable());
        assert_eq!(err.status(), Some(503));
        // No URL, a bad URL, or an id that would reach another endpoint.
        fake.push(reply_json(200, json!({ "id": "9" })));
        assert!(!client.download_media("9").await.unwrap_err().is_retryable());
        fake.push(reply_json(200, json!({ "url": "file:///etc/passwd", "id": "10" })));
        assert!(!client.download_media("10").await.unwrap_err().is_retryable());
        let before = fake.seen().len();
        for bad in ["", "..", "1/messages", "1?fields=x", "a b", "%2e%2e"] {
            assert!(!client.download_media(bad).await.unwrap_err().is_retryable(), "{bad:?}");
        }
        assert_eq!(fake.seen().len(), before);
    }

    #[tokio::test]
    async fn unreachable_graph_is_retryable() {
        let config = CloudApiConfig {
            base_url: "https://127.0.0.1:1/v21.0".into(),
            phone_number_id: "1".into(),
            access_token: "t".into(),
        };
        let client = CloudApiClient::new(config).unwrap();
        // The Graph call itself fails to connect (nothing listens on port 1): retryable.
        let err = client.download_media("5").await.unwrap_err();
        assert!(err.is_retryable(), "{err:?}");
    }

    #[tokio::test]
    async fn errors_are_classified() {
        let (fake, _, client) = fake_graph().await;
        let send = || client.send_text("5511987654321", "oi", None);

        // Outside the 24-hour window: permanent, Meta's words kept.
        fake.push(reply_json(
            400,
            json!({
                "error": {
                    "message": "(#131047) Re-engagement message",
                    "type": "OAuthException",
                    "code": 131047,
                    "error_data": {
                        "messaging_product": "whatsapp",
                        "details": WINDOW_CLOSED
                    },
                    "fbtrace_id": "A1b2"
                }
            }),
        ));
        let err = send().await.unwrap_err();
        assert!(!err.is_retryable());
        assert_eq!((err.status(), err.code()), (Some(400), Some(131047)));
        assert_eq!(
            err.message(),
            "(#131047) Re-engagement message: Message failed to send because more than 24 hours have passed \
             since the customer last replied to this number."
        );

        // Invalid parameter and expired token: permanent.
        fake.push(graph_error(400, 100, "(#100) Invalid parameter"));
        let err = send().await.unwrap_err();
        assert!(!err.is_retryable());
        assert_eq!(err.message(), "(#100) Invalid parameter");
        fake.push(graph_error(401, 190, "Error validating access token: Session has expired"));
        let err = send().await.unwrap_err();
        assert!(!err.is_retryable());
        assert_eq!(err.status(), Some(401));
        assert!(err.to_string().contains("Session has expired"));

        // 5xx, 429, and Graph's throttling codes even on a 400: retryable.
        fake.push(graph_error(500, 131000, "Something went wrong"));
        assert!(send().await.unwrap_err().is_retryable());
        fake.push(graph_error(503, 2, "Service temporarily unavailable"));
        assert!(send().await.unwrap_err().is_retryable());
        fake.push(graph_error(429, 130429, "(#130429) Rate limit hit"));
        let err = send().await.unwrap_err();
        assert!(err.is_retryable());
        assert_eq!(err.message(), "(#130429) Rate limit hit");
        fake.push(graph_error(400, 131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit"));
        assert!(send().await.unwrap_err().is_retryable());
        fake.push(graph_error(400, 80007, "(#80007) Rate limit issues"));
        assert!(send().await.unwrap_err().is_retryable());
        fake.push(reply_json(400, json!({ "error": { "message": "Temporary", "code": 99999, "is_transient": true } })));
        assert!(send().await.unwrap_err().is_retryable());

        // A proxy's HTML page: status kept, body quoted.
        fake.push(Reply {
            status: 502,
            content_type: "text/html",
            body: b"<html>Bad Gateway</html>".to_vec(),
            delay: Duration::ZERO,
        });
        let err = send().await.unwrap_err();
        assert!(err.is_retryable());
        assert!(err.message().contains("Bad Gateway"), "{err}");

        // 200 without a message id, or not JSON: permanent (it may have been sent; do not repeat).
        fake.push(reply_json(200, json!({ "messaging_product": "whatsapp", "messages": [] })));
        assert!(!send().await.unwrap_err().is_retryable());
        fake.push(Reply { status: 200, content_type: "text/plain", body: b"ok".to_vec(), delay: Duration::ZERO });
        assert!(!send().await.unwrap_err().is_retryable());
    }

    #[tokio::test]
    async fn network_failures_are_retryable() {
        // Nothing listens on a port we just freed.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let client = test_client(&format!("http://{addr}/v21.0"), Duration::from_secs(5));
        let err = client.send_text("5511987654321", "oi", None).await.unwrap_err();
        assert!(err.is_retryable(), "{err:?}");
        assert_eq!(err.status(), None);

        // A server that answers too late.
        let (fake, origin, _) = fake_graph().await;
        let client = test_client(&format!("{origin}/v21.0"), Duration::from_millis(200));
        fake.push(Reply { delay: Duration::from_secs(2), ..sent_ok("wamid.LATE") });
        let err = client.send_text("5511987654321", "oi", None).await.unwrap_err();
        assert!(err.is_retryable(), "{err:?}");
    }

    #[tokio::test]
    async fn bad_phone_number_id_is_refused_locally() {
        let (fake, origin, _) = fake_graph().await;
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let config = CloudApiConfig {
            base_url: format!("{origin}/v21.0"),
            phone_number_id: "../me".into(),
            access_token: "t".into(),
        };
        let client = CloudApiClient::with_http_client(config, http);
        assert!(!client.send_text("1", "x", None).await.unwrap_err().is_retryable());
        assert!(!client.upload_media(vec![1], "image/png", "a.png").await.unwrap_err().is_retryable());
        assert!(fake.seen().is_empty());
    }

    #[test]
    fn config_and_client_do_not_print_the_token() {
        let config = CloudApiConfig {
            base_url: String::new(),
            phone_number_id: "1".into(),
            access_token: "EAAG-very-secret".into(),
        };
        assert!(!format!("{config:?}").contains("very-secret"));
        let client = CloudApiClient::new(config).unwrap();
        assert!(!format!("{client:?}").contains("very-secret"));
        assert!(format!("{client:?}").contains(DEFAULT_GRAPH_BASE_URL));
        assert_eq!(client.phone_number_id(), "1");
        assert!(build_http_client().is_ok());
    }
}
