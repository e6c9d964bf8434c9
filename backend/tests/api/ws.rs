use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::ws_client::EventStream;

#[tokio::test]
async fn events_arrive_live_with_seq_rising_by_one() {
    let Desk { app, admin, connection, .. } = desk().await;
    let mut events = EventStream::connect(&app.ws_url(&admin, None)).await;

    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    let seen = events.until("ticket.updated").await;
    let types: Vec<&str> = seen.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(types, ["ticket.created", "message.created", "ticket.updated"]);
    let seqs: Vec<i64> = seen.iter().filter_map(|e| e["seq"].as_i64()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    assert_eq!(seen[1]["data"]["body"], "oi");
    assert_eq!(seen[2]["data"]["id"], id);
    assert_eq!(seen[2]["data"]["unread_count"], 1);

    app.act(&admin, id, "accept", json!({})).await;
    let accepted = events.until("ticket.updated").await;
    assert_eq!(accepted.last().map(|e| e["data"]["status"].clone()), Some(json!("open")));
    app.post(&format!("/api/v1/tickets/{id}/messages"), &admin, json!({"body": "olá"})).await;
    let sent = events.until("message.updated").await;
    assert_eq!(sent.last().map(|e| e["data"]["status"].clone()), Some(json!("sent")), "delivery ticks arrive live");
    events.close().await;
}

#[tokio::test]
async fn a_client_that_reconnects_with_since_gets_what_it_missed_in_order() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let connection = app.simulator(&admin, None).await;
    let mut events = EventStream::connect(&app.ws_url(&admin, None)).await;
    app.inbound(&admin, connection, "11987650001", "antes").await;
    let last_seen = events.until("ticket.updated").await.last().and_then(|e| e["seq"].as_i64()).expect("seq");
    events.close().await;

    // While away: two more conversations.
    app.inbound(&admin, connection, "11987650002", "durante 1").await;
    app.inbound(&admin, connection, "11987650003", "durante 2").await;

    let mut resumed = EventStream::connect(&app.ws_url(&admin, Some(last_seen))).await;
    let mut missed = Vec::new();
    for _ in 0..6 {
        missed.push(resumed.next().await);
    }
    let seqs: Vec<i64> = missed.iter().filter_map(|e| e["seq"].as_i64()).collect();
    assert_eq!(seqs, (last_seen + 1..=last_seen + 6).collect::<Vec<_>>());
    let bodies: Vec<&str> =
        missed.iter().filter(|e| e["type"] == "message.created").filter_map(|e| e["data"]["body"].as_str()).collect();
    assert_eq!(bodies, ["durante 1", "durante 2"]);

    // Then live ones follow.
    app.inbound(&admin, connection, "11987650004", "depois").await;
    let live = resumed.until("message.created").await;
    assert_eq!(live.last().map(|e| e["data"]["body"].clone()), Some(json!("depois")));
    assert_eq!(live.first().and_then(|e| e["seq"].as_i64()), Some(last_seen + 7));
}

#[tokio::test]
async fn agents_only_receive_events_they_may_see() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let sales = app.queue(&admin, "Vendas").await;
    let support = app.queue(&admin, "Suporte").await;
    let sales_line = app.simulator(&admin, Some(sales)).await;
    let support_line = app.simulator(&admin, Some(support)).await;
    let (_, seller) = app.user(&admin, "seller@test.local", "agent", &[sales]).await;
    let mut seller_events = EventStream::connect(&app.ws_url(&seller, None)).await;

    app.inbound(&admin, support_line, "11987650001", "suporte, por favor").await;
    app.inbound(&admin, sales_line, "11987650002", "quero comprar").await;
    // The first event the seller gets is about the sales ticket: the support one never came.
    let first = seller_events.next().await;
    assert_eq!(first["type"], "ticket.created");
    assert_eq!(first["data"]["queue"]["id"], sales, "{first}");
    let seen = seller_events.until("ticket.updated").await;
    assert!(seen.iter().all(|e| e["data"]["body"] != "suporte, por favor"), "{seen:?}");

    // Another company hears nothing of ours.
    app.post(
        "/api/v1/companies",
        &admin,
        json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.com", "password": "olga-secret-1"}}),
    )
    .await;
    let olga = app.login("olga@outra.com", "olga-secret-1").await;
    let mut olga_events = EventStream::connect(&app.ws_url(&olga, Some(0))).await;
    app.inbound(&admin, sales_line, "11987650003", "mais um").await;
    seller_events.until("ticket.updated").await;
    assert!(olga_events.next_within(Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn a_ticket_taken_by_a_colleague_leaves_the_other_agents_list_live() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (_, ana) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    let (_, bia) = app.user(&admin, "bia@test.local", "agent", &[queue]).await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    let mut bia_events = EventStream::connect(&app.ws_url(&bia, None)).await;
    app.act(&ana, id, "accept", json!({})).await;
    let update = bia_events.until("ticket.updated").await;
    let last = update.last().expect("an update");
    assert_eq!((last["data"]["id"].as_i64(), last["data"]["status"].as_str()), (Some(id), Some("open")));
}

#[tokio::test]
async fn the_socket_refuses_bad_tokens_and_plain_http() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let response = tokio_tungstenite::connect_async(app.ws_url("garbage", None)).await;
    match response {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED.as_u16())
        }
        other => panic!("expected 401, got {other:?}"),
    }
    let (status, body) = app.get(&format!("/api/v1/ws?token={admin}"), &admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "websocket_required");
}

#[tokio::test]
async fn the_token_can_travel_in_the_websocket_protocol_header() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let connection = app.simulator(&admin, None).await;
    let url = format!("{}/api/v1/ws", app.base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert("sec-websocket-protocol", format!("bearer, {admin}").parse().expect("header"));
    let (mut socket, response) = tokio_tungstenite::connect_async(request).await.expect("connects");
    assert_eq!(response.headers()["sec-websocket-protocol"], "bearer");
    app.inbound(&admin, connection, "11987654321", "oi").await;
    use futures_util::StreamExt;
    let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("in time")
        .expect("frame")
        .expect("ok");
    assert!(frame.to_text().expect("text").contains("ticket.created"));
}

/// Events are kept for a while (ATENDE_EVENT_RETENTION_HOURS); a client resuming from before the
/// oldest one kept is told to reload (4002) rather than silently missing events (review #15).
#[tokio::test]
async fn resuming_from_before_the_kept_events_asks_for_a_reload() {
    let app = TestApp::start_with(|config| config.event_retention = Duration::ZERO).await;
    let admin = app.admin().await;
    let connection = app.simulator(&admin, None).await;
    app.inbound(&admin, connection, "11987650001", "antes").await;
    let mut events = EventStream::connect(&app.ws_url(&admin, None)).await;
    app.inbound(&admin, connection, "11987650002", "durante").await;
    let last_seen = events.until("ticket.updated").await.last().and_then(|e| e["seq"].as_i64()).expect("seq");
    events.close().await;

    let pruned = atende::domain::events::prune(&app.state).await.expect("prune");
    assert!(pruned >= 6, "{pruned}");
    let mut current = EventStream::connect(&app.ws_url(&admin, Some(last_seen))).await;
    app.inbound(&admin, connection, "11987650003", "depois").await;
    assert_eq!(current.next().await["type"], "ticket.created", "nothing was missed: resuming works");
    current.close().await;

    let mut stale = EventStream::connect(&app.ws_url(&admin, Some(1))).await;
    assert_eq!(stale.close_code().await, Some(4002));
}

/// One user holds at most ATENDE_WS_MAX_PER_USER sockets; a closed one gives its place back.
#[tokio::test]
async fn sockets_per_user_are_bounded() {
    let app = TestApp::start_with(|config| config.ws_max_per_user = 2).await;
    let admin = app.admin().await;
    let first = EventStream::connect(&app.ws_url(&admin, None)).await;
    let _second = EventStream::connect(&app.ws_url(&admin, None)).await;
    match tokio_tungstenite::connect_async(app.ws_url(&admin, None).as_str()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 429),
        other => panic!("a third socket should be refused with 429, got {:?}", other.map(|_| ())),
    }
    first.close().await;
    // The server sees the close when its socket task ends; a new socket is then accepted.
    let mut attempts = 0;
    loop {
        attempts += 1;
        match tokio_tungstenite::connect_async(app.ws_url(&admin, None).as_str()).await {
            Ok(_) => break,
            Err(error) if attempts < 50 => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => panic!("the slot was never given back: {error}"),
        }
    }
}
