//! A graceful handover under load: two instances on one PostgreSQL and one Redis, WhatsApp
//! webhooks posted to both, outbound sends in flight (WhatsApp's stand-in answers slowly), an
//! admin's WebSocket on instance A. A gets SIGTERM and is started again. `/readyz` on A answers
//! 503 while it drains; the socket is closed with `CLOSE_SERVER_LEAVING` and resumes on B with
//! `since`, seeing every event in order; every acknowledged inbound message is stored once; every
//! outbound message reaches WhatsApp exactly once and is `sent` (none cut short into `unknown`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::events::CLOSE_SERVER_LEAVING;
use tokio_tungstenite::tungstenite::Message;

use crate::support::*;

const CONVERSATIONS: usize = 4;
/// Outbound messages written through A just before its SIGTERM: at 500 ms a send, one message
/// of a conversation at a time (16 each), they outlast A's 3 s drain, so some are in flight when
/// it stops and the rest are left to B.
const OUTBOUND: usize = 64;
const GRAPH_DELAY: Duration = Duration::from_millis(500);
const SENDERS: usize = 4;
/// An upper bound on inbound messages, so the load stops by itself.
const INBOUND_CAP: usize = 4_000;

fn number(n: usize) -> String {
    format!("551197000{:04}", n % CONVERSATIONS)
}

fn inbound(i: usize) -> Value {
    notification(json!([{"from": number(i), "id": format!("wamid.HANDOVER-{i}"), "timestamp": "1764000000",
                         "type": "text", "text": {"body": format!("entrada {i}")}}]))
}

/// WhatsApp's Graph API, slow to answer: every text it was given, in order.
async fn graph_stand_in() -> (String, Arc<Mutex<Vec<String>>>) {
    let posts: Arc<Mutex<Vec<String>>> = Arc::default();
    let app = axum::Router::new()
        .route(
            "/{phone}/messages",
            axum::routing::post(
                |axum::extract::State(posts): axum::extract::State<Arc<Mutex<Vec<String>>>>,
                 axum::Json(body): axum::Json<Value>| async move {
                    tokio::time::sleep(GRAPH_DELAY).await;
                    let n = {
                        let mut posts = posts.lock().expect("lock");
                        posts.push(body["text"]["body"].as_str().unwrap_or_default().to_owned());
                        posts.len()
                    };
                    axum::Json(json!({"messaging_product": "whatsapp", "messages": [{"id": format!("wamid.OUT{n}")}]}))
                },
            ),
        )
        .with_state(posts.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, posts)
}

/// Reads a socket's event frames until the server closes it (or `stop` is set and the socket
/// has caught up to `until`): the frames and the close code.
async fn read_socket(url: String, until: Arc<Mutex<Option<i64>>>) -> (Vec<Value>, Option<u16>) {
    let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str()).await.expect("websocket connects");
    let mut events: Vec<Value> = Vec::new();
    loop {
        let caught_up = || {
            let until = *until.lock().expect("lock");
            until.is_some_and(|until| events.last().and_then(|e| e["seq"].as_i64()).is_some_and(|seq| seq >= until))
        };
        if caught_up() {
            return (events, None);
        }
        let frame = match tokio::time::timeout(Duration::from_millis(200), socket.next()).await {
            Err(_) => continue,
            Ok(None) | Ok(Some(Err(_))) => return (events, None),
            Ok(Some(Ok(frame))) => frame,
        };
        match frame {
            Message::Text(text) => events.push(serde_json::from_str(text.as_str()).expect("a JSON frame")),
            Message::Close(close) => return (events, close.map(|c| u16::from(c.code))),
            _ => {}
        }
    }
}

fn seqs(events: &[Value]) -> Vec<i64> {
    events.iter().filter_map(|e| e["seq"].as_i64()).collect()
}

fn contiguous(seqs: &[i64]) -> bool {
    seqs.windows(2).all(|w| w[1] == w[0] + 1)
}

async fn query(database: &str, sql: &str) -> Vec<sea_orm::QueryResult> {
    use sea_orm::{ConnectionTrait, Statement};
    let db = sea_orm::Database::connect(database).await.expect("the database");
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("query");
    let _ = db.close().await;
    rows
}

#[tokio::test]
async fn sigterm_under_load_hands_over_without_losing_a_message_or_an_event() {
    let postgres = std::env::var("ATENDE_TEST_DATABASE_URL")
        .expect("ATENDE_TEST_DATABASE_URL is not set: run through `make faults` (scripts/test-services.sh)");
    let database = create_database(&postgres).await;
    let redis = PrivateRedis::start();
    let (graph, posts) = graph_stand_in().await;
    let setup = || {
        Setup::new()
            .env("ATENDE_DATABASE_URL", &database)
            .env("ATENDE_REDIS_URL", &redis.url())
            .env("ATENDE_SHUTDOWN_DRAIN_SECS", "3")
            .env("ATENDE_SHUTDOWN_GRACE_SECS", "15")
            // A claim left behind would hold its conversation for two minutes: only a release
            // lets B carry on at once.
            .env("ATENDE_OUTBOX_LEASE_SECS", "120")
    };
    let (setup_a, setup_b) = (setup(), setup());
    setup_a.create_admin().await;
    let (mut a, b) = (setup_a.serve().await, setup_b.serve().await);
    let admin_a = a.login().await;
    let admin_b = Api::new(&b.base, admin_a.token.as_deref());
    let connection = admin_a.cloud_connection(&graph).await;
    let client = reqwest::Client::builder().timeout(REQUEST_BOUND).build().expect("client");

    // Conversations the agent answers in (accepted, no signature: the text is the body).
    for n in 0..CONVERSATIONS {
        let opening =
            notification(json!([{"from": number(n), "id": format!("wamid.OPEN-{n}"), "timestamp": "1764000000",
                                           "type": "text", "text": {"body": format!("oi {n}")}}]));
        assert_eq!(deliver(&client, &a.base, connection, &opening).await.expect("an answer"), StatusCode::OK);
    }
    let (_, tickets) = admin_a.get("/api/v1/tickets").await;
    let tickets: Vec<i64> =
        tickets["items"].as_array().expect("items").iter().filter_map(|t| t["id"].as_i64()).collect();
    assert_eq!(tickets.len(), CONVERSATIONS, "{tickets:?}");
    for ticket in &tickets {
        let (status, body) = admin_a.post(&format!("/api/v1/tickets/{ticket}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = admin_a.send(Method::PATCH, "/api/v1/me", Some(json!({"signature_enabled": false}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The admin's socket on A, from the last event so far (a socket without `since` would start
    // wherever the server is when it gets to it, racing the load below).
    let start: i64 =
        query(&database, "SELECT MAX(seq) AS last FROM events").await[0].try_get("", "last").expect("a seq");
    let no_end = Arc::new(Mutex::new(None));
    let on_a = tokio::spawn(read_socket(a.ws_url(admin_a.token(), Some(start)), no_end.clone()));

    // Webhooks to both instances, half each; one A does not answer goes to B (Meta retries,
    // the load balancer picks another instance).
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let a_gone = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<HashSet<usize>>> = Arc::default();
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            let (next, stop, a_gone, acked, client) =
                (next.clone(), stop.clone(), a_gone.clone(), acked.clone(), client.clone());
            let (base_a, base_b) = (a.base.clone(), b.base.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::SeqCst) {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= INBOUND_CAP {
                        return;
                    }
                    let payload = inbound(i);
                    let mut answer = None;
                    if i % 2 == 0 && !a_gone.load(Ordering::SeqCst) {
                        match deliver(&client, &base_a, connection, &payload).await {
                            Ok(status) => answer = Some(status),
                            Err(_) => a_gone.store(true, Ordering::SeqCst),
                        }
                    }
                    let status = match answer {
                        Some(status) => status,
                        None => deliver(&client, &base_b, connection, &payload).await.expect("B answers"),
                    };
                    assert!(status.is_success(), "message {i}: {status}");
                    acked.lock().expect("lock").insert(i);
                }
            })
        })
        .collect();
    let acked_count = || acked.lock().expect("lock").len();
    wait_for(Duration::from_secs(30), "the first inbound messages are taken", || async {
        (acked_count() >= 100).then_some(())
    })
    .await;

    // Outbound messages through A: most are still queued or in flight when it stops.
    for k in 0..OUTBOUND {
        let ticket = tickets[k % CONVERSATIONS];
        let (status, body) =
            admin_a.post(&format!("/api/v1/tickets/{ticket}/messages"), json!({"body": format!("saida {k}")})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    a.terminate();
    let asked = Instant::now();
    // Unready first, while it still serves.
    let readyz = admin_a.clone();
    wait_for(Duration::from_secs(3), "A's /readyz answers 503 while it drains", || {
        let readyz = readyz.clone();
        async move {
            match readyz.try_send(Method::GET, "/readyz", None).await {
                Ok((StatusCode::SERVICE_UNAVAILABLE, _, _)) => Some(()),
                Ok((StatusCode::OK, _, _)) => None,
                other => panic!("/readyz while draining: {:?}", other.map(|(status, _, body)| (status, body))),
            }
        }
    })
    .await;
    let (status, _) = admin_a.get("/healthz").await;
    assert_eq!(status, StatusCode::OK, "alive while draining");
    let (status, _) = admin_b.get("/readyz").await;
    assert_eq!(status, StatusCode::OK, "B stays ready");

    // The socket on A is told to go elsewhere, and resumes on B from its last seq.
    let (before, code) = tokio::time::timeout(Duration::from_secs(20), on_a).await.expect("A closes it").expect("read");
    assert_eq!(code, Some(CLOSE_SERVER_LEAVING), "the close code");
    let last_seen = *seqs(&before).last().expect("events before the handover");
    let until = Arc::new(Mutex::new(None));
    let on_b = tokio::spawn(read_socket(b.ws_url(admin_a.token(), Some(last_seen)), until.clone()));

    let exit = a.wait_exit(Duration::from_secs(25)).await;
    let took = asked.elapsed();
    assert!(exit.success(), "A exits cleanly: {exit}");
    // Well within the 15 s grace period: the handover finished, it was not cut short.
    assert!(took < Duration::from_secs(10), "A took {took:?}");
    let sent_by_a = posts.lock().expect("lock").len();
    assert!(sent_by_a < OUTBOUND, "some sends were left to B: A sent {sent_by_a} of {OUTBOUND}");
    eprintln!("A handed over in {took:?}, having sent {sent_by_a} of {OUTBOUND} outbound messages");
    // More load on B alone, then A again (a restart), then the load stops.
    let at_exit = acked_count();
    wait_for(Duration::from_secs(30), "B takes more messages", || async {
        (acked_count() >= at_exit + 100).then_some(())
    })
    .await;
    let a = setup_a.serve().await;
    let (status, _) = a.api(None).get("/readyz").await;
    assert_eq!(status, StatusCode::OK, "A is back");
    stop.store(true, Ordering::SeqCst);
    for sender in senders {
        sender.await.expect("a sender");
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(a_gone.load(Ordering::SeqCst), "some webhook found A gone (the load spanned the handover)");

    // Every outbound message reaches WhatsApp exactly once and is recorded `sent`.
    let expected_out: Vec<String> = (0..OUTBOUND).map(|k| format!("saida {k}")).collect();
    wait_for(Duration::from_secs(30), "every outbound message reaches WhatsApp", || async {
        let posts = posts.lock().expect("lock");
        expected_out.iter().all(|body| posts.contains(body)).then_some(())
    })
    .await;
    let statuses = wait_for(Duration::from_secs(10), "every outbound message is recorded", || async {
        let rows =
            query(&database, "SELECT body, status FROM messages WHERE from_me = true AND body LIKE 'saida %'").await;
        let statuses: Vec<(String, String)> = rows
            .iter()
            .map(|r| {
                (r.try_get::<String>("", "body").expect("body"), r.try_get::<String>("", "status").expect("status"))
            })
            .collect();
        statuses.iter().all(|(_, status)| status != "pending").then_some(statuses)
    })
    .await;
    assert_eq!(statuses.len(), OUTBOUND);
    assert!(statuses.iter().all(|(_, status)| status == "sent"), "{statuses:?}");
    let posts = posts.lock().expect("lock").clone();
    for body in &expected_out {
        let count = posts.iter().filter(|p| *p == body).count();
        assert_eq!(count, 1, "{body} reached WhatsApp {count} times");
    }

    // Every acknowledged inbound message is stored exactly once.
    let rows = query(
        &database,
        "SELECT external_id, COUNT(*) AS n FROM messages WHERE from_me = false AND external_id LIKE 'wamid.HANDOVER-%' GROUP BY external_id",
    )
    .await;
    let stored: HashMap<String, i64> = rows
        .iter()
        .map(|r| (r.try_get::<String>("", "external_id").expect("id"), r.try_get::<i64>("", "n").expect("n")))
        .collect();
    assert!(
        stored.values().all(|n| *n == 1),
        "stored twice: {:?}",
        stored.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
    );
    let lost: Vec<usize> =
        acked.iter().copied().filter(|i| !stored.contains_key(&format!("wamid.HANDOVER-{i}"))).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    eprintln!("{} inbound messages acknowledged, {OUTBOUND} outbound sent", acked.len());

    // The socket that moved to B saw every event after the last one it had, in order.
    let last = query(&database, "SELECT MAX(seq) AS last FROM events").await;
    let last: i64 = last[0].try_get("", "last").expect("a seq");
    *until.lock().expect("lock") = Some(last);
    let (after, code) = tokio::time::timeout(Duration::from_secs(30), on_b).await.expect("B catches up").expect("read");
    assert_eq!(code, None, "B keeps the socket open");
    let (before_seqs, after_seqs) = (seqs(&before), seqs(&after));
    assert_eq!(before_seqs.first(), Some(&(start + 1)), "on A from the start");
    assert!(contiguous(&before_seqs), "on A: {before_seqs:?}");
    assert_eq!(after_seqs.first(), Some(&(last_seen + 1)), "resumes right after {last_seen}");
    assert!(contiguous(&after_seqs), "on B: {after_seqs:?}");
    let bodies: Vec<String> = before
        .iter()
        .chain(&after)
        .filter(|e| e["type"] == "message.created")
        .filter_map(|e| e["data"]["body"].as_str().map(str::to_owned))
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for body in &bodies {
        *seen.entry(body.as_str()).or_default() += 1;
    }
    for i in &acked {
        assert_eq!(seen.get(format!("entrada {i}").as_str()), Some(&1), "entrada {i} on the socket");
    }
    for body in &expected_out {
        assert_eq!(seen.get(body.as_str()), Some(&1), "{body} on the socket");
    }
    b.kill().await;
    a.kill().await;
}
