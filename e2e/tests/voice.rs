//! Browser test of voice notes: an agent records with Chromium's fake microphone (a beep), sees
//! the time and the level move, stops, listens, sends; the thread shows the audio with its length
//! and the server stored it as Ogg/Opus, the form WhatsApp plays as a voice note. Discarding,
//! while recording or after, sends nothing; a refused or missing microphone is explained.

mod support;

use serde_json::{Value, json};
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

const AUDIO: &str = "[data-testid=\"message-thread\"] [data-testid=\"message-audio\"]";

async fn messages(browser: &Browser, admin: &str, ticket: i64) -> Vec<Value> {
    let page = browser.api_ok("GET", &format!("/tickets/{ticket}/messages"), None, admin).await;
    page["items"].as_array().cloned().unwrap_or_default()
}

/// Waits until an attribute of the element satisfies `ok`.
async fn wait_attr_until(browser: &Browser, testid: &str, attr: &str, ok: impl Fn(&str) -> bool) {
    let css = by_testid(testid);
    support::wait_for(&format!("`{css}` {attr} to change"), || async {
        let element = browser.client.find(fantoccini::Locator::Css(&css)).await.map_err(|err| err.to_string())?;
        let value = element.attr(attr).await.map_err(|err| err.to_string())?.unwrap_or_default();
        if ok(&value) { Ok(()) } else { Err(value) }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_records_listens_to_and_sends_a_voice_note() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, connection) = browser.support_queue_and_simulator(&admin).await;
    let simulated = browser
        .api_ok(
            "POST",
            &format!("/connections/{}/simulate", connection["id"]),
            Some(json!({"from": "5511988880001", "name": "Maria Cliente", "body": "Pode me mandar um áudio?"})),
            &admin,
        )
        .await;
    let ticket = simulated["ticket_id"].as_i64().unwrap_or_else(|| panic!("no ticket in {simulated}"));
    let path = format!("/tickets/{ticket}");
    browser.goto(&path).await;
    browser.wait_path("/login").await;
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, &path).await;
    browser.click("action-accept").await;
    browser.wait_text("conversation-status", "Em andamento").await;

    // Record about two seconds: the clock runs and the meter hears the beep.
    browser.click("composer-voice").await;
    browser.find("voice-recorder").await;
    wait_attr_until(&browser, "voice-level", "aria-valuenow", |v| v.parse::<f64>().is_ok_and(|n| n > 0.0)).await;
    browser.wait_text("voice-elapsed", "0:02").await;
    browser.screenshot("voice-recording").await;
    browser.click("voice-stop").await;

    // The preview plays the recording before anything is sent.
    browser.find("voice-preview").await;
    wait_attr_until(&browser, "voice-preview-audio", "src", |src| src.starts_with("blob:")).await;
    browser.wait_text("voice-length", "0:02").await;
    browser.screenshot("voice-preview").await;
    assert!(
        messages(&browser, &admin, ticket).await.iter().all(|m| m["kind"] != "audio"),
        "nothing is sent before Send"
    );
    browser.click("voice-send").await;
    browser.wait_gone("voice-preview").await;
    browser.find("composer-voice").await;

    // The thread shows it as a voice note with its length; the server keeps Ogg/Opus.
    browser.find_css(AUDIO).await;
    support::wait_for("the voice note's length", || async {
        let lengths = browser.texts("[data-testid=\"message-audio-length\"]").await;
        match lengths.as_slice() {
            [length] if ["0:01", "0:02", "0:03"].contains(&length.as_str()) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    browser.screenshot("voice-sent").await;
    let sent = messages(&browser, &admin, ticket).await;
    let note = sent.iter().find(|m| m["kind"] == "audio").unwrap_or_else(|| panic!("no audio in {sent:?}"));
    assert_eq!(note["media_mime"], "audio/ogg; codecs=opus", "{note}");
    assert_eq!(note["media_name"], "Mensagem de voz.ogg", "{note}");
    assert!(note["from_me"].as_bool().unwrap_or_default());

    // Discarded while recording, or after listening: nothing more is sent.
    browser.click("composer-voice").await;
    browser.wait_text("voice-elapsed", "0:01").await;
    browser.click("voice-cancel").await;
    browser.wait_gone("voice-recorder").await;
    browser.click("composer-voice").await;
    browser.wait_text("voice-elapsed", "0:01").await;
    browser.click("voice-stop").await;
    browser.find("voice-preview").await;
    browser.click("voice-discard").await;
    browser.wait_gone("voice-preview").await;
    // A text sent afterwards arrives after anything the discarded recordings could have sent.
    browser.fill("composer-input", "Ouviu o áudio?").await;
    browser.click("composer-send").await;
    browser.wait_any_contains("[data-testid=\"message-text\"]", "Ouviu o áudio?").await;
    browser.wait_count(AUDIO, 1).await;
    let after = messages(&browser, &admin, ticket).await;
    assert_eq!(after.iter().filter(|m| m["kind"] == "audio").count(), 1, "{after:?}");

    // A microphone the browser refuses, or that is not there, is said in the agent's words.
    for (error, said) in
        [("NotAllowedError", "O navegador não liberou o microfone."), ("NotFoundError", "Nenhum microfone encontrado.")]
    {
        browser
            .eval(&format!(
                "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('no', '{error}'));"
            ))
            .await;
        browser.click("composer-voice").await;
        browser.wait_text_contains("composer-error", said).await;
        browser.find("composer-voice").await;
        assert_eq!(browser.count(&by_testid("voice-recorder")).await, 0);
    }

    browser.close().await;
}
