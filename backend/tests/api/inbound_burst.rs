//! Many customers writing at once (issue 13, item 4): every delivery stored once and answered,
//! every event reaching the sockets that may see it, once, in seq order, and no other socket.

use std::collections::{HashMap, HashSet};

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::ws_client::EventStream;

const BURST: usize = 24;

/// Reads until the message `body` arrives; returns every frame read.
async fn until_body(events: &mut EventStream, body: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let event = events.next().await;
        let done = event["type"] == "message.created" && event["data"]["body"] == body;
        seen.push(event);
        if done {
            return seen;
        }
    }
}

fn bodies(frames: &[Value]) -> Vec<String> {
    frames
        .iter()
        .filter(|e| e["type"] == "message.created")
        .filter_map(|e| e["data"]["body"].as_str().map(str::to_owned))
        .collect()
}

fn seqs(frames: &[Value]) -> Vec<i64> {
    frames.iter().filter_map(|e| e["seq"].as_i64()).collect()
}

#[tokio::test]
async fn a_burst_is_stored_once_each_and_reaches_only_the_sockets_that_may_see_it() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let sales = app.queue(&admin, "Vendas").await;
    let support = app.queue(&admin, "Suporte").await;
    let sales_line = app.simulator(&admin, Some(sales)).await;
    let support_line = app.simulator(&admin, Some(support)).await;
    let (_, seller) = app.user(&admin, "seller@test.local", "agent", &[sales]).await;
    let (_, helper) = app.user(&admin, "helper@test.local", "agent", &[support]).await;
    let mut admin_events = EventStream::connect(&app.ws_url(&admin, None)).await;
    let mut seller_events = EventStream::connect(&app.ws_url(&seller, None)).await;
    let mut helper_events = EventStream::connect(&app.ws_url(&helper, None)).await;

    // Even deliveries go to sales, odd ones to support; six customers write twice on the same line
    // at once (their first messages race for one contact and one ticket); the first four
    // deliveries are also retried at the same time by the provider.
    let delivery = |i: usize| {
        let line = if i.is_multiple_of(2) { sales_line } else { support_line };
        let from = format!("119876{:05}", i % (BURST / 2));
        let body = format!("{} {i}", if i.is_multiple_of(2) { "venda" } else { "suporte" });
        (line, json!({"from": from, "name": "Cliente", "body": body, "external_id": format!("burst-{i}")}))
    };
    let mut sends: Vec<(usize, i64, Value)> = (0..BURST).map(|i| (i, delivery(i).0, delivery(i).1)).collect();
    sends.extend((0..4).map(|i| (i, delivery(i).0, delivery(i).1)));
    let answers = join_all(sends.iter().map(|(i, line, message)| {
        let app = &app;
        let admin = &admin;
        async move { (*i, app.customer_writes(admin, *line, message.clone()).await) }
    }))
    .await;

    let mut by_delivery: HashMap<usize, Vec<(StatusCode, Value)>> = HashMap::new();
    for (i, answer) in answers {
        by_delivery.entry(i).or_default().push(answer);
    }
    for (i, answers) in &by_delivery {
        let created = answers.iter().filter(|(status, _)| *status == StatusCode::CREATED).count();
        let repeated = answers.iter().filter(|(status, _)| *status == StatusCode::OK).count();
        assert_eq!((created, created + repeated), (1, answers.len()), "delivery {i}: {answers:?}");
        let ids: HashSet<i64> = answers.iter().filter_map(|(_, body)| body["message_id"].as_i64()).collect();
        assert_eq!(ids.len(), 1, "delivery {i} answered one message: {answers:?}");
    }

    // A last message on each line: once it arrives, everything before it was dispatched.
    app.customer_writes(&admin, sales_line, json!({"from": "11999990000", "body": "fim vendas"})).await;
    app.customer_writes(&admin, support_line, json!({"from": "11999990001", "body": "fim suporte"})).await;

    let mut admin_seen = until_body(&mut admin_events, "fim vendas").await;
    if !bodies(&admin_seen).contains(&"fim suporte".to_owned()) {
        admin_seen.extend(until_body(&mut admin_events, "fim suporte").await);
    }
    let admin_seqs = seqs(&admin_seen);
    assert!(admin_seqs.windows(2).all(|w| w[1] == w[0] + 1), "the admin sees every event in order: {admin_seqs:?}");
    let mut admin_bodies = bodies(&admin_seen);
    admin_bodies.sort();
    let mut expected: Vec<String> =
        (0..BURST).map(|i| delivery(i).1["body"].as_str().unwrap_or_default().to_owned()).collect();
    expected.extend(["fim suporte".to_owned(), "fim vendas".to_owned()]);
    expected.sort();
    assert_eq!(admin_bodies, expected, "each message once");

    for (events, mine, theirs) in [(&mut seller_events, "venda", "suporte"), (&mut helper_events, "suporte", "venda")] {
        let seen = until_body(events, &format!("fim {}", if mine == "venda" { "vendas" } else { "suporte" })).await;
        let seqs = seqs(&seen);
        assert!(seqs.windows(2).all(|w| w[1] > w[0]), "in order: {seqs:?}");
        let got = bodies(&seen);
        assert_eq!(got.iter().filter(|b| b.starts_with(mine)).count(), BURST / 2, "{got:?}");
        assert!(!got.iter().any(|b| b.starts_with(theirs)), "nothing of the other queue: {got:?}");
    }

    // Stored once each: the tickets' threads hold one message per delivery.
    let (status, page) = app.get("/api/v1/tickets?limit=100", &admin).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut stored = 0;
    for ticket in page["items"].as_array().cloned().unwrap_or_default() {
        let (_, messages) = app.get(&format!("/api/v1/tickets/{}/messages?limit=100", ticket["id"]), &admin).await;
        stored += messages["items"].as_array().map_or(0, Vec::len);
    }
    assert_eq!(stored, BURST + 2);
}

#[tokio::test]
async fn a_refused_delivery_in_a_burst_costs_the_others_nothing() {
    let Desk { app, admin, connection, .. } = desk().await;
    let mut events = EventStream::connect(&app.ws_url(&admin, None)).await;
    let messages: Vec<Value> = (0..8)
        .map(|i| match i {
            3 => json!({"from": "não é número", "body": "ruim", "external_id": "bad-3"}),
            _ => json!({"from": format!("1198760{i:04}"), "body": format!("ok {i}"), "external_id": format!("ok-{i}")}),
        })
        .collect();
    let answers = join_all(messages.iter().map(|m| app.customer_writes(&admin, connection, m.clone()))).await;
    for (i, (status, body)) in answers.iter().enumerate() {
        let expected = if i == 3 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::CREATED };
        assert_eq!(*status, expected, "{i}: {body}");
    }
    app.customer_writes(&admin, connection, json!({"from": "11999990000", "body": "fim"})).await;
    let mut got = bodies(&until_body(&mut events, "fim").await);
    got.sort();
    assert_eq!(got, ["fim", "ok 0", "ok 1", "ok 2", "ok 4", "ok 5", "ok 6", "ok 7"]);
}

/// A turn that fails while being stored (here: its connection names a company that does not
/// exist, so its contact cannot be written) among others stored at the same moment: on SQLite they
/// share one transaction, and only the failing one is rolled back and answered its error.
#[tokio::test]
async fn a_turn_that_fails_while_stored_is_rolled_back_alone() {
    use atende::domain::inbound::{Inbound, Received, receive};
    let Desk { app, admin, connection, .. } = desk().await;
    let line = atende::store::connections::get(&app.state.db, shared::ConnectionId(connection))
        .await
        .expect("db")
        .expect("connection");
    let mut orphan = line.clone();
    orphan.company_id = 987_654;
    let message = |i: usize| Inbound {
        from: format!("55119876{i:05}"),
        name: Some("Cliente".into()),
        body: format!("lote {i}"),
        external_id: Some(format!("wamid.BATCH{i}")),
        ..Default::default()
    };
    let results = join_all((0..12).map(|i| {
        let (state, line, orphan) = (&app.state, &line, &orphan);
        async move { receive(state, if i == 5 { orphan } else { line }, message(i)).await }
    }))
    .await;
    for (i, result) in results.iter().enumerate() {
        match (i, result) {
            (5, result) => assert!(result.is_err(), "{result:?}"),
            (_, Ok(Received::Stored { .. })) => {}
            (i, other) => panic!("{i}: {other:?}"),
        }
    }
    // The same deliveries again are duplicates: stored once, and the failed one is stored now.
    let again = join_all((0..12).map(|i| receive(&app.state, &line, message(i)))).await;
    for (i, result) in again.iter().enumerate() {
        let fine = if i == 5 {
            matches!(result, Ok(Received::Stored { .. }))
        } else {
            matches!(result, Ok(Received::Duplicate { .. }))
        };
        assert!(fine, "{i}: {result:?}");
    }
    let (_, page) = app.get("/api/v1/tickets?limit=100", &admin).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(12), "{page}");
}
