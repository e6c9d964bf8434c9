//! Ratings (Avaliação): the survey sent on demand and on resolve, the answer read from the
//! contact's next message (digits, words, one re-ask, the window), the reports and their scoping.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::ws_client::EventStream;

const MARIA: &str = "11987654321";

async fn ratings_on(desk: &Desk, more: Value) {
    let mut ratings = json!({"enabled": true});
    if let (Some(target), Some(extra)) = (ratings.as_object_mut(), more.as_object()) {
        target.extend(extra.clone());
    }
    let (status, body) =
        desk.app.patch("/api/v1/settings", &desk.admin, json!({"general": {"ratings": ratings}})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A ticket from `from`, accepted by `token`'s user.
async fn accepted(desk: &Desk, token: &str, from: &str) -> i64 {
    let ticket = desk.app.inbound(&desk.admin, desk.connection, from, "oi, preciso de ajuda").await;
    let (status, body) = desk.app.act(token, ticket, "accept", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ticket
}

async fn request(desk: &Desk, token: &str, ticket: i64) -> (StatusCode, Value) {
    desk.app.post(&format!("/api/v1/tickets/{ticket}/rating-request"), token, json!({})).await
}

async fn rating(desk: &Desk, ticket: i64) -> Value {
    let (status, body) = desk.app.get(&format!("/api/v1/tickets/{ticket}/rating"), &desk.admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The customer writes; returns the ticket the message landed in.
async fn answer(desk: &Desk, from: &str, body: &str) -> i64 {
    desk.app.inbound(&desk.admin, desk.connection, from, body).await
}

async fn bodies(desk: &Desk, ticket: i64) -> Vec<String> {
    let (_, page) = desk.app.get(&format!("/api/v1/tickets/{ticket}/messages?limit=100"), &desk.admin).await;
    let mut items: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["kind"] != "system")
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect();
    items.reverse();
    items
}

async fn log_kinds(desk: &Desk, ticket: i64) -> Vec<(String, Value)> {
    let (_, page) = desk.app.get(&format!("/api/v1/tickets/{ticket}/logs?limit=100"), &desk.admin).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|l| l["kind"] != "access")
        .map(|l| (l["kind"].as_str().unwrap_or_default().to_owned(), l["details"].clone()))
        .collect()
}

async fn status_of(desk: &Desk, ticket: i64) -> String {
    desk.app.ticket(&desk.admin, ticket).await["status"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_survey_goes_out_and_a_digit_answer_is_the_rating_not_a_new_ticket() {
    let desk = desk().await;
    ratings_on(&desk, json!({})).await;
    let ticket = accepted(&desk, &desk.admin, MARIA).await;
    let (status, asked) = request(&desk, &desk.admin, ticket).await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    assert_eq!(
        (asked["state"].clone(), asked["scale"].clone(), asked["score"].clone()),
        (json!("awaiting"), json!(5), Value::Null)
    );
    let sent = bodies(&desk, ticket).await;
    let survey = sent.last().expect("the survey");
    assert!(survey.starts_with("Como você avalia o nosso atendimento?"), "{survey}");
    assert!(survey.contains("De 1 a 5"), "{survey}");
    assert!(log_kinds(&desk, ticket).await.contains(&("rating_requested".into(), json!({}))));
    // The survey goes through the outbox like any message.
    let (_, page) = desk.app.get(&format!("/api/v1/tickets/{ticket}/messages?limit=1"), &desk.admin).await;
    let survey_id = page["items"][0]["id"].as_i64().expect("id");
    assert_eq!(desk.app.settled(&desk.admin, ticket, survey_id).await["status"], "sent");

    // Resolved; the answer comes later and lands in the same (closed) ticket.
    desk.app.act(&desk.admin, ticket, "resolve", json!({})).await;
    assert_eq!(answer(&desk, MARIA, "nota 4").await, ticket);
    assert_eq!(status_of(&desk, ticket).await, "closed", "the answer does not reopen it");
    assert!(desk.app.ticket_ids(&desk.admin, "status=pending").await.is_empty(), "no new ticket");
    let got = rating(&desk, ticket).await;
    assert_eq!((got["state"].clone(), got["score"].clone()), (json!("received"), json!(4)));
    assert!(log_kinds(&desk, ticket).await.contains(&("rating_received".into(), json!({"score": 4}))));
    let sent = bodies(&desk, ticket).await;
    assert_eq!(sent[sent.len() - 2..], ["nota 4".to_owned(), "Obrigado pela sua avaliação!".to_owned()]);
    let (_, list) = desk.app.get("/api/v1/ratings", &desk.admin).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list["items"][0]["ticket_id"], ticket);
    assert_eq!(list["items"][0]["score"], 4);

    // One rating per survey: the next message is an ordinary one.
    let next = answer(&desk, MARIA, "5").await;
    assert_ne!(next, ticket);
    assert_eq!(status_of(&desk, next).await, "pending");
    assert_eq!(rating(&desk, ticket).await["score"], 4);
}

#[tokio::test]
async fn words_and_number_words_are_read_on_the_configured_scale() {
    let desk = desk().await;
    ratings_on(&desk, json!({"scale": 10})).await;
    let ticket = accepted(&desk, &desk.admin, MARIA).await;
    request(&desk, &desk.admin, ticket).await;
    assert!(bodies(&desk, ticket).await.last().is_some_and(|s| s.contains("De 1 a 10")));
    answer(&desk, MARIA, "Ótimo!").await;
    assert_eq!(rating(&desk, ticket).await["score"], 10, "ótimo is the top of a scale of 10");

    ratings_on(&desk, json!({"scale": 5})).await;
    request(&desk, &desk.admin, ticket).await;
    answer(&desk, MARIA, "cinco").await;
    assert_eq!(rating(&desk, ticket).await["score"], 5);
    request(&desk, &desk.admin, ticket).await;
    answer(&desk, MARIA, "ruim").await;
    assert_eq!(rating(&desk, ticket).await["score"], 2);
    // The ticket stayed open and the answers are in its thread.
    assert_eq!(status_of(&desk, ticket).await, "open");
    let sent = bodies(&desk, ticket).await;
    for said in ["Ótimo!", "cinco", "ruim"] {
        assert!(sent.iter().any(|b| b == said), "{said} in {sent:?}");
    }
}

#[tokio::test]
async fn a_reply_that_is_no_score_is_asked_once_then_is_an_ordinary_message() {
    let desk = desk().await;
    ratings_on(&desk, json!({})).await;
    let ticket = accepted(&desk, &desk.admin, MARIA).await;
    let (status, body) = desk.app.act(&desk.admin, ticket, "resolve", json!({"send_rating": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // First reply that is not a score: kept in the rated ticket, asked once more.
    assert_eq!(answer(&desk, MARIA, "qual o horário de vocês?").await, ticket);
    assert!(desk.app.ticket_ids(&desk.admin, "status=pending").await.is_empty());
    let sent = bodies(&desk, ticket).await;
    assert!(sent.last().is_some_and(|b| b.starts_with("Desculpe, não entendi")), "{sent:?}");
    let got = rating(&desk, ticket).await;
    assert_eq!((got["state"].clone(), got["reasked"].clone()), (json!("awaiting"), json!(true)));

    // Second one: an ordinary message, which opens a ticket; the survey is given up.
    let next = answer(&desk, MARIA, "preciso da segunda via do boleto").await;
    assert_ne!(next, ticket);
    assert_eq!(status_of(&desk, next).await, "pending");
    assert_eq!(rating(&desk, ticket).await["state"], "abandoned");
    // And a score after that is just a message in the new ticket.
    assert_eq!(answer(&desk, MARIA, "5").await, next);
    assert_eq!(rating(&desk, ticket).await["score"], Value::Null);
    let (_, list) = desk.app.get("/api/v1/ratings", &desk.admin).await;
    assert_eq!(list["summary"]["count"], 0);
    assert_eq!(bodies(&desk, ticket).await.iter().filter(|b| b.starts_with("Desculpe")).count(), 1, "asked once");
}

#[tokio::test]
async fn a_valid_answer_after_the_re_ask_counts() {
    let desk = desk().await;
    ratings_on(&desk, json!({})).await;
    let ticket = accepted(&desk, &desk.admin, MARIA).await;
    request(&desk, &desk.admin, ticket).await;
    answer(&desk, MARIA, "hmm").await;
    answer(&desk, MARIA, "⭐⭐⭐").await;
    let got = rating(&desk, ticket).await;
    assert_eq!((got["state"].clone(), got["score"].clone()), (json!("received"), json!(3)));
}

#[tokio::test]
async fn after_the_window_replies_are_ordinary_messages() {
    use atende::store::entities::ratings;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    let desk = desk().await;
    ratings_on(&desk, json!({"window_minutes": 5})).await;
    let ticket = accepted(&desk, &desk.admin, MARIA).await;
    let (_, asked) = request(&desk, &desk.admin, ticket).await;
    let expires =
        chrono::DateTime::parse_from_rfc3339(asked["expires_at"].as_str().expect("expires_at")).expect("time");
    let requested = chrono::DateTime::parse_from_rfc3339(asked["requested_at"].as_str().expect("at")).expect("time");
    assert_eq!((expires - requested).num_minutes(), 5);
    desk.app.act(&desk.admin, ticket, "resolve", json!({})).await;
    // Time passes: the window closed a minute ago.
    ratings::Entity::update_many()
        .col_expr(ratings::Column::ExpiresAt, Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)))
        .filter(ratings::Column::Id.eq(asked["id"].as_i64().expect("id")))
        .exec(&desk.app.state.db)
        .await
        .expect("expire the survey");
    assert_eq!(rating(&desk, ticket).await["state"], "expired");
    let next = answer(&desk, MARIA, "5").await;
    assert_ne!(next, ticket, "a new ticket");
    assert_eq!(status_of(&desk, next).await, "pending");
    assert_eq!(rating(&desk, ticket).await["score"], Value::Null);
}

#[tokio::test]
async fn resolving_sends_the_survey_when_asked_or_when_the_settings_say_so() {
    let desk = desk().await;
    // Off: the flag sends nothing, and the ticket is resolved all the same.
    let ticket = accepted(&desk, &desk.admin, MARIA).await;
    let (status, _) = desk.app.act(&desk.admin, ticket, "resolve", json!({"send_rating": true})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rating(&desk, ticket).await, Value::Null);

    ratings_on(&desk, json!({})).await;
    // On, without the flag (or without any body): nothing.
    let (status, body) = desk.app.act(&desk.admin, ticket, "reopen", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = desk
        .app
        .send(reqwest::Method::POST, &format!("/api/v1/tickets/{ticket}/resolve"), Some(&desk.admin), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(rating(&desk, ticket).await, Value::Null);
    // With the flag: sent after the resolution.
    desk.app.act(&desk.admin, ticket, "reopen", json!({})).await;
    let (_, resolved) = desk.app.act(&desk.admin, ticket, "resolve", json!({"send_rating": true})).await;
    assert_eq!(resolved["status"], "closed");
    assert!(resolved["last_message"]["body"].as_str().is_some_and(|b| b.contains("De 1 a 5")), "{resolved}");
    assert_eq!(rating(&desk, ticket).await["state"], "awaiting");
    answer(&desk, MARIA, "5").await;
    assert_eq!(rating(&desk, ticket).await["score"], 5);

    // on_resolve: every resolution sends it, flag or not.
    ratings_on(&desk, json!({"on_resolve": true})).await;
    let other = accepted(&desk, &desk.admin, "11912345678").await;
    desk.app.act(&desk.admin, other, "resolve", json!({})).await;
    assert_eq!(rating(&desk, other).await["state"], "awaiting");
    assert!(log_kinds(&desk, other).await.iter().any(|(kind, _)| kind == "rating_requested"));
    // A malformed body is refused, and nothing changes.
    let third = accepted(&desk, &desk.admin, "11955554444").await;
    let response = desk
        .app
        .client
        .post(desk.app.url(&format!("/api/v1/tickets/{third}/resolve")))
        .bearer_auth(&desk.admin)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(status_of(&desk, third).await, "open");
}

#[tokio::test]
async fn with_ratings_off_the_request_is_refused() {
    let desk = desk().await;
    let ticket = accepted(&desk, &desk.admin, MARIA).await;
    let (status, body) = request(&desk, &desk.admin, ticket).await;
    assert_error(status, &body, StatusCode::CONFLICT, "ratings_disabled");
    assert_eq!(bodies(&desk, ticket).await, ["oi, preciso de ajuda"], "nothing sent");
    assert_eq!(rating(&desk, ticket).await, Value::Null);
    let (status, body) = request(&desk, &desk.admin, 999_999).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_summary_counts_averages_and_distributes_by_agent_queue_and_period() {
    let desk = desk().await;
    ratings_on(&desk, json!({})).await;
    let (ana_id, ana) = desk.app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let (_, me) = desk.app.get("/api/v1/me", &desk.admin).await;
    let admin_id = me["id"].as_i64().expect("id");
    for (from, who, score) in
        [("11911110001", &ana, "5"), ("11911110002", &ana, "4"), ("11911110003", &desk.admin, "1")]
    {
        let ticket = accepted(&desk, who, from).await;
        let (status, body) = request(&desk, who, ticket).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        answer(&desk, from, score).await;
    }
    let (status, list) = desk.app.get("/api/v1/ratings", &desk.admin).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["summary"]["count"], 3);
    let average = list["summary"]["average"].as_f64().expect("average");
    assert!((average - 10.0 / 3.0).abs() < 1e-9, "{average}");
    assert_eq!(list["summary"]["distribution"], json!({"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}));
    let scores: Vec<i64> =
        list["items"].as_array().expect("items").iter().map(|i| i["score"].as_i64().unwrap_or(0)).collect();
    assert_eq!(scores, [1, 4, 5], "newest first");
    assert!(list["items"].as_array().expect("items").iter().all(|i| i["queue_id"] == desk.queue));

    let (_, anas) = desk.app.get(&format!("/api/v1/ratings?user_id={ana_id}"), &desk.admin).await;
    assert_eq!((anas["summary"]["count"].clone(), anas["summary"]["average"].clone()), (json!(2), json!(4.5)));
    let (_, by_queue) = desk.app.get(&format!("/api/v1/ratings?queue_id={}", desk.queue), &desk.admin).await;
    assert_eq!(by_queue["summary"]["count"], 3);
    let (_, other_queue) = desk.app.get("/api/v1/ratings?queue_id=999999", &desk.admin).await;
    assert_eq!(
        (other_queue["summary"]["count"].clone(), other_queue["summary"]["average"].clone()),
        (json!(0), Value::Null)
    );
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (_, later) = desk.app.get(&format!("/api/v1/ratings?from={future}"), &desk.admin).await;
    assert_eq!(later["summary"]["count"], 0);
    let (_, earlier) = desk.app.get(&format!("/api/v1/ratings?to={future}&limit=1"), &desk.admin).await;
    assert_eq!((earlier["summary"]["count"].clone(), earlier["items"].as_array().map(Vec::len)), (json!(3), Some(1)));
    let (status, body) = desk.app.get("/api/v1/ratings?from=yesterday", &desk.admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");

    // The dashboard: per agent and per queue, for the period asked.
    let (_, dashboard) = desk.app.get("/api/v1/dashboard", &desk.admin).await;
    let report = &dashboard["ratings"];
    assert_eq!(report["summary"]["count"], 3);
    let agents = report["by_agent"].as_array().expect("by_agent");
    let of = |id: i64| agents.iter().find(|a| a["user"]["id"] == id).map(|a| a["summary"].clone());
    assert_eq!(of(ana_id).map(|s| (s["count"].clone(), s["average"].clone())), Some((json!(2), json!(4.5))));
    assert_eq!(of(admin_id).map(|s| s["distribution"]["1"].clone()), Some(json!(1)));
    assert_eq!(report["by_queue"][0]["queue"]["id"], desk.queue);
    assert_eq!(report["by_queue"][0]["summary"]["count"], 3);
    assert!(dashboard["open"].is_number(), "the other figures stay");
    let (_, later) = desk.app.get(&format!("/api/v1/dashboard?from={future}"), &desk.admin).await;
    assert_eq!(later["ratings"]["summary"]["count"], 0);
    assert_eq!(later["ratings"]["by_agent"], json!([]));
}

#[tokio::test]
async fn other_companies_and_agents_outside_the_ticket_see_nothing() {
    let desk = desk().await;
    ratings_on(&desk, json!({})).await;
    let app = &desk.app;
    let sales = app.queue(&desk.admin, "Vendas").await;
    let (ana_id, ana) = app.user(&desk.admin, "ana@test.local", "agent", &[desk.queue]).await;
    let (_, bia) = app.user(&desk.admin, "bia@test.local", "agent", &[sales]).await;
    let (status, created) = app
        .post(
            "/api/v1/companies",
            &desk.admin,
            json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.test", "password": "olga-secret-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let olga = app.login("olga@outra.test", "olga-secret-1").await;
    let mut olga_events = EventStream::connect(&app.ws_url(&olga, None)).await;
    let mut bia_events = EventStream::connect(&app.ws_url(&bia, None)).await;
    let mut ana_events = EventStream::connect(&app.ws_url(&ana, None)).await;

    let ticket = accepted(&desk, &ana, MARIA).await;
    for token in [&olga, &bia] {
        let (status, body) = request(&desk, token, ticket).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, body) = app.get(&format!("/api/v1/tickets/{ticket}/rating"), token).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, asked) = request(&desk, &ana, ticket).await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    let seen = ana_events.until("rating.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["ticket_id"].clone()), Some(json!(ticket)));
    answer(&desk, MARIA, "5").await;
    let seen = ana_events.until("rating.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["score"].clone()), Some(json!(5)));
    for events in [&mut olga_events, &mut bia_events] {
        while let Some(event) = events.next_within(Duration::from_millis(300)).await {
            assert_ne!(event["type"], "rating.updated", "{event}");
            assert_ne!(event["data"]["id"], json!(ticket), "{event}");
        }
    }

    // Reports: another company's are empty; an agent sees only their own.
    let (_, theirs) = app.get("/api/v1/ratings", &olga).await;
    assert_eq!((theirs["items"].clone(), theirs["summary"]["count"].clone()), (json!([]), json!(0)));
    let (_, dashboard) = app.get("/api/v1/dashboard", &olga).await;
    assert_eq!(dashboard["ratings"]["summary"]["count"], 0);
    let (_, anas) = app.get("/api/v1/ratings", &ana).await;
    assert_eq!(anas["summary"]["count"], 1);
    let (_, bias) = app.get("/api/v1/ratings", &bia).await;
    assert_eq!(bias["summary"]["count"], 0, "Bia's own: none");
    let (status, body) = app.get(&format!("/api/v1/ratings?user_id={ana_id}"), &bia).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (_, bia_dashboard) = app.get("/api/v1/dashboard", &bia).await;
    assert_eq!(bia_dashboard["ratings"]["summary"]["count"], 0);
    let (_, all) = app.get(&format!("/api/v1/ratings?user_id={ana_id}"), &desk.admin).await;
    assert_eq!(all["summary"]["count"], 1);
}
