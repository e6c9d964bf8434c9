//! Browser test of WhatsApp Web pairing (against the server's test-only fake of the crate,
//! `ATENDE_WHATSAPP_WEB_FAKE=1`): connect shows the QR from the pairing event, drawn on the page;
//! pairing by phone-number code links it; logout unlinks it.

mod support;

use serde_json::json;
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sees_the_pairing_qr_then_links_by_code_and_logs_out() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;

    // Created from the Conexões page like any other kind; its page hosts the pairing.
    browser.goto("/login").await;
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;
    browser.goto("/admin/connections").await;
    browser.click("connection-new").await;
    browser.fill("connection-name", "Celular da loja").await;
    browser.select_label("connection-kind", "WhatsApp Web (QR code)").await;
    browser.click("connection-save").await;
    browser.wait_gone("connection-dialog").await;
    browser
        .click_css("[data-testid=\"connection-row\"][data-kind=\"whatsapp_web\"] [data-testid=\"connection-open\"]")
        .await;
    browser.wait_attr(&by_testid("wa-pairing"), "data-status", "disconnected").await;
    browser.click("wa-connect").await;

    // The pairing event reaches the page live and the QR is drawn from it.
    browser.wait_attr(&by_testid("wa-pairing"), "data-status", "pairing").await;
    let qr = browser.find("wa-qr").await;
    let text = qr.attr("data-qr").await.ok().flatten().unwrap_or_default();
    assert!(text.starts_with("2@atende-fake-qr,"), "{text}");
    let drawn = browser.eval("return document.querySelectorAll('[data-testid=wa-qr] svg').length").await;
    assert_eq!(drawn, json!(1));
    browser.wait_text("wa-status", "Aguardando leitura do QR code").await;
    browser.screenshot("whatsapp-web-pairing").await;

    // Pairing by phone-number code instead: the code is shown, and the "phone" links.
    browser.fill("wa-phone", "+55 11 98765-4321").await;
    browser.click("wa-pair-code").await;
    browser.wait_text("wa-code", "FAKE-CODE").await;
    browser.wait_attr(&by_testid("wa-pairing"), "data-status", "connected").await;
    browser.wait_gone("wa-qr").await;
    browser.wait_text("wa-status", "Conectado").await;

    browser.click("wa-logout").await;
    browser.wait_attr(&by_testid("wa-pairing"), "data-status", "disconnected").await;
    browser.wait_text_contains("wa-reason", "logged out").await;
    browser.close().await;
}
