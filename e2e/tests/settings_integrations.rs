//! Browser test of the integrations' admin pages: an admin saves ChatGPT's key in Configurações and
//! sees it only as "definido"; creates an outgoing webhook; creates an API token (shown once) and
//! revokes it; the platform administrator creates, suspends and deletes a company.

mod support;

use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_an_integration_key_creates_a_webhook_and_a_token_and_revokes_it() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;

    // Configurações › ChatGPT: the key is written, then only said to be set.
    browser.goto("/admin/settings").await;
    browser.find("settings-chatgpt-form").await;
    browser.fill("settings-chatgpt-api-key", "sk-e2e-very-secret").await;
    browser.click("settings-chatgpt-save").await;
    browser.wait_text_contains("settings-chatgpt-api-key-set", "definido").await;
    browser.reload().await;
    browser.wait_text_contains("settings-chatgpt-api-key-set", "definido").await;
    let page = browser.eval("return document.body.innerHTML;").await;
    assert!(!page.to_string().contains("sk-e2e-very-secret"), "the key never comes back to the page");

    // An outgoing webhook (to an event no step below raises: nothing is sent anywhere).
    browser.goto("/admin/webhooks").await;
    browser.click("webhook-new").await;
    browser.fill("webhook-url", "https://8.8.8.8/atende-hook").await;
    browser.click("webhook-event-schedule.updated").await;
    browser.fill("webhook-secret", "a-long-webhook-secret-e2e").await;
    browser.click("webhook-save").await;
    browser.wait_text_contains("webhook-row-url", "https://8.8.8.8/atende-hook").await;
    browser.wait_text_contains("webhook-row-events", "schedule.updated").await;

    // An API token: shown once, listed by name, revoked.
    browser.goto("/admin/api-tokens").await;
    browser.fill("api-token-name", "ERP da loja").await;
    browser.click("api-token-create").await;
    browser.wait_text_contains("api-token-value", "atd_").await;
    browser.wait_text_contains("api-token-row-name", "ERP da loja").await;
    browser.click("api-token-revoke").await;
    browser.wait_gone("api-token-row").await;
    assert_eq!(browser.count(&by_testid("api-token-row")).await, 0);

    // Empresas (the platform administrator): a company created, suspended, then deleted.
    browser.goto("/admin/companies").await;
    browser.fill("company-name", "Loja Beta").await;
    browser.fill("company-admin-name", "Olga").await;
    browser.fill("company-admin-email", "olga@beta.e2e").await;
    browser.fill("company-admin-password", "olga-Secret-123").await;
    browser.click("company-create").await;
    browser.wait_count(&by_testid("company-row"), 2).await;
    let beta = "[data-testid=company-row]:last-child";
    let _ = browser.find_css(&format!("{beta} [data-testid=company-suspend]")).await.click().await;
    browser.wait_any_text("[data-testid=company-row-state]", "Suspensa").await;
    let delete = format!("{beta} [data-testid=company-delete]");
    let _ = browser.find_css(&delete).await.click().await;
    let _ = browser.find_css(&delete).await.click().await;
    browser.wait_count(&by_testid("company-row"), 1).await;

    browser.close().await;
}
