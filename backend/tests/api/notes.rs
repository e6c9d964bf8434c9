//! Notes (Nota): written, listed and deleted by who may; validated; logged; never sent to the
//! contact; `note.created`/`note.deleted` only for the ticket's viewers.

use std::time::Duration;

use reqwest::StatusCode;
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

async fn note(app: &TestApp, token: &str, ticket: i64, body: &str) -> Value {
    let (status, created) = app.post(&format!("/api/v1/tickets/{ticket}/notes"), token, json!({"body": body})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

fn bodies(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|n| n["body"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn notes_are_listed_newest_first_logged_and_never_reach_the_contact() {
    let desk = desk().await;
    let ticket = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    let (ana_id, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let first = note(&desk.app, &ana, ticket, "  cliente pediu boleto\n").await;
    assert_eq!(first["ticket_id"], ticket);
    assert_eq!(first["body"], "  cliente pediu boleto", "kept as typed, trailing blanks dropped");
    assert_eq!(first["user"], json!({"id": ana_id, "name": "ana@test.local"}));
    assert!(first["created_at"].is_string() && first["id"].is_i64(), "{first}");
    note(&desk.app, &desk.admin, ticket, "segunda nota").await;

    let (status, page) = desk.app.get(&format!("/api/v1/tickets/{ticket}/notes"), &ana).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(bodies(&page), ["segunda nota", "  cliente pediu boleto"]);
    let (_, paged) = desk.app.get(&format!("/api/v1/tickets/{ticket}/notes?limit=1"), &ana).await;
    assert_eq!(bodies(&paged), ["segunda nota"]);
    let cursor = paged["next_cursor"].as_str().expect("a next page");
    let (_, rest) = desk.app.get(&format!("/api/v1/tickets/{ticket}/notes?limit=1&cursor={cursor}"), &ana).await;
    assert_eq!((bodies(&rest), rest["next_cursor"].clone()), (vec!["  cliente pediu boleto".to_owned()], Value::Null));

    let (_, logs) = desk.app.get(&format!("/api/v1/tickets/{ticket}/logs"), &desk.admin).await;
    let added: Vec<&Value> =
        logs["items"].as_array().expect("logs").iter().filter(|l| l["kind"] == "note_added").collect();
    assert_eq!(added.len(), 2, "{logs}");
    assert_eq!(added[1]["details"], json!({"note_id": first["id"]}));
    assert_eq!(added[1]["user"]["id"], ana_id);

    // Not a message: the thread and the outbox never see it.
    let (_, messages) = desk.app.get(&format!("/api/v1/tickets/{ticket}/messages"), &desk.admin).await;
    assert!(messages["items"].as_array().expect("messages").iter().all(|m| m["body"] != "segunda nota"), "{messages}");
}

#[tokio::test]
async fn a_note_must_have_text_within_the_limit() {
    let desk = desk().await;
    let ticket = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    for (body, code) in [(json!({"body": " \n "}), "required"), (json!({"body": "x".repeat(4097)}), "too_long")] {
        let (status, answer) = desk.app.post(&format!("/api/v1/tickets/{ticket}/notes"), &desk.admin, body).await;
        assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        assert_eq!(answer["error"]["details"]["body"]["code"], code, "{answer}");
    }
    let (_, page) = desk.app.get(&format!("/api/v1/tickets/{ticket}/notes"), &desk.admin).await;
    assert_eq!(page["items"], json!([]));
}

#[tokio::test]
async fn authors_delete_their_own_notes_and_admins_any() {
    let desk = desk().await;
    let ticket = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    let (_, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let (_, bia) = desk.app.user(&desk.admin, "bia@test.local", "agent", &[desk.queue]).await;
    let (_, sup) = desk.app.user(&desk.admin, "sup@test.local", "supervisor", &[]).await;
    let anas = note(&desk.app, &ana, ticket, "da Ana").await;
    let other = note(&desk.app, &ana, ticket, "outra da Ana").await;
    for token in [&bia, &sup] {
        let (status, body) = desk.app.delete(&format!("/api/v1/notes/{}", anas["id"]), token).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    let (status, _) = desk.app.delete(&format!("/api/v1/notes/{}", anas["id"]), &ana).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = desk.app.delete(&format!("/api/v1/notes/{}", anas["id"]), &ana).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "gone");
    let (status, _) = desk.app.delete(&format!("/api/v1/notes/{}", other["id"]), &desk.admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, page) = desk.app.get(&format!("/api/v1/tickets/{ticket}/notes"), &ana).await;
    assert_eq!(page["items"], json!([]));
}

#[tokio::test]
async fn notes_and_their_events_stay_with_the_tickets_viewers() {
    let desk = desk().await;
    let ticket = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    let vendas = desk.app.queue(&desk.admin, "Vendas").await;
    let (_, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let (_, bia) = desk.app.user(&desk.admin, "bia@test.local", "agent", &[desk.queue]).await;
    let (_, carl) = desk.app.user(&desk.admin, "carl@test.local", "agent", &[vendas]).await;
    let olga = other_company_admin(&desk.app, &desk.admin).await;
    let mut bia_events = EventStream::connect(&desk.app.ws_url(&bia, None)).await;
    let mut carl_events = EventStream::connect(&desk.app.ws_url(&carl, None)).await;
    let mut olga_events = EventStream::connect(&desk.app.ws_url(&olga, None)).await;

    let written = note(&desk.app, &ana, ticket, "só para a equipe").await;
    let seen = bia_events.until("note.created").await;
    assert_eq!(seen.last().map(|e| e["data"].clone()), Some(written.clone()));

    // Outside the ticket's queue, or in another company: no such ticket, no such note.
    for token in [&carl, &olga] {
        let (status, body) = desk.app.get(&format!("/api/v1/tickets/{ticket}/notes"), token).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, body) =
            desk.app.post(&format!("/api/v1/tickets/{ticket}/notes"), token, json!({"body": "x"})).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, body) = desk.app.delete(&format!("/api/v1/notes/{}", written["id"]), token).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }

    let (status, _) = desk.app.delete(&format!("/api/v1/notes/{}", written["id"]), &ana).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let seen = bia_events.until("note.deleted").await;
    assert_eq!(seen.last().map(|e| e["data"].clone()), Some(json!({"id": written["id"], "ticket_id": ticket})));
    for events in [&mut carl_events, &mut olga_events] {
        assert!(events.next_within(Duration::from_millis(300)).await.is_none(), "nothing leaks");
    }
}
