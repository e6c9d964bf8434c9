//! Browser test of a long conversation: only a window of its rows is in the DOM (spacers stand for
//! the rest), yet it opens at its newest message, scrolls back through every older page to its first
//! message, a message arriving meanwhile is still shown, and Home / End jump to either end.
//!
//! Every wait polls a condition with a timeout; nothing sleeps to synchronise, and no time is
//! asserted (the bench measures speed).

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::browser::Browser;
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

/// Messages in the conversation: the first page (50) and several older pages (100 each).
const MESSAGES: usize = 600;
/// Message rows the DOM may hold at once: the window (65 rows) with room to spare.
const MAX_IN_DOM: u64 = 120;
const MESSAGE: &str = "[data-testid=\"message\"]";

fn body(i: usize) -> String {
    format!("Linha {i:04} da conversa comprida")
}

/// One customer writes these through the simulated channel, four requests in flight.
async fn customer_writes(browser: &Browser, admin: &str, connection: i64, bodies: Vec<String>) -> i64 {
    let messages = bodies.into_iter().map(|text| ("5511977776666".to_owned(), text)).collect();
    support::customers_write(browser.base_url(), admin, connection, messages, 4).await
}

/// What the thread shows: message rows in the DOM, the start marker, whether the first message is
/// in the thread's viewport, and its scroll position.
async fn thread_state(browser: &Browser) -> Value {
    browser
        .eval(&format!(
            "const thread = document.querySelector('[data-testid=message-thread]'); \
             const box = thread.getBoundingClientRect(); \
             const first = [...thread.querySelectorAll('[data-testid=message-text]')].find(e => e.textContent.includes({first:?})); \
             const r = first && first.getBoundingClientRect(); \
             return {{ rows: thread.querySelectorAll('{MESSAGE}').length, \
                       start: !!thread.querySelector('[data-testid=thread-start]'), \
                       first_seen: !!r && r.bottom > box.top && r.top < box.bottom, \
                       top: thread.scrollTop, height: thread.scrollHeight }};",
            first = body(0),
            MESSAGE = MESSAGE.replace('"', "")
        ))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_conversation_keeps_few_rows_in_the_dom_and_reaches_its_first_message() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, connection) = browser.support_queue_and_simulator(&admin).await;
    let connection = connection["id"].as_i64().unwrap_or_default();
    // The first message alone, so the ticket exists before the others race to it.
    let ticket = customer_writes(&browser, &admin, connection, vec![body(0)]).await;
    customer_writes(&browser, &admin, connection, (1..MESSAGES).map(body).collect()).await;
    assert!(ticket > 0, "the simulator answered with the ticket");

    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;
    browser.goto(&format!("/tickets/{ticket}")).await;
    // It opens at the newest message.
    browser.wait_any_text("[data-testid=\"message-text\"]", &body(MESSAGES - 1)).await;

    // Back through every older page to the first message, as a reader dragging to the top again
    // and again; the DOM never holds more than the window.
    let started = Instant::now();
    let mut most = 0;
    let state = loop {
        browser.eval("document.querySelector('[data-testid=message-thread]').scrollTop = 0; return null;").await;
        let state = thread_state(&browser).await;
        most = most.max(state["rows"].as_u64().unwrap_or_default());
        if state["start"] == json!(true) && state["first_seen"] == json!(true) {
            break state;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the first message was not reached: {state}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(most <= MAX_IN_DOM, "at most {MAX_IN_DOM} message rows in the DOM, saw {most} of {MESSAGES}");
    assert!(state["height"].as_f64().unwrap_or_default() > 10_000.0, "the spacers keep the thread's height: {state}");

    // Scrolling down again brings back rows from the middle (measured, not estimated, now).
    browser
        .eval(
            "const thread = document.querySelector('[data-testid=message-thread]'); \
             thread.scrollTop = thread.scrollHeight / 2; return null;",
        )
        .await;
    let middle = support::wait_for("rows from the middle of the conversation", || async {
        let texts = browser.texts("[data-testid=\"message-text\"]").await;
        let shown: Vec<usize> = texts
            .iter()
            .filter_map(|t| t.strip_prefix("Linha ").and_then(|rest| rest.get(..4)).and_then(|n| n.parse().ok()))
            .collect();
        match (shown.iter().min(), shown.iter().max()) {
            (Some(&low), Some(&high)) if low > 50 && high < MESSAGES - 50 => Ok(shown.len()),
            _ => Err(format!("{:?}..{:?}", shown.iter().min(), shown.iter().max())),
        }
    })
    .await;
    assert!(middle as u64 <= MAX_IN_DOM, "{middle} rows in the middle");

    // A message arriving while the reader is back in the history: the button takes them to it.
    customer_writes(&browser, &admin, connection, vec!["Chegou agora, no fim da conversa".to_owned()]).await;
    browser.click("new-messages").await;
    browser.wait_any_text("[data-testid=\"message-text\"]", "Chegou agora, no fim da conversa").await;
    let rows = browser.count(MESSAGE).await;
    assert!(rows as u64 <= MAX_IN_DOM, "{rows} rows at the end");

    // From a fresh load, Home in the thread goes to the first message (every older page, at the
    // largest size) and End back to the newest.
    browser.reload().await;
    browser.wait_any_text("[data-testid=\"message-text\"]", "Chegou agora, no fim da conversa").await;
    browser.click("message-thread").await;
    browser.keys_to_focused("\u{E011}").await;
    let at_start = support::wait_for("the first message after Home", || async {
        let state = thread_state(&browser).await;
        if state["start"] == json!(true) && state["first_seen"] == json!(true) {
            Ok(state)
        } else {
            Err(state.to_string())
        }
    })
    .await;
    assert!(at_start["rows"].as_u64().unwrap_or_default() <= MAX_IN_DOM, "{at_start}");
    browser.keys_to_focused("\u{E010}").await;
    browser.wait_any_text("[data-testid=\"message-text\"]", "Chegou agora, no fim da conversa").await;

    browser.close().await;
    drop(server);
}
