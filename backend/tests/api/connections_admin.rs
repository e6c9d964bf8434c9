//! The Conexões page's API: Cloud API secrets sealed at rest and write-only, the webhook URL, the
//! "test" button against a stand-in Graph API, deleting with or without history, live events.

use std::sync::{Arc, Mutex};

use atende::store::entities::connections;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use reqwest::StatusCode;
use sea_orm::{IntoActiveModel, Set};
use serde_json::{Value, json};
use shared::ConnectionId;

use crate::helpers::*;
use crate::ws_client::EventStream;

const PHONE_ID: &str = "109876543210";
const TOKEN: &str = "EAAG-plain-token-4f9a";
const SECRET: &str = "app-secret-77c1";

/// A stand-in Graph API: `GET /{phone}` answers the number's details to `Bearer {TOKEN}` (or the
/// token set later) and refuses any other, echoing it back the way a careless provider might.
#[derive(Default)]
struct Graph {
    token: String,
    bearers: Vec<String>,
}

async fn start_graph() -> (String, Arc<Mutex<Graph>>) {
    let graph = Arc::new(Mutex::new(Graph { token: TOKEN.into(), bearers: Vec::new() }));
    let app = Router::new()
        .route(
            "/{phone}",
            get(|State(graph): State<Arc<Mutex<Graph>>>, Path(phone): Path<String>, headers: axum::http::HeaderMap| async move {
                let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let mut graph = graph.lock().expect("lock");
                graph.bearers.push(bearer.clone());
                if bearer == format!("Bearer {}", graph.token) {
                    let info = json!({"display_phone_number": "+55 11 4000-0000", "verified_name": "Loja Exemplo", "id": phone});
                    (axum::http::StatusCode::OK, axum::Json(info))
                } else {
                    let given = bearer.trim_start_matches("Bearer ");
                    let error = json!({"error": {"message": format!("Invalid OAuth access token - Cannot parse access token {given}"),
                        "type": "OAuthException", "code": 190}});
                    (axum::http::StatusCode::UNAUTHORIZED, axum::Json(error))
                }
            }),
        )
        .with_state(graph.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, graph)
}

async fn app() -> TestApp {
    TestApp::start_with(|config| config.public_url = Some("https://atende.example.com/".into())).await
}

async fn cloud_line(app: &TestApp, admin: &str, base: &str) -> Value {
    let (status, body) = app
        .post(
            "/api/v1/connections",
            admin,
            json!({"name": "WhatsApp oficial", "kind": "cloud_api", "phone_number_id": PHONE_ID, "access_token": TOKEN,
                   "app_secret": SECRET, "verify_token": "verify-me-123", "graph_base_url": base}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn raw_settings(app: &TestApp, id: i64) -> String {
    atende::store::connections::get(&app.state.db, ConnectionId(id)).await.expect("read").expect("row").settings
}

/// Puts the settings back the way servers before sealing wrote them.
async fn write_plain_settings(app: &TestApp, id: i64, base: &str) {
    let row = atende::store::connections::get(&app.state.db, ConnectionId(id)).await.expect("read").expect("row");
    let mut row: connections::ActiveModel = row.into_active_model();
    row.settings = Set(json!({"phone_number_id": PHONE_ID, "access_token": TOKEN, "app_secret": SECRET,
        "verify_token": "verify-me-123", "graph_base_url": base})
    .to_string());
    let txn = app.state.begin().await.expect("begin");
    atende::store::connections::update(&txn, row).await.expect("update");
    txn.commit().await.expect("commit");
}

async fn test_button(app: &TestApp, admin: &str, id: i64) -> Value {
    let (status, body) = app.post(&format!("/api/v1/connections/{id}/test"), admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn cloud_api_secrets_are_sealed_at_rest_write_only_and_rotatable() {
    let app = app().await;
    let admin = app.admin().await;
    let (base, graph) = start_graph().await;
    let line = cloud_line(&app, &admin, &base).await;
    let id = line["id"].as_i64().expect("id");
    let text = line.to_string();
    assert!(!text.contains(TOKEN) && !text.contains(SECRET), "secrets never leave: {text}");
    assert_eq!(line["access_token_set"], true);
    assert_eq!(line["app_secret_set"], true);
    assert_eq!(line["verify_token"], "verify-me-123");
    assert_eq!(line["webhook_url"], format!("https://atende.example.com/webhooks/whatsapp/{id}"));

    let raw = raw_settings(&app, id).await;
    assert!(!raw.contains(TOKEN) && !raw.contains(SECRET), "sealed at rest: {raw}");
    assert!(raw.contains("sealed:v1:"), "{raw}");

    // The stored token still opens for the channel.
    let result = test_button(&app, &admin, id).await;
    assert_eq!(result, json!({"ok": true, "detail": "+55 11 4000-0000 (Loja Exemplo)"}));

    // Rotation: the new token is sealed and used; the old one no longer is.
    let (status, body) =
        app.patch(&format!("/api/v1/connections/{id}"), &admin, json!({"access_token": "EAAG-rotated-99"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body.to_string().contains("EAAG-rotated-99"), "{body}");
    assert!(!raw_settings(&app, id).await.contains("EAAG-rotated-99"));
    graph.lock().expect("lock").token = "EAAG-rotated-99".into();
    assert_eq!(test_button(&app, &admin, id).await["ok"], true);
    assert_eq!(graph.lock().expect("lock").bearers.last().map(String::as_str), Some("Bearer EAAG-rotated-99"));

    // Agents see the line, not what configures it.
    let (_, agent) = app.user(&admin, "ana@test.local", "agent", &[]).await;
    let (status, seen) = app.get(&format!("/api/v1/connections/{id}"), &agent).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["verify_token"], Value::Null);
    let (status, body) = app.post(&format!("/api/v1/connections/{id}/test"), &agent, json!({})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn the_test_button_shows_the_providers_refusal_but_never_the_token() {
    let app = app().await;
    let admin = app.admin().await;
    let (base, graph) = start_graph().await;
    let id = cloud_line(&app, &admin, &base).await["id"].as_i64().expect("id");
    graph.lock().expect("lock").token = "another-token".into();
    let result = test_button(&app, &admin, id).await;
    assert_eq!(result["ok"], false, "{result}");
    let detail = result["detail"].as_str().expect("detail");
    assert!(detail.contains("Invalid OAuth access token"), "the provider's words: {detail}");
    assert!(!detail.contains(TOKEN), "never the token: {detail}");

    // A Graph API that is not there: an error, not a hang or a 500.
    let (status, body) =
        app.patch(&format!("/api/v1/connections/{id}"), &admin, json!({"graph_base_url": "http://127.0.0.1:9"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(test_button(&app, &admin, id).await["ok"], false);

    // The simulator is always connected.
    let simulator = app.simulator(&admin, None).await;
    assert_eq!(test_button(&app, &admin, simulator).await["ok"], true);
    let (_, line) = app.get(&format!("/api/v1/connections/{simulator}"), &admin).await;
    assert_eq!(line["webhook_url"], Value::Null, "only Cloud API lines have a webhook");
}

#[tokio::test]
async fn legacy_plaintext_credentials_still_work_and_get_sealed() {
    let app = app().await;
    let admin = app.admin().await;
    let (base, _graph) = start_graph().await;
    let id = cloud_line(&app, &admin, &base).await["id"].as_i64().expect("id");

    // Written by a server from before sealing: still used as they are.
    write_plain_settings(&app, id, &base).await;
    assert!(raw_settings(&app, id).await.contains(TOKEN));
    assert_eq!(test_button(&app, &admin, id).await["ok"], true);
    let (_, line) = app.get(&format!("/api/v1/connections/{id}"), &admin).await;
    assert_eq!(line["access_token_set"], true);
    assert!(!line.to_string().contains(TOKEN));

    // The startup pass seals them, once.
    assert_eq!(atende::domain::connections::seal_legacy(&app.state).await.expect("pass"), 1);
    let raw = raw_settings(&app, id).await;
    assert!(!raw.contains(TOKEN) && !raw.contains(SECRET), "{raw}");
    assert_eq!(atende::domain::connections::seal_legacy(&app.state).await.expect("pass"), 0);
    assert_eq!(test_button(&app, &admin, id).await["ok"], true);

    // Any later write seals them too (a name change is enough).
    write_plain_settings(&app, id, &base).await;
    let (status, body) = app.patch(&format!("/api/v1/connections/{id}"), &admin, json!({"name": "Renomeada"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let raw = raw_settings(&app, id).await;
    assert!(!raw.contains(TOKEN) && !raw.contains(SECRET), "{raw}");
    assert_eq!(test_button(&app, &admin, id).await["ok"], true);
}

#[tokio::test]
async fn a_connection_with_tickets_goes_only_with_its_history_when_asked() {
    let Desk { app, admin, connection, .. } = desk().await;
    let ticket = app.inbound(&admin, connection, "11987650001", "Olá").await;
    let (status, body) = app.delete(&format!("/api/v1/connections/{connection}"), &admin).await;
    assert_error(status, &body, StatusCode::CONFLICT, "connection_in_use");
    assert_eq!(app.ticket(&admin, ticket).await["id"], ticket, "kept, with its ticket");
    let (status, _) = app.delete(&format!("/api/v1/connections/{connection}?history=delete"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&format!("/api/v1/tickets/{ticket}"), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Without tickets there is nothing to ask.
    let empty = app.simulator(&admin, None).await;
    let (status, _) = app.delete(&format!("/api/v1/connections/{empty}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn connection_events_reach_admins_only() {
    let app = app().await;
    let admin = app.admin().await;
    let (_, agent) = app.user(&admin, "ana@test.local", "agent", &[]).await;
    let mut admin_socket = EventStream::connect(&app.ws_url(&admin, None)).await;
    let mut agent_socket = EventStream::connect(&app.ws_url(&agent, None)).await;

    let id = app.simulator(&admin, None).await;
    let (status, body) = app.patch(&format!("/api/v1/connections/{id}"), &admin, json!({"name": "Renomeada"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app.delete(&format!("/api/v1/connections/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // A company-wide event after them: what came before it is all the agent was sent.
    let (status, body) = app
        .patch("/api/v1/settings", &admin, json!({"general": {"protocol_message": "sentinela {{protocolo}}"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let seen = admin_socket.until("connection.deleted").await;
    let updates: Vec<_> = seen.iter().filter(|f| f["type"] == "connection.updated").collect();
    assert_eq!(updates.len(), 2, "created and renamed: {seen:?}");
    assert_eq!(updates[0]["data"]["name"], "Simulador");
    assert_eq!(updates[1]["data"]["name"], "Renomeada");
    assert_eq!(seen.last().expect("frame")["data"]["id"], id);

    let mut agent_saw = Vec::new();
    loop {
        let frame = agent_socket.next().await;
        let done = frame.to_string().contains("sentinela");
        agent_saw.push(frame);
        if done {
            break;
        }
    }
    assert!(
        agent_saw.iter().all(|f| !f["type"].as_str().unwrap_or_default().starts_with("connection.")),
        "{agent_saw:?}"
    );
}

#[tokio::test]
async fn the_simulator_takes_a_customers_file_as_a_multipart_form() {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let Desk { app, admin, connection, .. } = desk().await;
    // Larger than a JSON body may be: the form is not held to that limit.
    let mut big = PNG.to_vec();
    big.resize(1536 * 1024, 0);
    let form = reqwest::multipart::Form::new()
        .text("from", "11987650009")
        .text("name", "Joana")
        .text("body", "a foto do pedido")
        .text("group_id", "120363000000000001@g.us")
        .text("group_name", "Família")
        .part(
            "file",
            reqwest::multipart::Part::bytes(big).file_name("pedido.png").mime_str("image/png").expect("mime"),
        );
    let response = app
        .client
        .post(app.url(&format!("/api/v1/connections/{connection}/simulate")))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .expect("send");
    let (status, result) = read(response).await;
    assert_eq!(status, StatusCode::CREATED, "{result}");
    let ticket = result["ticket_id"].as_i64().expect("ticket");
    let (_, page) = app.get(&format!("/api/v1/tickets/{ticket}/messages"), &admin).await;
    let message = &page["items"][0];
    assert_eq!(message["kind"], "image", "{message}");
    assert!(message["body"].as_str().is_some_and(|b| b.contains("a foto do pedido")), "{message}");
    assert!(message["media_url"].as_str().is_some_and(|u| !u.is_empty()), "{message}");

    // A group needs its name; a number is required.
    let form =
        reqwest::multipart::Form::new().text("from", "11987650009").text("body", "oi").text("group_id", "x@g.us");
    let response = app
        .client
        .post(app.url(&format!("/api/v1/connections/{connection}/simulate")))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert!(body["error"]["details"]["group_name"].is_object(), "{body}");
}

#[tokio::test]
async fn a_simulated_file_over_the_upload_limit_is_413() {
    let Desk { app, admin, connection, .. } = desk().await;
    let form = reqwest::multipart::Form::new()
        .text("from", "11987650009")
        .part("file", reqwest::multipart::Part::bytes(vec![7u8; 17 * 1024 * 1024]).file_name("grande.bin"));
    let response = app
        .client
        .post(app.url(&format!("/api/v1/connections/{connection}/simulate")))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}
