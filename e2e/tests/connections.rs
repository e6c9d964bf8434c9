//! Browser test of Conexões: the first-run card leads an admin to the page; a simulator connection
//! created there, its simulator panel starting a conversation that the admin then answers in
//! /tickets; a Cloud API connection showing the webhook URL and verify token to copy into Meta's
//! dashboard; deleting asks whether to keep a connection that has tickets or delete its history.
//! Screenshots: `connections`, `connection-simulator`, `connection-cloud-api`,
//! `connection-delete-choice`.

mod support;

use serde_json::json;
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

const ROW: &str = "[data-testid=\"connection-row\"]";

/// A 1×1 PNG.
const ONE_PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The id in `/admin/connections/{id}` once the browser is there.
async fn connection_id_in_url(browser: &Browser) -> i64 {
    support::wait_for("a connection's page", || async {
        let path = browser.eval("return location.pathname;").await;
        let path = path.as_str().unwrap_or_default().to_owned();
        path.strip_prefix("/admin/connections/").and_then(|id| id.parse::<i64>().ok()).ok_or(path)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_from_the_page_to_an_answered_conversation() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.api_ok("POST", "/queues", Some(json!({"name": "Suporte", "color": "#2563eb"})), &admin).await;

    // First run: no connection, so the home page sends the admin to create one.
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;
    browser.wait_text_contains("first-run", "Conecte um número para começar").await;
    browser.click("first-run-connect").await;
    browser.wait_path("/admin/connections").await;
    browser.find("connections-empty").await;

    // A simulator connection filing new conversations in Suporte.
    browser.click("connection-new").await;
    browser.fill("connection-name", "Simulador da loja").await;
    browser.select_label("connection-kind", "Simulador").await;
    browser.select_label("connection-queue", "Suporte").await;
    browser.click("connection-save").await;
    browser.wait_gone("connection-dialog").await;
    browser.wait_any_text("[data-testid=\"connection-row-name\"]", "Simulador da loja").await;
    browser.wait_text("connection-row-queue", "Suporte").await;
    browser.wait_attr(&format!("{ROW} [data-testid=\"connection-status\"]"), "data-status", "connected").await;

    // A Cloud API number: the secrets go in, only "set" comes back.
    browser.click("connection-new").await;
    browser.fill("connection-name", "WhatsApp oficial").await;
    browser.select_label("connection-kind", "WhatsApp Cloud API (oficial)").await;
    browser.fill("connection-phone-number-id", "109876543210").await;
    browser.fill("connection-verify-token", "verifica-123").await;
    browser.fill("connection-access-token", "EAAG-e2e-secret").await;
    browser.fill("connection-app-secret", "app-secret-e2e").await;
    browser.click("connection-save").await;
    browser.wait_gone("connection-dialog").await;
    browser.wait_count(ROW, 2).await;
    browser.screenshot("connections").await;

    // Its page: the webhook URL (this server's address) and the verify token, to copy.
    browser.click_css(&format!("{ROW}[data-kind=\"cloud_api\"] [data-testid=\"connection-open\"]")).await;
    let cloud = connection_id_in_url(&browser).await;
    browser.wait_text("connection-webhook-url", &format!("{}/webhooks/whatsapp/{cloud}", server.base_url)).await;
    browser.wait_text("connection-verify-token-value", "verifica-123").await;
    browser.wait_text("connection-access-token-set", "definido").await;
    browser.find("connection-webhook-url-copy").await;
    let page = browser.eval("return document.body.innerText;").await.to_string();
    assert!(!page.contains("EAAG-e2e-secret") && !page.contains("app-secret-e2e"), "secrets are never shown");
    browser.screenshot("connection-cloud-api").await;

    // The simulator's page: "test" answers, and the panel writes as a customer.
    browser.click("connection-back").await;
    browser.click_css(&format!("{ROW}[data-kind=\"simulator\"] [data-testid=\"connection-open\"]")).await;
    let simulator = connection_id_in_url(&browser).await;
    browser.click("connection-test").await;
    browser.wait_attr(&by_testid("connection-test-result"), "data-ok", "true").await;
    browser.fill("simulator-from", "11987654321").await;
    browser.fill("simulator-name", "Maria Cliente").await;
    browser.fill("simulator-body", "Olá, quero saber do meu pedido").await;
    browser.click("simulator-send").await;
    browser.find("simulator-ticket-link").await;
    // Then a photo with a caption (a multipart form), into the same conversation.
    let files = tempfile::tempdir().unwrap_or_else(|err| panic!("cannot make a temp dir: {err}"));
    let photo = files.path().join("pedido.png");
    std::fs::write(&photo, ONE_PIXEL_PNG).unwrap_or_else(|err| panic!("{err}"));
    browser.fill("simulator-body", "a foto do pedido").await;
    browser
        .find("simulator-file")
        .await
        .send_keys(&photo.display().to_string())
        .await
        .unwrap_or_else(|err| panic!("cannot pick {}: {err}", photo.display()));
    browser.click("simulator-send").await;
    support::wait_for("the photo to be received", || async {
        let value = browser.eval("return document.querySelector('[data-testid=simulator-file]').value;").await;
        if value.as_str() == Some("") { Ok(()) } else { Err(value.to_string()) }
    })
    .await;
    browser.screenshot("connection-simulator").await;

    // The conversation it started: open it, accept it, answer it.
    browser.click("simulator-ticket-link").await;
    let ticket = support::wait_for("a ticket's page", || async {
        let path = browser.eval("return location.pathname;").await;
        let path = path.as_str().unwrap_or_default().to_owned();
        path.strip_prefix("/tickets/").and_then(|id| id.parse::<i64>().ok()).ok_or(path)
    })
    .await;
    browser.wait_any_text("[data-testid=\"message-text\"]", "Olá, quero saber do meu pedido").await;
    browser.find_css("img.media-image").await;
    browser.wait_any_contains("[data-testid=\"message-text\"]", "a foto do pedido").await;
    browser.click("action-accept").await;
    browser.wait_text("conversation-status", "Em andamento").await;
    browser.fill("composer-input", "Olá, Maria! Já vou verificar.").await;
    browser.click("composer-send").await;
    browser.wait_any_contains("[data-testid=\"message-text\"]", "Olá, Maria! Já vou verificar.").await;
    let (status, _) = browser.api("GET", &format!("/connections/{simulator}"), None, Some(&admin)).await;
    assert_eq!(status, 200);

    // Deleting the simulator: it has a ticket, so the page asks. Keeping it keeps everything.
    browser.click("nav-connections").await;
    browser.wait_count(ROW, 2).await;
    let simulator_row = format!("{ROW}[data-connection-id=\"{simulator}\"]");
    browser.click_css(&format!("{simulator_row} [data-testid=\"connection-delete\"]")).await;
    browser.click("confirm-delete").await;
    browser.find("connection-in-use").await;
    browser.screenshot("connection-delete-choice").await;
    browser.click("connection-keep").await;
    browser.wait_gone("confirm-dialog").await;
    browser.wait_count(ROW, 2).await;
    assert_eq!(browser.api("GET", &format!("/tickets/{ticket}"), None, Some(&admin)).await.0, 200);

    // Deleting it with its history: the connection and its conversation are gone.
    browser.click_css(&format!("{simulator_row} [data-testid=\"connection-delete\"]")).await;
    browser.click("confirm-delete").await;
    browser.click("connection-delete-history").await;
    browser.wait_gone("confirm-dialog").await;
    browser.wait_count(ROW, 1).await;
    assert_eq!(browser.api("GET", &format!("/tickets/{ticket}"), None, Some(&admin)).await.0, 404);

    // The Cloud API line has no tickets: a plain confirmation deletes it.
    browser.click("connection-delete").await;
    browser.click("confirm-delete").await;
    browser.wait_count(ROW, 0).await;
    browser.find("connections-empty").await;
    browser.close().await;
}
