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

/// Google's token endpoint (`/token`, each hit answered with a new token) and DialogFlow (every
/// other path, from the script), on one stand-in.
async fn google() -> (String, Shared, Arc<Mutex<Vec<String>>>) {
    let recorder: Shared = Arc::default();
    let forms: Arc<Mutex<Vec<String>>> = Arc::default();
    let token = {
        let forms = forms.clone();
        post(move |body: String| async move {
            let mut forms = forms.lock().expect("lock");
            forms.push(body);
            axum::Json(json!({"access_token": format!("ya29.token-{}", forms.len()), "expires_in": 3599,
                "token_type": "Bearer"}))
        })
    };
    let app = Router::new().route("/token", token).fallback(post(record)).with_state(recorder.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, recorder, forms)
}

/// A desk whose DialogFlow API is the stand-in at `base` (`ATENDE_DIALOGFLOW_API_URL`), with the
/// integration switched on: ES, or CX with `cx = Some((location, agent))`.
async fn dialogflow_desk(base: &str, cx: Option<(&str, &str)>) -> (TestApp, String, i64, CompanyId) {
    let api = base.to_owned();
    let app = TestApp::start_with(move |config| config.dialogflow_api_url = Some(api)).await;
    let admin = app.admin().await;
    let queue = app.queue(&admin, "Suporte").await;
    let connection = app.simulator(&admin, Some(queue)).await;
    let mut section = json!({"enabled": true, "project_id": "atende-test", "language": "pt-BR",
        "service_account_json": crate::integrations::service_account(&format!("{base}/token"))});
    if let Some((location, agent)) = cx {
        section["location"] = json!(location);
        section["agent_id"] = json!(agent);
    }
    let (status, body) = app.patch("/api/v1/settings", &admin, json!({"dialogflow": section})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let company = company_of(&app, &admin).await;
    (app, admin, connection, company)
}

async fn dialogflow_turn(app: &TestApp, company: CompanyId, ticket: i64, text: &str) -> Result<BotTurn, BotError> {
    let input = BotInput { company, ticket: TicketId(ticket), contact_name: "Cliente", text };
    atende::domain::bots::dialogflow::turn(&app.state, &input).await
}

/// The JWT bearer grant's assertion, checked with the test key's public half.
fn verified_assertion(form: &str, audience: &str) -> Value {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::DecodePrivateKey;
    let (grant, assertion) = form.split_once("&assertion=").expect("an assertion");
    assert_eq!(grant, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer");
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(crate::integrations::TEST_PRIVATE_KEY).expect("test key");
    let public = private.to_public_key().to_pkcs1_der().expect("public key");
    let key = jsonwebtoken::DecodingKey::from_rsa_der(public.as_bytes());
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(assertion, &key, &validation).expect("the assertion verifies").claims
}

#[tokio::test]
async fn dialogflow_es_answers_with_a_token_reused_across_turns() {
    let (base, dialogflow, forms) = google().await;
    let (app, admin, connection, company) = dialogflow_desk(&base, None).await;
    let ticket = app.inbound(&admin, connection, "5511955554444", "Oi").await;
    let session = atende::domain::bots::dialogflow::session_id(company, TicketId(ticket));
    assert!(session.contains(&company.0.to_string()) && session.contains(&ticket.to_string()) && session.len() <= 36);

    answer(
        &dialogflow,
        200,
        vec![],
        json!({"responseId": "r1", "queryResult": {"queryText": "Oi", "languageCode": "pt-br",
            "fulfillmentText": "Olá! Sou o assistente.",
            "fulfillmentMessages": [
                {"text": {"text": ["Olá! Sou o assistente."]}},
                {"image": {"imageUri": "https://cdn.example.com/cardapio.png", "accessibilityText": "Cardápio"}},
                {"platform": "FACEBOOK", "text": {"text": ["só no Facebook"]}}
            ],
            "intent": {"name": "projects/atende-test/agent/intents/1", "displayName": "Default Welcome Intent"}}}),
    );
    let turn = dialogflow_turn(&app, company, ticket, "Oi").await.expect("turn");
    assert_eq!(
        turn,
        BotTurn {
            replies: vec![
                BotReply::Text("Olá! Sou o assistente.".into()),
                BotReply::Image {
                    url: "https://cdn.example.com/cardapio.png".into(),
                    caption: Some("Cardápio".into())
                },
            ],
            hand_over: false
        }
    );
    answer(
        &dialogflow,
        200,
        vec![],
        json!({"responseId": "r2", "queryResult": {"queryText": "tchau", "fulfillmentText": "Até logo!",
            "diagnosticInfo": {"end_conversation": true}}}),
    );
    let turn = dialogflow_turn(&app, company, ticket, "tchau").await.expect("turn");
    assert_eq!(turn, BotTurn { replies: vec![BotReply::Text("Até logo!".into())], hand_over: true });

    let seen = requests(&dialogflow);
    let path = format!("/v2/projects/atende-test/agent/sessions/{session}:detectIntent");
    for ((seen_path, auth, body), text) in seen.iter().zip(["Oi", "tchau"]) {
        assert_eq!(seen_path, &path);
        assert_eq!(auth, "Bearer ya29.token-1", "one token for both turns");
        assert_eq!(body, &json!({"queryInput": {"text": {"text": text, "languageCode": "pt-BR"}}}));
    }
    let forms = forms.lock().unwrap().clone();
    assert_eq!(forms.len(), 1, "the token endpoint is asked once");
    let claims = verified_assertion(&forms[0], &format!("{base}/token"));
    assert_eq!(claims["iss"], "bot@atende-test.iam.gserviceaccount.com");
    assert_eq!(claims["scope"], "https://www.googleapis.com/auth/cloud-platform");
}

#[tokio::test]
async fn dialogflow_refreshes_a_refused_token_once() {
    let (base, dialogflow, forms) = google().await;
    let (app, admin, connection, company) = dialogflow_desk(&base, None).await;
    let ticket = app.inbound(&admin, connection, "5511944443333", "Oi").await;
    let refused = json!({"error": {"code": 401, "message": "Request had invalid authentication credentials.",
        "status": "UNAUTHENTICATED"}});
    let ok = json!({"queryResult": {"fulfillmentText": "Pronto."}});
    answer(&dialogflow, 200, vec![], ok.clone());
    dialogflow_turn(&app, company, ticket, "Oi").await.expect("first turn");

    answer(&dialogflow, 401, vec![], refused.clone());
    answer(&dialogflow, 200, vec![], ok);
    let turn = dialogflow_turn(&app, company, ticket, "de novo").await.expect("retried with a new token");
    assert_eq!(turn.replies, [BotReply::Text("Pronto.".into())]);
    let auths: Vec<String> = requests(&dialogflow).into_iter().map(|(_, auth, _)| auth).collect();
    assert_eq!(auths, ["Bearer ya29.token-1", "Bearer ya29.token-1", "Bearer ya29.token-2"]);
    assert_eq!(forms.lock().unwrap().len(), 2);

    // Refused again with the fresh token: one retry only, and the error says why.
    answer(&dialogflow, 401, vec![], refused.clone());
    answer(&dialogflow, 401, vec![], refused);
    let error = dialogflow_turn(&app, company, ticket, "e agora").await.expect_err("refused twice");
    assert!(matches!(error, BotError::Provider(ProviderError::Status { status: 401, .. })), "{error:?}");
    assert_eq!(requests(&dialogflow).len(), 5);
    assert_eq!(forms.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn dialogflow_cx_answers_and_hands_over_at_the_end() {
    let (base, dialogflow, _forms) = google().await;
    let agent = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    let (app, admin, connection, company) = dialogflow_desk(&base, Some(("us-central1", agent))).await;
    let ticket = app.inbound(&admin, connection, "5511933332222", "Onde está meu pedido?").await;
    let session = atende::domain::bots::dialogflow::session_id(company, TicketId(ticket));

    answer(
        &dialogflow,
        200,
        vec![],
        json!({"responseId": "r1", "queryResult": {"text": "Onde está meu pedido?", "languageCode": "pt-br",
            "responseMessages": [{"text": {"text": ["Seu pedido saiu para entrega."]}}],
            "currentPage": {"displayName": "Pedidos"}}}),
    );
    let turn = dialogflow_turn(&app, company, ticket, "Onde está meu pedido?").await.expect("turn");
    assert_eq!(
        turn,
        BotTurn { replies: vec![BotReply::Text("Seu pedido saiu para entrega.".into())], hand_over: false }
    );
    answer(
        &dialogflow,
        200,
        vec![],
        json!({"queryResult": {"responseMessages": [{"text": {"text": ["Vou chamar um atendente."]}},
            {"liveAgentHandoff": {"metadata": {}}}]}}),
    );
    let turn = dialogflow_turn(&app, company, ticket, "quero um humano").await.expect("turn");
    assert_eq!(turn, BotTurn { replies: vec![BotReply::Text("Vou chamar um atendente.".into())], hand_over: true });
    answer(&dialogflow, 200, vec![], json!({"queryResult": {"responseMessages": [{"endInteraction": {}}]}}));
    let turn = dialogflow_turn(&app, company, ticket, "obrigado").await.expect("turn");
    assert_eq!(turn, BotTurn { replies: vec![], hand_over: true });

    let (path, auth, body) = requests(&dialogflow).remove(0);
    assert_eq!(
        path,
        format!("/v3/projects/atende-test/locations/us-central1/agents/{agent}/sessions/{session}:detectIntent")
    );
    assert_eq!(auth, "Bearer ya29.token-1");
    assert_eq!(body, json!({"queryInput": {"text": {"text": "Onde está meu pedido?"}, "languageCode": "pt-BR"}}));
}

#[tokio::test]
async fn dialogflow_api_overrides_go_through_the_ssrf_guard() {
    let (base, dialogflow, forms) = google().await;
    let api = base.clone();
    let app = TestApp::start_with(move |config| {
        config.dialogflow_api_url = Some(api);
        config.allow_private_urls = false;
    })
    .await;
    let admin = app.admin().await;
    let queue = app.queue(&admin, "Suporte").await;
    let connection = app.simulator(&admin, Some(queue)).await;
    let key = crate::integrations::service_account("https://oauth2.googleapis.com/token");
    let (status, body) = app
        .patch(
            "/api/v1/settings",
            &admin,
            json!({"dialogflow": {"enabled": true, "project_id": "atende-test", "service_account_json": key}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let company = company_of(&app, &admin).await;
    let ticket = app.inbound(&admin, connection, "5511922221111", "Oi").await;
    let error = dialogflow_turn(&app, company, ticket, "Oi").await.expect_err("loopback refused");
    assert!(matches!(error, BotError::Provider(ProviderError::Refused(_))), "{error:?}");
    assert!(requests(&dialogflow).is_empty() && forms.lock().unwrap().is_empty());
}
