//! The durable outbox against the Cloud API stand-in: retries with backoff, permanent failures,
//! answers that never came (`unknown`, resent only when the agent asks), an attempt cut short by
//! a stopped instance, order within a conversation, and two instances sending each message once.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::tickets::{MessageKind, MessageStatus};
use shared::{CompanyId, ConnectionId, ContactId, MessageId, TicketId};

use crate::cloud_api::{Line, line_on, notification};
use crate::helpers::*;

const RATE_LIMITED: &str = r#"{"error": {"message": "(#130429) Rate limit hit", "code": 130429}}"#;
const UNAVAILABLE: &str = r#"{"error": {"message": "Service temporarily unavailable", "code": 2}}"#;

fn quick_retries(delays_ms: &[u64]) -> impl FnOnce(&mut atende::Config) {
    let delays: Vec<Duration> = delays_ms.iter().map(|ms| Duration::from_millis(*ms)).collect();
    move |config| config.outbox_retry_delays = delays
}

fn text_from(number: &str, wamid: &str, body: &str) -> Value {
    notification(json!({
        "contacts": [{"profile": {"name": "Cliente"}, "wa_id": number}],
        "messages": [{"from": number, "id": wamid, "timestamp": "1764000000", "type": "text", "text": {"body": body}}]
    }))
}

/// A conversation with `number`, accepted by the admin (without a signature, so bodies are as sent).
async fn conversation(line: &Line, number: &str) -> i64 {
    line.deliver(&text_from(number, &format!("wamid.IN-{number}"), "oi"), None).await;
    let ids = line.app.ticket_ids(&line.admin, "").await;
    let ticket = *ids.iter().max().expect("a ticket");
    line.app.act(&line.admin, ticket, "accept", json!({})).await;
    line.app.patch("/api/v1/me", &line.admin, json!({"signature_enabled": false})).await;
    ticket
}

async fn write(line: &Line, ticket: i64, body: &str) -> i64 {
    let (status, sent) =
        line.app.post(&format!("/api/v1/tickets/{ticket}/messages"), &line.admin, json!({"body": body})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    sent["id"].as_i64().expect("id")
}

fn posts(line: &Line) -> Vec<String> {
    let graph = line.graph.lock().expect("lock");
    graph.posts.iter().map(|p| p["text"]["body"].as_str().unwrap_or_default().to_owned()).collect()
}

fn sent_bodies(line: &Line) -> Vec<String> {
    let graph = line.graph.lock().expect("lock");
    graph.sent.iter().map(|p| p["text"]["body"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn transient_errors_are_tried_again_until_whatsapp_takes_the_message() {
    let line = line_on(TestApp::start_with(quick_retries(&[30, 30, 30])).await).await;
    let ticket = conversation(&line, "5511987654321").await;
    line.graph.lock().expect("lock").script.extend([(503, UNAVAILABLE), (429, RATE_LIMITED)]);
    let id = write(&line, ticket, "terceira vez").await;
    let message = line.app.settled(&line.admin, ticket, id).await;
    assert_eq!((message["status"].as_str(), message["external_id"].as_str()), (Some("sent"), Some("wamid.OUT1")));
    assert_eq!(posts(&line), ["terceira vez"; 3], "two refusals, then taken once");
}

#[tokio::test]
async fn past_the_last_try_the_message_fails_with_the_providers_reason() {
    let line = line_on(TestApp::start_with(quick_retries(&[20])).await).await;
    let ticket = conversation(&line, "5511987654321").await;
    line.graph.lock().expect("lock").script.extend([(503, UNAVAILABLE), (503, UNAVAILABLE)]);
    let id = write(&line, ticket, "não vai").await;
    let message = line.app.settled(&line.admin, ticket, id).await;
    assert_eq!(message["status"], "failed");
    assert!(message["error"].as_str().is_some_and(|e| e.contains("temporarily unavailable")), "{message}");
    assert_eq!(posts(&line).len(), 2);
}

#[tokio::test]
async fn an_answer_that_never_came_is_unknown_and_sent_again_only_when_the_agent_asks() {
    let line = line_on(TestApp::start_with(quick_retries(&[20, 20])).await).await;
    let ticket = conversation(&line, "5511987654321").await;
    // WhatsApp took the request but its answer cannot be read: it may well have the message.
    line.graph.lock().expect("lock").script.push_back((200, "ok"));
    let id = write(&line, ticket, "chegou?").await;
    let message = line.app.settled(&line.admin, ticket, id).await;
    assert_eq!(message["status"], "unknown", "{message}");
    assert_eq!(posts(&line).len(), 1, "never repeated on its own");

    let (status, again) = line.app.post(&format!("/api/v1/messages/{id}/resend"), &line.admin, json!({})).await;
    assert_eq!((status, again["status"].as_str()), (StatusCode::OK, Some("pending")), "{again}");
    let message = line.app.settled(&line.admin, ticket, id).await;
    assert_eq!(message["status"], "sent");
    assert_eq!(posts(&line), ["chegou?", "chegou?"]);

    let (status, body) = line.app.post(&format!("/api/v1/messages/{id}/resend"), &line.admin, json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "not_resendable");
    let (_, agent) = line.app.user(&line.admin, "outro@test.local", "agent", &[]).await;
    let (status, body) = line.app.post(&format!("/api/v1/messages/{id}/resend"), &agent, json!({})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_send_cut_short_by_a_stopped_instance_is_marked_unknown_not_repeated() {
    use atende::store;
    let line = line_on(TestApp::start().await).await;
    let ticket = conversation(&line, "5511987654321").await;
    let contact = line.app.ticket(&line.admin, ticket).await["contact"]["id"].as_i64().expect("contact");
    // What an instance killed mid-call leaves behind: the message, its row claimed by that
    // instance (the lease already run out) and the attempt started.
    let tx = line.app.state.begin().await.expect("begin");
    let row = store::messages::NewMessageRow {
        company_id: CompanyId(1),
        ticket_id: TicketId(ticket),
        connection_id: ConnectionId(line.connection),
        contact_id: ContactId(contact),
        user_id: None,
        from_me: true,
        kind: MessageKind::Text,
        body: "a meio caminho",
        status: MessageStatus::Pending,
        external_id: None,
        quoted_id: None,
        system_note: None,
        media: None,
        error: None,
        metadata: None,
        participant: None,
        bot: None,
        created_at: chrono::Utc::now(),
    };
    let message = store::messages::insert(&tx, row).await.expect("insert").expect("stored");
    let now = chrono::Utc::now();
    store::outbox::enqueue(&tx, CompanyId(1), TicketId(ticket), MessageId(message.id), now).await.expect("queue");
    let job = store::outbox::due(&tx, now, 10).await.expect("due").into_iter().next().expect("the row");
    store::outbox::claim(&tx, job.id, "a-dead-instance", now, now - chrono::Duration::seconds(1))
        .await
        .expect("claim")
        .expect("claimed");
    store::outbox::start_attempt(&tx, job.id, now).await.expect("start");
    tx.commit().await.expect("commit");
    atende::domain::outbox::wake(&line.app.state);

    let settled = line.app.settled(&line.admin, ticket, message.id).await;
    assert_eq!(settled["status"], "unknown", "{settled}");
    assert!(posts(&line).is_empty(), "not sent a second time");
}

#[tokio::test]
async fn a_conversation_keeps_its_order_while_others_do_not_wait() {
    // A1's retry waits long enough for A2 and B1 to be written even on a loaded machine.
    let line = line_on(TestApp::start_with(quick_retries(&[3000])).await).await;
    let first = conversation(&line, "5511987650001").await;
    let second = conversation(&line, "5511987650002").await;
    line.graph.lock().expect("lock").script.push_back((503, UNAVAILABLE));
    let a1 = write(&line, first, "A1").await;
    // A1 meets the refusal (and waits for its retry) before the others are written.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while posts(&line).is_empty() {
        assert!(std::time::Instant::now() < deadline, "A1 never reached WhatsApp");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let a2 = write(&line, first, "A2").await;
    let b1 = write(&line, second, "B1").await;
    for (ticket, id) in [(first, a1), (first, a2), (second, b1)] {
        assert_eq!(line.app.settled(&line.admin, ticket, id).await["status"], "sent");
    }
    assert_eq!(sent_bodies(&line), ["B1", "A1", "A2"], "A2 waited for A1's retry; B1 did not");
}

/// Two instances on one PostgreSQL (several instances need it), both sending: every message
/// reaches WhatsApp exactly once.
#[tokio::test]
async fn two_instances_send_each_message_exactly_once() {
    let (postgres, _) = shared_services();
    let database = create_postgres_database(&postgres).await;
    let first = TestApp::start_with(|c| {
        c.database_url = database;
        c.jwt_secret = Some("outbox-test-secret-0123456789abcdef".into());
    })
    .await;
    // Started before anyone signs in: a new instance resets the test admin.
    let other = first.another_instance().await;
    let line = line_on(first).await;
    let mut tickets = Vec::new();
    for n in 0..4 {
        tickets.push(conversation(&line, &format!("55119876500{n:02}")).await);
    }
    let mut written = Vec::new();
    for round in 0..10 {
        for (i, ticket) in tickets.iter().enumerate() {
            // Half the messages are written through each instance, so both workers are woken.
            let app = if (round + i) % 2 == 0 { &line.app } else { &other };
            let (status, sent) = app
                .post(
                    &format!("/api/v1/tickets/{ticket}/messages"),
                    &line.admin,
                    json!({"body": format!("{ticket}-{round}")}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{sent}");
            written.push((*ticket, sent["id"].as_i64().expect("id")));
        }
    }
    for (ticket, id) in &written {
        assert_eq!(line.app.settled(&line.admin, *ticket, *id).await["status"], "sent");
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for body in posts(&line) {
        *seen.entry(body).or_default() += 1;
    }
    assert_eq!(seen.len(), written.len(), "every message sent");
    assert!(seen.values().all(|count| *count == 1), "none twice: {seen:?}");
    for ticket in &tickets {
        let order: Vec<String> =
            sent_bodies(&line).into_iter().filter(|b| b.starts_with(&format!("{ticket}-"))).collect();
        let expected: Vec<String> = (0..10).map(|round| format!("{ticket}-{round}")).collect();
        assert_eq!(order, expected, "in the order written");
    }
}

/// The real server, killed (SIGKILL) while WhatsApp holds a send without answering, in the middle
/// of a burst of one conversation's messages, then started again on the same data: the message
/// in flight is `unknown` (never sent twice), every other one is sent exactly once, none is lost.
#[tokio::test]
async fn a_kill_in_the_middle_of_a_burst_loses_nothing_and_sends_nothing_twice() {
    use std::process::Stdio;
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncBufReadExt, BufReader};

    /// The Graph stand-in: counts sends by body; the `hang_at`-th send never gets an answer.
    #[derive(Default)]
    struct Stand {
        posts: Vec<String>,
        hang_at: usize,
        hung: Option<tokio::sync::oneshot::Sender<()>>,
    }
    type Shared = Arc<Mutex<Stand>>;
    let (hung_tx, hung_rx) = tokio::sync::oneshot::channel();
    let stand: Shared = Arc::new(Mutex::new(Stand { hang_at: 8, hung: Some(hung_tx), ..Stand::default() }));
    let app = axum::Router::new()
        .route(
            "/{phone}/messages",
            axum::routing::post(|axum::extract::State(stand): axum::extract::State<Shared>, axum::Json(body): axum::Json<Value>| async move {
                let hang = {
                    let mut stand = stand.lock().expect("lock");
                    stand.posts.push(body["text"]["body"].as_str().unwrap_or_default().to_owned());
                    stand.posts.len() == stand.hang_at
                };
                if hang {
                    if let Some(tell) = stand.lock().expect("lock").hung.take() {
                        let _ = tell.send(());
                    }
                    std::future::pending::<()>().await;
                }
                let id = format!("wamid.OUT{}", stand.lock().expect("lock").posts.len());
                axum::Json(json!({"messaging_product": "whatsapp", "messages": [{"id": id}]}))
            }),
        )
        .with_state(stand.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let graph = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let data = tempfile::tempdir().expect("data dir");
    let binary = env!("CARGO_BIN_EXE_atende");
    let command = |args: &[&str]| {
        let mut command = tokio::process::Command::new(binary);
        command
            .args(args)
            .env("ATENDE_DATA_DIR", data.path())
            .env("ATENDE_BIND", "127.0.0.1:0")
            .env("ATENDE_ALLOW_PRIVATE_URLS", "true")
            .env("ATENDE_JWT_SECRET", "kill-test-secret-0123456789abcdefghij")
            .env("ATENDE_STATIC_DIR", data.path().join("no-spa"))
            // A dead instance's claim runs out this soon (a live one keeps renewing its own).
            .env("ATENDE_OUTBOX_LEASE_SECS", "2")
            .env_remove("ATENDE_DATABASE_URL")
            .env_remove("ATENDE_REDIS_URL")
            .kill_on_drop(true);
        command
    };
    let status = command(&["create-admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD])
        .stdout(Stdio::null())
        .status()
        .await
        .expect("create-admin runs");
    assert!(status.success());
    let serve = || async {
        let mut child = command(&["serve"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = loop {
            let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
                .await
                .expect("the server starts")
                .expect("read")
                .expect("a line");
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().to_owned();
            }
        };
        (child, base)
    };
    let client = reqwest::Client::new();
    let call = |base: String, method: reqwest::Method, path: String, token: Option<String>, body: Option<Value>| {
        let client = client.clone();
        async move {
            let mut request = client.request(method, format!("{base}{path}"));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = body {
                request = request.json(&body);
            }
            read(request.send().await.expect("request")).await
        }
    };

    let (mut first, base) = serve().await;
    let (_, pair) = call(
        base.clone(),
        reqwest::Method::POST,
        "/api/v1/auth/login".into(),
        None,
        Some(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
    )
    .await;
    let token = pair["access_token"].as_str().expect("token").to_owned();
    let (status, connection) = call(
        base.clone(),
        reqwest::Method::POST,
        "/api/v1/connections".into(),
        Some(token.clone()),
        Some(
            json!({"name": "WhatsApp", "kind": "cloud_api", "phone_number_id": "109876543210", "access_token": "EAAG",
            "app_secret": "app-secret-123", "verify_token": "v", "graph_base_url": graph}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{connection}");
    let payload = serde_json::to_vec(&text_from("5511987654321", "wamid.IN-kill", "oi")).expect("json");
    let signed = client
        .post(format!("{base}/webhooks/whatsapp/{}", connection["id"]))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", crate::cloud_api::sign(&payload))
        .body(payload)
        .send()
        .await
        .expect("webhook");
    assert_eq!(signed.status(), StatusCode::OK);
    let (_, tickets) =
        call(base.clone(), reqwest::Method::GET, "/api/v1/tickets".into(), Some(token.clone()), None).await;
    let ticket = tickets["items"][0]["id"].as_i64().expect("a ticket");
    call(
        base.clone(),
        reqwest::Method::POST,
        format!("/api/v1/tickets/{ticket}/accept"),
        Some(token.clone()),
        Some(json!({})),
    )
    .await;
    call(
        base.clone(),
        reqwest::Method::PATCH,
        "/api/v1/me".into(),
        Some(token.clone()),
        Some(json!({"signature_enabled": false})),
    )
    .await;
    let mut ids = Vec::new();
    for n in 1..=20 {
        let (status, sent) = call(
            base.clone(),
            reqwest::Method::POST,
            format!("/api/v1/tickets/{ticket}/messages"),
            Some(token.clone()),
            Some(json!({"body": format!("rajada {n}")})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");
        ids.push(sent["id"].as_i64().expect("id"));
    }
    tokio::time::timeout(Duration::from_secs(30), hung_rx).await.expect("the 8th send reaches WhatsApp").expect("told");
    first.kill().await.expect("SIGKILL");

    let (_second, base) = serve().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let statuses = loop {
        let (_, page) = call(
            base.clone(),
            reqwest::Method::GET,
            format!("/api/v1/tickets/{ticket}/messages?limit=100"),
            Some(token.clone()),
            None,
        )
        .await;
        let statuses: Vec<(String, String)> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|m| m["from_me"] == true && m["kind"] == "text")
            .map(|m| {
                (m["body"].as_str().unwrap_or_default().to_owned(), m["status"].as_str().unwrap_or_default().to_owned())
            })
            .collect();
        if statuses.len() == 20 && statuses.iter().all(|(_, status)| status != "pending") {
            break statuses;
        }
        assert!(std::time::Instant::now() < deadline, "still pending: {statuses:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for (body, status) in &statuses {
        let expected = if body == "rajada 8" { "unknown" } else { "sent" };
        assert_eq!(status, expected, "{body}: {statuses:?}");
    }
    let posts = stand.lock().expect("lock").posts.clone();
    for n in 1..=20 {
        let count = posts.iter().filter(|p| **p == format!("rajada {n}")).count();
        assert_eq!(count, 1, "rajada {n} reached WhatsApp {count} times: {posts:?}");
    }
}

/// What the contact reads carries the agent's signature: WhatsApp receives it in the text.
#[tokio::test]
async fn the_signature_reaches_whatsapp_with_the_text() {
    let line = line_on(TestApp::start().await).await;
    let ticket = conversation(&line, "5511987654321").await;
    line.app.patch("/api/v1/me", &line.admin, json!({"signature_enabled": true})).await;
    let id = write(&line, ticket, "Seu pedido saiu para entrega.").await;
    assert_eq!(line.app.settled(&line.admin, ticket, id).await["status"], "sent");
    assert_eq!(posts(&line), ["*Admin*:\nSeu pedido saiu para entrega."]);
}
