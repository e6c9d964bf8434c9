//! Browser test of what an inbound message carries beside its text: a Cloud API webhook (signed in
//! the page with WebCrypto, as Meta signs it) brings an ad referral, a button payload, a list reply,
//! an order, a shared contact card and an unsupported message; the thread shows a banner, captions,
//! cards and a placeholder. In a group, each message shows who wrote it above the bubble.

mod support;

use serde_json::{Value, json};
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

const SECRET: &str = "e2e-app-secret";

/// Posts `payload` to the connection's webhook, signed with the app secret (from the page).
async fn deliver(browser: &Browser, connection: i64, payload: &Value) -> u64 {
    let script = r#"
const [url, secret, body, done] = arguments;
(async () => {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(body)));
  const hex = Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=' + hex }, body });
  done(response.status);
})().catch((err) => done(String(err)));
"#;
    let args = vec![json!(format!("/webhooks/whatsapp/{connection}")), json!(SECRET), json!(payload.to_string())];
    let status = browser.eval_async(script, args).await;
    status.as_u64().unwrap_or_else(|| panic!("the webhook post failed: {status}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_thread_shows_what_each_message_carries_and_who_wrote_in_a_group() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cloud = browser
        .api_ok(
            "POST",
            "/connections",
            Some(json!({"name": "WhatsApp oficial", "kind": "cloud_api", "phone_number_id": "1000",
                        "access_token": "token", "app_secret": SECRET, "verify_token": "verify"})),
            &admin,
        )
        .await;
    let cloud = cloud["id"].as_i64().unwrap_or_default();
    let maria = "5511987654321";
    let messages = json!([
        {"from": maria, "id": "wamid.AD", "timestamp": "1764000001", "type": "text", "text": {"body": "Vi o anúncio"},
         "referral": {"source_url": "https://fb.me/abc", "source_type": "ad", "headline": "Promoção de verão", "ctwa_clid": "CLID"}},
        {"from": maria, "id": "wamid.BUTTON", "timestamp": "1764000002", "type": "button",
         "button": {"text": "Falar com atendente", "payload": "HUMAN_AGENT"}},
        {"from": maria, "id": "wamid.LIST", "timestamp": "1764000003", "type": "interactive",
         "interactive": {"type": "list_reply", "list_reply": {"id": "row-2via", "title": "Segunda via"}}},
        {"from": maria, "id": "wamid.ORDER", "timestamp": "1764000004", "type": "order",
         "order": {"catalog_id": "CAT", "product_items": [
             {"product_retailer_id": "pao-frances", "quantity": "10", "item_price": "0.75", "currency": "BRL"},
             {"product_retailer_id": "bolo-fuba", "quantity": "1", "item_price": "22.5", "currency": "BRL"}]}},
        {"from": maria, "id": "wamid.CARD", "timestamp": "1764000005", "type": "contacts",
         "contacts": [{"name": {"formatted_name": "João Lima"}, "phones": [{"phone": "+55 21 99876-5432", "type": "CELL"}]}]},
        {"from": maria, "id": "wamid.POLL", "timestamp": "1764000006", "type": "unsupported",
         "errors": [{"code": 131051, "title": "Message type unknown"}], "unsupported": {"type": "poll"}}
    ]);
    let payload = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages",
        "value": {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1000"},
                  "contacts": [{"profile": {"name": "Maria"}, "wa_id": maria}], "messages": messages}}]}]});
    assert_eq!(deliver(&browser, cloud, &payload).await, 200);
    let tickets = browser.api_ok("GET", "/tickets?status=pending", None, &admin).await;
    let ticket = tickets["items"][0]["id"].as_i64().unwrap_or_default();

    browser.goto("/").await;
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;
    browser.goto(&format!("/tickets/{ticket}")).await;
    browser.wait_text_contains("message-referral", "Promoção de verão").await;
    browser.wait_text_contains("message-referral", "Veio de um anúncio").await;
    browser.wait_text_contains("message-button-payload", "HUMAN_AGENT").await;
    browser.wait_text_contains("message-reply-id", "row-2via").await;
    browser.wait_count(&by_testid("order-item"), 2).await;
    browser.wait_text_contains("order-total", "BRL 30,00").await;
    browser.wait_text_contains("message-contact-card", "João Lima").await;
    browser.wait_text_contains("message-contact-card", "+55 21 99876-5432").await;
    browser
        .wait_text_contains(
            "message-unsupported",
            "O cliente enviou um tipo de mensagem que o WhatsApp não entrega à API",
        )
        .await;
    browser.screenshot("inbound-kinds").await;

    // A group on the simulator: each message says who wrote it; the text is only what they wrote.
    let simulator =
        browser.api_ok("POST", "/connections", Some(json!({"name": "Simulador", "kind": "simulator"})), &admin).await;
    let simulate = format!("/connections/{}/simulate", simulator["id"]);
    let group = json!({"id": "120363000000000001@g.us", "name": "Grupo da Loja"});
    let first = browser
        .api_ok(
            "POST",
            &simulate,
            Some(json!({"from": "5511977770009", "name": "Sofia", "body": "Bom dia, grupo", "group": group})),
            &admin,
        )
        .await;
    browser
        .api_ok(
            "POST",
            &simulate,
            Some(json!({"from": "5511977770010", "name": "Henrique", "body": "Bom dia!", "group": group})),
            &admin,
        )
        .await;
    browser.goto(&format!("/tickets/{}", first["ticket_id"])).await;
    browser.wait_count(&by_testid("message-participant"), 2).await;
    let who = browser.texts(&by_testid("message-participant")).await;
    assert!(who[0].contains("Sofia") && who[0].contains("5511977770009"), "{who:?}");
    assert!(who[1].contains("Henrique"), "{who:?}");
    let texts = browser.texts(&by_testid("message-text")).await;
    assert!(texts.iter().any(|t| t == "Bom dia, grupo"), "the body is not prefixed: {texts:?}");
    browser.screenshot("group-participants").await;
    browser.close().await;
}
