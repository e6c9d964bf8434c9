//! A client for Meta's Graph API, one phone number at a time: sending messages, moving media, and
//! telling a refusal (permanent) from trouble worth another try (retryable).

use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::payload::{ErrorDetail, Lenient, List, Text, items};
use crate::channels::types::MessageKind;
use crate::domain::media::store::MediaStream;
use crate::domain::outbound_url;

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

/// What a Cloud API connection needs to send.
#[derive(Clone)]
pub struct CloudApiConfig {
    /// `DEFAULT_GRAPH_BASE_URL` unless a test points elsewhere.
    pub base_url: String,
    pub phone_number_id: String,
    pub access_token: String,
    /// `ATENDE_ALLOW_PRIVATE_URLS`: whether the base URL and media links may be plain `http` or point
    /// at loopback and private addresses (tests, on-premise stand-ins). Off, only public `https`.
    pub allow_private_urls: bool,
}

impl std::fmt::Debug for CloudApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudApiConfig")
            .field("base_url", &self.base_url)
            .field("phone_number_id", &self.phone_number_id)
            .field("access_token", &"<redacted>")
            .field("allow_private_urls", &self.allow_private_urls)
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
    /// The request went out but no answer came back (a time-out, a connection cut mid-way, an
    /// answer that could not be read): WhatsApp may have taken it. Harmless to repeat for a read
    /// or an upload; for a message, repeating could deliver it twice.
    #[error("WhatsApp did not answer: {message}")]
    Unanswered { message: String },
}

impl SendError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Retryable { .. })
    }

    /// Whether the provider may have acted on the request although it did not say so.
    pub fn may_have_been_taken(&self) -> bool {
        matches!(self, SendError::Unanswered { .. })
    }

    /// For requests that are safe to repeat: no answer is just a transient error.
    fn repeatable(self) -> Self {
        match self {
            SendError::Unanswered { message } => SendError::Retryable { status: None, code: None, message },
            other => other,
        }
    }

    /// The provider's (or the network's) own words.
    pub fn message(&self) -> &str {
        match self {
            SendError::Retryable { message, .. }
            | SendError::Permanent { message, .. }
            | SendError::Unanswered { message } => message,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            SendError::Retryable { status, .. } | SendError::Permanent { status, .. } => *status,
            SendError::Unanswered { .. } => None,
        }
    }

    /// Graph's error code (`131047`…), when it gave one.
    pub fn code(&self) -> Option<i64> {
        match self {
            SendError::Retryable { code, .. } | SendError::Permanent { code, .. } => *code,
            SendError::Unanswered { .. } => None,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        SendError::Permanent { status: None, code: None, message: message.into() }
    }

    fn network(error: reqwest::Error) -> Self {
        let error = error.without_url();
        let mut retryable = !error.is_builder();
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            // The guarded resolver refused the host: asking again will not change that.
            if cause.downcast_ref::<outbound_url::Refused>().is_some() {
                retryable = false;
            }
            source = cause.source();
        }
        if !retryable {
            SendError::Permanent { status: None, code: None, message }
        } else if error.is_connect() {
            // Never reached the provider.
            SendError::Retryable { status: None, code: None, message }
        } else {
            SendError::Unanswered { message }
        }
    }

    /// A non-2xx answer: Graph's `{"error": {...}}` when there is one.
    fn from_response(status: reqwest::StatusCode, body: &[u8]) -> Self {
        /// Graph's error answer.
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            error: Lenient<ErrorDetail>,
        }
        let error = serde_json::from_slice::<Answer>(body).ok().and_then(|a| a.error.0);
        let code = error.as_ref().and_then(|e| e.code.get()).and_then(|c| c.parse::<i64>().ok());
        let transient = error.as_ref().and_then(|e| e.is_transient.0) == Some(true);
        let message = match &error {
            Some(e) => {
                let main = e.message.field().or_else(|| e.error_user_msg.field());
                let details = e.details();
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
        // Shown to agents and stored as text (PostgreSQL refuses NUL): no control characters.
        let message = message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
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
    allow_private_urls: bool,
    /// Sends go to a group (`recipient_type: group`, `to` its id) instead of a person.
    to_group: bool,
}

impl std::fmt::Debug for CloudApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudApiClient")
            .field("base_url", &self.base_url)
            .field("phone_number_id", &self.phone_number_id)
            .finish_non_exhaustive()
    }
}

/// The settings every Graph API client shares: time-outs (connect 10 s, request 30 s; media
/// transfers get 180 s) and no redirects, so an answer cannot send us somewhere the URL checks did
/// not see. HTTPS uses rustls with Mozilla's roots.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(concat!("atende/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(API_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(90))
        .redirect(reqwest::redirect::Policy::none())
}

/// `http_client_builder`'s client. Unless private URLs are allowed, names resolve through
/// `outbound_url::GuardedResolver`, which never hands out a private address (also at connect time, so
/// a name cannot change its answer between the check and the request).
pub fn build_http_client(allow_private_urls: bool) -> Result<reqwest::Client, reqwest::Error> {
    let builder = http_client_builder();
    if allow_private_urls {
        builder.build()
    } else {
        builder.dns_resolver(std::sync::Arc::new(outbound_url::GuardedResolver)).build()
    }
}

/// The process-wide clients behind `CloudApiClient::new`, one per URL policy.
fn shared_http_client(allow_private_urls: bool) -> Result<reqwest::Client, SendError> {
    static GUARDED: OnceLock<reqwest::Client> = OnceLock::new();
    static OPEN: OnceLock<reqwest::Client> = OnceLock::new();
    let cell = if allow_private_urls { &OPEN } else { &GUARDED };
    if let Some(client) = cell.get() {
        return Ok(client.clone());
    }
    let client = build_http_client(allow_private_urls).map_err(SendError::network)?;
    Ok(cell.get_or_init(|| client).clone())
}

impl CloudApiClient {
    /// A client on the process-wide connection pool. Fails when the base URL is not allowed (see
    /// `CloudApiConfig::allow_private_urls`) or the TLS stack cannot start.
    pub fn new(config: CloudApiConfig) -> Result<Self, SendError> {
        let allow_private_urls = config.allow_private_urls;
        let client = Self::with_http_client(config, shared_http_client(allow_private_urls)?);
        outbound_url::check_literal(&client.base_url, allow_private_urls)
            .map_err(|why| SendError::permanent(format!("the Graph API URL {why}")))?;
        Ok(client)
    }

    /// A client on a given `reqwest::Client` (see `build_http_client`). The base URL is taken as it
    /// is; media links are still checked against `allow_private_urls`.
    pub fn with_http_client(config: CloudApiConfig, http: reqwest::Client) -> Self {
        let base = config.base_url.trim().trim_end_matches('/');
        let base_url = if base.is_empty() { DEFAULT_GRAPH_BASE_URL.to_owned() } else { base.to_owned() };
        Self {
            http,
            base_url,
            phone_number_id: config.phone_number_id.trim().to_owned(),
            access_token: config.access_token,
            max_media_bytes: DEFAULT_MAX_MEDIA_BYTES,
            to_group: false,
            allow_private_urls: config.allow_private_urls,
        }
    }

    /// Caps `download_media` at `bytes` instead of `DEFAULT_MAX_MEDIA_BYTES`.
    pub fn with_max_media_bytes(mut self, bytes: usize) -> Self {
        self.max_media_bytes = bytes;
        self
    }

    /// Sends to a group: `to` is then the group's id.
    pub fn to_group(mut self, group: bool) -> Self {
        self.to_group = group;
        self
    }

    fn recipient_type(&self) -> &'static str {
        if self.to_group { "group" } else { "individual" }
    }

    pub fn phone_number_id(&self) -> &str {
        &self.phone_number_id
    }

    /// Sends a text (as a reply to `reply_to`, a `wamid`, when given); returns the new message's id.
    pub async fn send_text(&self, to: &str, body: &str, reply_to: Option<&str>) -> Result<String, SendError> {
        let mut message = json!({
            "messaging_product": "whatsapp",
            "recipient_type": self.recipient_type(),
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
            "recipient_type": self.recipient_type(),
            "to": to,
            "type": kind.as_str(),
        });
        message[kind.as_str()] = media;
        self.send_message(&message).await
    }

    /// Uploads a file for a later `send_media`, streamed from the media store as it is sent;
    /// returns its media id.
    pub async fn upload_media(&self, file: MediaStream, mime: &str, filename: &str) -> Result<String, SendError> {
        let part = reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(file.body), file.len)
            .file_name(filename.to_owned())
            .mime_str(mime)
            .map_err(|_| SendError::permanent(format!("not a MIME type: {mime}")))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime.to_owned())
            .part("file", part);
        let url = format!("{}/{}/media", self.base_url, path_segment(&self.phone_number_id)?);
        let request = self.http.post(url).timeout(MEDIA_TIMEOUT).multipart(form);
        let answer: Uploaded = self.call(request).await.map_err(SendError::repeatable)?;
        answer.id.field().ok_or_else(|| SendError::permanent("WhatsApp's answer to an upload has no media id"))
    }

    /// Fetches an inbound file: asks Graph for its URL, then downloads it with the same token.
    /// Returns the bytes and the MIME type (Graph's, else the download's `Content-Type`). Files over
    /// the cap are refused without reading them whole.
    pub async fn download_media(&self, media_id: &str) -> Result<(Vec<u8>, Option<String>), SendError> {
        self.fetch_media(media_id).await.map_err(SendError::repeatable)
    }

    async fn fetch_media(&self, media_id: &str) -> Result<(Vec<u8>, Option<String>), SendError> {
        let info_url = format!("{}/{}", self.base_url, path_segment(media_id)?);
        let info: MediaInfo = self.call(self.http.get(info_url)).await?;
        let url = info.url.field().ok_or_else(|| SendError::permanent("WhatsApp gave no URL for the media"))?;
        let declared = info.file_size.get().and_then(|s| s.parse::<u64>().ok());
        if declared.is_some_and(|size| size > self.max_media_bytes as u64) {
            return Err(self.too_large());
        }
        let url = reqwest::Url::parse(&url).map_err(|_| SendError::permanent("WhatsApp gave a malformed media URL"))?;
        if self.allow_private_urls {
            let https_only = self.base_url.starts_with("https://");
            if (https_only && url.scheme() != "https") || !matches!(url.scheme(), "https" | "http") {
                return Err(SendError::permanent("WhatsApp gave a media URL that is not HTTPS"));
            }
        } else {
            // The name's addresses are checked again by the guarded resolver when connecting.
            outbound_url::check_literal(url.as_str(), false)
                .map_err(|why| SendError::permanent(format!("WhatsApp gave a media URL that {why}")))?;
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
        Ok((bytes, info.mime_type.field().or(header_mime)))
    }

    fn too_large(&self) -> SendError {
        SendError::permanent(format!("the media file is larger than {} bytes", self.max_media_bytes))
    }

    /// GET /{phone_number_id}: what Graph says about the number (checks the token and the id).
    pub async fn phone_number_info(&self) -> Result<PhoneNumberInfo, SendError> {
        let url = format!("{}/{}", self.base_url, path_segment(&self.phone_number_id)?);
        let request = self.http.get(url).query(&[("fields", "display_phone_number,verified_name")]);
        let answer: NumberInfo = self.call(request).await.map_err(SendError::repeatable)?;
        Ok(PhoneNumberInfo {
            display_phone_number: answer.display_phone_number.field(),
            verified_name: answer.verified_name.field(),
        })
    }

    /// POST /{phone_number_id}/messages; the new message's `wamid`.
    async fn send_message(&self, message: &Value) -> Result<String, SendError> {
        let url = format!("{}/{}/messages", self.base_url, path_segment(&self.phone_number_id)?);
        let answer: Sent = self.call(self.http.post(url).json(message)).await.map_err(|error| match error {
            // A success whose body could not be read: most likely sent.
            SendError::Permanent { status: Some(200..=299), message, .. } => SendError::Unanswered { message },
            other => other,
        })?;
        items(&answer.messages)
            .next()
            .and_then(|m| m.id.get())
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| SendError::Unanswered { message: "WhatsApp accepted the message but gave no id".into() })
    }

    /// Sends with the token and reads a JSON answer, or the error.
    async fn call<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T, SendError> {
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

/// What Graph says about a phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumberInfo {
    pub display_phone_number: Option<String>,
    pub verified_name: Option<String>,
}

#[derive(Deserialize)]
struct NumberInfo {
    #[serde(default)]
    display_phone_number: Text,
    #[serde(default)]
    verified_name: Text,
}

/// Graph's answer to an upload.
#[derive(Deserialize)]
struct Uploaded {
    #[serde(default)]
    id: Text,
}

/// Graph's answer about an inbound media file.
#[derive(Deserialize)]
struct MediaInfo {
    #[serde(default)]
    url: Text,
    #[serde(default)]
    mime_type: Text,
    #[serde(default)]
    file_size: Text,
}

/// Graph's answer to a send.
#[derive(Deserialize)]
struct Sent {
    #[serde(default)]
    messages: List<SentMessage>,
}

#[derive(Default, Deserialize)]
struct SentMessage {
    #[serde(default)]
    id: Text,
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
        let mut response = Response::builder().status(reply.status).header(header::CONTENT_TYPE, reply.content_type);
        if (300..400).contains(&reply.status) {
            // A redirect's body is where it points.
            response = response.header(header::LOCATION, String::from_utf8(reply.body.clone()).unwrap());
        }
        response.body(Body::from(reply.body)).unwrap()
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
        test_client_with(base_url, timeout, true)
    }

    /// A client on the same settings as the real one (no redirects), without the guarded resolver.
    fn test_client_with(base_url: &str, timeout: Duration, allow_private_urls: bool) -> CloudApiClient {
        let http = http_client_builder().no_proxy().timeout(timeout).build().unwrap();
        let config = CloudApiConfig {
            base_url: base_url.to_owned(),
            phone_number_id: "106540352242922".into(),
            access_token: "EAAG-test-token".into(),
            allow_private_urls,
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
        let id = client.upload_media(MediaStream::from_bytes(bytes.clone()), "image/png", "foto.png").await.unwrap();
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
        let err = client.upload_media(MediaStream::from_bytes(vec![1]), "not a mime", "x").await.unwrap_err();
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
            allow_private_urls: true,
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
        // Binary answers, or Graph messages with control characters, become plain text.
        fake.push(Reply {
            status: 500,
            content_type: "image/png",
            body: b"\x89PNG\0\r\n".to_vec(),
            delay: Duration::ZERO,
        });
        let err = send().await.unwrap_err();
        assert!(!err.message().contains(|c: char| c.is_control()), "{err:?}");
        fake.push(graph_error(400, 100, "bad\u{0}param\r\n"));
        assert_eq!(send().await.unwrap_err().message(), "bad param  ");

        // 200 without a message id, or not JSON: it may have been sent; never repeated blindly.
        fake.push(reply_json(200, json!({ "messaging_product": "whatsapp", "messages": [] })));
        let err = send().await.unwrap_err();
        assert!(!err.is_retryable() && err.may_have_been_taken(), "{err:?}");
        fake.push(Reply { status: 200, content_type: "text/plain", body: b"ok".to_vec(), delay: Duration::ZERO });
        let err = send().await.unwrap_err();
        assert!(!err.is_retryable() && err.may_have_been_taken(), "{err:?}");
    }

    #[tokio::test]
    async fn network_failures_are_retryable_unless_the_message_may_have_arrived() {
        // Nothing listens on a port we just freed.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let client = test_client(&format!("http://{addr}/v21.0"), Duration::from_secs(5));
        let err = client.send_text("5511987654321", "oi", None).await.unwrap_err();
        assert!(err.is_retryable() && !err.may_have_been_taken(), "never reached WhatsApp: {err:?}");
        assert_eq!(err.status(), None);

        // A server that answers too late may have taken the message: not to be repeated blindly.
        let (fake, origin, _) = fake_graph().await;
        let client = test_client(&format!("{origin}/v21.0"), Duration::from_millis(200));
        fake.push(Reply { delay: Duration::from_secs(2), ..sent_ok("wamid.LATE") });
        let err = client.send_text("5511987654321", "oi", None).await.unwrap_err();
        assert!(!err.is_retryable() && err.may_have_been_taken(), "{err:?}");
    }

    #[tokio::test]
    async fn bad_phone_number_id_is_refused_locally() {
        let (fake, origin, _) = fake_graph().await;
        let http = http_client_builder().no_proxy().build().unwrap();
        let config = CloudApiConfig {
            base_url: format!("{origin}/v21.0"),
            phone_number_id: "../me".into(),
            access_token: "t".into(),
            allow_private_urls: true,
        };
        let client = CloudApiClient::with_http_client(config, http);
        assert!(!client.send_text("1", "x", None).await.unwrap_err().is_retryable());
        assert!(
            !client
                .upload_media(MediaStream::from_bytes(vec![1]), "image/png", "a.png")
                .await
                .unwrap_err()
                .is_retryable()
        );
        assert!(fake.seen().is_empty());
    }

    #[test]
    fn config_and_client_do_not_print_the_token() {
        let config = CloudApiConfig {
            base_url: String::new(),
            phone_number_id: "1".into(),
            access_token: "EAAG-very-secret".into(),
            allow_private_urls: false,
        };
        assert!(!format!("{config:?}").contains("very-secret"));
        let client = CloudApiClient::new(config).unwrap();
        assert!(!format!("{client:?}").contains("very-secret"));
        assert!(format!("{client:?}").contains(DEFAULT_GRAPH_BASE_URL));
        assert_eq!(client.phone_number_id(), "1");
        assert!(build_http_client(false).is_ok());
        assert!(build_http_client(true).is_ok());
    }

    // -----------------------------------------------------------------------------------------------
    // Where the client may go (ATENDE_ALLOW_PRIVATE_URLS off)

    fn guarded_config(base_url: &str) -> CloudApiConfig {
        CloudApiConfig {
            base_url: base_url.into(),
            phone_number_id: "1".into(),
            access_token: "t".into(),
            allow_private_urls: false,
        }
    }

    #[test]
    fn private_or_plain_http_base_urls_are_refused() {
        for base in
            ["http://127.0.0.1:9/v21.0", "https://127.0.0.1/v21.0", "https://[::1]/", "http://graph.facebook.com"]
        {
            let err = CloudApiClient::new(guarded_config(base)).unwrap_err();
            assert!(!err.is_retryable(), "{base}: {err:?}");
        }
        assert!(CloudApiClient::new(guarded_config("")).is_ok(), "Meta's own URL");
        assert!(CloudApiClient::new(guarded_config("https://graph.example.com/v21.0")).is_ok());
    }

    #[tokio::test]
    async fn media_links_to_private_addresses_are_not_fetched() {
        let (fake, origin, _) = fake_graph().await;
        // Graph itself is trusted here (a test double on loopback); its media links are not.
        let client = test_client_with(&format!("{origin}/v21.0"), Duration::from_secs(10), false);
        let port = origin.rsplit(':').next().unwrap().to_owned();
        for link in [
            format!("{origin}/file"),
            format!("https://127.0.0.1:{port}/file"),
            "https://10.0.0.7/file".to_owned(),
            "https://169.254.169.254/latest/meta-data/".to_owned(),
            format!("https://[::ffff:127.0.0.1]:{port}/file"),
        ] {
            fake.push(reply_json(200, json!({ "url": link, "id": "5" })));
            let err = client.download_media("5").await.unwrap_err();
            assert!(!err.is_retryable(), "{link}: {err:?}");
        }
        assert!(fake.seen().iter().all(|s| s.path == "/v21.0/5"), "only Graph was asked: {:?}", fake.seen());
    }

    #[tokio::test]
    async fn the_guarded_resolver_refuses_names_of_private_addresses_for_good() {
        let (fake, origin, _) = fake_graph().await;
        let port = origin.rsplit(':').next().unwrap().to_owned();
        let http = build_http_client(false).unwrap();
        let client = CloudApiClient::with_http_client(guarded_config(&format!("http://localhost:{port}/v21.0")), http);
        let err = client.send_text("5511987654321", "oi", None).await.unwrap_err();
        assert!(!err.is_retryable(), "{err:?}");
        assert!(fake.seen().is_empty());
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let (fake, origin, client) = fake_graph().await;
        fake.push(reply_json(200, json!({ "url": format!("{origin}/file"), "id": "5" })));
        fake.push(Reply {
            status: 302,
            content_type: "text/plain",
            body: format!("{origin}/elsewhere").into_bytes(),
            delay: Duration::ZERO,
        });
        let err = client.download_media("5").await.unwrap_err();
        assert_eq!(err.status(), Some(302), "{err:?}");
        assert_eq!(fake.seen().len(), 2, "the redirect's target was never asked");
    }
}
