//! The bots: per-ticket switches, and the engine's loop through the simulated channel against a
//! local Typebot stand-in speaking the chat API's documented format (startChat / continueChat):
//! the real client and engine run.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Desk, TestApp, assert_error, desk};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// What the Typebot stand-in saw, and how it behaves.
#[derive(Default)]
struct Typebot {
    base: String,
    /// Public ids startChat was called with.
    started: Vec<String>,
    /// (session id, body) of each continueChat.
    continued: Vec<(String, Value)>,
    /// startChat answers 500.
    broken: bool,
}

type Shared = Arc<Mutex<Typebot>>;

fn rich(text: &str) -> Value {
    json!({"type": "richText", "richText": [{"type": "p", "children": [{"text": text}]}]})
}

async fn start_typebot() -> (String, Shared) {
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route(
            "/api/v1/typebots/{public_id}/startChat",
            post(|State(seen): State<Shared>, Path(public_id): Path<String>| async move {
                let mut seen = seen.lock().expect("lock");
                seen.started.push(public_id);
                if seen.broken {
                    return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({"message": "Typebot is down"})));
                }
                let image = format!("{}/img/logo.png", seen.base);
                (
                    StatusCode::OK,
                    axum::Json(json!({
                        "sessionId": "sess-1",
                        "resultId": "r-1",
                        "typebot": {"id": "tb", "version": "6", "theme": {}, "settings": {}},
                        "messages": [
                            {"id": "m1", "type": "text", "content": rich("Olá! Sou o assistente virtual.")},
                            {"id": "m2", "type": "image", "content": {"url": image}}
                        ],
                        "input": {"id": "in1", "type": "choice input", "items": [
                            {"id": "c1", "content": "Sim"}, {"id": "c2", "content": "Não"}
                        ]}
                    })),
                )
            }),
        )
        .route(
            "/api/v1/sessions/{session}/continueChat",
            post(|State(seen): State<Shared>, Path(session): Path<String>, body: String| async move {
                let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                seen.lock().expect("lock").continued.push((session, body));
                axum::Json(json!({"messages": [
                    {"id": "m3", "type": "text", "content": rich("Obrigado! Um atendente já vai falar com você.")}
                ]}))
            }),
        )
        .route("/img/logo.png", get(|| async { ([("content-type", "image/png")], PNG) }))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    seen.lock().expect("lock").base = base.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, seen)
}

async fn enable_typebot(app: &TestApp, admin: &str, base: &str) {
    let (status, body) = app
        .patch(
            "/api/v1/settings",
            admin,
            json!({"typebot": {"enabled": true, "base_url": base, "public_id": "atende-bot", "handover_keyword": "atendente"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["typebot"]["handover_keyword"], "atendente");
}

async fn set_bots(app: &TestApp, token: &str, ticket: i64, body: Value) -> (StatusCode, Value) {
    app.send(reqwest::Method::PUT, &format!("/api/v1/tickets/{ticket}/bots"), Some(token), Some(body)).await
}

async fn messages(app: &TestApp, token: &str, ticket: i64) -> Vec<Value> {
    let (status, page) = app.get(&format!("/api/v1/tickets/{ticket}/messages?limit=100"), token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut items = page["items"].as_array().cloned().unwrap_or_default();
    items.reverse(); // oldest first
    items
}

/// Polls `ticket`'s thread until `done` holds (15 s at most).
async fn wait_for_thread(app: &TestApp, token: &str, ticket: i64, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let items = messages(app, token, ticket).await;
        if done(&items) {
            return items;
        }
        assert!(Instant::now() < deadline, "the thread never got there: {items:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn by_bot(items: &[Value]) -> Vec<&Value> {
    items.iter().filter(|m| m["sender"] == "bot").collect()
}

async fn logs(app: &TestApp, token: &str, ticket: i64) -> Vec<Value> {
    let (status, page) = app.get(&format!("/api/v1/tickets/{ticket}/logs?limit=100"), token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().cloned().unwrap_or_default()
}

/// No bot turn left in the queue (everything the bots were given is answered).
async fn bots_idle(app: &TestApp) {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let deadline = Instant::now() + Duration::from_secs(15);
    while atende::store::entities::bot_jobs::Entity::find().count(&app.state.db).await.expect("count") > 0 {
        assert!(Instant::now() < deadline, "bot turns still queued");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_typebot_loop_runs_from_the_customer_to_the_bot_and_back_to_the_queue() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (base, typebot) = start_typebot().await;
    enable_typebot(&app, &admin, &base).await;
    let (_, agent) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    let ticket = app.inbound(&admin, connection, "11987650001", "Oi").await;
    assert_eq!(
        app.ticket(&agent, ticket).await["bots"],
        json!({"typebot": false, "chatgpt": false, "dialogflow": false})
    );

    // The agent of the queue hands the waiting ticket to Typebot.
    let (status, bots) = set_bots(&app, &agent, ticket, json!({"typebot": true})).await;
    assert_eq!(status, StatusCode::OK, "{bots}");
    assert_eq!(bots, json!({"typebot": true, "chatgpt": false, "dialogflow": false}));
    let detail = app.ticket(&agent, ticket).await;
    assert_eq!((detail["bots"]["typebot"].clone(), detail["bot"].clone()), (json!(true), json!("typebot")));

    // The customer writes: the bot greets, shows an image and offers numbered options.
    let (status, _) =
        app.customer_writes(&admin, connection, json!({"from": "11987650001", "body": "Quero ajuda"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let thread = wait_for_thread(&app, &agent, ticket, |items| by_bot(items).len() == 3).await;
    let replies = by_bot(&thread);
    assert_eq!(replies[0]["body"], "Olá! Sou o assistente virtual.");
    assert_eq!((replies[1]["kind"].clone(), replies[1]["media_mime"].clone()), (json!("image"), json!("image/png")));
    assert_eq!(replies[2]["body"], "1. Sim\n2. Não");
    for reply in &replies {
        assert_eq!(
            (reply["from_me"].clone(), reply["bot"].clone(), reply["user_id"].clone()),
            (json!(true), json!("typebot"), Value::Null)
        );
        // Sent through the outbox like an agent's message.
        let settled = app.settled(&agent, ticket, reply["id"].as_i64().unwrap()).await;
        assert_eq!(settled["status"], "sent", "{settled}");
    }
    assert_eq!(thread.iter().find(|m| m["body"] == "Quero ajuda").unwrap()["sender"], "contact");
    assert_eq!(typebot.lock().unwrap().started, ["atende-bot"]);

    // The customer answers with the option's number: Typebot gets the option's text.
    app.customer_writes(&admin, connection, json!({"from": "11987650001", "body": "1"})).await;
    let thread =
        wait_for_thread(&app, &agent, ticket, |items| items.iter().any(|m| m["system"]["kind"] == "bot_handed_over"))
            .await;
    let continued = typebot.lock().unwrap().continued.clone();
    assert_eq!(continued, [("sess-1".to_owned(), json!({"message": {"type": "text", "text": "Sim"}}))]);
    let last = by_bot(&thread).last().cloned().cloned().unwrap();
    assert_eq!(last["body"], "Obrigado! Um atendente já vai falar com você.");
    let line = thread.iter().find(|m| m["system"]["kind"] == "bot_handed_over").unwrap();
    assert_eq!((line["sender"].clone(), line["system"]["actor"].clone()), (json!("system"), json!("Typebot")));

    // The flow ended: the ticket waits in its queue for people, the agent sees it pending.
    let detail = app.ticket(&agent, ticket).await;
    assert_eq!(detail["bots"], json!({"typebot": false, "chatgpt": false, "dialogflow": false}));
    assert_eq!((detail["status"].clone(), detail["queue"]["id"].clone()), (json!("pending"), json!(queue)));
    assert!(app.ticket_ids(&agent, "status=pending").await.contains(&ticket));
    let rows = logs(&app, &agent, ticket).await;
    let switched: Vec<&Value> = rows.iter().filter(|r| r["kind"] == "bot_switched").collect();
    assert_eq!(switched.len(), 2, "{rows:#?}");
    assert_eq!(switched[0]["details"], json!({"bot": "typebot", "enabled": false, "reason": "hand_over"}));
    assert_eq!(switched[1]["details"], json!({"bot": "typebot", "enabled": true}));

    // A later message is the agent's to answer: Typebot hears nothing more.
    app.customer_writes(&admin, connection, json!({"from": "11987650001", "body": "Alô?"})).await;
    bots_idle(&app).await;
    assert_eq!(typebot.lock().unwrap().continued.len(), 1);
}

#[tokio::test]
async fn the_keyword_hands_over_and_accepting_switches_the_bot_off() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (base, typebot) = start_typebot().await;
    enable_typebot(&app, &admin, &base).await;
    let (_, agent) = app.user(&admin, "bia@test.local", "agent", &[queue]).await;
    let ticket = app.inbound(&admin, connection, "11987650002", "Oi").await;
    set_bots(&app, &agent, ticket, json!({"typebot": true})).await;
    app.customer_writes(&admin, connection, json!({"from": "11987650002", "body": "Oi de novo"})).await;
    wait_for_thread(&app, &agent, ticket, |items| by_bot(items).len() == 3).await;
    // "Atendente!" is the keyword: no call to Typebot, the ticket goes to people.
    app.customer_writes(&admin, connection, json!({"from": "11987650002", "body": " Atendente! "})).await;
    wait_for_thread(&app, &agent, ticket, |items| items.iter().any(|m| m["system"]["kind"] == "bot_handed_over")).await;
    assert!(typebot.lock().unwrap().continued.is_empty());
    assert_eq!(app.ticket(&agent, ticket).await["bot"], Value::Null);

    // On again, then an agent accepts: the bot stops.
    set_bots(&app, &agent, ticket, json!({"typebot": true})).await;
    let (status, body) = app.act(&agent, ticket, "accept", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["bot"], Value::Null);
    assert_eq!(app.ticket(&agent, ticket).await["bots"]["typebot"], false);
}

#[tokio::test]
async fn switches_answer_409_when_the_integration_is_off_and_404_outside_the_queue() {
    let Desk { app, admin, queue, connection } = desk().await;
    let other_queue = app.queue(&admin, "Vendas").await;
    let (_, agent) = app.user(&admin, "caio@test.local", "agent", &[queue]).await;
    let (_, outsider) = app.user(&admin, "duda@test.local", "agent", &[other_queue]).await;
    let ticket = app.inbound(&admin, connection, "11987650003", "Oi").await;

    for bot in ["typebot", "chatgpt", "dialogflow"] {
        let (status, body) = set_bots(&app, &agent, ticket, json!({bot: true})).await;
        assert_error(status, &body, StatusCode::CONFLICT, "bot_disabled");
    }
    let (status, body) = set_bots(&app, &outsider, ticket, json!({"typebot": true})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = set_bots(&app, &agent, ticket, json!({"typebot": true, "chatgpt": true})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["bots"]["code"], "one_bot_at_a_time");
    let (status, body) = set_bots(&app, &agent, ticket, json!({"telegram": true})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Switching off what is off changes nothing and writes no log row.
    let (status, bots) = set_bots(&app, &agent, ticket, json!({"typebot": false})).await;
    assert_eq!((status, bots["typebot"].clone()), (StatusCode::OK, json!(false)));
    assert!(logs(&app, &agent, ticket).await.iter().all(|r| r["kind"] != "bot_switched"));

    // On once the integration is, and off again.
    enable_typebot(&app, &admin, "http://127.0.0.1:9").await;
    let (status, bots) = set_bots(&app, &agent, ticket, json!({"typebot": true})).await;
    assert_eq!((status, bots["typebot"].clone()), (StatusCode::OK, json!(true)));
    let (_, bots) = set_bots(&app, &agent, ticket, json!({"typebot": false})).await;
    assert_eq!(bots, json!({"typebot": false, "chatgpt": false, "dialogflow": false}));
}

#[tokio::test]
async fn a_provider_failure_leaves_a_system_line_and_the_ticket_with_people() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (base, typebot) = start_typebot().await;
    typebot.lock().unwrap().broken = true;
    enable_typebot(&app, &admin, &base).await;
    let (_, agent) = app.user(&admin, "eva@test.local", "agent", &[queue]).await;
    let ticket = app.inbound(&admin, connection, "11987650004", "Oi").await;
    set_bots(&app, &agent, ticket, json!({"typebot": true})).await;

    let (status, _) =
        app.customer_writes(&admin, connection, json!({"from": "11987650004", "body": "Tem alguém?"})).await;
    assert_eq!(status, StatusCode::CREATED, "the inbound path never fails for a bot");
    let thread =
        wait_for_thread(&app, &agent, ticket, |items| items.iter().any(|m| m["system"]["kind"] == "bot_failed")).await;
    let line = thread.iter().find(|m| m["system"]["kind"] == "bot_failed").unwrap();
    assert!(line["error"].as_str().unwrap().contains("500"), "{line}");
    assert!(by_bot(&thread).is_empty());
    let detail = app.ticket(&agent, ticket).await;
    assert_eq!((detail["bot"].clone(), detail["status"].clone()), (Value::Null, json!("pending")));
    assert!(app.ticket_ids(&agent, "status=pending").await.contains(&ticket));
    let rows = logs(&app, &agent, ticket).await;
    assert_eq!(rows.iter().find(|r| r["kind"] == "bot_switched").unwrap()["details"]["reason"], "error");
}

#[tokio::test]
async fn the_same_inbound_delivered_twice_runs_the_bot_once() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (base, typebot) = start_typebot().await;
    enable_typebot(&app, &admin, &base).await;
    let (_, agent) = app.user(&admin, "fabi@test.local", "agent", &[queue]).await;
    let ticket = app.inbound(&admin, connection, "11987650005", "Oi").await;
    set_bots(&app, &agent, ticket, json!({"typebot": true})).await;
    let message = json!({"from": "11987650005", "body": "Olá", "external_id": "wamid.twice"});
    let (first, _) = app.customer_writes(&admin, connection, message.clone()).await;
    let (second, _) = app.customer_writes(&admin, connection, message).await;
    assert_eq!((first, second.is_success()), (StatusCode::CREATED, true));
    wait_for_thread(&app, &agent, ticket, |items| by_bot(items).len() == 3).await;
    bots_idle(&app).await;
    assert_eq!(typebot.lock().unwrap().started.len(), 1);
    assert_eq!(by_bot(&messages(&app, &agent, ticket).await).len(), 3);
}

#[tokio::test]
async fn a_queue_or_connection_default_bot_answers_new_tickets_when_its_integration_is_on() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (base, typebot) = start_typebot().await;
    // The queue's default, while Typebot is off: new tickets start without a bot.
    let (status, saved) =
        app.patch(&format!("/api/v1/queues/{queue}"), &admin, json!({"default_bot": "typebot"})).await;
    assert_eq!((status, saved["default_bot"].clone()), (StatusCode::OK, json!("typebot")));
    let off = app.inbound(&admin, connection, "11987650006", "Oi").await;
    assert_eq!(app.ticket(&admin, off).await["bot"], Value::Null);

    // With Typebot on, a new ticket of the queue starts with it and its first message is answered.
    enable_typebot(&app, &admin, &base).await;
    let on = app.inbound(&admin, connection, "11987650007", "Bom dia").await;
    let detail = app.ticket(&admin, on).await;
    assert_eq!((detail["bot"].clone(), detail["status"].clone()), (json!("typebot"), json!("pending")));
    wait_for_thread(&app, &admin, on, |items| by_bot(items).len() == 3).await;
    assert_eq!(typebot.lock().unwrap().started.len(), 1);

    // Cleared on the queue, set on the connection: the connection's is used.
    let (_, saved) = app.patch(&format!("/api/v1/queues/{queue}"), &admin, json!({"default_bot": null})).await;
    assert_eq!(saved["default_bot"], Value::Null);
    let (status, saved) =
        app.patch(&format!("/api/v1/connections/{connection}"), &admin, json!({"default_bot": "typebot"})).await;
    assert_eq!((status, saved["default_bot"].clone()), (StatusCode::OK, json!("typebot")));
    let third = app.inbound(&admin, connection, "11987650008", "Olá").await;
    assert_eq!(app.ticket(&admin, third).await["bot"], "typebot");
    let (_, saved) =
        app.patch(&format!("/api/v1/connections/{connection}"), &admin, json!({"default_bot": null})).await;
    assert_eq!(saved["default_bot"], Value::Null);
    let fourth = app.inbound(&admin, connection, "11987650009", "Olá").await;
    assert_eq!(app.ticket(&admin, fourth).await["bot"], Value::Null);
    bots_idle(&app).await;

    // An unknown bot is refused.
    let (status, _) = app.patch(&format!("/api/v1/queues/{queue}"), &admin, json!({"default_bot": "siri"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A ChatGPT stand-in (`POST /v1/chat/completions`) answering from a script, keeping each request.
async fn start_chatgpt(script: Vec<Value>) -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let script = Arc::new(Mutex::new(std::collections::VecDeque::from(script)));
    let app = Router::new().route(
        "/v1/chat/completions",
        post(move |State(seen): State<Arc<Mutex<Vec<Value>>>>, body: String| {
            let script = script.clone();
            async move {
                seen.lock().expect("lock").push(serde_json::from_str(&body).unwrap_or(Value::Null));
                let message = script.lock().expect("lock").pop_front().unwrap_or(json!({"role": "assistant"}));
                axum::Json(json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1_764_000_000,
                    "model": "gpt-test", "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}))
            }
        }),
    );
    let app = app.with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, seen)
}

#[tokio::test]
async fn the_chatgpt_bot_answers_through_the_engine_and_its_transfer_tool_hands_over() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (base, seen) = start_chatgpt(vec![
        json!({"role": "assistant", "content": "Olá! Em que posso ajudar?"}),
        json!({"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "transfer_to_human", "arguments": "{\"reason\":\"pediu um atendente\"}"}}]}),
    ])
    .await;
    let (status, body) = app
        .patch(
            "/api/v1/settings",
            &admin,
            json!({"chatgpt": {"enabled": true, "base_url": format!("{base}/v1"), "api_key": "sk-engine",
                "model": "gpt-test", "system_prompt": "Você é o assistente da Loja Azul."}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ticket = app.inbound(&admin, connection, "11987650009", "Oi").await;
    let (status, bots) = set_bots(&app, &admin, ticket, json!({"chatgpt": true})).await;
    assert_eq!(status, StatusCode::OK, "{bots}");

    // The customer writes: the model's answer is stored as the bot's and sent.
    app.customer_writes(&admin, connection, json!({"from": "11987650009", "body": "Qual o horário?"})).await;
    let thread = wait_for_thread(&app, &admin, ticket, |items| by_bot(items).len() == 1).await;
    let reply = by_bot(&thread)[0].clone();
    assert_eq!((reply["body"].clone(), reply["bot"].clone()), (json!("Olá! Em que posso ajudar?"), json!("chatgpt")));
    let settled = app.settled(&admin, ticket, reply["id"].as_i64().unwrap()).await;
    assert_eq!(settled["status"], "sent", "{settled}");
    let first = seen.lock().unwrap()[0].clone();
    let sent: Vec<&str> = first["messages"].as_array().unwrap().iter().filter_map(|m| m["content"].as_str()).collect();
    assert!(sent.contains(&"Qual o horário?"), "the customer's message is the context: {first}");

    // The customer asks for a person: the model calls the tool, the ticket goes back to its queue.
    app.customer_writes(&admin, connection, json!({"from": "11987650009", "body": "Quero falar com alguém"})).await;
    wait_for_thread(&app, &admin, ticket, |items| items.iter().any(|m| m["system"]["kind"] == "bot_handed_over")).await;
    let detail = app.ticket(&admin, ticket).await;
    assert_eq!(detail["bots"], json!({"typebot": false, "chatgpt": false, "dialogflow": false}));
    assert_eq!((detail["status"].clone(), detail["queue"]["id"].clone()), (json!("pending"), json!(queue)));
    assert_eq!(seen.lock().unwrap().len(), 2);
}
