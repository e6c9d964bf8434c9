//! Browser test of Avaliação: an agent sends the survey from the contact panel (the button is
//! disabled while ratings are off, and comes alive when an admin turns them on), the customer
//! answers "5" through the simulated channel, and the panel and the home page show the rating;
//! resolving with the survey ticked sends another.

mod support;

use serde_json::json;
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

const AGENT_EMAIL: &str = "bia@e2e.test";
const AGENT_PASSWORD: &str = "bia-Secret-123";

/// Whether the panel's "Enviar avaliação" button is disabled, once it reads `expected`.
async fn wait_send_disabled(browser: &Browser, expected: bool) {
    support::wait_for(&format!("the rating button disabled={expected}"), || async {
        let disabled = browser
            .eval("const b = document.querySelector('[data-testid=rating-send]'); return b ? b.disabled : null;")
            .await;
        if disabled == json!(expected) { Ok(()) } else { Err(format!("{disabled}")) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_sends_the_survey_and_sees_the_answer_in_the_panel_and_on_the_home_page() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;

    // The company: a queue, a simulator connection, an agent of the queue, a customer's ticket.
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (queue, connection) = browser.support_queue_and_simulator(&admin).await;
    let simulate = format!("/connections/{}/simulate", connection["id"]);
    browser
        .api_ok(
            "POST",
            "/users",
            Some(json!({"name": "Bia Souza", "email": AGENT_EMAIL, "password": AGENT_PASSWORD, "role": "agent", "queue_ids": [queue["id"]]})),
            &admin,
        )
        .await;
    let bia = browser.token_for(AGENT_EMAIL, AGENT_PASSWORD).await;
    let message = json!({"from": "11987654321", "name": "Maria Cliente", "body": "Oi, meu pedido chegou"});
    let simulated = browser.api_ok("POST", &simulate, Some(message), &admin).await;
    let ticket = simulated["ticket_id"].as_i64().unwrap_or_default();
    browser.api_ok("POST", &format!("/tickets/{ticket}/accept"), Some(json!({})), &bia).await;

    // Ratings are off: the button says why it cannot be used.
    browser.goto("/").await;
    browser.sign_in_as(AGENT_EMAIL, AGENT_PASSWORD, "/").await;
    browser.goto(&format!("/tickets/{ticket}")).await;
    browser.click("action-info").await;
    browser.find("ticket-rating").await;
    browser.find("rating-none").await;
    wait_send_disabled(&browser, true).await;
    browser.wait_text("rating-off", "As avaliações estão desligadas em Configurações.").await;

    // An admin turns them on: the open panel follows without a reload.
    let ratings = json!({"general": {"ratings": {"enabled": true, "question": "Como foi o atendimento?"}}});
    browser.api_ok("PATCH", "/settings", Some(ratings), &admin).await;
    wait_send_disabled(&browser, false).await;
    browser.wait_gone("rating-off").await;

    // Bia sends the survey: it is in the thread, and the panel waits for the answer.
    browser.click("rating-send").await;
    browser.wait_attr(&by_testid("rating-state"), "data-state", "awaiting").await;
    browser.wait_text_contains("rating-state", "Aguardando a resposta do cliente até").await;
    browser.wait_any_contains(&by_testid("message-text"), "De 1 a 5").await;

    // Maria answers "5": the panel shows the score live, the thanks goes out.
    browser.api_ok("POST", &simulate, Some(json!({"from": "11987654321", "body": "5"})), &admin).await;
    browser.wait_attr(&by_testid("rating-state"), "data-state", "received").await;
    browser.wait_text("rating-state", "Nota 5 de 5").await;
    browser.wait_any_contains(&by_testid("message-text"), "Obrigado pela sua avaliação!").await;
    browser.screenshot("panel-rating").await;

    // Resolving with the survey ticked sends a new one: the panel awaits the answer again.
    browser.click("action-resolve").await;
    browser.click("resolve-send-rating").await;
    browser.click("confirm-action").await;
    browser.wait_attr(&by_testid("rating-state"), "data-state", "awaiting").await;
    support::wait_for("two surveys in the thread", || async {
        let surveys = browser.texts(&by_testid("message-text")).await.iter().filter(|t| t.contains("De 1 a 5")).count();
        if surveys == 2 { Ok(()) } else { Err(format!("{surveys}")) }
    })
    .await;

    // The home page: count, average and Bia's row, for the period chosen.
    browser.goto("/").await;
    browser.wait_text("card-ratings-count-value", "1").await;
    browser.wait_text("card-ratings-average-value", "5,0").await;
    let row = browser.wait_any_contains(&by_testid("ratings-agent-row"), "Bia Souza").await;
    let text = row.text().await.unwrap_or_default();
    assert!(text.contains("5: 1"), "{text}");
    browser.wait_any_contains(&by_testid("ratings-queue-row"), "Suporte").await;
    browser.select_label("ratings-period", "Hoje").await;
    browser.wait_text("card-ratings-count-value", "1").await;
    browser.screenshot("home-ratings").await;

    browser.close().await;
}
