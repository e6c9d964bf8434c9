//! Protocol numbers: the company's local date and a daily sequence, unique under concurrency,
//! listed on the ticket and the contact, found by the ticket search, optionally sent to the contact.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Desk, TestApp, assert_error, desk};
use crate::ws_client::EventStream;

async fn generate(app: &TestApp, token: &str, ticket: i64, body: Value) -> Value {
    let (status, protocol) = app.post(&format!("/api/v1/tickets/{ticket}/protocols"), token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{protocol}");
    protocol
}

fn number(protocol: &Value) -> String {
    protocol["number"].as_str().expect("number").to_owned()
}

/// The company's local day now (and a moment earlier, in case midnight passed in between).
fn local_days(zone: chrono_tz::Tz, since: chrono::DateTime<Utc>) -> [String; 2] {
    [
        since.with_timezone(&zone).format("%Y%m%d").to_string(),
        Utc::now().with_timezone(&zone).format("%Y%m%d").to_string(),
    ]
}

async fn other_company(desk: &Desk) -> String {
    let (status, created) = desk
        .app
        .post(
            "/api/v1/companies",
            &desk.admin,
            json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.local", "password": "olga-secret-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    desk.app.login("olga@outra.local", "olga-secret-1").await
}

#[tokio::test]
async fn numbers_are_the_companys_local_day_and_a_sequence_listed_on_ticket_and_contact() {
    let desk = desk().await;
    // Kiritimati is UTC+14: its date differs from UTC's for most of the day.
    let (status, body) =
        desk.app.patch("/api/v1/settings", &desk.admin, json!({"general": {"time_zone": "Pacific/Kiritimati"}})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let since = Utc::now();
    let ticket = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    let first = generate(&desk.app, &desk.admin, ticket, json!({})).await;
    let second = generate(&desk.app, &desk.admin, ticket, json!({"send_to_contact": false})).await;
    let days = local_days(chrono_tz::Pacific::Kiritimati, since);
    let (day, seq) = number(&first).split_once('-').map(|(d, s)| (d.to_owned(), s.to_owned())).expect("a dash");
    assert!(days.contains(&day), "{day} is not the local day {days:?}");
    assert_eq!(seq, "000001");
    assert_eq!(number(&second), format!("{day}-000002"));
    assert_eq!(first["ticket_id"], ticket);
    assert!(first["id"].is_i64() && first["created_at"].is_string(), "{first}");

    let detail = desk.app.ticket(&desk.admin, ticket).await;
    assert_eq!(detail["protocols"], json!([first, second]));
    let contact = detail["contact"]["id"].as_i64().expect("contact");
    let (status, listed) = desk.app.get(&format!("/api/v1/contacts/{contact}/protocols"), &desk.admin).await;
    assert_eq!((status, listed.clone()), (StatusCode::OK, json!([second, first])), "newest first");

    let (_, logs) = desk.app.get(&format!("/api/v1/tickets/{ticket}/logs"), &desk.admin).await;
    let generated: Vec<Value> = logs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "protocol_generated")
        .map(|l| l["details"].clone())
        .collect();
    // Newest first.
    assert_eq!(generated, vec![json!({"number": number(&second)}), json!({"number": number(&first)})]);

    // Nothing went to the contact.
    let (_, messages) = desk.app.get(&format!("/api/v1/tickets/{ticket}/messages"), &desk.admin).await;
    assert_eq!(messages["items"].as_array().map(Vec::len), Some(1), "{messages}");
}

#[tokio::test]
async fn fifty_concurrent_requests_get_fifty_distinct_numbers() {
    let desk = desk().await;
    let mut tickets = Vec::new();
    for i in 0..5 {
        tickets.push(desk.app.inbound(&desk.admin, desk.connection, &format!("1198765432{i}"), "oi").await);
    }
    let requests = (0..50).map(|i| {
        let (app, admin, ticket) = (&desk.app, desk.admin.clone(), tickets[i % tickets.len()]);
        async move { app.post(&format!("/api/v1/tickets/{ticket}/protocols"), &admin, json!({})).await }
    });
    let answers = futures_util::future::join_all(requests).await;
    let mut numbers = HashSet::new();
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
        numbers.insert(number(body));
    }
    assert_eq!(numbers.len(), 50, "every number distinct: {numbers:?}");
    // Gap-free: the day's sequence runs 1..=50.
    let mut seqs: Vec<u32> = numbers.iter().map(|n| n.split_once('-').unwrap().1.parse().unwrap()).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=50).collect::<Vec<u32>>());
}

#[tokio::test]
async fn searching_a_protocol_number_finds_its_ticket_in_the_company_only() {
    let desk = desk().await;
    let ticket = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    let other = desk.app.inbound(&desk.admin, desk.connection, "11912345678", "olá").await;
    let protocol = number(&generate(&desk.app, &desk.admin, ticket, json!({})).await);
    generate(&desk.app, &desk.admin, other, json!({})).await;
    assert_eq!(desk.app.ticket_ids(&desk.admin, &format!("q={protocol}")).await, vec![ticket]);
    assert_eq!(desk.app.ticket_ids(&desk.admin, &format!("q=%20{protocol}%20")).await, vec![ticket]);
    // Exact: a prefix of the number is not it.
    let (day, _) = protocol.split_once('-').unwrap();
    assert!(desk.app.ticket_ids(&desk.admin, &format!("q={day}-9999")).await.is_empty());
    let olga = other_company(&desk).await;
    assert!(desk.app.ticket_ids(&olga, &format!("q={protocol}")).await.is_empty());
    // Written like a protocol but no ticket has that number: the search falls back to the others.
    let named = json!({"from": "11955554444", "name": "Oficina 20240102-31", "body": "oi"});
    let (status, written) = desk.app.customer_writes(&desk.admin, desk.connection, named).await;
    assert_eq!(status, StatusCode::CREATED, "{written}");
    let quoted = written["ticket_id"].as_i64().expect("ticket id");
    assert_eq!(desk.app.ticket_ids(&desk.admin, "q=20240102-31").await, vec![quoted]);
}

#[tokio::test]
async fn sent_to_the_contact_it_goes_out_through_the_outbox_from_the_template() {
    let desk = desk().await;
    let ticket = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    // Pending: nothing may be written to the contact yet, and no number is spent.
    let (status, body) = desk
        .app
        .post(&format!("/api/v1/tickets/{ticket}/protocols"), &desk.admin, json!({"send_to_contact": true}))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "ticket_not_open");
    assert_eq!(desk.app.ticket(&desk.admin, ticket).await["protocols"], json!([]));

    let (status, body) = desk
        .app
        .patch("/api/v1/settings", &desk.admin, json!({"general": {"protocol_message": "Anote: {{protocolo}}!"}}))
        .await;
    assert_eq!((status, body["general"]["protocol_message"].clone()), (StatusCode::OK, json!("Anote: {{protocolo}}!")));
    let (status, body) =
        desk.app.patch("/api/v1/settings", &desk.admin, json!({"general": {"protocol_message": "  "}})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");

    desk.app.act(&desk.admin, ticket, "accept", json!({})).await;
    let protocol = generate(&desk.app, &desk.admin, ticket, json!({"send_to_contact": true})).await;
    let (_, messages) = desk.app.get(&format!("/api/v1/tickets/{ticket}/messages"), &desk.admin).await;
    let sent = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["from_me"] == true && m["kind"] == "text")
        .cloned()
        .expect("the protocol message");
    assert!(sent["body"].as_str().unwrap().ends_with(&format!("Anote: {}!", number(&protocol))), "{sent}");
    let settled = desk.app.settled(&desk.admin, ticket, sent["id"].as_i64().unwrap()).await;
    assert_eq!(settled["status"], "sent", "{settled}");
}

#[tokio::test]
async fn agents_outside_the_ticket_and_other_companies_get_nothing() {
    let desk = desk().await;
    let elsewhere = desk.app.queue(&desk.admin, "Vendas").await;
    let (_, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let (_, bia) = desk.app.user(&desk.admin, "bia@test.local", "agent", &[elsewhere]).await;
    let ticket = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    let contact = desk.app.ticket(&desk.admin, ticket).await["contact"]["id"].as_i64().expect("contact");
    let olga = other_company(&desk).await;
    let mut olga_events = EventStream::connect(&desk.app.ws_url(&olga, None)).await;
    let mut bia_events = EventStream::connect(&desk.app.ws_url(&bia, None)).await;

    // Ana works the queue: she may generate and read it.
    let protocol = generate(&desk.app, &ana, ticket, json!({})).await;
    let (status, listed) = desk.app.get(&format!("/api/v1/contacts/{contact}/protocols"), &ana).await;
    assert_eq!((status, listed), (StatusCode::OK, json!([protocol])));

    // Bia's queue is another: the ticket is not found, and the contact's list hides its protocols.
    let (status, body) = desk.app.post(&format!("/api/v1/tickets/{ticket}/protocols"), &bia, json!({})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, listed) = desk.app.get(&format!("/api/v1/contacts/{contact}/protocols"), &bia).await;
    assert_eq!((status, listed), (StatusCode::OK, json!([])));
    assert!(desk.app.ticket_ids(&bia, &format!("q={}", number(&protocol))).await.is_empty());

    // Another company: not found at all.
    let (status, body) = desk.app.post(&format!("/api/v1/tickets/{ticket}/protocols"), &olga, json!({})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = desk.app.get(&format!("/api/v1/contacts/{contact}/protocols"), &olga).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // Sending it writes in the thread: events reach who may see the ticket, no one else.
    desk.app.act(&ana, ticket, "accept", json!({})).await;
    generate(&desk.app, &ana, ticket, json!({"send_to_contact": true})).await;
    assert!(olga_events.next_within(Duration::from_millis(300)).await.is_none(), "no event crosses companies");
    while let Some(event) = bia_events.next_within(Duration::from_millis(300)).await {
        assert_ne!(event["data"]["ticket_id"], ticket, "Bia does not see Ana's ticket: {event}");
        assert_ne!(event["data"]["id"], ticket, "Bia does not see Ana's ticket: {event}");
    }
}
