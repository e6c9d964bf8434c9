//! kill -9 in the middle of an inbound flood: 5,000 WhatsApp messages posted to the Cloud API
//! webhook by concurrent senders (as Meta does), the server killed once 2,000 have been answered.
//! After a restart every message that was acknowledged (answered 2xx) is stored exactly once, and
//! Meta redelivering all 5,000 adds nothing but the ones that never were acknowledged.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

const TOTAL: usize = 5_000;
const KILL_AFTER: usize = 2_000;
const SENDERS: usize = 16;
const CONTACTS: usize = 100;

fn payload(i: usize) -> serde_json::Value {
    let from = format!("55119870{:05}", i % CONTACTS);
    notification(json!([{"from": from, "id": format!("wamid.FLOOD-{i}"), "timestamp": "1764000000", "type": "text",
                         "text": {"body": format!("mensagem {i}")}}]))
}

/// Posts messages `0..TOTAL` from `SENDERS` tasks until they are all sent or (`killed`) the server is gone;
/// returns the ones answered 2xx. Any other answer fails the test.
async fn send_all(base: &str, connection: i64, killed: bool) -> (HashSet<usize>, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let refused = Arc::new(Mutex::new(Vec::new()));
    let client = reqwest::Client::builder().timeout(REQUEST_BOUND).build().expect("client");
    let senders = (0..SENDERS).map(|_| {
        let (next, acked, refused, client, base) =
            (next.clone(), acked.clone(), refused.clone(), client.clone(), base.to_owned());
        tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= TOTAL {
                    return;
                }
                match deliver(&client, &base, connection, &payload(i)).await {
                    Ok(status) if status.is_success() => {
                        acked.lock().expect("lock").insert(i);
                    }
                    Ok(status) => refused.lock().expect("lock").push((i, status)),
                    // The server is gone: this sender's message was never acknowledged.
                    Err(_) if killed => return,
                    Err(error) => panic!("message {i}: no answer: {error}"),
                }
            }
        })
    });
    let senders: Vec<_> = senders.collect();
    // With `kill_after`, the caller kills the server meanwhile; each sender stops at its first
    // unanswered message.
    for sender in senders {
        sender.await.expect("sender");
    }
    let attempted = next.load(Ordering::SeqCst).min(TOTAL);
    let refused = refused.lock().expect("lock").clone();
    assert!(refused.is_empty(), "refused: {refused:?}");
    let acked = acked.lock().expect("lock").clone();
    (acked, attempted)
}

/// provider id → how many inbound message rows carry it.
async fn stored(database_url: &str) -> HashMap<String, i64> {
    use sea_orm::{ConnectionTrait, Statement};
    let db = sea_orm::Database::connect(database_url).await.expect("the database");
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT external_id, COUNT(*) AS n FROM messages WHERE from_me = false AND external_id LIKE 'wamid.FLOOD-%' GROUP BY external_id",
        ))
        .await
        .expect("count messages");
    let _ = db.close().await;
    rows.iter()
        .map(|row| (row.try_get::<String>("", "external_id").expect("id"), row.try_get::<i64>("", "n").expect("n")))
        .collect()
}

async fn flood_kill_restart_redeliver(setup: Setup, database_url: String) {
    setup.create_admin().await;
    let server = setup.serve().await;
    let admin = server.login().await;
    // Text messages never reach the Graph API; the connection only needs a base URL.
    let connection = admin.cloud_connection("http://127.0.0.1:9").await;

    let base = server.base.clone();
    let flood = tokio::spawn(async move { send_all(&base, connection, true).await });
    // SIGKILL once KILL_AFTER messages are in: the rest are in flight or not sent yet.
    wait_for(Duration::from_secs(300), "the flood reaches the kill point", || {
        let database_url = database_url.clone();
        async move { (stored(&database_url).await.len() >= KILL_AFTER).then_some(()) }
    })
    .await;
    server.kill().await;
    let (acked, attempted) = flood.await.expect("flood");
    assert!(
        acked.len() >= KILL_AFTER / 2 && attempted < TOTAL,
        "killed mid-flood: {} acked of {attempted}",
        acked.len()
    );

    let server = setup.serve().await;
    let after_restart = stored(&database_url).await;
    let lost: Vec<&usize> = acked.iter().filter(|i| !after_restart.contains_key(&format!("wamid.FLOOD-{i}"))).collect();
    assert!(
        lost.is_empty(),
        "acknowledged but not stored: {} (e.g. {:?})",
        lost.len(),
        lost.iter().take(5).collect::<Vec<_>>()
    );
    let doubled: Vec<_> = after_restart.iter().filter(|(_, n)| **n != 1).collect();
    assert!(doubled.is_empty(), "stored more than once: {doubled:?}");

    // Meta redelivers everything (it cannot know what we stored): all answered, nothing doubled.
    let (acked_again, _) = send_all(&server.base, connection, false).await;
    assert_eq!(acked_again.len(), TOTAL, "every redelivery answered 2xx");
    let after_redelivery = stored(&database_url).await;
    assert_eq!(after_redelivery.len(), TOTAL, "every message stored");
    let doubled: Vec<_> = after_redelivery.iter().filter(|(_, n)| **n != 1).collect();
    assert!(doubled.is_empty(), "stored more than once after redelivery: {doubled:?}");
    // The messages reached the API too, not only the table.
    let (status, page) = server.login().await.get("/api/v1/tickets?limit=100").await;
    assert_eq!((status, page["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(CONTACTS)), "{page}");
    server.kill().await;
}

#[tokio::test]
async fn a_kill_during_an_inbound_flood_loses_and_doubles_nothing_on_sqlite() {
    let setup = Setup::new();
    let database_url = atende::Config::with_data_dir(setup.data_dir()).database_url;
    flood_kill_restart_redeliver(setup, database_url).await;
}

#[tokio::test]
async fn a_kill_during_an_inbound_flood_loses_and_doubles_nothing_on_postgresql() {
    let postgres = PrivatePostgres::start();
    let database_url = create_database(&postgres.url()).await;
    let setup = Setup::new().env("ATENDE_DATABASE_URL", &database_url);
    flood_kill_restart_redeliver(setup, database_url).await;
}
