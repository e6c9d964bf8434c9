//! Several server instances on one PostgreSQL and one Redis, as deployed behind a load balancer.

use serde_json::json;

use crate::helpers::*;
use crate::ws_client::EventStream;

#[tokio::test]
async fn an_agent_on_one_instance_sees_live_what_arrived_through_another() {
    let a = TestApp::first_of_cluster(|_| {}).await;
    let b = a.another_instance().await;
    let admin = a.admin().await;
    let queue = a.queue(&admin, "Suporte").await;
    let connection = a.simulator(&admin, Some(queue)).await;
    let (_, agent) = a.user(&admin, "agent@cluster.test", "agent", &[queue]).await;
    let mut on_a = EventStream::connect(&a.ws_url(&agent, None)).await;

    // The customer's message reaches instance B; the agent is connected to A.
    let ticket = b.inbound(&admin, connection, "11987654321", "chegou pelo B").await;
    let seen = on_a.until("message.created").await;
    assert_eq!(seen.last().map(|e| e["data"]["body"].clone()), Some(json!("chegou pelo B")));
    assert_eq!(
        seen.first().map(|e| (e["type"].clone(), e["data"]["id"].clone())),
        Some((json!("ticket.created"), json!(ticket)))
    );

    // And the other way round: the agent acts on B, a supervisor watches on A.
    let (_, supervisor) = a.user(&admin, "sup@cluster.test", "supervisor", &[]).await;
    let mut supervisor_on_a = EventStream::connect(&a.ws_url(&supervisor, None)).await;
    let (status, _) = b.act(&agent, ticket, "accept", json!({})).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let update = supervisor_on_a.until("ticket.updated").await;
    assert_eq!(update.last().map(|e| e["data"]["status"].clone()), Some(json!("open")));
    let seqs: Vec<i64> = update.iter().filter_map(|e| e["seq"].as_i64()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "in order, no gaps: {seqs:?}");
}

#[tokio::test]
async fn ticket_numbers_and_event_seqs_stay_unique_when_instances_race() {
    let a = TestApp::first_of_cluster(|_| {}).await;
    let b = a.another_instance().await;
    let admin = a.admin().await;
    let connection = a.simulator(&admin, None).await;
    let sends = (0..20).map(|i| {
        let (app, admin) = (if i % 2 == 0 { &a } else { &b }, admin.clone());
        async move { app.inbound(&admin, connection, &format!("119876500{i:02}"), "oi").await }
    });
    let tickets = futures_util::future::join_all(sends).await;
    let mut numbers = Vec::new();
    for id in tickets {
        numbers.push(a.ticket(&admin, id).await["number"].as_i64().expect("number"));
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<_>>(), "gap-free and unique across instances");
    let mut events = EventStream::connect(&a.ws_url(&admin, Some(0))).await;
    let mut seqs = Vec::new();
    for _ in 0..60 {
        seqs.push(events.next().await["seq"].as_i64().expect("seq"));
    }
    assert_eq!(seqs, (1..=60).collect::<Vec<_>>());
}
