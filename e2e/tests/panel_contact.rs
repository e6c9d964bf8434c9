//! Browser test of the contact panel's card, blocking and timeline: the admin edits the contact
//! (name and an extra field) from the panel while an agent watching the list sees the row follow;
//! blocking asks first and drops the contact's messages until unblocked; the timeline reads the
//! transfer as a sentence, folds repeated openings, pages with "Carregar mais", and follows the
//! language switch.

mod support;

use serde_json::json;
use support::browser::Browser;
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

const AGENT: (&str, &str, &str) = ("Bruno Agente", "bruno@e2e.test", "Bruno-Secret-1");
const LOG: &str = "[data-testid=\"ticket-log\"]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contact_card_blocking_and_the_timeline() {
    let server = Server::start();
    let admin_browser = Browser::start(&server.base_url).await;
    admin_browser.goto("/login").await;
    let admin = admin_browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let support =
        admin_browser.api_ok("POST", "/queues", Some(json!({"name": "Suporte", "color": "#2563eb"})), &admin).await;
    let support = support["id"].as_i64().unwrap_or_default();
    let sales =
        admin_browser.api_ok("POST", "/queues", Some(json!({"name": "Vendas", "color": "#db2777"})), &admin).await;
    let sales = sales["id"].as_i64().unwrap_or_default();
    let (name, email, password) = AGENT;
    let agent =
        json!({"name": name, "email": email, "password": password, "role": "agent", "queue_ids": [support, sales]});
    admin_browser.api_ok("POST", "/users", Some(agent), &admin).await;
    let connection = admin_browser
        .api_ok(
            "POST",
            "/connections",
            Some(json!({"name": "Simulador", "kind": "simulator", "default_queue_id": support})),
            &admin,
        )
        .await;
    let simulate = format!("/connections/{}/simulate", connection["id"]);
    let hello = json!({"from": "5511987650001", "name": "Maria", "body": "Olá, preciso de ajuda"});
    let written = admin_browser.api_ok("POST", &simulate, Some(hello), &admin).await;
    let ticket = written["ticket_id"].as_i64().unwrap_or_else(|| panic!("no ticket in {written}"));

    // The agent watches the waiting list.
    let agent_browser = Browser::start(&server.base_url).await;
    agent_browser.goto("/login").await;
    agent_browser.sign_in_as(email, password, "/").await;
    agent_browser.goto("/tickets").await;
    agent_browser.click("tab-pending").await;
    agent_browser.wait_text("ticket-row-name", "Maria").await;

    // The admin opens the ticket's panel and edits the contact there.
    admin_browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;
    admin_browser.goto(&format!("/tickets/{ticket}")).await;
    admin_browser.click("action-info").await;
    admin_browser.wait_text("contact-card-name", "Maria").await;
    admin_browser.click("contact-card-edit").await;
    admin_browser.fill("contact-name", "Maria Souza").await;
    admin_browser.click("contact-extra-add").await;
    admin_browser.fill("contact-extra-key", "CPF").await;
    admin_browser.fill("contact-extra-value", "123.456.789-00").await;
    admin_browser.click("contact-save").await;
    admin_browser.wait_gone("contact-dialog").await;
    admin_browser.wait_text("contact-card-name", "Maria Souza").await;
    admin_browser.wait_text_contains("contact-card-extra", "123.456.789-00").await;
    admin_browser.wait_text("conversation-name", "Maria Souza").await;
    // The agent's list follows through `contact.updated`, without a reload.
    agent_browser.wait_text("ticket-row-name", "Maria Souza").await;

    // A wrong number is refused with a clear message, and nothing changes.
    admin_browser.click("contact-card-edit").await;
    admin_browser.fill("contact-number", "12").await;
    admin_browser.click("contact-save").await;
    admin_browser.find("contact-number-error").await;
    admin_browser.press_escape().await;
    admin_browser.wait_gone("contact-dialog").await;

    // The timeline: a transfer reads as a sentence with where it went.
    admin_browser.api_ok("POST", &format!("/tickets/{ticket}/accept"), Some(json!({})), &admin).await;
    admin_browser
        .api_ok("POST", &format!("/tickets/{ticket}/transfer"), Some(json!({"queue_id": sales})), &admin)
        .await;
    admin_browser.wait_any_contains(LOG, "transferiu de").await;
    admin_browser.wait_any_contains(LOG, "para Vendas").await;

    // Three openings in a row read as one row; 20 tags put on and taken off make more than a page.
    for _ in 0..3 {
        admin_browser.api_ok("GET", &format!("/tickets/{ticket}"), None, &admin).await;
    }
    let tag = admin_browser.api_ok("POST", "/tags", Some(json!({"name": "VIP", "color": "#f59e0b"})), &admin).await;
    let tag_path = format!("/tickets/{ticket}/tags/{}", tag["id"]);
    for _ in 0..20 {
        admin_browser.api_ok("PUT", &tag_path, None, &admin).await;
        admin_browser.api_ok("DELETE", &tag_path, None, &admin).await;
    }
    admin_browser.click("action-info").await;
    admin_browser.wait_gone("ticket-info").await;
    admin_browser.click("action-info").await;
    admin_browser.wait_count(LOG, 30).await;
    admin_browser.click("ticket-logs-more").await;
    support::wait_for("the older rows", || async {
        let count = admin_browser.count(LOG).await;
        if count > 30 { Ok(count) } else { Err(format!("{count} rows")) }
    })
    .await;
    admin_browser.wait_any_contains(LOG, "Criado por uma mensagem do contato").await;
    admin_browser.wait_any_contains(LOG, "abriu o atendimento (3×)").await;
    admin_browser.wait_any_contains(LOG, "removeu a etiqueta VIP").await;

    // Blocking asks first; then the contact's messages are dropped until unblocked. The agent,
    // now on the contacts page, sees the state change live.
    agent_browser.goto("/contacts").await;
    agent_browser.wait_any_text("[data-testid=\"contact-row-name\"]", "Maria Souza").await;
    admin_browser.click("contact-card-block").await;
    admin_browser.find("confirm-question").await;
    admin_browser.click("confirm-action").await;
    admin_browser.find("contact-card-blocked").await;
    agent_browser.find("contact-blocked").await;
    admin_browser.screenshot("panel-contact").await;
    let spam = json!({"from": "5511987650001", "body": "spam"});
    let (status, body) = admin_browser.api("POST", &simulate, Some(spam.clone()), Some(&admin)).await;
    assert_eq!(status, 409, "{body}");
    admin_browser.click("contact-card-block").await;
    admin_browser.wait_gone("contact-card-blocked").await;
    agent_browser.wait_gone("contact-blocked").await;
    let (status, body) = admin_browser.api("POST", &simulate, Some(spam), Some(&admin)).await;
    assert_eq!(status, 201, "stored again once unblocked: {body}");

    // In English the same rows read in English.
    admin_browser.click("lang-en").await;
    admin_browser.wait_any_contains(LOG, "opened the ticket").await;
    admin_browser.wait_any_contains(LOG, "transferred it from").await;

    agent_browser.close().await;
    admin_browser.close().await;
}
