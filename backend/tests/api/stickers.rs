//! The sticker library (figurinhas): uploads checked against WhatsApp's rules, admins only, one
//! company's library invisible to another, sent as `sticker` messages through the Cloud API, a
//! customer's sticker kept from the thread, and files that leave the disk with their sticker.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Multipart, Path as UrlPath, State};
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::*;

const STILL: &[u8] = include_bytes!("../fixtures/sticker.webp");
const LOSSY: &[u8] = include_bytes!("../fixtures/sticker-lossy.webp");
const ANIMATED: &[u8] = include_bytes!("../fixtures/sticker-animated.webp");
const SMALL: &[u8] = include_bytes!("../fixtures/sticker-256.webp");
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x02\0\0\0\x02\0\x08\x06\0\0\0\xf4\x78\xd4\xfa";

/// `webp` grown to `total` bytes by an unknown chunk (decoders skip it), its RIFF size kept true.
fn padded(webp: &[u8], total: usize) -> Vec<u8> {
    let mut file = webp.to_vec();
    let filler = total - file.len() - 8;
    file.extend_from_slice(b"JUNK");
    file.extend_from_slice(&(filler as u32).to_le_bytes());
    file.resize(total, 0);
    let riff = (file.len() - 8) as u32;
    file[4..8].copy_from_slice(&riff.to_le_bytes());
    file
}

async fn upload(app: &TestApp, token: &str, bytes: &[u8], file_name: &str, name: Option<&str>) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.to_owned());
    let mut form = reqwest::multipart::Form::new().part("file", part);
    if let Some(name) = name {
        form = form.text("name", name.to_owned());
    }
    let response =
        app.client.post(app.url("/api/v1/stickers")).bearer_auth(token).multipart(form).send().await.expect("upload");
    read(response).await
}

/// Uploads and expects 201; returns the sticker.
async fn added(app: &TestApp, token: &str, bytes: &[u8], name: &str) -> Value {
    let (status, sticker) = upload(app, token, bytes, "figurinha.webp", Some(name)).await;
    assert_eq!(status, StatusCode::CREATED, "{sticker}");
    sticker
}

/// Status, content type, disposition and bytes of a file the API serves.
async fn download(app: &TestApp, token: &str, url: &str) -> (StatusCode, String, String, Vec<u8>) {
    let response = app.client.get(app.url(url)).bearer_auth(token).send().await.expect("get");
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (status, content_type, disposition) =
        (response.status(), header("content-type"), header("content-disposition"));
    (status, content_type, disposition, response.bytes().await.expect("bytes").to_vec())
}

fn problem(body: &Value, field: &str) -> Value {
    body["error"]["details"][field].clone()
}

/// The files kept under the data dir for company 1.
fn stored_files(app: &TestApp) -> Vec<Vec<u8>> {
    let dir = app.state.config.data_dir.join("media/1");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    entries.filter_map(|e| e.ok()).filter_map(|e| std::fs::read(e.path()).ok()).collect()
}

async fn other_company_admin(app: &TestApp, admin: &str) -> String {
    let (status, body) = app
        .post(
            "/api/v1/companies",
            admin,
            json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.com", "password": "olga-secret-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.login("olga@outra.com", "olga-secret-1").await
}

#[tokio::test]
async fn admins_add_still_and_animated_webp_stickers_that_everyone_can_see() {
    let Desk { app, admin, queue, .. } = desk().await;
    let still = added(&app, &admin, STILL, "Sorriso").await;
    assert_eq!(
        (still["name"].as_str(), still["animated"].as_bool(), still["size"].as_u64()),
        (Some("Sorriso"), Some(false), Some(STILL.len() as u64))
    );
    let id = still["id"].as_i64().expect("id");
    assert_eq!(still["url"], format!("/api/v1/stickers/{id}/file"));
    // Without a name, the file's name is used; the extended format's animation flag is read.
    let (status, animated) = upload(&app, &admin, ANIMATED, "piscadinha.webp", None).await;
    assert_eq!(status, StatusCode::CREATED, "{animated}");
    assert_eq!((animated["name"].as_str(), animated["animated"].as_bool()), (Some("piscadinha"), Some(true)));
    // Lossy with transparency: extended format, still.
    let lossy = added(&app, &admin, LOSSY, "Sorriso (leve)").await;
    assert_eq!(lossy["animated"], false);

    // An agent lists the library (the composer's picker) and fetches the images.
    let (_, agent) = app.user(&admin, "agente@test.local", "agent", &[queue]).await;
    let (status, page) = app.get("/api/v1/stickers", &agent).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let names: Vec<&str> = page["items"].as_array().expect("items").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["Sorriso", "piscadinha", "Sorriso (leve)"]);
    let (status, page) = app.get("/api/v1/stickers?limit=2", &agent).await;
    assert_eq!((status, page["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(2)));
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let (_, rest) = app.get(&format!("/api/v1/stickers?limit=2&cursor={cursor}"), &agent).await;
    assert_eq!(rest["items"][0]["name"], "Sorriso (leve)");

    let (status, content_type, disposition, bytes) = download(&app, &agent, still["url"].as_str().unwrap_or("")).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "image/webp"));
    assert!(disposition.starts_with("inline;") && disposition.contains("Sorriso.webp"), "{disposition}");
    assert_eq!(bytes, STILL);
    let (status, one) = app.get(&format!("/api/v1/stickers/{id}"), &agent).await;
    assert_eq!((status, one["name"].as_str()), (StatusCode::OK, Some("Sorriso")));
}

#[tokio::test]
async fn files_whatsapp_would_refuse_are_refused_and_not_kept() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let refused = |body: &Value| problem(body, "file");

    let (status, body) = upload(&app, &admin, PNG, "na-verdade-png.webp", None).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(refused(&body)["code"], "sticker_not_webp", "{body}");

    let (status, body) = upload(&app, &admin, SMALL, "pequena.webp", None).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(
        refused(&body),
        json!({"code": "sticker_dimensions", "width": 256, "height": 256,
        "message": "stickers must be 512×512 pixels; this one is 256×256"})
    );

    // 100 KB for a still sticker; an animated one may be five times that.
    let (status, body) = upload(&app, &admin, &padded(STILL, 100 * 1024 + 1), "grande.webp", None).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(
        (refused(&body)["code"].as_str(), refused(&body)["max_kb"].as_u64()),
        (Some("sticker_too_large"), Some(100))
    );
    let (status, body) = upload(&app, &admin, &padded(ANIMATED, 300 * 1024), "animada.webp", None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = upload(&app, &admin, &padded(ANIMATED, 500 * 1024 + 1), "enorme.webp", None).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(refused(&body)["max_kb"], 500, "{body}");
    let (status, body) = upload(&app, &admin, &padded(ANIMATED, 2 * 1024 * 1024), "gigante.webp", None).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    let (status, body) = upload(&app, &admin, b"", "vazia.webp", None).await;
    assert_eq!((status, refused(&body)["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("empty_file")));
    let (status, body) = upload(&app, &admin, STILL, "ok.webp", Some(&"x".repeat(121))).await;
    assert_eq!((status, problem(&body, "name")["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("too_long")));
    let form = reqwest::multipart::Form::new().text("name", "sem arquivo");
    let response =
        app.client.post(app.url("/api/v1/stickers")).bearer_auth(&admin).multipart(form).send().await.expect("send");
    let (status, body) = read(response).await;
    assert_eq!((status, refused(&body)["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file_required")));
    let response =
        app.client.post(app.url("/api/v1/stickers")).bearer_auth(&admin).body(STILL).send().await.expect("send");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "neither multipart nor JSON");

    let (_, page) = app.get("/api/v1/stickers", &admin).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "only the 300 KB animated one: {page}");
    assert_eq!(stored_files(&app).len(), 1, "refused files leave nothing on disk");
}

#[tokio::test]
async fn only_admins_change_the_library() {
    let Desk { app, admin, queue, .. } = desk().await;
    let sticker = added(&app, &admin, STILL, "Sorriso").await;
    let id = sticker["id"].as_i64().expect("id");
    for role in ["agent", "supervisor"] {
        let (_, token) = app.user(&admin, &format!("{role}@test.local"), role, &[queue]).await;
        let (status, body) = upload(&app, &token, STILL, "minha.webp", None).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = app.patch(&format!("/api/v1/stickers/{id}"), &token, json!({"name": "Outro"})).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = app.delete(&format!("/api/v1/stickers/{id}"), &token).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    let (status, renamed) = app.patch(&format!("/api/v1/stickers/{id}"), &admin, json!({"name": " Feliz "})).await;
    assert_eq!((status, renamed["name"].as_str()), (StatusCode::OK, Some("Feliz")));
    let (status, body) = app.patch(&format!("/api/v1/stickers/{id}"), &admin, json!({"name": ""})).await;
    assert_eq!((status, problem(&body, "name")["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("required")));
    let (status, _) = app.patch(&format!("/api/v1/stickers/{id}"), &admin, json!({"url": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");
    let (_, page) = app.get("/api/v1/stickers", &admin).await;
    assert_eq!(page["items"][0]["name"], "Feliz");
}

#[tokio::test]
async fn another_company_cannot_see_use_or_touch_our_stickers() {
    let Desk { app, admin, connection, .. } = desk().await;
    let sticker = added(&app, &admin, STILL, "Nossa").await;
    let id = sticker["id"].as_i64().expect("id");
    let ticket = app.inbound(&admin, connection, "11987654321", "oi").await;
    let olga = other_company_admin(&app, &admin).await;

    let (status, page) = app.get("/api/v1/stickers", &olga).await;
    assert_eq!((status, page["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    for path in [format!("/api/v1/stickers/{id}"), format!("/api/v1/stickers/{id}/file")] {
        let (status, body) = app.get(&path, &olga).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, _) = app.patch(&format!("/api/v1/stickers/{id}"), &olga, json!({"name": "Minha"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.delete(&format!("/api/v1/stickers/{id}"), &olga).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Olga's own ticket cannot send our sticker either.
    let olga_connection = app.simulator(&olga, None).await;
    let olga_ticket = app.inbound(&olga, olga_connection, "11912345678", "oi").await;
    app.act(&olga, olga_ticket, "accept", json!({})).await;
    let (status, body) =
        app.post(&format!("/api/v1/tickets/{olga_ticket}/messages"), &olga, json!({"sticker_id": id})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(problem(&body, "sticker_id")["code"], "not_in_company");
    // Nor keep a sticker from one of our messages.
    let (_, messages) = app.get(&format!("/api/v1/tickets/{ticket}/messages"), &admin).await;
    let message = messages["items"][0]["id"].as_i64().expect("message id");
    let (status, body) = app.post("/api/v1/stickers", &olga, json!({"message_id": message})).await;
    assert_eq!(
        (status, problem(&body, "message_id")["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_in_company"))
    );
    let (_, page) = app.get("/api/v1/stickers", &admin).await;
    assert_eq!(page["items"][0]["name"], "Nossa", "untouched");
}

#[tokio::test]
async fn deleting_a_sticker_removes_its_file() {
    let Desk { app, admin, connection, .. } = desk().await;
    let keep = added(&app, &admin, ANIMATED, "Fica").await;
    let sticker = added(&app, &admin, STILL, "Sai").await;
    let id = sticker["id"].as_i64().expect("id");
    assert_eq!(stored_files(&app).iter().filter(|f| f.as_slice() == STILL).count(), 1);
    // Sent once (simulator): the message has its own copy.
    let ticket = app.inbound(&admin, connection, "11987654321", "oi").await;
    app.act(&admin, ticket, "accept", json!({})).await;
    let (status, sent) =
        app.post(&format!("/api/v1/tickets/{ticket}/messages"), &admin, json!({"sticker_id": id})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(stored_files(&app).iter().filter(|f| f.as_slice() == STILL).count(), 2);

    let (status, _) = app.delete(&format!("/api/v1/stickers/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        stored_files(&app).iter().filter(|f| f.as_slice() == STILL).count(),
        1,
        "only the message's copy is left"
    );
    let (status, _) = app.get(&format!("/api/v1/stickers/{id}/file"), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.delete(&format!("/api/v1/stickers/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, page) = app.get("/api/v1/stickers", &admin).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["items"][0]["id"], keep["id"]);
    // The sent message still shows its sticker.
    let (status, _, _, bytes) = download(&app, &admin, sent["media_url"].as_str().unwrap_or("")).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, STILL));
}

// The WhatsApp Cloud API: a stand-in for the Graph API that takes uploads and sends, and serves
// the customer's files.

const SECRET: &str = "app-secret-123";
const PHONE_ID: &str = "109876543210";

#[derive(Default)]
struct Graph {
    /// The body of every send.
    sent: Vec<Value>,
    /// The MIME type and size of every upload.
    uploads: Vec<(String, usize)>,
    /// What `/files/{id}` serves.
    file: Vec<u8>,
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
                graph.sent.push(body.clone());
                let id = format!("wamid.OUT{}", graph.sent.len());
                axum::Json(json!({"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}], "messages": [{"id": id}]}))
            }),
        )
        .route(
            "/{phone}/media",
            post(|State(graph): State<Shared>, mut form: Multipart| async move {
                let mut upload = None;
                while let Ok(Some(field)) = form.next_field().await {
                    if field.name() == Some("file") {
                        let mime = field.content_type().unwrap_or_default().to_owned();
                        upload = Some((mime, field.bytes().await.map(|b| b.len()).unwrap_or_default()));
                    }
                }
                let mut graph = graph.lock().expect("lock");
                graph.uploads.extend(upload);
                axum::Json(json!({"id": format!("media-up-{}", graph.uploads.len())}))
            }),
        )
        .route(
            "/{id}",
            get(|State(graph): State<Shared>, UrlPath(id): UrlPath<String>| async move {
                let graph = graph.lock().expect("lock");
                axum::Json(json!({"url": format!("{}/files/{id}", graph.base), "mime_type": "image/webp", "sha256": "x",
                    "file_size": graph.file.len(), "id": id, "messaging_product": "whatsapp"}))
            }),
        )
        .route("/files/{id}", get(|State(graph): State<Shared>| async move { graph.lock().expect("lock").file.clone() }))
        .with_state(graph.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    graph.lock().expect("lock").base = base.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, graph)
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
    Line { app, admin, connection: connection["id"].as_i64().expect("id"), graph }
}

impl Line {
    /// Maria writes (a signed webhook); returns her ticket.
    async fn maria_sends(&self, id: &str, kind: &str, content: Value) -> i64 {
        let value = json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "551140000000", "phone_number_id": PHONE_ID},
            "contacts": [{"profile": {"name": "Maria"}, "wa_id": "5511987654321"}],
            "messages": [{"from": "5511987654321", "id": id, "timestamp": "1764000000", "type": kind, kind: content}]
        });
        let payload = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": value}]}]});
        let body = serde_json::to_vec(&payload).expect("json");
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
        mac.update(&body);
        let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        let response = self
            .app
            .client
            .post(self.app.url(&format!("/webhooks/whatsapp/{}", self.connection)))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .body(body)
            .send()
            .await
            .expect("webhook");
        assert_eq!(response.status(), StatusCode::OK);
        let ids = self.app.ticket_ids(&self.admin, "").await;
        assert_eq!(ids.len(), 1, "{ids:?}");
        ids[0]
    }

    /// The ticket's messages, newest first.
    async fn messages(&self, ticket: i64) -> Vec<Value> {
        let (_, page) = self.app.get(&format!("/api/v1/tickets/{ticket}/messages"), &self.admin).await;
        page["items"].as_array().cloned().unwrap_or_default()
    }
}

#[tokio::test]
async fn a_library_sticker_goes_out_as_a_whatsapp_sticker() {
    let line = line().await;
    let ticket = line.maria_sends("wamid.IN1", "text", json!({"body": "oi"})).await;
    let (status, _) = line.app.act(&line.admin, ticket, "accept", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let sticker = added(&line.app, &line.admin, ANIMATED, "Piscadinha").await;
    let id = sticker["id"].as_i64().expect("id");
    let path = format!("/api/v1/tickets/{ticket}/messages");

    // Text with a sticker is refused: WhatsApp stickers carry none.
    let (status, body) = line.app.post(&path, &line.admin, json!({"body": "olha", "sticker_id": id})).await;
    assert_eq!(
        (status, problem(&body, "body")["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("sticker_no_text"))
    );
    let (status, body) = line.app.post(&path, &line.admin, json!({"sticker_id": 999_999})).await;
    assert_eq!(
        (status, problem(&body, "sticker_id")["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_in_company"))
    );
    assert!(line.graph.lock().expect("lock").sent.is_empty());

    let (status, message) = line.app.post(&path, &line.admin, json!({"sticker_id": id})).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(
        (message["kind"].as_str(), message["media_mime"].as_str(), message["body"].as_str()),
        (Some("sticker"), Some("image/webp"), Some("")),
        "{message}"
    );
    line.app.settled(&line.admin, ticket, message["id"].as_i64().expect("id")).await;
    {
        let graph = line.graph.lock().expect("lock");
        assert_eq!(graph.uploads, [("image/webp".to_owned(), ANIMATED.len())]);
        let sent = graph.sent.first().expect("one send");
        assert_eq!((sent["type"].as_str(), sent["to"].as_str()), (Some("sticker"), Some("5511987654321")), "{sent}");
        assert_eq!(sent["sticker"], json!({"id": "media-up-1"}));
    }
    let stored = line.messages(ticket).await.remove(0);
    assert_eq!((stored["status"].as_str(), stored["external_id"].as_str()), (Some("sent"), Some("wamid.OUT1")));
    let (_, _, _, bytes) = download(&line.app, &line.admin, stored["media_url"].as_str().unwrap_or("")).await;
    assert_eq!(bytes, ANIMATED);
    // The list row shows it was the agent's.
    let detail = line.app.ticket(&line.admin, ticket).await;
    assert_eq!(detail["last_message"]["from_me"], true);
}

#[tokio::test]
async fn a_customers_sticker_can_be_kept_in_the_library() {
    let line = line().await;
    line.graph.lock().expect("lock").file = STILL.to_vec();
    let sticker = json!({"id": "media-1", "mime_type": "image/webp", "sha256": "x", "animated": false});
    let ticket = line.maria_sends("wamid.STK", "sticker", sticker.clone()).await;
    let message = line.messages(ticket).await.remove(0);
    assert_eq!(message["kind"], "sticker", "{message}");
    let message_id = message["id"].as_i64().expect("id");

    let (status, kept) = line.app.post("/api/v1/stickers", &line.admin, json!({"message_id": message_id})).await;
    assert_eq!(status, StatusCode::CREATED, "{kept}");
    assert_eq!((kept["name"].as_str(), kept["animated"].as_bool()), (Some("Figurinha"), Some(false)));
    let (_, content_type, _, bytes) = download(&line.app, &line.admin, kept["url"].as_str().unwrap_or("")).await;
    assert_eq!((content_type.as_str(), bytes.as_slice()), ("image/webp", STILL));
    let (status, named) =
        line.app.post("/api/v1/stickers", &line.admin, json!({"message_id": message_id, "name": "Da Maria"})).await;
    assert_eq!((status, named["name"].as_str()), (StatusCode::CREATED, Some("Da Maria")));

    // A copy: the library keeps it when the conversation's files go (the contact is deleted).
    let contact = line.app.ticket(&line.admin, ticket).await["contact"]["id"].as_i64().expect("contact");
    let (status, _) = line.app.delete(&format!("/api/v1/contacts/{contact}"), &line.admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _, bytes) = download(&line.app, &line.admin, kept["url"].as_str().unwrap_or("")).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, STILL));

    // Not a sticker; a sticker WhatsApp would not take back; not an admin; no such message.
    let text_ticket = line.maria_sends("wamid.TXT", "text", json!({"body": "oi"})).await;
    let text = line.messages(text_ticket).await.remove(0)["id"].as_i64().expect("id");
    let (status, body) = line.app.post("/api/v1/stickers", &line.admin, json!({"message_id": text})).await;
    assert_eq!(
        (status, problem(&body, "message_id")["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_a_sticker"))
    );
    line.graph.lock().expect("lock").file = SMALL.to_vec();
    line.maria_sends("wamid.SMALL", "sticker", sticker).await;
    let small = line.messages(text_ticket).await.remove(0);
    assert_eq!(small["kind"], "sticker");
    let (status, body) = line.app.post("/api/v1/stickers", &line.admin, json!({"message_id": small["id"]})).await;
    assert_eq!(
        (status, problem(&body, "message_id")["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("sticker_dimensions"))
    );
    let (_, agent) = line.app.user(&line.admin, "agente@test.local", "agent", &[]).await;
    let (status, body) = line.app.post("/api/v1/stickers", &agent, json!({"message_id": message_id})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = line.app.post("/api/v1/stickers", &line.admin, json!({"message_id": 999_999})).await;
    assert_eq!(
        (status, problem(&body, "message_id")["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_in_company"))
    );
    let (_, page) = line.app.get("/api/v1/stickers", &line.admin).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
}

#[test]
fn the_fixtures_are_what_they_claim() {
    let fixtures = crate::helpers::package_dir().join("tests/fixtures");
    for (file, animated) in [("sticker.webp", false), ("sticker-lossy.webp", false), ("sticker-animated.webp", true)] {
        let bytes = std::fs::read(fixtures.join(file)).expect("fixture");
        assert_eq!(shared::stickers::StickerImage::parse(&bytes).map(|s| s.animated), Ok(animated), "{file}");
    }
    assert!(padded(STILL, 4096).len() == 4096 && padded(STILL, 4096)[4..8] == 4088u32.to_le_bytes());
}
