//! The WhatsApp Cloud API channel end to end: signed webhooks in, the real Graph API client out,
//! against a local stand-in that speaks Meta's documented JSON.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::*;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const SECRET: &str = "app-secret-123";
const PHONE_ID: &str = "109876543210";

/// What the stand-in Graph API was asked, whether it should refuse sends, and what it says about
/// media (by default a PNG it serves itself).
#[derive(Default)]
pub struct Graph {
    pub sent: Vec<Value>,
    /// Every send asked for, whatever the answer.
    pub posts: Vec<Value>,
    /// Answers (status, raw body) to give to the next sends, before behaving normally again.
    pub script: std::collections::VecDeque<(u16, &'static str)>,
    refuse: bool,
    base: String,
    /// Every GET it answered (media info and files), by path.
    gets: Vec<String>,
    /// The media link Graph hands out instead of its own `/files/{id}`.
    media_url: Option<String>,
    /// The MIME type Graph declares instead of `image/png`.
    media_mime: Option<String>,
    /// The file served instead of `PNG`.
    file: Option<Vec<u8>>,
    /// The status `/files/{id}` answers instead of 200 (404 for expired media).
    file_status: Option<u16>,
    /// The `Authorization` header of every send.
    bearers: Vec<String>,
    /// The file name of every media upload, in the order they came.
    uploads: Vec<String>,
}

pub type Shared = Arc<Mutex<Graph>>;

pub async fn start_graph() -> (String, Shared) {
    let graph: Shared = Arc::default();
    let app = Router::new()
        .route(
            "/{phone}/messages",
            post(|State(graph): State<Shared>, headers: axum::http::HeaderMap, axum::Json(body): axum::Json<Value>| async move {
                let mut graph = graph.lock().expect("lock");
                let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
                graph.bearers.push(bearer.to_owned());
                graph.posts.push(body.clone());
                let json = [(axum::http::header::CONTENT_TYPE, "application/json")];
                if let Some((status, answer)) = graph.script.pop_front() {
                    let status = axum::http::StatusCode::from_u16(status).expect("status");
                    return (status, json, answer.to_owned());
                }
                if graph.refuse {
                    let error = json!({"error": {"message": "(#131026) Message undeliverable", "type": "OAuthException", "code": 131026}});
                    return (axum::http::StatusCode::BAD_REQUEST, json, error.to_string());
                }
                graph.sent.push(body.clone());
                let id = format!("wamid.OUT{}", graph.sent.len());
                let answer = json!({"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}], "messages": [{"id": id}]});
                (axum::http::StatusCode::OK, json, answer.to_string())
            }),
        )
        .route(
            "/{phone}/media",
            post(|State(graph): State<Shared>, mut form: axum::extract::Multipart| async move {
                let mut name = String::new();
                while let Ok(Some(field)) = form.next_field().await {
                    if field.name() == Some("file") {
                        name = field.file_name().unwrap_or_default().to_owned();
                    }
                }
                let mut graph = graph.lock().expect("lock");
                graph.uploads.push(name);
                axum::Json(json!({"id": format!("media-{}", graph.uploads.len())}))
            }),
        )
        .route(
            "/{id}",
            get(|State(graph): State<Shared>, Path(id): Path<String>| async move {
                let mut graph = graph.lock().expect("lock");
                graph.gets.push(format!("/{id}"));
                let url = graph.media_url.clone().unwrap_or_else(|| format!("{}/files/{id}", graph.base));
                let mime = graph.media_mime.clone().unwrap_or_else(|| "image/png".into());
                let size = graph.file.as_ref().map_or(PNG.len(), Vec::len);
                axum::Json(json!({"url": url, "mime_type": mime, "sha256": "x", "file_size": size, "id": id, "messaging_product": "whatsapp"}))
            }),
        )
        .route(
            "/files/{id}",
            get(|State(graph): State<Shared>, Path(id): Path<String>| async move {
                let mut graph = graph.lock().expect("lock");
                graph.gets.push(format!("/files/{id}"));
                let status = axum::http::StatusCode::from_u16(graph.file_status.unwrap_or(200)).expect("status");
                (status, graph.file.clone().unwrap_or_else(|| PNG.to_vec()))
            }),
        )
        .with_state(graph.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    graph.lock().expect("lock").base = base.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, graph)
}

pub fn sign(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

pub fn notification(value: Value) -> Value {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] = json!({"display_phone_number": "551140000000", "phone_number_id": PHONE_ID});
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": value}]}]})
}

pub fn text_from_maria(id: &str, body: &str) -> Value {
    notification(json!({
        "contacts": [{"profile": {"name": "Maria"}, "wa_id": "551187654321"}],
        "messages": [{"from": "551187654321", "id": id, "timestamp": "1764000000", "type": "text", "text": {"body": body}}]
    }))
}

pub struct Line {
    pub app: TestApp,
    pub admin: String,
    pub connection: i64,
    pub graph: Shared,
}

async fn line() -> Line {
    line_on(TestApp::start().await).await
}

pub async fn line_on(app: TestApp) -> Line {
    let admin = app.admin().await;
    let (base, graph) = start_graph().await;
    let (status, connection) = app
        .post(
            "/api/v1/connections",
            &admin,
            json!({"name": "WhatsApp oficial", "kind": "cloud_api", "phone_number_id": PHONE_ID, "access_token": "EAAG-token",
                   "app_secret": SECRET, "verify_token": "verify-me", "graph_base_url": base}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{connection}");
    assert!(
        connection.get("access_token").is_none() && connection.get("app_secret").is_none(),
        "secrets never leave: {connection}"
    );
    Line { app, admin, connection: connection["id"].as_i64().expect("id"), graph }
}

impl Line {
    pub async fn deliver(&self, payload: &Value, signature: Option<String>) -> StatusCode {
        let body = serde_json::to_vec(payload).expect("json");
        let mut request = self
            .app
            .client
            .post(self.app.url(&format!("/webhooks/whatsapp/{}", self.connection)))
            .header("content-type", "application/json");
        if let Some(signature) = signature.or_else(|| Some(sign(&body))).filter(|s| !s.is_empty()) {
            request = request.header("x-hub-signature-256", signature);
        }
        request.body(body).send().await.expect("send").status()
    }

    pub async fn only_ticket(&self) -> i64 {
        let ids = self.app.ticket_ids(&self.admin, "").await;
        assert_eq!(ids.len(), 1, "{ids:?}");
        ids[0]
    }

    async fn messages(&self, ticket: i64) -> Vec<Value> {
        let (_, page) = self.app.get(&format!("/api/v1/tickets/{ticket}/messages"), &self.admin).await;
        page["items"].as_array().cloned().unwrap_or_default()
    }
}

#[tokio::test]
async fn the_subscription_handshake_needs_the_verify_token() {
    let Line { app, connection, .. } = line().await;
    let url = |token: &str| {
        app.url(&format!(
            "/webhooks/whatsapp/{connection}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
        ))
    };
    let ok = app.client.get(url("verify-me")).send().await.expect("send");
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.text().await.expect("text"), "1158201444");
    let (status, body) = read(app.client.get(url("wrong")).send().await.expect("send")).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, _) =
        read(app.client.get(app.url("/webhooks/whatsapp/999?hub.mode=subscribe")).send().await.expect("send")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an unknown id answers like a wrong token (review #20)");
    let (status, _) =
        read(app.client.post(app.url("/webhooks/whatsapp/999")).body("{}").send().await.expect("send")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "and like a wrong signature");
}

#[tokio::test]
async fn signed_messages_are_stored_once_and_unsigned_ones_refused() {
    let line = line().await;
    let payload = text_from_maria("wamid.IN1", "Olá, tudo bem?");
    assert_eq!(line.deliver(&payload, Some("sha256=00".into())).await, StatusCode::UNAUTHORIZED);
    assert_eq!(line.deliver(&payload, Some(String::new())).await, StatusCode::UNAUTHORIZED);
    let mut tampered = serde_json::to_vec(&payload).expect("json");
    let signature = sign(&tampered);
    tampered.extend_from_slice(b" ");
    let response = line
        .app
        .client
        .post(line.app.url(&format!("/webhooks/whatsapp/{}", line.connection)))
        .header("x-hub-signature-256", signature)
        .body(tampered)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(line.app.ticket_ids(&line.admin, "").await, Vec::<i64>::new(), "nothing stored from unsigned posts");

    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK, "Meta retries; we answer OK and store nothing new");
    let ticket = line.only_ticket().await;
    let messages = line.messages(ticket).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(
        (messages[0]["body"].as_str(), messages[0]["external_id"].as_str()),
        (Some("Olá, tudo bem?"), Some("wamid.IN1"))
    );
    let detail = line.app.ticket(&line.admin, ticket).await;
    assert_eq!(
        (detail["contact"]["name"].as_str(), detail["contact"]["number"].as_str()),
        (Some("Maria"), Some("5511987654321"))
    );
}

#[tokio::test]
async fn inbound_media_is_downloaded_through_the_graph_api() {
    let line = line().await;
    let payload = notification(json!({
        "contacts": [{"profile": {"name": "Maria"}, "wa_id": "5511987654321"}],
        "messages": [{"from": "5511987654321", "id": "wamid.IMG", "timestamp": "1764000000", "type": "image",
                      "image": {"id": "media-77", "mime_type": "image/png", "sha256": "x", "caption": "meu comprovante"}}]
    }));
    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
    let ticket = line.only_ticket().await;
    let message = line.messages(ticket).await.remove(0);
    assert_eq!((message["kind"].as_str(), message["body"].as_str()), (Some("image"), Some("meu comprovante")));
    let url = message["media_url"].as_str().expect("media");
    let bytes = line
        .app
        .client
        .get(line.app.url(url))
        .bearer_auth(&line.admin)
        .send()
        .await
        .expect("get")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(bytes.as_ref(), PNG);
}

#[tokio::test]
async fn replies_go_out_through_the_graph_api_and_statuses_come_back() {
    let line = line().await;
    line.deliver(&text_from_maria("wamid.IN1", "oi"), None).await;
    let ticket = line.only_ticket().await;
    line.app.act(&line.admin, ticket, "accept", json!({})).await;
    line.app.patch("/api/v1/me", &line.admin, json!({"signature_enabled": false})).await;
    let (status, sent) = line
        .app
        .post(
            &format!("/api/v1/tickets/{ticket}/messages"),
            &line.admin,
            json!({"body": "Olá Maria!", "quoted_id": null}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let stored = line.app.settled(&line.admin, ticket, sent["id"].as_i64().expect("id")).await;
    let request = line.graph.lock().expect("lock").sent.first().cloned().expect("one send");
    assert_eq!(request["to"], "5511987654321");
    assert_eq!(request["type"], "text");
    assert_eq!(request["text"]["body"], "Olá Maria!");
    assert_eq!((stored["status"].as_str(), stored["external_id"].as_str()), (Some("sent"), Some("wamid.OUT1")));

    for status in ["delivered", "read", "delivered"] {
        let update = notification(
            json!({"statuses": [{"id": "wamid.OUT1", "status": status, "timestamp": "1764000100", "recipient_id": "5511987654321"}]}),
        );
        assert_eq!(line.deliver(&update, None).await, StatusCode::OK);
    }
    let stored = line.messages(ticket).await.into_iter().find(|m| m["body"] == "Olá Maria!").expect("stored");
    assert_eq!(stored["status"], "read", "a late 'delivered' does not undo 'read'");
}

#[tokio::test]
async fn a_refused_send_marks_the_message_failed_with_the_reason() {
    let line = line().await;
    line.deliver(&text_from_maria("wamid.IN1", "oi"), None).await;
    let ticket = line.only_ticket().await;
    line.app.act(&line.admin, ticket, "accept", json!({})).await;
    line.graph.lock().expect("lock").refuse = true;
    let (status, sent) =
        line.app.post(&format!("/api/v1/tickets/{ticket}/messages"), &line.admin, json!({"body": "vai falhar"})).await;
    assert_eq!(status, StatusCode::CREATED, "the message is stored whatever the provider says");
    let stored = line.app.settled(&line.admin, ticket, sent["id"].as_i64().expect("id")).await;
    assert_eq!(stored["status"], "failed");
    assert!(stored["error"].as_str().is_some_and(|e| e.contains("undeliverable")), "{stored}");
}

#[tokio::test]
async fn cloud_api_connections_need_their_credentials() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, body) = app.post("/api/v1/connections", &admin, json!({"name": "Oficial", "kind": "cloud_api"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    for field in ["phone_number_id", "access_token", "app_secret", "verify_token"] {
        assert_eq!(body["error"]["details"][field]["code"], "required_for_cloud_api", "{field}: {body}");
    }
    let (status, body) = app.post("/api/v1/connections", &admin, json!({"name": "X", "kind": "telegram"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
}

impl Line {
    /// The file behind a message's `media_url`: status, headers and bytes.
    async fn media(&self, message: &Value) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let url = message["media_url"].as_str().expect("media url");
        let response = self.app.client.get(self.app.url(url)).bearer_auth(&self.admin).send().await.expect("get");
        let (status, headers) = (response.status(), response.headers().clone());
        (status, headers, response.bytes().await.expect("bytes").to_vec())
    }
}

/// A customer's message of media `kind` (`image`, `document`…) with Graph media id `media-1`.
fn media_from_maria(id: &str, kind: &str, media: Value) -> Value {
    let mut payload = media;
    payload["id"] = json!("media-1");
    notification(json!({
        "contacts": [{"profile": {"name": "Maria"}, "wa_id": "5511987654321"}],
        "messages": [{"from": "5511987654321", "id": id, "timestamp": "1764000000", "type": kind, kind: payload}]
    }))
}

// Finding #1: the Graph base URL and its media links may not reach the server's own network.

#[tokio::test]
async fn private_graph_base_urls_are_refused_unless_the_operator_allows_them() {
    let app = TestApp::start_with(|config| config.allow_private_urls = false).await;
    let admin = app.admin().await;
    let (stand_in, graph) = start_graph().await;
    for base in [stand_in.as_str(), "https://127.0.0.1/v21.0", "https://localhost/v21.0", "https://169.254.169.254/"] {
        let (status, body) = app
            .post(
                "/api/v1/connections",
                &admin,
                json!({"name": "Oficial", "kind": "cloud_api", "phone_number_id": PHONE_ID, "access_token": "t",
                       "app_secret": SECRET, "verify_token": "v", "graph_base_url": base}),
            )
            .await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        let code = &body["error"]["details"]["graph_base_url"]["code"];
        assert!(code == "not_public_url" || code == "not_url", "{base}: {body}");
    }
    assert!(graph.lock().expect("lock").gets.is_empty());
}

#[tokio::test]
async fn with_private_urls_off_a_loopback_graph_is_never_fetched_from() {
    use atende::store;
    let app = TestApp::start_with(|config| config.allow_private_urls = false).await;
    let admin = app.admin().await;
    let (base, graph) = start_graph().await;
    // A connection saved before the guard existed (the API refuses this URL now).
    let settings = json!({"phone_number_id": PHONE_ID, "access_token": "EAAG-token", "app_secret": SECRET,
                          "verify_token": "verify-me", "graph_base_url": base})
    .to_string();
    let row = store::connections::NewConnectionRow {
        company_id: shared::CompanyId(1),
        name: "Antiga",
        kind: shared::contacts::ConnectionKind::CloudApi,
        status: shared::contacts::ConnectionStatus::Connected,
        default_queue_id: None,
        settings: &settings,
    };
    let tx = app.state.begin().await.expect("begin");
    let connection = store::connections::insert(&tx, row).await.expect("insert").id;
    tx.commit().await.expect("commit");
    let line = Line { app, admin, connection, graph };
    let payload = media_from_maria("wamid.SSRF", "image", json!({"mime_type": "image/png", "caption": "olha"}));
    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
    assert!(line.graph.lock().expect("lock").gets.is_empty(), "nothing was fetched from loopback");
    let message = line.messages(line.only_ticket().await).await.remove(0);
    assert_eq!(message["media_url"], Value::Null, "{message}");
    assert!(message["error"].as_str().is_some_and(|e| e.starts_with("media unavailable")), "{message}");
}

// Finding #2: a file's type comes from its bytes, and only raster images are shown inline.

#[tokio::test]
async fn an_svg_sent_as_an_image_becomes_a_document_served_as_an_attachment() {
    let line = line().await;
    {
        let mut graph = line.graph.lock().expect("lock");
        graph.media_mime = Some("image/svg+xml".into());
        graph.file = Some(
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="fetch('/x?'+localStorage['atende.session'])"/>"#
                .to_vec(),
        );
    }
    let payload = media_from_maria("wamid.SVG", "image", json!({"mime_type": "image/svg+xml"}));
    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
    let message = line.messages(line.only_ticket().await).await.remove(0);
    assert_eq!(
        (message["kind"].as_str(), message["media_mime"].as_str()),
        (Some("document"), Some("application/octet-stream")),
        "{message}"
    );
    let (status, headers, _) = line.media(&message).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert!(headers["content-disposition"].to_str().expect("ascii").starts_with("attachment;"), "{headers:?}");
    assert_eq!(headers["x-content-type-options"], "nosniff");

    // A real PNG stays an image, shown inline.
    let png = media_from_maria("wamid.PNG", "image", json!({"mime_type": "image/png"}));
    line.graph.lock().expect("lock").file = None;
    assert_eq!(line.deliver(&png, None).await, StatusCode::OK);
    let message = line.messages(line.only_ticket().await).await.remove(0);
    assert_eq!((message["kind"].as_str(), message["media_mime"].as_str()), (Some("image"), Some("image/png")));
    let (_, headers, bytes) = line.media(&message).await;
    assert_eq!(headers["content-type"], "image/png");
    assert!(headers["content-disposition"].to_str().expect("ascii").starts_with("inline;"));
    assert_eq!(bytes, PNG);
}

// Finding #4: WhatsApp ids are international numbers, not Brazilian ones.

#[tokio::test]
async fn a_singapore_wa_id_stays_singaporean_and_replies_go_there() {
    let line = line().await;
    let payload = notification(json!({
        "contacts": [{"profile": {"name": "Wei"}, "wa_id": "6591234567"}],
        "messages": [{"from": "6591234567", "id": "wamid.SG", "timestamp": "1764000000", "type": "text", "text": {"body": "hello"}}]
    }));
    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
    let ticket = line.only_ticket().await;
    let detail = line.app.ticket(&line.admin, ticket).await;
    assert_eq!(detail["contact"]["number"], "6591234567", "{detail}");

    line.app.act(&line.admin, ticket, "accept", json!({})).await;
    let (status, sent) =
        line.app.post(&format!("/api/v1/tickets/{ticket}/messages"), &line.admin, json!({"body": "Hi Wei"})).await;
    assert_eq!(status, StatusCode::CREATED);
    line.app.settled(&line.admin, ticket, sent["id"].as_i64().expect("id")).await;
    let sent = line.graph.lock().expect("lock").sent.first().cloned().expect("one send");
    assert_eq!(sent["to"], "6591234567");
}

#[tokio::test]
async fn a_wa_id_the_phone_metadata_does_not_know_is_kept_not_dropped() {
    let line = line().await;
    let payload = notification(json!({
        "contacts": [{"profile": {"name": "Novo"}, "wa_id": "999123456789"}],
        "messages": [{"from": "999123456789", "id": "wamid.NEW", "timestamp": "1764000000", "type": "text", "text": {"body": "oi"}}]
    }));
    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
    let detail = line.app.ticket(&line.admin, line.only_ticket().await).await;
    assert_eq!(detail["contact"]["number"], "999123456789", "{detail}");
}

// Finding #6: a file that cannot be fetched does not cost the message (or the rest of the webhook).

#[tokio::test]
async fn media_that_cannot_be_downloaded_still_stores_the_message() {
    let line = line().await;
    line.graph.lock().expect("lock").file_status = Some(404);
    let mut payload = media_from_maria(
        "wamid.DOC",
        "document",
        json!({"mime_type": "application/pdf", "filename": "contrato.pdf", "caption": "segue o contrato"}),
    );
    // A second message in the same delivery.
    let messages = &mut payload["entry"][0]["changes"][0]["value"]["messages"];
    messages.as_array_mut().expect("messages").push(
        json!({"from": "5511987654321", "id": "wamid.TXT", "timestamp": "1764000001", "type": "text", "text": {"body": "recebeu?"}}),
    );
    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
    let stored = line.messages(line.only_ticket().await).await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    let document = stored.iter().find(|m| m["external_id"] == "wamid.DOC").expect("document");
    assert_eq!(
        (document["kind"].as_str(), document["body"].as_str(), document["media_name"].as_str()),
        (Some("document"), Some("segue o contrato"), Some("contrato.pdf"))
    );
    assert_eq!(document["media_url"], Value::Null);
    assert!(document["error"].as_str().is_some_and(|e| e.starts_with("media unavailable: ")), "{document}");
    assert!(stored.iter().any(|m| m["body"] == "recebeu?"));
    // Meta's retry is a duplicate, not a second try at the file.
    let gets = line.graph.lock().expect("lock").gets.len();
    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
    assert_eq!(line.graph.lock().expect("lock").gets.len(), gets);
    assert_eq!(line.messages(line.only_ticket().await).await.len(), 2);
}

#[tokio::test]
async fn media_over_the_size_limit_is_marked_unavailable() {
    let line = line().await;
    line.graph.lock().expect("lock").file = Some(vec![b'%'; 17 * 1024 * 1024]);
    let payload = media_from_maria("wamid.BIG", "video", json!({"mime_type": "video/mp4"}));
    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
    let message = line.messages(line.only_ticket().await).await.remove(0);
    assert_eq!((message["kind"].as_str(), message["media_url"].as_str()), (Some("video"), None));
    assert!(message["error"].as_str().is_some_and(|e| e.contains("larger than")), "{message}");
    assert_eq!(line.graph.lock().expect("lock").gets, ["/media-1"], "the file itself was not fetched");
}

// Finding #17: the provider's file name and type are cleaned and bounded, and the download header
// survives any name.

#[tokio::test]
async fn provider_file_names_and_types_are_cleaned_and_bounded() {
    let line = line().await;
    line.graph.lock().expect("lock").file = Some(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n".to_vec());
    let long_name = format!("{}.pdf", "r".repeat(300));
    let long_mime = format!("application/{}", "x".repeat(200));
    for (id, name) in
        [("wamid.CRLF", "a\r\nb\".pdf"), ("wamid.LONG", long_name.as_str()), ("wamid.UTF", "relatório.pdf")]
    {
        let payload = media_from_maria(id, "document", json!({"mime_type": long_mime, "filename": name}));
        assert_eq!(line.deliver(&payload, None).await, StatusCode::OK, "{name}");
    }
    let stored = line.messages(line.only_ticket().await).await;
    let by_id = |id: &str| stored.iter().find(|m| m["external_id"] == id).cloned().expect("stored");

    let crlf = by_id("wamid.CRLF");
    assert_eq!(crlf["media_name"], "ab.pdf");
    assert_eq!(crlf["media_mime"], "application/pdf", "sniffed, not the provider's 200 characters");
    let (status, headers, _) = line.media(&crlf).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-disposition"], "attachment; filename=\"ab.pdf\"; filename*=UTF-8''ab.pdf");

    let long = by_id("wamid.LONG");
    assert!(long["media_name"].as_str().is_some_and(|n| (1..=255).contains(&n.chars().count())), "{long}");
    assert_eq!(line.media(&long).await.0, StatusCode::OK);

    let (_, headers, _) = line.media(&by_id("wamid.UTF")).await;
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"relat_rio.pdf\"; filename*=UTF-8''relat%C3%B3rio.pdf"
    );

    // Unavailable media keeps the provider's type only when it is one, and short enough.
    line.graph.lock().expect("lock").file_status = Some(404);
    for (id, mime, expected) in [
        ("wamid.M1", long_mime.as_str(), "application/octet-stream"),
        ("wamid.M2", "audio/ogg; codecs=opus", "audio/ogg"),
    ] {
        let payload = media_from_maria(id, "audio", json!({"mime_type": mime}));
        assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
        let stored = line.messages(line.only_ticket().await).await;
        let message = stored.iter().find(|m| m["external_id"] == id).expect("stored");
        assert_eq!(message["media_mime"], expected, "{message}");
    }
}

/// Meta's tokens expire or leak: PATCH rotates them (write-only), and the next send uses the new
/// one; a misspelt field is refused instead of ignored (review #13).
#[tokio::test]
async fn credentials_rotate_and_unknown_fields_are_refused() {
    let line = line().await;
    line.deliver(&text_from_maria("wamid.IN1", "oi"), None).await;
    let ticket = line.only_ticket().await;
    line.app.act(&line.admin, ticket, "accept", json!({})).await;
    let path = format!("/api/v1/connections/{}", line.connection);
    let (status, body) = line.app.patch(&path, &line.admin, json!({"acess_token": "typo"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let (status, body) = line.app.patch(&path, &line.admin, json!({"access_token": "  "})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let (status, body) = line.app.patch(&path, &line.admin, json!({"access_token": "EAAG-rotated"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("access_token").is_none(), "never returned: {body}");
    let (status, sent) =
        line.app.post(&format!("/api/v1/tickets/{ticket}/messages"), &line.admin, json!({"body": "nova chave"})).await;
    assert_eq!(status, StatusCode::CREATED);
    line.app.settled(&line.admin, ticket, sent["id"].as_i64().expect("id")).await;
    let bearers = line.graph.lock().expect("lock").bearers.clone();
    assert_eq!(bearers.last().map(String::as_str), Some("Bearer EAAG-rotated"), "{bearers:?}");

    let simulator = line.app.simulator(&line.admin, None).await;
    let (status, body) =
        line.app.patch(&format!("/api/v1/connections/{simulator}"), &line.admin, json!({"access_token": "x"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
}

/// Files an agent sends one after another reach WhatsApp in that order (the outbox sends a
/// conversation's messages in the order written), each uploaded then sent with its caption.
#[tokio::test]
async fn files_sent_in_a_row_reach_the_provider_in_order_with_their_captions() {
    let line = line().await;
    line.deliver(&text_from_maria("wamid.IN1", "oi"), None).await;
    let ticket = line.only_ticket().await;
    line.app.act(&line.admin, ticket, "accept", json!({})).await;
    line.app.patch("/api/v1/me", &line.admin, json!({"signature_enabled": false})).await;
    let files: [(&[u8], &str, &str); 3] =
        [(PNG, "a.png", "primeira"), (b"%PDF-1.4\n%%EOF\n", "b.pdf", "segundo"), (PNG, "c.png", "")];
    let mut last = 0;
    for (bytes, name, caption) in files {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()))
            .text("body", caption.to_owned());
        let response = line
            .app
            .client
            .post(line.app.url(&format!("/api/v1/tickets/{ticket}/messages")))
            .bearer_auth(&line.admin)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let (status, message) = read(response).await;
        assert_eq!(status, StatusCode::CREATED, "{message}");
        last = message["id"].as_i64().expect("id");
    }
    line.app.settled(&line.admin, ticket, last).await;
    let graph = line.graph.lock().expect("lock");
    assert_eq!(graph.uploads, ["a.png", "b.pdf", "c.png"]);
    let sent: Vec<(String, String, String)> = graph
        .sent
        .iter()
        .map(|m| {
            let kind = m["type"].as_str().unwrap_or_default().to_owned();
            let media = &m[kind.as_str()];
            (
                kind.clone(),
                media["id"].as_str().unwrap_or_default().to_owned(),
                media["caption"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected = [("image", "media-1", "primeira"), ("document", "media-2", "segundo"), ("image", "media-3", "")];
    assert_eq!(sent, expected.map(|(k, i, c)| (k.to_owned(), i.to_owned(), c.to_owned())));
    assert_eq!(graph.sent[1]["document"]["filename"], "b.pdf");
}
