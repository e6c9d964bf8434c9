//! Tags (Etiquetas): the admin list (name, colour, order), tagging tickets idempotently with log
//! rows and live updates, the any-of `tag_id` filter, and tenant and queue scoping.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::ws_client::EventStream;

async fn other_company_admin(app: &TestApp, admin: &str) -> String {
    let (status, body) = app
        .post(
            "/api/v1/companies",
            admin,
            json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.com", "password": "olga-secret-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.login("olga@outra.com", "olga-secret-1").await
}

async fn tag(app: &TestApp, admin: &str, name: &str, color: &str) -> i64 {
    let (status, body) = app.post("/api/v1/tags", admin, json!({"name": name, "color": color})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("tag id")
}

async fn put(app: &TestApp, token: &str, ticket: i64, tag: i64) -> (StatusCode, Value) {
    app.send(Method::PUT, &format!("/api/v1/tickets/{ticket}/tags/{tag}"), Some(token), None).await
}

async fn remove(app: &TestApp, token: &str, ticket: i64, tag: i64) -> (StatusCode, Value) {
    app.delete(&format!("/api/v1/tickets/{ticket}/tags/{tag}"), token).await
}

fn names(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|t| t["name"].as_str().unwrap_or_default().to_owned()).collect()
}

async fn log_kinds(app: &TestApp, admin: &str, ticket: i64, kind: &str) -> Vec<Value> {
    let (_, logs) = app.get(&format!("/api/v1/tickets/{ticket}/logs"), admin).await;
    logs["items"].as_array().expect("logs").iter().filter(|l| l["kind"] == kind).cloned().collect()
}

#[tokio::test]
async fn admins_keep_an_ordered_list_of_tags_that_everyone_reads() {
    let desk = desk().await;
    let (_, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let vip = tag(&desk.app, &desk.admin, "VIP", "#F00").await;
    tag(&desk.app, &desk.admin, "Boleto", "#2563eb").await;
    let (status, first) = desk
        .app
        .post("/api/v1/tags", &desk.admin, json!({"name": "Urgente", "color": "#dc2626", "position": -1}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, got) = desk.app.get(&format!("/api/v1/tags/{vip}"), &ana).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (got["name"].clone(), got["color"].clone(), got["position"].clone()),
        (json!("VIP"), json!("#ff0000"), json!(0))
    );

    let (_, page) = desk.app.get("/api/v1/tags", &ana).await;
    assert_eq!(names(&page), ["Urgente", "VIP", "Boleto"]);
    // Pages follow the order too.
    let (_, one) = desk.app.get("/api/v1/tags?limit=2", &ana).await;
    assert_eq!(names(&one), ["Urgente", "VIP"]);
    let cursor = one["next_cursor"].as_str().expect("more");
    let (_, two) = desk.app.get(&format!("/api/v1/tags?limit=2&cursor={cursor}"), &ana).await;
    assert_eq!((names(&two), two["next_cursor"].clone()), (vec!["Boleto".to_owned()], Value::Null));

    let (status, moved) = desk
        .app
        .patch(&format!("/api/v1/tags/{vip}"), &desk.admin, json!({"position": 9, "name": "Cliente VIP"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let (_, page) = desk.app.get("/api/v1/tags", &ana).await;
    assert_eq!(names(&page), ["Urgente", "Boleto", "Cliente VIP"]);

    for (body, field, code) in [
        (json!({"name": "Boleto", "color": "#000000"}), "name", "already_in_use"),
        (json!({"name": "  ", "color": "#000000"}), "name", "required"),
        (json!({"name": "Novo", "color": "vermelho"}), "color", "not_color"),
    ] {
        let (status, answer) = desk.app.post("/api/v1/tags", &desk.admin, body).await;
        assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        assert_eq!(answer["error"]["details"][field]["code"], code, "{answer}");
    }
    let (status, answer) = desk.app.patch(&format!("/api/v1/tags/{vip}"), &desk.admin, json!({"name": "Boleto"})).await;
    assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let (status, answer) = desk.app.post("/api/v1/tags", &ana, json!({"name": "Meu", "color": "#000000"})).await;
    assert_error(status, &answer, StatusCode::FORBIDDEN, "forbidden");
    let (status, _) = desk.app.patch(&format!("/api/v1/tags/{vip}"), &ana, json!({"name": "x"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = desk.app.delete(&format!("/api/v1/tags/{vip}"), &ana).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tagging_is_idempotent_logged_once_and_live_for_the_tickets_viewers() {
    let desk = desk().await;
    let ticket = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    let vendas = desk.app.queue(&desk.admin, "Vendas").await;
    let vip = tag(&desk.app, &desk.admin, "VIP", "#ff0000").await;
    let (_, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let (_, bia) = desk.app.user(&desk.admin, "bia@test.local", "agent", &[desk.queue]).await;
    let (_, carl) = desk.app.user(&desk.admin, "carl@test.local", "agent", &[vendas]).await;
    let olga = other_company_admin(&desk.app, &desk.admin).await;
    let mut bia_events = EventStream::connect(&desk.app.ws_url(&bia, None)).await;
    let mut carl_events = EventStream::connect(&desk.app.ws_url(&carl, None)).await;
    let mut olga_events = EventStream::connect(&desk.app.ws_url(&olga, None)).await;

    let (status, tagged) = put(&desk.app, &ana, ticket, vip).await;
    assert_eq!(status, StatusCode::OK, "{tagged}");
    assert_eq!(tagged["tags"], json!([{"id": vip, "name": "VIP", "color": "#ff0000"}]));
    let seen = bia_events.until("ticket.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["tags"].clone()), Some(tagged["tags"].clone()));
    let (status, again) = put(&desk.app, &ana, ticket, vip).await;
    assert_eq!((status, again["tags"].clone()), (StatusCode::OK, tagged["tags"].clone()));
    assert!(bia_events.next_within(Duration::from_millis(300)).await.is_none(), "no change, no event");
    let logged = log_kinds(&desk.app, &desk.admin, ticket, "tagged").await;
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["details"], json!({"tag": {"id": vip, "name": "VIP", "color": "#ff0000"}}));

    // The list and the ticket carry it.
    let (_, list) = desk.app.get("/api/v1/tickets", &ana).await;
    assert_eq!(list["items"][0]["tags"], tagged["tags"]);
    assert_eq!(desk.app.ticket(&ana, ticket).await["tags"], tagged["tags"]);

    // Outside the ticket's queue or company: 404, whether the ticket or the tag is not theirs.
    let olgas_tag = tag(&desk.app, &olga, "Dela", "#000000").await;
    for (token, tag_id) in [(&carl, vip), (&olga, vip), (&olga, olgas_tag), (&ana, olgas_tag)] {
        let (status, body) = put(&desk.app, token, ticket, tag_id).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, body) = remove(&desk.app, token, ticket, tag_id).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, _) = desk.app.get(&format!("/api/v1/tags/{vip}"), &olga).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, theirs) = desk.app.get("/api/v1/tags", &olga).await;
    assert_eq!(names(&theirs), ["Dela"]);

    let (status, untagged) = remove(&desk.app, &ana, ticket, vip).await;
    assert_eq!((status, untagged["tags"].clone()), (StatusCode::OK, json!([])));
    let seen = bia_events.until("ticket.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["tags"].clone()), Some(json!([])));
    let (status, _) = remove(&desk.app, &ana, ticket, vip).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log_kinds(&desk.app, &desk.admin, ticket, "untagged").await.len(), 1);
    assert!(bia_events.next_within(Duration::from_millis(300)).await.is_none(), "no change, no event");
    for events in [&mut carl_events, &mut olga_events] {
        assert!(events.next_within(Duration::from_millis(100)).await.is_none(), "nothing leaks");
    }
}

#[tokio::test]
async fn the_tag_filter_finds_tickets_with_any_of_the_tags_the_caller_may_see() {
    let desk = desk().await;
    let vendas = desk.app.queue(&desk.admin, "Vendas").await;
    let other_connection = desk.app.simulator(&desk.admin, Some(vendas)).await;
    let one = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    let two = desk.app.inbound(&desk.admin, desk.connection, "11987654322", "oi").await;
    let three = desk.app.inbound(&desk.admin, desk.connection, "11987654323", "oi").await;
    let elsewhere = desk.app.inbound(&desk.admin, other_connection, "11987654324", "oi").await;
    let (a, b, c) = (
        tag(&desk.app, &desk.admin, "A", "#111111").await,
        tag(&desk.app, &desk.admin, "B", "#222222").await,
        tag(&desk.app, &desk.admin, "C", "#333333").await,
    );
    for (ticket, tag_id) in [(one, a), (one, b), (two, b), (elsewhere, a)] {
        assert_eq!(put(&desk.app, &desk.admin, ticket, tag_id).await.0, StatusCode::OK);
    }
    let sorted = |mut ids: Vec<i64>| {
        ids.sort_unstable();
        ids
    };
    assert_eq!(sorted(desk.app.ticket_ids(&desk.admin, &format!("tag_id={a}")).await), [one, elsewhere]);
    assert_eq!(sorted(desk.app.ticket_ids(&desk.admin, &format!("tag_id={a},{b}")).await), [one, two, elsewhere]);
    assert_eq!(desk.app.ticket_ids(&desk.admin, &format!("tag_id={b}&status=pending")).await.len(), 2, "once each");
    assert_eq!(desk.app.ticket_ids(&desk.admin, &format!("tag_id={c}")).await, Vec::<i64>::new());
    assert_eq!(sorted(desk.app.ticket_ids(&desk.admin, "tag_id=").await), [one, two, three, elsewhere]);
    // An agent of Suporte: only what they may see.
    let (_, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    assert_eq!(desk.app.ticket_ids(&ana, &format!("tag_id={a}")).await, [one]);
    let (status, body) = desk.app.get("/api/v1/tickets?tag_id=1,x", &desk.admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    // Another company's admin with our tag id: nothing of ours.
    let olga = other_company_admin(&desk.app, &desk.admin).await;
    assert_eq!(desk.app.ticket_ids(&olga, &format!("tag_id={a}")).await, Vec::<i64>::new());
}

#[tokio::test]
async fn deleting_a_tag_takes_it_off_its_tickets_and_tells_their_lists() {
    let desk = desk().await;
    let ticket = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    let vip = tag(&desk.app, &desk.admin, "VIP", "#ff0000").await;
    let keep = tag(&desk.app, &desk.admin, "Manter", "#00ff00").await;
    put(&desk.app, &desk.admin, ticket, vip).await;
    put(&desk.app, &desk.admin, ticket, keep).await;
    let (_, bia) = desk.app.user(&desk.admin, "bia@test.local", "agent", &[desk.queue]).await;
    let mut bia_events = EventStream::connect(&desk.app.ws_url(&bia, None)).await;

    let (status, renamed) =
        desk.app.patch(&format!("/api/v1/tags/{keep}"), &desk.admin, json!({"name": "Mantida"})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    let seen = bia_events.until("ticket.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["tags"][1]["name"].clone()), Some(json!("Mantida")));

    let (status, _) = desk.app.delete(&format!("/api/v1/tags/{vip}"), &desk.admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let seen = bia_events.until("ticket.updated").await;
    let left = json!([{"id": keep, "name": "Mantida", "color": "#00ff00"}]);
    assert_eq!(seen.last().map(|e| e["data"]["tags"].clone()), Some(left.clone()));
    assert_eq!(desk.app.ticket(&desk.admin, ticket).await["tags"], left);
    assert_eq!(desk.app.ticket_ids(&desk.admin, &format!("tag_id={vip}")).await, Vec::<i64>::new());
    let (status, _) = desk.app.get(&format!("/api/v1/tags/{vip}"), &desk.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
