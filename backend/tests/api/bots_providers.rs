//! The bots' providers behind the engine's seam (`domain::bots::{chatgpt, dialogflow}::turn`),
//! each against a local stand-in that speaks the provider's documented format: OpenAI chat
//! completions with tool calls; DialogFlow ES and CX detectIntent and Google's OAuth2 token
//! endpoint. The real client code runs; the stand-ins check what they receive.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use atende::domain::bots::{BotError, BotInput, BotReply, BotTurn};
use atende::integrations::ProviderError;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode as AxumStatus};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::{CompanyId, TicketId};

use crate::helpers::{Desk, TestApp, desk};

/// A scripted answer: status, extra headers, body.
type Script = (u16, Vec<(&'static str, String)>, String);

/// What a stand-in received, and what it answers next (a 500 when the script runs out).
#[derive(Default)]
struct Recorder {
    /// (path, authorization header, body) of each request.
    requests: Vec<(String, String, String)>,
    script: VecDeque<Script>,
}

type Shared = Arc<Mutex<Recorder>>;

async fn record(State(recorder): State<Shared>, uri: axum::http::Uri, headers: HeaderMap, body: String) -> Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let mut recorder = recorder.lock().expect("lock");
    recorder.requests.push((uri.path().to_owned(), auth, body));
    let Some((status, extra, body)) = recorder.script.pop_front() else {
        return (AxumStatus::INTERNAL_SERVER_ERROR, "no answer scripted").into_response();
    };
    let mut response = (AxumStatus::from_u16(status).expect("status"), body).into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    for (name, value) in extra {
        response.headers_mut().insert(name, HeaderValue::from_str(&value).expect("header"));
    }
    response
}

/// A stand-in answering every POST from its script.
async fn stand_in() -> (String, Shared) {
    let recorder: Shared = Arc::default();
    let app = Router::new().fallback(post(record)).with_state(recorder.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, recorder)
}

fn answer(recorder: &Shared, status: u16, headers: Vec<(&'static str, String)>, body: Value) {
    recorder.lock().unwrap().script.push_back((status, headers, body.to_string()));
}

fn requests(recorder: &Shared) -> Vec<(String, String, Value)> {
    recorder
        .lock()
        .unwrap()
        .requests
        .iter()
        .map(|(path, auth, body)| (path.clone(), auth.clone(), serde_json::from_str(body).unwrap_or(Value::Null)))
        .collect()
}

async fn company_of(app: &TestApp, token: &str) -> CompanyId {
    atende::domain::auth::authenticate(&app.state, token).await.expect("caller").company_id
}

async fn chatgpt_turn(app: &TestApp, company: CompanyId, ticket: i64, text: &str) -> Result<BotTurn, BotError> {
    let input = BotInput { company, ticket: TicketId(ticket), contact_name: "Cliente", text };
    atende::domain::bots::chatgpt::turn(&app.state, &input).await
}

fn completion(message: Value) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1_764_000_000, "model": "gpt-test",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
}

async fn enable_chatgpt(app: &TestApp, admin: &str, base: &str) {
    let (status, body) = app
        .patch(
            "/api/v1/settings",
            admin,
            json!({"chatgpt": {"enabled": true, "base_url": format!("{base}/v1"), "api_key": "sk-bot-secret",
                "model": "gpt-test", "system_prompt": "Você é o assistente da Loja Azul.", "temperature": 0.2,
                "max_tokens": 300}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn chatgpt_answers_with_the_thread_as_context() {
    let Desk { app, admin, connection, .. } = desk().await;
    let company = company_of(&app, &admin).await;
    let (base, openai) = stand_in().await;
    let ticket = app.inbound(&admin, connection, "5511988887777", "Oi, tudo bem?").await;

    // Switched off: no call is made.
    let refused = chatgpt_turn(&app, company, ticket, "Oi, tudo bem?").await;
    assert!(matches!(refused, Err(BotError::Provider(ProviderError::NotConfigured(_)))), "{refused:?}");
    assert!(requests(&openai).is_empty());

    enable_chatgpt(&app, &admin, &base).await;
    app.act(&admin, ticket, "accept", json!({})).await;
    let (status, sent) = app
        .post(&format!("/api/v1/tickets/{ticket}/messages"), &admin, json!({"body": "Olá! Como posso ajudar?"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let (status, note) = app
        .post(&format!("/api/v1/tickets/{ticket}/notes"), &admin, json!({"body": "cliente VIP, nota interna"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    app.inbound(&admin, connection, "5511988887777", "Quanto custa o frete para Campinas?").await;

    answer(&openai, 200, vec![], completion(json!({"role": "assistant", "content": " O frete custa R$ 12,00. "})));
    let turn = chatgpt_turn(&app, company, ticket, "Quanto custa o frete para Campinas?").await.expect("turn");
    assert_eq!(turn, BotTurn { replies: vec![BotReply::Text("O frete custa R$ 12,00.".into())], hand_over: false });

    let seen = requests(&openai);
    assert_eq!(seen.len(), 1);
    let (path, auth, body) = &seen[0];
    assert_eq!(path, "/v1/chat/completions");
    assert_eq!(auth, "Bearer sk-bot-secret");
    assert_eq!(body["model"], "gpt-test");
    assert_eq!(body["temperature"], 0.2);
    assert_eq!(body["max_tokens"], 300);
    assert_eq!(body["tool_choice"], "auto");
    let tool = &body["tools"][0];
    assert_eq!(tool["type"], "function", "{body}");
    assert_eq!(tool["function"]["name"], "transfer_to_human");
    assert_eq!(tool["function"]["parameters"]["properties"]["reason"]["type"], "string");
    let messages = body["messages"].as_array().expect("messages");
    assert_eq!(messages[0]["role"], "system");
    let system = messages[0]["content"].as_str().unwrap();
    assert!(system.starts_with("Você é o assistente da Loja Azul."), "{system}");
    assert!(system.contains("transfer_to_human") && system.contains("customer's language"), "{system}");
    // The thread in order, without the system line of the acceptance or the internal note.
    let thread: Vec<(&str, &str)> =
        messages[1..].iter().map(|m| (m["role"].as_str().unwrap(), m["content"].as_str().unwrap())).collect();
    assert_eq!(thread.len(), 3, "{thread:?}");
    assert_eq!(thread[0], ("user", "Oi, tudo bem?"));
    assert_eq!(thread[1].0, "assistant");
    assert!(thread[1].1.ends_with("Olá! Como posso ajudar?"), "{thread:?}");
    assert_eq!(thread[2], ("user", "Quanto custa o frete para Campinas?"));
    assert!(!body.to_string().contains("nota interna"));
}

#[tokio::test]
async fn chatgpt_keeps_the_newest_thread_within_its_budget() {
    let Desk { app, admin, connection, .. } = desk().await;
    let company = company_of(&app, &admin).await;
    let (base, openai) = stand_in().await;
    enable_chatgpt(&app, &admin, &base).await;
    // Eight messages of ~500 tokens each: the budget (3,000) holds the newest five.
    let mut ticket = 0;
    for i in 0..8 {
        let text = format!("mensagem {i} {}", "palavra ".repeat(250));
        ticket = app.inbound(&admin, connection, "5511977776666", &text).await;
    }
    answer(&openai, 200, vec![], completion(json!({"role": "assistant", "content": "Certo."})));
    chatgpt_turn(&app, company, ticket, "mensagem 7").await.expect("turn");
    let (_, _, body) = requests(&openai).remove(0);
    let thread: Vec<String> = body["messages"].as_array().unwrap()[1..]
        .iter()
        .map(|m| m["content"].as_str().unwrap().split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(thread, ["mensagem 3", "mensagem 4", "mensagem 5", "mensagem 6", "mensagem 7"]);
    let chars: usize =
        body["messages"].as_array().unwrap()[1..].iter().map(|m| m["content"].as_str().unwrap().len()).sum();
    assert!(
        chars / atende::domain::bots::chatgpt::CHARS_PER_TOKEN <= atende::domain::bots::chatgpt::CONTEXT_BUDGET_TOKENS
    );
}

#[tokio::test]
async fn chatgpt_hands_over_when_the_model_calls_the_tool_and_reports_provider_errors() {
    let Desk { app, admin, connection, .. } = desk().await;
    let company = company_of(&app, &admin).await;
    let (base, openai) = stand_in().await;
    enable_chatgpt(&app, &admin, &base).await;
    let ticket = app.inbound(&admin, connection, "5511966665555", "Quero falar com uma pessoa").await;
    let call = |content: Value| {
        json!({"role": "assistant", "content": content, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "transfer_to_human", "arguments": "{\"reason\": \"pediu um atendente\"}"}}]})
    };

    answer(&openai, 200, vec![], completion(call(Value::Null)));
    let turn = chatgpt_turn(&app, company, ticket, "Quero falar com uma pessoa").await.expect("turn");
    assert_eq!(turn, BotTurn { replies: vec![], hand_over: true });
    answer(&openai, 200, vec![], completion(call(json!("Vou transferir você para um atendente."))));
    let turn = chatgpt_turn(&app, company, ticket, "Quero falar com uma pessoa").await.expect("turn");
    assert_eq!(
        turn,
        BotTurn { replies: vec![BotReply::Text("Vou transferir você para um atendente.".into())], hand_over: true }
    );
    // Nothing said and nothing called: no reply, no hand-over.
    answer(&openai, 200, vec![], completion(json!({"role": "assistant", "content": ""})));
    assert_eq!(chatgpt_turn(&app, company, ticket, "ok").await.expect("turn"), BotTurn::default());

    let rate_limited = json!({"error": {"message": "Rate limit reached for gpt-test", "type": "requests", "code": "rate_limit_exceeded"}});
    answer(&openai, 429, vec![("retry-after", "20".into())], rate_limited);
    let error = chatgpt_turn(&app, company, ticket, "oi").await.expect_err("rate limited");
    let said = error.to_string();
    assert!(said.contains("rate limited") && said.contains("retry after 20"), "{said}");
    assert!(matches!(error, BotError::Provider(ProviderError::Status { status: 429, .. })), "{error:?}");

    // A server quoting the key back: refused, and the key is never in what is logged or shown.
    let refused =
        json!({"error": {"message": "Incorrect API key provided: sk-bot-secret", "type": "invalid_request_error"}});
    answer(&openai, 401, vec![], refused);
    let error = chatgpt_turn(&app, company, ticket, "oi").await.expect_err("refused");
    let (said, debug) = (error.to_string(), format!("{error:?}"));
    assert!(said.contains("API key was refused"), "{said}");
    assert!(!said.contains("sk-bot-secret") && !debug.contains("sk-bot-secret"), "{said} {debug}");

    openai.lock().unwrap().script.push_back((200, vec![], "<html>gateway</html>".into()));
    let error = chatgpt_turn(&app, company, ticket, "oi").await.expect_err("not JSON");
    assert!(matches!(error, BotError::Provider(ProviderError::Rejected(_))), "{error:?}");
    assert_eq!(requests(&openai).len(), 6);
}
