//! Wallets (Carteira): a contact's fixed agent gets their new tickets while signed in; otherwise,
//! and once the wallet is removed, tickets wait in the queue.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Desk, TestApp, assert_error, desk};
use crate::ws_client::EventStream;

const NUMBER: &str = "11987654321";

async fn contact(app: &TestApp, admin: &str, name: &str, number: &str) -> i64 {
    let (status, body) = app.post("/api/v1/contacts", admin, json!({"name": name, "number": number})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("contact id")
}

async fn put_wallet(app: &TestApp, token: &str, contact: i64, body: Value) -> (StatusCode, Value) {
    app.send(Method::PUT, &format!("/api/v1/contacts/{contact}/wallet"), Some(token), Some(body)).await
}

/// The contact writes; the new ticket's (status, user id, queue id).
async fn new_ticket_of(desk: &Desk, body: &str) -> (i64, String, Value, Value) {
    let id = desk.app.inbound(&desk.admin, desk.connection, NUMBER, body).await;
    let ticket = desk.app.ticket(&desk.admin, id).await;
    (
        id,
        ticket["status"].as_str().unwrap_or_default().to_owned(),
        ticket["user"]["id"].clone(),
        ticket["queue"]["id"].clone(),
    )
}

async fn resolve(desk: &Desk, ticket: i64) {
    let (status, body) = desk.app.act(&desk.admin, ticket, "resolve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn new_tickets_go_to_the_wallet_agent_while_signed_in_else_to_the_queue() {
    let desk = desk().await;
    let (ana_id, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let maria = contact(&desk.app, &desk.admin, "Maria", NUMBER).await;

    let (status, set) = put_wallet(&desk.app, &desk.admin, maria, json!({"user_id": ana_id})).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["wallet_user"], json!({"id": ana_id, "name": "ana@test.local"}));
    let (_, read) = desk.app.get(&format!("/api/v1/contacts/{maria}"), &ana).await;
    assert_eq!(read["wallet_user"]["id"], ana_id, "agents read it: {read}");

    // Ana is signed in: open and hers, still filed in the connection's queue.
    let (first, status, user, queue) = new_ticket_of(&desk, "oi").await;
    assert_eq!((status.as_str(), user, queue), ("open", json!(ana_id), json!(desk.queue)));
    assert!(desk.app.ticket_ids(&ana, "status=open").await.contains(&first));
    resolve(&desk, first).await;

    // Signed out (Sair ends her only session): the ticket waits in the queue.
    let (status, _) = desk.app.send(Method::POST, "/api/v1/auth/logout", Some(&ana), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (second, status, user, queue) = new_ticket_of(&desk, "alguém aí?").await;
    assert_eq!((status.as_str(), user, queue), ("pending", Value::Null, json!(desk.queue)));
    resolve(&desk, second).await;

    // Back in: hers again.
    let ana = desk.app.login("ana@test.local", "user-secret-1").await;
    let (third, status, user, _) = new_ticket_of(&desk, "voltei").await;
    assert_eq!((status.as_str(), user), ("open", json!(ana_id)));
    resolve(&desk, third).await;

    // Removed: the queue again.
    let (status, cleared) = desk.app.delete(&format!("/api/v1/contacts/{maria}/wallet"), &desk.admin).await;
    assert_eq!(status, StatusCode::OK, "{cleared}");
    assert_eq!(cleared["wallet_user"], Value::Null);
    let (_, status, user, queue) = new_ticket_of(&desk, "e agora?").await;
    assert_eq!((status.as_str(), user, queue), ("pending", Value::Null, json!(desk.queue)));
    let _ = ana;
}

#[tokio::test]
async fn a_deleted_wallet_agent_leaves_the_contact_to_the_queue() {
    let desk = desk().await;
    let (bia_id, _bia) = desk.app.user(&desk.admin, "bia@test.local", "agent", &[desk.queue]).await;
    let maria = contact(&desk.app, &desk.admin, "Maria", NUMBER).await;
    put_wallet(&desk.app, &desk.admin, maria, json!({"user_id": bia_id})).await;
    let mut events = EventStream::connect(&desk.app.ws_url(&desk.admin, None)).await;
    let (status, _) = desk.app.delete(&format!("/api/v1/users/{bia_id}"), &desk.admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let seen = events.until("contact.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["wallet_user"].clone()), Some(Value::Null));
    let (_, read) = desk.app.get(&format!("/api/v1/contacts/{maria}"), &desk.admin).await;
    assert_eq!(read["wallet_user"], Value::Null, "{read}");
    let (_, status, user, _) = new_ticket_of(&desk, "oi").await;
    assert_eq!((status.as_str(), user), ("pending", Value::Null));
}

#[tokio::test]
async fn wallet_mine_lists_the_tickets_of_my_wallet_contacts() {
    let desk = desk().await;
    let (ana_id, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let (_, bia) = desk.app.user(&desk.admin, "bia@test.local", "agent", &[desk.queue]).await;
    let maria = contact(&desk.app, &desk.admin, "Maria", NUMBER).await;
    let other = desk.app.inbound(&desk.admin, desk.connection, "11912345678", "sem carteira").await;
    put_wallet(&desk.app, &desk.admin, maria, json!({"user_id": ana_id})).await;
    let (hers, ..) = new_ticket_of(&desk, "oi").await;

    assert_eq!(desk.app.ticket_ids(&ana, "wallet=mine").await, vec![hers]);
    // Rows carry the contact's wallet agent, so a live list can place them.
    assert_eq!(desk.app.ticket(&ana, hers).await["contact"]["wallet_user_id"], ana_id);
    assert_eq!(desk.app.ticket_ids(&ana, "status=open&wallet=mine").await, vec![hers]);
    assert!(desk.app.ticket_ids(&ana, "status=pending&wallet=mine").await.is_empty());
    assert!(desk.app.ticket_ids(&bia, "wallet=mine").await.is_empty(), "not Bia's wallet");
    assert!(desk.app.ticket_ids(&desk.admin, "wallet=mine").await.is_empty(), "not the admin's either");
    // Without the filter the other ticket is listed, so the filter is what narrowed it.
    assert!(desk.app.ticket_ids(&desk.admin, "").await.contains(&other));

    // The contacts page filters by wallet.
    let (_, page) = desk.app.get(&format!("/api/v1/contacts?wallet_user_id={ana_id}"), &desk.admin).await;
    let ids: Vec<i64> = page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![maria], "{page}");
    let (_, all) = desk.app.get("/api/v1/contacts", &desk.admin).await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    let listed = all["items"].as_array().unwrap().iter().find(|c| c["id"] == maria).cloned().unwrap();
    assert_eq!(listed["wallet_user"]["name"], "ana@test.local");
}

#[tokio::test]
async fn only_admins_and_supervisors_change_wallets_of_their_company() {
    let desk = desk().await;
    let (ana_id, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let (_, sup) = desk.app.user(&desk.admin, "sup@test.local", "supervisor", &[]).await;
    let maria = contact(&desk.app, &desk.admin, "Maria", NUMBER).await;

    let (status, body) = put_wallet(&desk.app, &ana, maria, json!({"user_id": ana_id})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = desk.app.delete(&format!("/api/v1/contacts/{maria}/wallet"), &ana).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = put_wallet(&desk.app, &sup, maria, json!({"user_id": ana_id})).await;
    assert_eq!((status, body["wallet_user"]["id"].clone()), (StatusCode::OK, json!(ana_id)), "{body}");
    let (status, body) = put_wallet(&desk.app, &desk.admin, maria, json!({"user_id": 999_999})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["user_id"]["code"], "not_in_company");

    // Another company: my contact is not found there, its users are not mine, and my events stay mine.
    let (status, created) = desk
        .app
        .post(
            "/api/v1/companies",
            &desk.admin,
            json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.local", "password": "olga-secret-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let olga = desk.app.login("olga@outra.local", "olga-secret-1").await;
    let mut olga_events = EventStream::connect(&desk.app.ws_url(&olga, None)).await;
    let (_, me) = desk.app.get("/api/v1/me", &olga).await;
    let olga_id = me["id"].as_i64().expect("olga's id");
    let (status, body) = put_wallet(&desk.app, &olga, maria, json!({"user_id": olga_id})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = desk.app.delete(&format!("/api/v1/contacts/{maria}/wallet"), &olga).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = put_wallet(&desk.app, &desk.admin, maria, json!({"user_id": olga_id})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let (_, page) = desk.app.get(&format!("/api/v1/contacts?wallet_user_id={ana_id}"), &olga).await;
    assert_eq!(page["items"], json!([]), "{page}");
    desk.app.delete(&format!("/api/v1/contacts/{maria}/wallet"), &desk.admin).await;
    assert!(olga_events.next_within(Duration::from_millis(300)).await.is_none(), "no event crosses companies");
}

#[tokio::test]
async fn set_from_a_ticket_panel_it_is_logged_there_and_announced() {
    let desk = desk().await;
    let (ana_id, _ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let ticket = desk.app.inbound(&desk.admin, desk.connection, NUMBER, "oi").await;
    let maria = desk.app.ticket(&desk.admin, ticket).await["contact"]["id"].as_i64().expect("contact");
    let mut events = EventStream::connect(&desk.app.ws_url(&desk.admin, None)).await;

    let (status, body) =
        put_wallet(&desk.app, &desk.admin, maria, json!({"user_id": ana_id, "ticket_id": ticket})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seen = events.until("contact.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["wallet_user"]["id"].clone()), Some(json!(ana_id)));
    let (status, body) =
        desk.app.delete(&format!("/api/v1/contacts/{maria}/wallet?ticket_id={ticket}"), &desk.admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seen = events.until("contact.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["wallet_user"].clone()), Some(Value::Null));

    let (_, logs) = desk.app.get(&format!("/api/v1/tickets/{ticket}/logs"), &desk.admin).await;
    let wallet: Vec<Value> = logs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "wallet_set")
        .map(|l| l["details"].clone())
        .collect();
    // Newest first.
    assert_eq!(wallet, vec![json!({"user": null}), json!({"user": {"id": ana_id, "name": "ana@test.local"}})]);

    // Another contact's ticket is not this contact's.
    let other = desk.app.inbound(&desk.admin, desk.connection, "11912345678", "oi").await;
    let (status, body) =
        put_wallet(&desk.app, &desk.admin, maria, json!({"user_id": ana_id, "ticket_id": other})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}
