//! Browser test of Mensagens rápidas and the video-call link: the admin page (create with a file
//! and a queue), and in a conversation the `/` list (filter, ↑/↓, Enter inserts with the variables
//! filled, Esc closes), sending a reply's file, and a fresh meeting link at the caret.
//!
//! The company's time zone is set to Asia/Tokyo (UTC+9 all year, far from the machine's own), and
//! the expected greeting is computed here with the same rule, so the test holds at any hour.

mod support;

use chrono::{Duration, Timelike, Utc};
use serde_json::json;
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

const OPTION: &str = "[data-testid=\"quick-reply-option\"]";
const BASE_URL: &str = "https://meet.example.com/salas";

/// A 1×1 PNG.
const ONE_PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// "Bom dia" from 5 to 11, "Boa tarde" from 12 to 17, else "Boa noite": now in Tokyo.
fn tokyo_greeting() -> &'static str {
    match (Utc::now() + Duration::hours(9)).hour() {
        5..=11 => "Bom dia",
        12..=17 => "Boa tarde",
        _ => "Boa noite",
    }
}

async fn composer_value(browser: &Browser) -> String {
    let value = browser.eval("return document.querySelector('[data-testid=composer-input]').value;").await;
    value.as_str().unwrap_or_default().to_owned()
}

async fn wait_composer_value(browser: &Browser, accept: impl Fn(&str) -> bool) -> String {
    support::wait_for("the composer's text", || async {
        let value = composer_value(browser).await;
        if accept(&value) { Ok(value) } else { Err(format!("{value:?}")) }
    })
    .await
}

/// Types into the composer (replacing what it holds), as a person would.
async fn type_in_composer(browser: &Browser, text: &str) {
    browser.fill("composer-input", text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_replies_and_video_call_links() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;

    // The company: a queue, a simulator connection, the time zone and a video-call server.
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let queue = browser.api_ok("POST", "/queues", Some(json!({"name": "Suporte", "color": "#2563eb"})), &admin).await;
    let queue_id = queue["id"].as_i64().unwrap_or_default();
    let connection = browser
        .api_ok(
            "POST",
            "/connections",
            Some(json!({"name": "Simulador", "kind": "simulator", "default_queue_id": queue_id})),
            &admin,
        )
        .await;
    let general = json!({"general": {"time_zone": "Asia/Tokyo", "video_call_base_url": BASE_URL}});
    browser.api_ok("PATCH", "/settings", Some(general), &admin).await;
    // Another reply whose shortcut starts like the one created on the page, so ↓ has work to do.
    browser
        .api_ok("POST", "/quick-replies", Some(json!({"shortcut": "sabado", "body": "Abrimos aos sábados."})), &admin)
        .await;

    // The admin page: a reply for everyone, then one with a file for the Suporte queue.
    browser.goto("/").await;
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;
    browser.click("nav-quick-replies").await;
    browser.wait_path("/admin/quick-replies").await;
    browser.find("quick-replies-page").await;
    browser.wait_any_text(&by_testid("quick-reply-row-shortcut"), "/sabado").await;
    browser.click("quick-reply-new").await;
    browser.find("quick-reply-dialog").await;
    browser.fill("quick-reply-shortcut", "saudar agora").await;
    browser.fill("quick-reply-body", "{{saudacao}}, {{primeiro_nome}}!").await;
    browser.click("quick-reply-save").await;
    browser.wait_text("quick-reply-shortcut-error", "Não use espaços.").await;
    browser.fill("quick-reply-shortcut", "/saudar").await;
    browser.click("quick-reply-save").await;
    browser.wait_gone("quick-reply-dialog").await;
    browser.wait_any_text(&by_testid("quick-reply-row-shortcut"), "/saudar").await;
    browser.wait_any_text(&by_testid("quick-reply-row-text"), "{{saudacao}}, {{primeiro_nome}}!").await;

    let files = tempfile::tempdir().unwrap_or_else(|err| panic!("cannot make a temp dir: {err}"));
    let catalogue = files.path().join("catalogo.png");
    std::fs::write(&catalogue, ONE_PIXEL_PNG).unwrap_or_else(|err| panic!("{err}"));
    browser.click("quick-reply-new").await;
    browser.find("quick-reply-dialog").await;
    browser.fill("quick-reply-shortcut", "catalogo").await;
    browser.fill("quick-reply-body", "Segue o catálogo, {{nome}}.").await;
    browser.select_label("quick-reply-queue", "Suporte").await;
    let input = browser.find("quick-reply-file").await;
    input
        .send_keys(&catalogue.display().to_string())
        .await
        .unwrap_or_else(|err| panic!("cannot pick {}: {err}", catalogue.display()));
    browser.click("quick-reply-save").await;
    browser.wait_gone("quick-reply-dialog").await;
    browser.wait_any_contains(&by_testid("quick-reply-row-file"), "catalogo.png").await;
    browser.wait_any_text(&by_testid("quick-reply-row-scope"), "Suporte").await;
    browser.wait_any_text(&by_testid("quick-reply-row-scope"), "Todas as filas").await;
    browser.screenshot("quick-replies").await;

    // A customer writes; the admin takes the ticket and opens it.
    let message = json!({"from": "5511988880001", "name": "Maria Cliente", "body": "Oi, tudo bem?"});
    let simulated =
        browser.api_ok("POST", &format!("/connections/{}/simulate", connection["id"]), Some(message), &admin).await;
    let ticket = simulated["ticket_id"].as_i64().unwrap_or_default();
    browser.api_ok("POST", &format!("/tickets/{ticket}/accept"), Some(json!({})), &admin).await;
    browser.goto(&format!("/tickets/{ticket}")).await;
    browser.wait_any_text("[data-testid=\"message-text\"]", "Oi, tudo bem?").await;
    browser.find("composer-input").await;

    // `/` and part of a shortcut: the list, best matches first; ↓ moves, and the text field
    // points at the highlighted option.
    type_in_composer(&browser, "/sa").await;
    browser.find("quick-reply-picker").await;
    support::wait_for("the two matching replies", || async {
        let shortcuts = browser.texts(&format!("{OPTION} .quick-reply-shortcut")).await;
        if shortcuts == ["/sabado", "/saudar"] { Ok(()) } else { Err(format!("{shortcuts:?}")) }
    })
    .await;
    browser.wait_attr(&format!("{OPTION}[data-shortcut=\"sabado\"]"), "aria-selected", "true").await;
    browser.keys_to_focused("\u{E015}").await; // ↓
    browser.wait_attr(&format!("{OPTION}[data-shortcut=\"saudar\"]"), "aria-selected", "true").await;
    let pointed = browser
        .eval(
            "const field = document.querySelector('[data-testid=composer-input]');
             const option = document.getElementById(field.getAttribute('aria-activedescendant'));
             return option ? option.dataset.shortcut : null;",
        )
        .await;
    assert_eq!(pointed, json!("saudar"), "aria-activedescendant names the highlighted option");
    browser.screenshot("quick-reply-picker").await;

    // Enter inserts the filled text and does not send it.
    let before = tokyo_greeting();
    browser.keys_to_focused("\u{E007}").await;
    let inserted = wait_composer_value(&browser, |value| !value.starts_with('/')).await;
    let after = tokyo_greeting();
    assert!(
        inserted == format!("{before}, Maria!") || inserted == format!("{after}, Maria!"),
        "inserted {inserted:?}; the greeting for now in Tokyo is {after:?}"
    );
    browser.wait_gone("quick-reply-picker").await;
    let thread = browser.texts("[data-testid=\"message-text\"]").await;
    assert!(!thread.iter().any(|text| text.contains(&inserted)), "Enter on the list sent nothing: {thread:?}");

    // Sent with Enter, it is in the thread (after the signature).
    browser.keys_to_focused("\u{E007}").await;
    browser.wait_any_contains("[data-testid=\"message-text\"]", &inserted).await;
    wait_composer_value(&browser, str::is_empty).await;

    // Esc closes the list until the text changes; no match says so.
    type_in_composer(&browser, "/xyz").await;
    browser.find("quick-reply-empty").await;
    browser.keys_to_focused("\u{E00C}").await;
    browser.wait_gone("quick-reply-picker").await;
    assert_eq!(composer_value(&browser).await, "/xyz", "Esc keeps the text");

    // A reply with a file: a click inserts it, the file is shown and goes out with the message.
    type_in_composer(&browser, "/cat").await;
    let option = browser.find_css(&format!("{OPTION}[data-shortcut=\"catalogo\"]")).await;
    option.click().await.unwrap_or_else(|err| panic!("cannot click the option: {err}"));
    wait_composer_value(&browser, |value| value == "Segue o catálogo, Maria Cliente.").await;
    browser.wait_text_contains("composer-quick-file", "catalogo.png").await;
    browser.click("composer-send").await;
    browser.wait_gone("composer-quick-file").await;
    browser.find_css("[data-testid=\"message-thread\"] img.media-image").await;
    browser.wait_any_contains("[data-testid=\"message-text\"]", "Segue o catálogo, Maria Cliente.").await;

    // The video-call button puts a fresh room of the company's server where the caret is.
    type_in_composer(&browser, "Entre: ").await;
    browser.click("composer-video-call").await;
    let with_link = wait_composer_value(&browser, |value| value.len() > "Entre: ".len()).await;
    let link = with_link.strip_prefix("Entre: ").unwrap_or_else(|| panic!("the link replaced the text: {with_link:?}"));
    let room = link
        .strip_prefix(&format!("{BASE_URL}/atende-"))
        .unwrap_or_else(|| panic!("{link:?} is not a room on {BASE_URL}"));
    assert_eq!(room.len(), 26, "{link}");
    assert!(room.chars().all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c)), "{link}");
    type_in_composer(&browser, "").await;
    browser.click("composer-video-call").await;
    let second = wait_composer_value(&browser, |value| !value.is_empty()).await;
    assert_ne!(second, link, "every click makes a new room");

    browser.close().await;
    drop(server);
}
