//! Browser test of the conversation panel's bots and SMS: an agent switches Typebot on and off for
//! a ticket (only the bots whose integration is on are offered, and another agent's open list
//! follows), and sends an SMS through a local Comtele stand-in, which joins the thread marked SMS;
//! an admin picks the default bot of a queue and of a connection on their pages.
//! The server runs with `ATENDE_ALLOW_PRIVATE_URLS=true` so the stand-in on loopback is allowed.

mod support;

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const AGENT_EMAIL: &str = "gabi@e2e.test";
const AGENT_PASSWORD: &str = "gabi-Secret-123";

/// A minimal Comtele (`POST /api/v2/send`): keeps each request's body, answers success.
async fn start_comtele() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
    let base = format!("http://{}/api/v2", listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}")));
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let kept = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut raw = Vec::new();
                let mut buf = [0u8; 4096];
                // Headers, then as many bytes as Content-Length says.
                loop {
                    let Ok(n) = socket.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    raw.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&raw).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                            })
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0);
                        if raw.len() >= end + 4 + length {
                            let body = String::from_utf8_lossy(&raw[end + 4..end + 4 + length]).to_string();
                            if let Ok(mut kept) = kept.lock() {
                                kept.push(body);
                            }
                            break;
                        }
                    }
                }
                let answer = r#"{"Success":true,"Object":null,"Message":"Mensagem enviada"}"#;
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (base, seen)
}

/// Whether the panel's switch for `bot` is checked, once it reads `expected`.
async fn wait_switch(browser: &Browser, bot: &str, expected: bool) {
    support::wait_for(&format!("the {bot} switch checked={expected}"), || async {
        let script = format!(
            "const s = document.querySelector('[data-testid=bot-switch-{bot}-input]'); return s ? s.checked : null;"
        );
        let checked = browser.eval(&script).await;
        if checked == json!(expected) { Ok(()) } else { Err(format!("{checked}")) }
    })
    .await;
}

/// The ticket's `bots` as the server has them, once they read `expected`.
async fn wait_bots(browser: &Browser, token: &str, ticket: i64, expected: Value) {
    support::wait_for("the ticket's bots", || async {
        let detail = browser.api_ok("GET", &format!("/tickets/{ticket}"), None, token).await;
        if detail["bots"] == expected { Ok(()) } else { Err(detail["bots"].to_string()) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_switches_a_bot_on_and_off_and_sends_an_sms_from_the_panel() {
    let server = Server::start_with_env(&[("ATENDE_ALLOW_PRIVATE_URLS", "true")]);
    let (comtele, sms) = start_comtele().await;
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;

    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (queue, connection) = browser.support_queue_and_simulator(&admin).await;
    browser
        .api_ok(
            "POST",
            "/users",
            Some(json!({"name": "Gabi Lima", "email": AGENT_EMAIL, "password": AGENT_PASSWORD, "role": "agent", "queue_ids": [queue["id"]]})),
            &admin,
        )
        .await;
    let message = json!({"from": "11987654321", "name": "Maria Cliente", "body": "Oi, quero saber do meu pedido"});
    let simulated =
        browser.api_ok("POST", &format!("/connections/{}/simulate", connection["id"]), Some(message), &admin).await;
    let ticket = simulated["ticket_id"].as_i64().unwrap_or_default();
    // Typebot and Comtele on (ChatGPT and DialogFlow stay off, so their switches are not offered).
    let settings = json!({
        "typebot": {"enabled": true, "base_url": "http://127.0.0.1:9", "public_id": "atende-e2e"},
        "comtele": {"enabled": true, "base_url": comtele, "api_key": "comtele-e2e-key", "sender": "ATENDE"}
    });
    browser.api_ok("PATCH", "/settings", Some(settings), &admin).await;

    browser.goto("/").await;
    browser.sign_in_as(AGENT_EMAIL, AGENT_PASSWORD, "/").await;
    let gabi = browser.token_for(AGENT_EMAIL, AGENT_PASSWORD).await;
    browser.goto(&format!("/tickets/{ticket}")).await;
    browser.click("action-info").await;
    browser.find("ticket-bots").await;
    wait_switch(&browser, "typebot", false).await;
    assert_eq!(browser.count(&by_testid("bot-switch-chatgpt")).await, 0);
    assert_eq!(browser.count(&by_testid("bot-switch-dialogflow")).await, 0);

    // On: the server has it.
    browser.click("bot-switch-typebot").await;
    wait_bots(&browser, &gabi, ticket, json!({"typebot": true, "chatgpt": false, "dialogflow": false})).await;
    wait_switch(&browser, "typebot", true).await;
    let _ = browser.screenshot("bots-panel-on").await;

    // Off again.
    browser.click("bot-switch-typebot").await;
    wait_bots(&browser, &gabi, ticket, json!({"typebot": false, "chatgpt": false, "dialogflow": false})).await;
    wait_switch(&browser, "typebot", false).await;

    // An admin switches Typebot off in the settings: the switch leaves the open panel.
    browser.api_ok("PATCH", "/settings", Some(json!({"typebot": {"enabled": false}})), &admin).await;
    browser.wait_gone("ticket-bots").await;

    // SMS: written in the panel, sent through Comtele, in the thread marked SMS.
    browser.click("sms-open").await;
    browser.fill("sms-input", "Seu pedido saiu para entrega").await;
    browser.click("sms-send").await;
    browser.find("sms-sent").await;
    browser.wait_any_contains(&by_testid("message-channel"), "SMS").await;
    browser.wait_any_contains(&by_testid("message-text"), "Seu pedido saiu para entrega").await;
    let bodies = sms.lock().map(|seen| seen.clone()).unwrap_or_default();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let sent: Value = serde_json::from_str(&bodies[0]).unwrap_or(Value::Null);
    assert_eq!(sent["Content"], "Seu pedido saiu para entrega");
    assert_eq!(sent["Receivers"], "5511987654321");
    let _ = browser.screenshot("bots-panel-sms").await;

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_picks_the_default_bot_of_a_queue_and_of_a_connection() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    browser.goto("/admin/queues").await;
    browser.click("queue-new").await;
    browser.fill("queue-name", "Triagem").await;
    browser.select_label("queue-default-bot", "Typebot").await;
    browser.click("queue-save").await;
    browser.wait_gone("queue-dialog").await;
    let queues = browser.api_ok("GET", "/queues", None, &admin).await;
    assert_eq!(queues["items"][0]["default_bot"], "typebot", "{queues}");

    browser.goto("/admin/connections").await;
    browser.click("connection-new").await;
    browser.fill("connection-name", "Simulador").await;
    browser.select_label("connection-default-bot", "ChatGPT").await;
    browser.click("connection-save").await;
    browser.wait_gone("connection-dialog").await;
    let connections = browser.api_ok("GET", "/connections", None, &admin).await;
    assert_eq!(connections["items"][0]["default_bot"], "chatgpt", "{connections}");

    browser.close().await;
}
