//! Scheduled messages: written now, sent at their time through the outbox, once; edited or
//! canceled before; late after downtime; seen by who may; refused when the time or text is wrong.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::ws_client::EventStream;

fn at(from_now: chrono::Duration) -> String {
    (Utc::now() + from_now).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A ticket with Maria, accepted by the admin (signature off, so bodies are as written).
async fn maria(desk: &Desk) -> (i64, i64) {
    let ticket = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "oi").await;
    desk.app.act(&desk.admin, ticket, "accept", json!({})).await;
    desk.app.patch("/api/v1/me", &desk.admin, json!({"signature_enabled": false})).await;
    let contact = desk.app.ticket(&desk.admin, ticket).await["contact"]["id"].as_i64().expect("contact");
    (ticket, contact)
}

async fn schedule(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, created) = app.post("/api/v1/schedules", token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["status"], "scheduled");
    created
}

/// The schedule once it left `scheduled`.
async fn settled(app: &TestApp, token: &str, id: i64) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let (_, found) = app.get(&format!("/api/v1/schedules/{id}"), token).await;
        if found["status"] != "scheduled" {
            return found;
        }
        assert!(std::time::Instant::now() < deadline, "schedule {id} was never sent: {found}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn bodies(app: &TestApp, token: &str, ticket: i64) -> Vec<String> {
    let (_, page) = app.get(&format!("/api/v1/tickets/{ticket}/messages?limit=100"), token).await;
    page["items"].as_array().expect("items").iter().filter_map(|m| m["body"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn a_scheduled_message_goes_out_at_its_time_in_its_ticket() {
    let desk = desk().await;
    let (ticket, contact) = maria(&desk).await;
    let created = schedule(
        &desk.app,
        &desk.admin,
        json!({"contact_id": contact, "ticket_id": ticket, "body": "Lembrete: sua consulta é amanhã", "send_at": at(chrono::Duration::milliseconds(2500))}),
    )
    .await;
    assert_eq!(created["contact_name"], "Cliente", "{created}");
    assert!(!bodies(&desk.app, &desk.admin, ticket).await.contains(&"Lembrete: sua consulta é amanhã".to_owned()));

    let sent = settled(&desk.app, &desk.admin, created["id"].as_i64().expect("id")).await;
    assert_eq!((sent["status"].as_str(), sent["late"].as_bool()), (Some("sent"), Some(false)), "{sent}");
    assert_eq!(sent["ticket_id"], ticket);
    let message_id = sent["message_id"].as_i64().expect("the message it became");
    let message = desk.app.settled(&desk.admin, ticket, message_id).await;
    assert_eq!(
        (message["status"].as_str(), message["body"].as_str()),
        (Some("sent"), Some("Lembrete: sua consulta é amanhã"))
    );
    assert_eq!(message["user_id"], created["created_by"], "sent as its author");
}

#[tokio::test]
async fn before_its_time_it_can_be_edited_or_canceled_and_not_after() {
    let desk = desk().await;
    let (ticket, contact) = maria(&desk).await;
    let later = at(chrono::Duration::hours(2));
    let created =
        schedule(&desk.app, &desk.admin, json!({"contact_id": contact, "body": "primeira versão", "send_at": later}))
            .await;
    let id = created["id"].as_i64().expect("id");
    let path = format!("/api/v1/schedules/{id}");
    let (status, edited) = desk.app.patch(&path, &desk.admin, json!({"body": "segunda versão"})).await;
    assert_eq!((status, edited["body"].as_str()), (StatusCode::OK, Some("segunda versão")), "{edited}");

    let (status, canceled) = desk.app.delete(&path, &desk.admin).await;
    assert_eq!((status, canceled["status"].as_str()), (StatusCode::OK, Some("canceled")), "{canceled}");
    let (status, body) = desk.app.delete(&path, &desk.admin).await;
    assert_error(status, &body, StatusCode::CONFLICT, "schedule_not_pending");
    let (status, body) = desk.app.patch(&path, &desk.admin, json!({"send_at": at(chrono::Duration::seconds(1))})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "schedule_not_pending");
    assert_eq!(bodies(&desk.app, &desk.admin, ticket).await.iter().filter(|b| b.contains("versão")).count(), 0);

    // Moved to now, one that is not canceled goes at once.
    let other =
        schedule(&desk.app, &desk.admin, json!({"contact_id": contact, "body": "adiantada", "send_at": later})).await;
    let other_id = other["id"].as_i64().expect("id");
    desk.app
        .patch(&format!("/api/v1/schedules/{other_id}"), &desk.admin, json!({"send_at": at(chrono::Duration::zero())}))
        .await;
    assert_eq!(settled(&desk.app, &desk.admin, other_id).await["status"], "sent");
    let (_, listed) =
        desk.app.get(&format!("/api/v1/schedules?contact_id={contact}&status=canceled"), &desk.admin).await;
    assert_eq!(listed["items"].as_array().map(|i| i.len()), Some(1), "{listed}");
}

#[tokio::test]
async fn wrong_times_texts_and_contacts_are_refused() {
    let desk = desk().await;
    let (ticket, contact) = maria(&desk).await;
    let cases = [
        (
            json!({"contact_id": contact, "body": "x", "send_at": at(-chrono::Duration::hours(1))}),
            "send_at",
            "not_in_future",
        ),
        (
            json!({"contact_id": contact, "body": "x", "send_at": at(chrono::Duration::days(400))}),
            "send_at",
            "too_far_ahead",
        ),
        (json!({"contact_id": contact, "body": "  ", "send_at": at(chrono::Duration::hours(1))}), "body", "required"),
        (
            json!({"contact_id": 999_999, "body": "x", "send_at": at(chrono::Duration::hours(1))}),
            "contact_id",
            "not_in_company",
        ),
    ];
    for (body, field, code) in cases {
        let (status, answer) = desk.app.post("/api/v1/schedules", &desk.admin, body).await;
        assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        assert_eq!(answer["error"]["details"][field]["code"], code, "{answer}");
    }
    // A ticket of someone else.
    let other = desk.app.inbound(&desk.admin, desk.connection, "11911112222", "outro").await;
    let (status, answer) = desk
        .app
        .post(
            "/api/v1/schedules",
            &desk.admin,
            json!({"contact_id": contact, "ticket_id": other, "body": "x", "send_at": at(chrono::Duration::hours(1))}),
        )
        .await;
    assert_eq!(
        (status, answer["error"]["details"]["ticket_id"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_in_company"))
    );
    let (status, answer) = desk.app.get("/api/v1/schedules?status=soon", &desk.admin).await;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_query");
    let _ = ticket;
}

#[tokio::test]
async fn agents_see_their_own_and_their_tickets_schedules_live() {
    let desk = desk().await;
    let (ticket, contact) = maria(&desk).await;
    let (_, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let (_, bia) = desk.app.user(&desk.admin, "bia@test.local", "agent", &[desk.queue]).await;
    let mut ana_events = EventStream::connect(&desk.app.ws_url(&ana, None)).await;
    let mut bia_events = EventStream::connect(&desk.app.ws_url(&bia, None)).await;
    let mine = schedule(
        &desk.app,
        &ana,
        json!({"contact_id": contact, "body": "da Ana", "send_at": at(chrono::Duration::hours(1))}),
    )
    .await;
    let seen = ana_events.until("schedule.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["id"].clone()), Some(mine["id"].clone()));
    // The admin's ticket: Bia cannot see it, nor the schedule written in it, nor Ana's.
    let admins = schedule(&desk.app, &desk.admin, json!({"contact_id": contact, "ticket_id": ticket, "body": "do admin", "send_at": at(chrono::Duration::hours(1))})).await;
    let (_, listed) = desk.app.get("/api/v1/schedules", &bia).await;
    assert_eq!(listed["items"], json!([]), "{listed}");
    for id in [&mine["id"], &admins["id"]] {
        let (status, _) = desk.app.get(&format!("/api/v1/schedules/{id}"), &bia).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = desk.app.delete(&format!("/api/v1/schedules/{id}"), &bia).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = desk.app.get(&format!("/api/v1/schedules?ticket_id={ticket}"), &bia).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(bia_events.next_within(Duration::from_millis(300)).await.is_none(), "nothing for Bia");
    let (_, all) = desk.app.get("/api/v1/schedules", &desk.admin).await;
    assert_eq!(all["items"].as_array().map(|i| i.len()), Some(2));
}

#[tokio::test]
async fn a_message_due_while_the_server_was_down_goes_out_late_when_it_is_back() {
    let first = TestApp::start_with(|c| c.jwt_secret = Some("schedules-test-secret-0123456789abcdef".into())).await;
    let admin = first.admin().await;
    let queue = first.queue(&admin, "Suporte").await;
    let connection = first.simulator(&admin, Some(queue)).await;
    let ticket = first.inbound(&admin, connection, "11987654321", "oi").await;
    first.act(&admin, ticket, "accept", json!({})).await;
    let contact = first.ticket(&admin, ticket).await["contact"]["id"].as_i64().expect("contact");
    let send_at = Utc::now() + chrono::Duration::seconds(2);
    let when = send_at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let created = schedule(
        &first,
        &admin,
        json!({"contact_id": contact, "ticket_id": ticket, "body": "durante a queda", "send_at": when}),
    )
    .await;
    let id = created["id"].as_i64().expect("id");
    let database = first.state.config.database_url.clone();
    let _data = first.shut_down().await;
    // Down past its time (the behaviour under test is about time passing).
    let past_due = (send_at + chrono::Duration::milliseconds(500) - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(past_due).await;
    let back = TestApp::start_with(move |c| {
        c.database_url = database;
        c.jwt_secret = Some("schedules-test-secret-0123456789abcdef".into());
        c.schedule_late_after = Duration::from_millis(100);
    })
    .await;
    let admin = back.admin().await;
    let sent = settled(&back, &admin, id).await;
    assert_eq!((sent["status"].as_str(), sent["late"].as_bool()), (Some("sent"), Some(true)), "{sent}");
    let count = bodies(&back, &admin, ticket).await.iter().filter(|b| b.ends_with("durante a queda")).count();
    assert_eq!(count, 1, "sent once");
}

/// Two instances on one PostgreSQL both look for due schedules: each is sent once.
#[tokio::test]
async fn two_instances_send_each_scheduled_message_once() {
    let (postgres, _) = shared_services();
    let database = create_postgres_database(&postgres).await;
    let first = TestApp::start_with(|c| {
        c.database_url = database;
        c.jwt_secret = Some("schedules-test-secret-0123456789abcdef".into());
    })
    .await;
    let second = first.another_instance().await;
    let admin = first.admin().await;
    let queue = first.queue(&admin, "Suporte").await;
    let connection = first.simulator(&admin, Some(queue)).await;
    let ticket = first.inbound(&admin, connection, "11987654321", "oi").await;
    first.act(&admin, ticket, "accept", json!({})).await;
    let contact = first.ticket(&admin, ticket).await["contact"]["id"].as_i64().expect("contact");
    let when = at(chrono::Duration::milliseconds(700));
    let mut ids = Vec::new();
    for n in 0..20 {
        let app = if n % 2 == 0 { &first } else { &second };
        let created = schedule(
            app,
            &admin,
            json!({"contact_id": contact, "ticket_id": ticket, "body": format!("lembrete {n}"), "send_at": when}),
        )
        .await;
        ids.push(created["id"].as_i64().expect("id"));
    }
    for id in &ids {
        assert_eq!(settled(&first, &admin, *id).await["status"], "sent");
    }
    let sent = bodies(&first, &admin, ticket).await;
    for n in 0..20 {
        let count = sent.iter().filter(|b| b.ends_with(&format!("lembrete {n}"))).count();
        assert_eq!(count, 1, "lembrete {n} in {sent:?}");
    }
}

/// A scheduled message's file leaves the disk with its contact (the schedule is deleted with it).
#[tokio::test]
async fn a_deleted_contacts_scheduled_files_leave_the_disk() {
    let desk = desk().await;
    let (_, contact) = maria(&desk).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("contact_id", contact.to_string())
        .text("body", "segue a foto")
        .text("send_at", at(chrono::Duration::hours(2)))
        .part("file", reqwest::multipart::Part::bytes(png).file_name("foto.png".to_owned()));
    let response = desk
        .app
        .client
        .post(desk.app.url("/api/v1/schedules"))
        .bearer_auth(&desk.admin)
        .multipart(form)
        .send()
        .await
        .expect("post");
    let (status, created) = read(response).await;
    assert_eq!((status, created["media_mime"].as_str()), (StatusCode::CREATED, Some("image/png")), "{created}");
    let media_dir = desk.app.state.config.data_dir.join("media");
    let files = || walk(&media_dir).len();
    assert_eq!(files(), 1);
    let (status, _) = desk.app.delete(&format!("/api/v1/contacts/{contact}"), &desk.admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(files(), 0, "the schedule's file went with it");
}
