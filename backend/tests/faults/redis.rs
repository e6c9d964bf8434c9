//! Redis killed (SIGKILL) and started again under two instances on one PostgreSQL: requests keep
//! working while it is away, events flow between the instances again within 5 s of its return,
//! a socket that stayed open gets what it missed in order, and a client that was disconnected
//! meanwhile recovers every event it missed by resuming with `since`, in order, none lost.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::*;
use crate::ws_client::EventStream;

/// The customer writes through instance `api` (a simulator connection); the message must be taken.
async fn customer_writes(api: &Api, connection: i64, body: &str) {
    let (status, result) = api
        .post(&format!("/api/v1/connections/{connection}/simulate"), json!({"from": "11987654321", "body": body}))
        .await;
    assert!(status == StatusCode::CREATED || status == StatusCode::OK, "{body}: {status} {result}");
}

fn seqs(events: &[Value]) -> Vec<i64> {
    events.iter().filter_map(|e| e["seq"].as_i64()).collect()
}

fn bodies(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["type"] == "message.created")
        .filter_map(|e| e["data"]["body"].as_str().map(str::to_owned))
        .collect()
}

fn contiguous(seqs: &[i64]) -> bool {
    seqs.windows(2).all(|w| w[1] == w[0] + 1)
}

#[tokio::test]
async fn redis_killed_and_back_events_flow_again_within_5_s_and_gaps_are_recovered_by_resume() {
    let postgres = std::env::var("ATENDE_TEST_DATABASE_URL")
        .expect("ATENDE_TEST_DATABASE_URL is not set: run through `make faults` (scripts/test-services.sh)");
    let database = create_database(&postgres).await;
    let mut redis = PrivateRedis::start();
    let (a, b) = (
        Setup::new().env("ATENDE_DATABASE_URL", &database).env("ATENDE_REDIS_URL", &redis.url()),
        Setup::new().env("ATENDE_DATABASE_URL", &database).env("ATENDE_REDIS_URL", &redis.url()),
    );
    a.create_admin().await;
    let (a, b) = (a.serve().await, b.serve().await);
    let admin_a = a.login().await;
    let admin_b = Api::new(&b.base, admin_a.token.as_deref());
    let connection = admin_a.simulator().await;

    // A socket on A that stays open, and a client on A that will lose its connection.
    let mut staying = EventStream::connect(&a.ws_url(admin_a.token(), None)).await;
    let mut leaving = EventStream::connect(&a.ws_url(admin_a.token(), None)).await;
    customer_writes(&admin_b, connection, "antes").await;
    // The first message opens a ticket: ticket.created, message.created, ticket.updated.
    let before = staying.until("ticket.updated").await;
    assert_eq!(bodies(&before), ["antes"]);
    let seen_by_leaving = leaving.until("ticket.updated").await;
    let last_seen = *seqs(&seen_by_leaving).last().expect("a seq");
    leaving.close().await;

    redis.kill();
    // Long enough for the subscribers' reconnection attempts to back off to their longest wait.
    let outage = Instant::now();
    let mut during = 0;
    while outage.elapsed() < Duration::from_secs(8) {
        during += 1;
        customer_writes(&admin_b, connection, &format!("durante {during}")).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    redis.up();
    let back = Instant::now();
    let mut after = 0;
    let mut received = Vec::new();
    // Write through B until A's socket hears of it.
    let first_heard = loop {
        after += 1;
        customer_writes(&admin_b, connection, &format!("depois {after}")).await;
        if let Some(event) = staying.next_within(Duration::from_millis(250)).await {
            received.push(event);
            break back.elapsed();
        }
        assert!(back.elapsed() < Duration::from_secs(5), "no event crossed from B to A within 5 s of Redis returning");
    };
    assert!(first_heard < Duration::from_secs(5), "first event after {first_heard:?}");
    eprintln!("events crossed again {first_heard:?} after Redis returned");
    let last_body = format!("depois {after}");
    while !bodies(&received).contains(&last_body) {
        match staying.next_within(Duration::from_secs(10)).await {
            Some(event) => received.push(event),
            None => panic!("the open socket stopped at {:?} {:?}", seqs(&received), bodies(&received)),
        }
    }
    let expected: Vec<String> =
        (1..=during).map(|n| format!("durante {n}")).chain((1..=after).map(|n| format!("depois {n}"))).collect();
    // The socket that stayed open filled the gap from the events table, in order.
    let mut staying_events = before.clone();
    staying_events.extend(received);
    assert!(contiguous(&seqs(&staying_events)), "{:?}", seqs(&staying_events));
    assert_eq!(bodies(&staying_events)[1..], expected[..], "the open socket got every message, in order");

    // The client that was away resumes from the last seq it saw: everything, in order, on either instance.
    for server in [&a, &b] {
        let mut resumed = EventStream::connect(&server.ws_url(admin_a.token(), Some(last_seen))).await;
        let mut replay = Vec::new();
        while !bodies(&replay).contains(&last_body) {
            match resumed.next_within(Duration::from_secs(10)).await {
                Some(event) => replay.push(event),
                None => panic!("the replay on {} stopped at {:?} {:?}", server.base, seqs(&replay), bodies(&replay)),
            }
        }
        let replayed = seqs(&replay);
        assert_eq!(replayed.first(), Some(&(last_seen + 1)), "resumes right after {last_seen}: {replayed:?}");
        assert!(contiguous(&replayed), "no gap: {replayed:?}");
        assert_eq!(bodies(&replay), expected, "every missed message, in order");
    }
    a.kill().await;
    b.kill().await;
}
