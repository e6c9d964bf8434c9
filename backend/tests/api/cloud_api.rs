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

/// What the stand-in Graph API was asked, and whether it should refuse sends.
#[derive(Default)]
struct Graph {
    sent: Vec<Value>,
    refuse: bool,
    base: String,
}

type Shared = Arc<Mutex<Graph>>;

async fn start_graph() -> (String, Shared) {
    let graph: Shared = Arc::default();
    let app = Router::new()
        .route(
            "/{phone}/messages",
            post(|State(graph): State<Shared>, axum::Json(body): axum::Json<Value>| async move {
                let mut graph = graph.lock().expect("lock");
                if graph.refuse {
                    let error = json!({"error": {"message": "(#131026) Message undeliverable", "type": "OAuthException", "code": 131026}});
                    return (axum::http::StatusCode::BAD_REQUEST, axum::Json(error));
                }
                graph.sent.push(body.clone());
                let id = format!("wamid.OUT{}", graph.sent.len());
                let answer = json!({"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}], "messages": [{"id": id}]});
                (axum::http::StatusCode::OK, axum::Json(answer))
            }),
        )
        .route(
            "/{id}",
            get(|State(graph): State<Shared>, Path(id): Path<String>| async move {
                let base = graph.lock().expect("lock").base.clone();
                axum::Json(json!({"url": format!("{base}/files/{id}"), "mime_type": "image/png", "sha256": "x", "file_size": PNG.len(), "id": id, "messaging_product": "whatsapp"}))
            }),
        )
        .route("/files/{id}", get(|| async { PNG.to_vec() }))
        .with_state(graph.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    graph.lock().expect("lock").base = base.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, graph)
}

fn sign(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn notification(value: Value) -> Value {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] = json!({"display_phone_number": "551140000000", "phone_number_id": PHONE_ID});
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": value}]}]})
}

fn text_from_maria(id: &str, body: &str) -> Value {
    notification(json!({
        "contacts": [{"profile": {"name": "Maria"}, "wa_id": "551187654321"}],
        "messages": [{"from": "551187654321", "id": id, "timestamp": "1764000000", "type": "text", "text": {"body": body}}]
    }))
}

struct Line {
    app: TestApp,
    admin: String,
    connection: i64,
    graph: Shared,
}

async fn line() -> Line {
    let app = TestApp::start().await;
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
    async fn deliver(&self, payload: &Value, signature: Option<String>) -> StatusCode {
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

    async fn only_ticket(&self) -> i64 {
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
    assert_eq!(status, StatusCode::NOT_FOUND);
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
    let request = line.graph.lock().expect("lock").sent.first().cloned().expect("one send");
    assert_eq!(request["to"], "5511987654321");
    assert_eq!(request["type"], "text");
    assert_eq!(request["text"]["body"], "Olá Maria!");
    let stored = line.messages(ticket).await.into_iter().find(|m| m["body"] == "Olá Maria!").expect("stored");
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
    let (status, _) =
        line.app.post(&format!("/api/v1/tickets/{ticket}/messages"), &line.admin, json!({"body": "vai falhar"})).await;
    assert_eq!(status, StatusCode::CREATED, "the message is stored whatever the provider says");
    let stored =
        line.messages(ticket).await.into_iter().find(|m| m["kind"] == "text" && m["from_me"] == true).expect("stored");
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
