//! Outgoing webhooks: signed deliveries a receiver verifies from the secret alone, retries after a
//! 500 with backoff, switching off after repeated failures, resending, the delivery log, and that a
//! company's webhook never receives another company's events.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, assert_error};
use crate::isolation::company;

const SECRET: &str = "a-long-webhook-secret-42";

#[derive(Default)]
struct Receiver {
    /// (timestamp header, signature header, raw body) of every POST.
    got: Vec<(String, String, String)>,
    /// Statuses to answer, in order; 200 once empty (or `always` when set).
    answers: VecDeque<u16>,
    always: Option<u16>,
}

type Shared = Arc<Mutex<Receiver>>;

async fn start_receiver() -> (String, Shared) {
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route(
            "/hook",
            post(|State(seen): State<Shared>, headers: HeaderMap, body: String| async move {
                let header =
                    |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let mut seen = seen.lock().unwrap();
                seen.got.push((header("x-atende-timestamp"), header("x-atende-signature"), body));
                let status = seen.always.or_else(|| seen.answers.pop_front()).unwrap_or(200);
                (axum::http::StatusCode::from_u16(status).unwrap(), "ok")
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("{base}/hook"), seen)
}

/// What an integrator does with nothing but the secret: recompute the signature.
fn verifies(secret: &str, timestamp: &str, signature: &str, body: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    signature == format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn until<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn quick_app() -> TestApp {
    TestApp::start_with(|config| {
        config.webhook_retry_base = Duration::from_millis(50);
        config.webhook_disable_after = 3;
        config.webhook_max_attempts = 10;
    })
    .await
}

async fn create_hook(app: &TestApp, admin: &str, url: &str, events: Value) -> Value {
    let (status, hook) =
        app.post("/api/v1/webhooks", admin, json!({"url": url, "events": events, "secret": SECRET})).await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    hook
}

#[tokio::test]
async fn deliveries_are_signed_frames_a_receiver_verifies_with_the_secret_alone() {
    let (url, receiver) = start_receiver().await;
    let app = quick_app().await;
    let admin = app.admin().await;
    let queue = app.queue(&admin, "Suporte").await;
    let connection = app.simulator(&admin, Some(queue)).await;
    let hook = create_hook(&app, &admin, &url, json!(["message.created", "ticket.created"])).await;
    assert_eq!(hook["secret_set"], true);
    assert!(hook.get("secret").is_none() && !hook.to_string().contains(SECRET), "{hook}");
    assert_eq!(hook["enabled"], true);

    app.inbound(&admin, connection, "+5511987650001", "Olá, preciso de ajuda").await;
    let got = until("two deliveries", async || {
        let seen = receiver.lock().unwrap();
        (seen.got.len() >= 2).then(|| seen.got.clone())
    })
    .await;
    let mut types = Vec::new();
    for (timestamp, signature, body) in &got {
        assert!(verifies(SECRET, timestamp, signature, body), "signature of {body}");
        assert!(!verifies("another-secret-entirely", timestamp, signature, body));
        let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
        assert!((0..60).contains(&age), "the timestamp is now: {timestamp}");
        let frame: Value = serde_json::from_str(body).unwrap();
        assert!(frame["seq"].as_i64().unwrap() > 0 && frame["data"].is_object(), "{frame}");
        types.push(frame["type"].as_str().unwrap().to_owned());
    }
    types.sort();
    assert_eq!(types, ["message.created", "ticket.created"]);
    assert!(got.iter().all(|(_, _, body)| !body.contains("\"ticket.updated\"")), "only subscribed types are delivered");

    let id = hook["id"].as_i64().unwrap();
    let (status, log) = app.get(&format!("/api/v1/webhooks/{id}/deliveries"), &admin).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{log}");
    for item in items {
        assert_eq!(item["status"], "delivered", "{item}");
        assert_eq!(item["response_status"], 200);
        assert_eq!(item["attempts"], 1);
        assert!(item["latency_ms"].is_u64());
    }

    // Validation, and only admins.
    let (status, body) = app
        .post("/api/v1/webhooks", &admin, json!({"url": "ftp://x.test/", "events": ["nope"], "secret": "short"}))
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let fields = &body["error"]["details"];
    assert_eq!(fields["url"]["code"], "not_url", "{body}");
    assert_eq!(fields["events"]["code"], "unknown_event_type");
    assert_eq!(fields["secret"]["code"], "too_short");
    let (_, agent) = app.user(&admin, "agent@test.local", "agent", &[queue]).await;
    let (status, body) = app.get("/api/v1/webhooks", &agent).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_failed_delivery_is_retried_then_the_webhook_is_switched_off_and_can_resend() {
    let (url, receiver) = start_receiver().await;
    let app = quick_app().await;
    let admin = app.admin().await;
    receiver.lock().unwrap().answers.push_back(500);
    let hook = create_hook(&app, &admin, &url, json!(["settings.updated"])).await;
    let id = hook["id"].as_i64().unwrap();
    let log = format!("/api/v1/webhooks/{id}/deliveries");

    app.patch("/api/v1/settings", &admin, json!({"general": {"max_upload_mb": 20}})).await;
    let first = until("a retry after the 500", async || {
        let (_, log) = app.get(&log, &admin).await;
        let item = log["items"][0].clone();
        (item["status"] == "delivered").then_some(item)
    })
    .await;
    assert_eq!(first["attempts"], 2, "one 500, then delivered: {first}");
    assert_eq!(receiver.lock().unwrap().got.len(), 2);

    // A receiver that keeps failing: after 3 failed attempts in a row the webhook is switched off.
    receiver.lock().unwrap().always = Some(500);
    app.patch("/api/v1/settings", &admin, json!({"general": {"max_upload_mb": 21}})).await;
    let off = until("the webhook switched off", async || {
        let (_, hook) = app.get(&format!("/api/v1/webhooks/{id}"), &admin).await;
        (hook["enabled"] == false).then_some(hook)
    })
    .await;
    assert!(off["disabled_reason"].as_str().unwrap().contains("3 failed attempts"), "{off}");
    let failed = until("the delivery given up", async || {
        let (_, log) = app.get(&log, &admin).await;
        let item = log["items"][0].clone();
        (item["status"] == "failed").then_some(item)
    })
    .await;
    assert_eq!(failed["response_status"], 500, "{failed}");
    assert!(failed["last_error"].as_str().unwrap().contains("500"), "{failed}");
    let attempts_when_off = receiver.lock().unwrap().got.len();

    // Events while it is off are not delivered; switched on again and resent, the failed one arrives.
    app.patch("/api/v1/settings", &admin, json!({"general": {"max_upload_mb": 22}})).await;
    receiver.lock().unwrap().always = None;
    let (status, on) = app.patch(&format!("/api/v1/webhooks/{id}"), &admin, json!({"enabled": true})).await;
    assert_eq!(status, StatusCode::OK, "{on}");
    assert_eq!(on["consecutive_failures"], 0);
    assert!(on["disabled_reason"].is_null());
    let delivery = failed["id"].as_i64().unwrap();
    let (status, resent) = app.post(&format!("/api/v1/webhook-deliveries/{delivery}/resend"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{resent}");
    assert_eq!(resent["status"], "pending");
    let body = until("the resent delivery", async || {
        let seen = receiver.lock().unwrap();
        (seen.got.len() > attempts_when_off).then(|| seen.got.last().unwrap().2.clone())
    })
    .await;
    assert!(body.contains("\"max_upload_mb\":21"), "the failed event itself is resent: {body}");
    until("delivered after resending", async || {
        let (_, log) = app.get(&log, &admin).await;
        log["items"].as_array().unwrap().iter().any(|i| i["id"] == delivery && i["status"] == "delivered").then_some(())
    })
    .await;
    let (status, body) = app.post(&format!("/api/v1/webhook-deliveries/{delivery}/resend"), &admin, json!({})).await;
    assert!(status == StatusCode::OK || status == StatusCode::CONFLICT, "{status} {body}");
}

#[tokio::test]
async fn a_companys_webhook_never_receives_another_companys_events() {
    let (url_a, receiver_a) = start_receiver().await;
    let (url_b, receiver_b) = start_receiver().await;
    let app = quick_app().await;
    let admin_a = app.admin().await;
    let (_, admin_b) = company(&app, &admin_a, "Beta Ltda", "olga@beta.test", "Olga").await;
    let hook_a = create_hook(&app, &admin_a, &url_a, json!(["settings.updated"])).await;
    create_hook(&app, &admin_b, &url_b, json!(["settings.updated"])).await;

    // Another company's webhook is not found.
    let id_a = hook_a["id"].as_i64().unwrap();
    let (status, body) = app.get(&format!("/api/v1/webhooks/{id_a}"), &admin_b).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, _) = app.get(&format!("/api/v1/webhooks/{id_a}/deliveries"), &admin_b).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    app.patch("/api/v1/settings", &admin_a, json!({"general": {"time_zone": "America/Manaus"}})).await;
    app.patch("/api/v1/settings", &admin_b, json!({"general": {"time_zone": "Europe/Lisbon"}})).await;
    let a = until("A's delivery", async || receiver_a.lock().unwrap().got.first().map(|g| g.2.clone())).await;
    let b = until("B's delivery", async || receiver_b.lock().unwrap().got.first().map(|g| g.2.clone())).await;
    assert!(a.contains("America/Manaus") && !a.contains("Europe/Lisbon"), "{a}");
    assert!(b.contains("Europe/Lisbon") && !b.contains("America/Manaus"), "{b}");
    // Both were delivered; neither receiver got anything else.
    assert_eq!(receiver_a.lock().unwrap().got.len(), 1);
    assert_eq!(receiver_b.lock().unwrap().got.len(), 1);
}

#[tokio::test]
async fn webhook_targets_go_through_the_ssrf_guard() {
    let app = TestApp::start_with(|config| config.allow_private_urls = false).await;
    let admin = app.admin().await;
    for url in ["http://hooks.example.com/x", "https://127.0.0.1/x", "https://169.254.169.254/latest"] {
        let (status, body) = app
            .post("/api/v1/webhooks", &admin, json!({"url": url, "events": ["ticket.created"], "secret": SECRET}))
            .await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        assert_eq!(body["error"]["details"]["url"]["code"], "not_public_url", "{url}: {body}");
    }
}
