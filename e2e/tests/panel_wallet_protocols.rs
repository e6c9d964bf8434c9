//! Browser test of the contact panel's Carteira and Protocolo sections: the admin makes an agent
//! the contact's fixed agent and generates a protocol sent to the contact; both show in the panel,
//! survive a reload, and the contacts page shows and filters by the wallet. An agent sees the
//! wallet without the controls to change it.

mod support;

use serde_json::{Value, json};
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

const ANA: (&str, &str, &str) = ("Ana Agente", "ana@e2e.test", "Ana-Secret-1");

fn is_protocol_number(text: &str) -> bool {
    let Some((day, seq)) = text.trim().split_once('-') else { return false };
    day.len() == 8 && seq.len() == 6 && day.chars().chain(seq.chars()).all(|c| c.is_ascii_digit())
}

/// The single protocol listed in the panel for this ticket, once there is one.
async fn listed_protocol(browser: &Browser) -> String {
    support::wait_for("a protocol number in the panel", || async {
        let numbers = browser.texts(&by_testid("ticket-protocol")).await;
        match numbers.as_slice() {
            [one] if is_protocol_number(one) => Ok(one.trim().to_owned()),
            other => Err(format!("{other:?}")),
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_sets_the_wallet_and_generates_a_protocol_from_the_panel() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;

    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let queue = browser.api_ok("POST", "/queues", Some(json!({"name": "Suporte", "color": "#2563eb"})), &admin).await;
    let queue_id = queue["id"].as_i64().unwrap_or_default();
    let (name, email, password) = ANA;
    let user = json!({"name": name, "email": email, "password": password, "role": "agent", "queue_ids": [queue_id]});
    let ana_id = browser.api_ok("POST", "/users", Some(user), &admin).await["id"].clone();
    let connection = browser
        .api_ok(
            "POST",
            "/connections",
            Some(json!({"name": "Simulador", "kind": "simulator", "default_queue_id": queue_id})),
            &admin,
        )
        .await;
    let message = json!({"from": "5511988880001", "name": "Maria Cliente", "body": "Oi, preciso de ajuda"});
    let simulated =
        browser.api_ok("POST", &format!("/connections/{}/simulate", connection["id"]), Some(message), &admin).await;
    let ticket = simulated["ticket_id"].as_i64().unwrap_or_default();
    browser.api_ok("POST", &format!("/tickets/{ticket}/accept"), Some(json!({})), &admin).await;

    browser.goto("/").await;
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;
    browser.goto(&format!("/tickets/{ticket}")).await;
    browser.wait_any_text("[data-testid=\"message-text\"]", "Oi, preciso de ajuda").await;
    browser.click("action-info").await;
    browser.find("ticket-info").await;

    // Carteira: none yet; `+` and a pick make Ana the fixed agent.
    browser.find("wallet-none").await;
    browser.click("wallet-add").await;
    browser.select_label("wallet-pick", name).await;
    browser.wait_text_contains("wallet-user", name).await;
    browser.wait_gone("wallet-pick").await;
    let detail = browser.api_ok("GET", &format!("/tickets/{ticket}"), None, &admin).await;
    let contact = detail["contact"]["id"].as_i64().unwrap_or_default();
    let read = browser.api_ok("GET", &format!("/contacts/{contact}"), None, &admin).await;
    assert_eq!(read["wallet_user"]["name"], name, "{read}");

    // Protocolo: generated and sent to the contact, listed in the panel and written in the thread.
    browser.click("protocol-send").await;
    browser.click("protocol-generate").await;
    let number = listed_protocol(&browser).await;
    browser.wait_any_contains("[data-testid=\"message-text\"]", &format!("Seu número de protocolo é {number}.")).await;
    browser.screenshot("panel-wallet-protocols").await;

    // Both were written in the ticket's logs.
    let logs = browser.api_ok("GET", &format!("/tickets/{ticket}/logs"), None, &admin).await;
    let kinds: Vec<Value> =
        logs["items"].as_array().cloned().unwrap_or_default().iter().map(|l| l["kind"].clone()).collect();
    assert!(kinds.contains(&json!("wallet_set")) && kinds.contains(&json!("protocol_generated")), "{logs}");

    // After a reload the panel still shows both.
    browser.reload().await;
    browser.wait_any_text("[data-testid=\"message-text\"]", "Oi, preciso de ajuda").await;
    browser.click("action-info").await;
    browser.wait_text_contains("wallet-user", name).await;
    assert_eq!(listed_protocol(&browser).await, number);

    // The contacts page shows the wallet and filters by it.
    browser.goto("/contacts").await;
    browser.wait_any_text(&by_testid("contact-row-wallet"), name).await;
    browser.api_ok("POST", "/contacts", Some(json!({"name": "Sem Carteira", "number": "5511977770002"})), &admin).await;
    browser.reload().await;
    browser.wait_count(&by_testid("contact-row"), 2).await;
    browser.select_label("contact-wallet-filter", name).await;
    browser.wait_count(&by_testid("contact-row"), 1).await;
    browser.wait_any_text(&by_testid("contact-row-name"), "Maria Cliente").await;

    // Ana, given the ticket, sees who the wallet agent is without the controls; the admin's ×
    // removes it and her panel follows.
    browser.api_ok("POST", &format!("/tickets/{ticket}/transfer"), Some(json!({"user_id": ana_id})), &admin).await;
    let agent = Browser::start(&server.base_url).await;
    agent.goto("/").await;
    agent.sign_in_as(email, password, "/").await;
    agent.goto(&format!("/tickets/{ticket}")).await;
    agent.click("action-info").await;
    agent.wait_text_contains("wallet-user", name).await;
    assert_eq!(agent.count(&by_testid("wallet-add")).await, 0, "agents cannot pick");
    assert_eq!(agent.count(&by_testid("wallet-remove")).await, 0, "agents cannot remove");

    browser.goto(&format!("/tickets/{ticket}")).await;
    browser.click("action-info").await;
    browser.click("wallet-remove").await;
    browser.find("wallet-none").await;
    // The agent's panel follows live (`contact.updated`).
    agent.find("wallet-none").await;

    agent.close().await;
    browser.close().await;
}
