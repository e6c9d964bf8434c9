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
    let line = line_on(TestApp::start_with(quick_retries(&[300])).await).await;
    let first = conversation(&line, "5511987650001").await;
    let second = conversation(&line, "5511987650002").await;
    line.graph.lock().expect("lock").script.push_back((503, UNAVAILABLE));
    let a1 = write(&line, first, "A1").await;
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
