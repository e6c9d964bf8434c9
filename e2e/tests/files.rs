//! Browser tests of files in the composer: several picked at once, previewed and captioned in the
//! tray, refused there when over the company's limit, sent in order; pasted and dropped files are
//! staged the same way. The real server and the built SPA in headless Chromium.
//!
//! Every wait polls a condition with a timeout (see `support::wait_for`); nothing sleeps to
//! synchronise. Screenshots go to `e2e/screenshots/`.

mod support;

use fantoccini::Locator;
use serde_json::{Value, json};
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

const ITEM: &str = "[data-testid=\"attachment-item\"]";

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

/// The `n`-th tray item's (1-based) element matching `css`.
fn in_item(n: usize, css: &str) -> String {
    format!("{ITEM}:nth-child({n}) {css}")
}

/// Types into the input matching `css` (after what it holds).
async fn type_into(browser: &Browser, css: &str, text: &str) {
    let input = browser.find_css(css).await;
    input.send_keys(text).await.unwrap_or_else(|err| panic!("cannot type into {css}: {err}"));
}

async fn value_of(browser: &Browser, css: &str) -> Value {
    let found = browser.find_css(css).await;
    json!(found.prop("value").await.unwrap_or_else(|err| panic!("no value of {css}: {err}")))
}

/// Picks files in the composer's file input at once (WebDriver takes several paths, one a line).
async fn pick(browser: &Browser, paths: &[&std::path::Path]) {
    let input = browser
        .client
        .find(Locator::Css(&by_testid("composer-file")))
        .await
        .unwrap_or_else(|err| panic!("no file input: {err}"));
    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    input.send_keys(&list.join("\n")).await.unwrap_or_else(|err| panic!("cannot pick {list:?}: {err}"));
}

/// A PNG drawn in the page (a 160×100 picture, so the thumbnail shows something).
async fn drawn_png(browser: &Browser, label: &str) -> Vec<u8> {
    let script = "
const [label, done] = arguments;
const canvas = document.createElement('canvas');
canvas.width = 160; canvas.height = 100;
const g = canvas.getContext('2d');
const fill = g.createLinearGradient(0, 0, 160, 100);
fill.addColorStop(0, '#0f766e'); fill.addColorStop(1, '#f59e0b');
g.fillStyle = fill; g.fillRect(0, 0, 160, 100);
g.fillStyle = '#fff'; g.font = 'bold 22px sans-serif'; g.fillText(label, 14, 58);
canvas.toBlob(async (blob) => done([...new Uint8Array(await blob.arrayBuffer())]), 'image/png');
";
    let bytes = browser
        .client
        .execute_async(script, vec![json!(label)])
        .await
        .unwrap_or_else(|err| panic!("cannot draw a PNG: {err}"));
    let bytes: Vec<u8> = serde_json::from_value(bytes).unwrap_or_else(|err| panic!("not bytes: {err}"));
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    bytes
}

/// A short WebM video recorded in the page from a canvas (MediaRecorder), as bytes.
async fn recorded_webm(browser: &Browser) -> Vec<u8> {
    let script = "
const done = arguments[arguments.length - 1];
const canvas = document.createElement('canvas');
canvas.width = 160; canvas.height = 100;
const g = canvas.getContext('2d');
const stream = canvas.captureStream(25);
const recorder = new MediaRecorder(stream, { mimeType: 'video/webm' });
const chunks = [];
recorder.ondataavailable = (e) => chunks.push(e.data);
recorder.onstop = async () => done([...new Uint8Array(await new Blob(chunks).arrayBuffer())]);
let frame = 0;
const paint = () => {
  g.fillStyle = frame % 2 ? '#0f766e' : '#115e59'; g.fillRect(0, 0, 160, 100);
  g.fillStyle = '#fff'; g.font = 'bold 22px sans-serif'; g.fillText('vídeo', 14, 58);
  frame += 1;
  // Enough frames for a picture; the recording's length is what is made, not a wait.
  if (frame < 15) requestAnimationFrame(paint); else recorder.stop();
};
recorder.start();
paint();
";
    let bytes = browser.client.execute_async(script, vec![]).await.unwrap_or_else(|err| panic!("cannot record: {err}"));
    let bytes: Vec<u8> = serde_json::from_value(bytes).unwrap_or_else(|err| panic!("not bytes: {err}"));
    assert!(bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]), "not a WebM file");
    bytes
}

/// What the thread shows after the customer's first message, one entry per message, in order.
async fn sent_messages(browser: &Browser) -> Value {
    browser
        .eval(
            "return [...document.querySelectorAll('[data-testid=message].mine')].map(m => ({
                image: !!m.querySelector('img.media-image'),
                document: m.querySelector('.document-name')?.textContent ?? null,
                caption: m.querySelector('[data-testid=message-text]')?.textContent ?? null,
            }));",
        )
        .await
}

/// The script that builds a `DataTransfer` holding one file, in the page.
const DATA_TRANSFER: &str = "
const [name, type, bytes] = arguments;
const data = new DataTransfer();
data.items.add(new File([new Uint8Array(bytes)], name, { type }));
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_staged_previewed_captioned_and_sent_in_order() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, connection) = browser.support_queue_and_simulator(&admin).await;
    let settings = browser.api_ok("PATCH", "/settings", Some(json!({"general": {"max_upload_mb": 1}})), &admin).await;
    assert_eq!(settings["general"]["max_upload_mb"], 1);
    // Without the signature, captions read as typed.
    browser.api_ok("PATCH", "/me", Some(json!({"signature_enabled": false})), &admin).await;
    let customer = json!({"from": "5511988887777", "name": "Paula Cliente", "body": "Pode mandar os documentos?"});
    let arrived =
        browser.api_ok("POST", &format!("/connections/{}/simulate", connection["id"]), Some(customer), &admin).await;
    let ticket = arrived["ticket_id"].as_i64().unwrap_or_else(|| panic!("no ticket in {arrived}"));
    browser.api_ok("POST", &format!("/tickets/{ticket}/accept"), Some(json!({})), &admin).await;

    browser.goto(&format!("/tickets/{ticket}")).await;
    browser.wait_path("/login").await;
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, &format!("/tickets/{ticket}")).await;
    browser.wait_any_text("[data-testid=\"message-text\"]", "Pode mandar os documentos?").await;

    let dir = tempfile::tempdir().unwrap_or_else(|err| panic!("cannot make a temp dir: {err}"));
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|err| panic!("cannot write {name}: {err}"));
        path
    };
    let picture = drawn_png(&browser, "foto").await;
    let photo = write("foto.png", &picture);
    let report = write("relatorio.pdf", PDF);
    let big = write("grande.bin", &vec![7u8; 1024 * 1024 + 1]);

    // Two files at once: what was typed becomes the first one's caption, like WhatsApp.
    browser.fill("composer-input", "Seguem os documentos").await;
    pick(&browser, &[&photo, &report]).await;
    browser.wait_count(ITEM, 2).await;
    assert_eq!(value_of(&browser, &by_testid("composer-input")).await, json!(""));
    assert_eq!(
        value_of(&browser, &in_item(1, "[data-testid=attachment-caption]")).await,
        json!("Seguem os documentos")
    );
    assert_eq!(value_of(&browser, &in_item(2, "[data-testid=attachment-caption]")).await, json!(""));
    assert_eq!(browser.texts("[data-testid=\"attachment-name\"]").await, ["foto.png", "relatorio.pdf"]);
    // Sizes as people read them (the exact wording is unit-tested in the SPA).
    let sizes = browser.texts("[data-testid=\"attachment-size\"]").await;
    assert!(picture.len() > 1024 && sizes[0].ends_with(" KB"), "{sizes:?}");
    assert_eq!(sizes[1], format!("{} B", PDF.len()));
    // The image's thumbnail is the file itself (an object URL), decoded; the PDF gets an icon.
    support::wait_for("the thumbnail to load", || async {
        let shown = browser
            .eval(&format!(
                "const img = document.querySelector('{}'); return img && img.src.startsWith('blob:') && img.complete && img.naturalWidth === 160;",
                in_item(1, "img[data-testid=attachment-preview-image]")
            ))
            .await;
        if shown == json!(true) { Ok(()) } else { Err(shown.to_string()) }
    })
    .await;
    let icon = browser.find_css(&in_item(2, "[data-testid=attachment-preview-file]")).await;
    assert_eq!(icon.text().await.unwrap_or_default().trim(), "PDF");

    // A caption is edited; a file over the company's limit is refused in the tray, never sent.
    type_into(&browser, &in_item(2, "[data-testid=attachment-caption]"), "Relatório de março").await;
    pick(&browser, &[&big]).await;
    browser.wait_count(ITEM, 3).await;
    browser.wait_attr(&format!("{ITEM}:nth-child(3)"), "data-status", "refused").await;
    let refusal = browser.find_css(&in_item(3, "[data-testid=attachment-error]")).await;
    assert_eq!(refusal.text().await.unwrap_or_default(), "Arquivo acima do limite de 1 MB.");
    assert_eq!(browser.count(&in_item(3, "[data-testid=attachment-caption]")).await, 0);
    browser.screenshot("attachments-tray").await;
    browser
        .find_css(&in_item(3, "[data-testid=attachment-remove]"))
        .await
        .click()
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    browser.wait_count(ITEM, 2).await;

    // Send: one message each, in the tray's order, each with its caption; the tray empties.
    browser.click("composer-send").await;
    browser.wait_gone("attachment-tray").await;
    support::wait_for("both files in the thread, in order", || async {
        let sent = sent_messages(&browser).await;
        let expected = json!([
            {"image": true, "document": null, "caption": "Seguem os documentos"},
            {"image": false, "document": "relatorio.pdf", "caption": "Relatório de março"},
        ]);
        if sent == expected { Ok(()) } else { Err(sent.to_string()) }
    })
    .await;
    let (_, page) = browser.api("GET", &format!("/tickets/{ticket}/messages"), None, Some(&admin)).await;
    let names: Vec<Value> = page["items"].as_array().into_iter().flatten().map(|m| m["media_name"].clone()).collect();
    assert!(!names.contains(&json!("grande.bin")), "the refused file never went: {names:?}");

    // A pasted image (a screenshot) is staged; nothing is typed into the field.
    browser.fill("composer-input", "").await;
    let paste = format!(
        "{DATA_TRANSFER}
         const input = document.querySelector('[data-testid=composer-input]');
         input.dispatchEvent(new ClipboardEvent('paste', {{ clipboardData: data, bubbles: true, cancelable: true }}));"
    );
    browser
        .client
        .execute(&paste, vec![json!("image.png"), json!("image/png"), json!(drawn_png(&browser, "print").await)])
        .await
        .unwrap_or_else(|err| panic!("cannot paste: {err}"));
    browser.wait_count(ITEM, 1).await;
    assert_eq!(browser.texts("[data-testid=\"attachment-name\"]").await, ["image.png"]);
    browser.find_css(&in_item(1, "img[data-testid=attachment-preview-image]")).await;
    assert_eq!(value_of(&browser, &by_testid("composer-input")).await, json!(""));

    // Dragging files over the conversation shows the overlay; dropping stages them after the rest.
    let drag = format!(
        "{DATA_TRANSFER}
         window.__dropped = data;
         const thread = document.querySelector('[data-testid=message-thread]');
         thread.dispatchEvent(new DragEvent('dragenter', {{ dataTransfer: data, bubbles: true, cancelable: true }}));"
    );
    browser
        .client
        .execute(&drag, vec![json!("notas.txt"), json!("text/plain"), json!(b"lista de itens".to_vec())])
        .await
        .unwrap_or_else(|err| panic!("cannot drag: {err}"));
    browser.find("drop-overlay").await;
    browser.screenshot("attachments-drop").await;
    browser
        .eval(
            "const overlay = document.querySelector('[data-testid=drop-overlay]');
             overlay.dispatchEvent(new DragEvent('dragover', { dataTransfer: window.__dropped, bubbles: true, cancelable: true }));
             overlay.dispatchEvent(new DragEvent('drop', { dataTransfer: window.__dropped, bubbles: true, cancelable: true }));
             return null;",
        )
        .await;
    browser.wait_gone("drop-overlay").await;
    browser.wait_count(ITEM, 2).await;
    assert_eq!(browser.texts("[data-testid=\"attachment-name\"]").await, ["image.png", "notas.txt"]);
    browser.find_css(&in_item(2, "[data-testid=attachment-preview-file]")).await;

    // A video shows its first frame.
    let video = recorded_webm(&browser).await;
    browser
        .client
        .execute(&paste, vec![json!("clipe.webm"), json!("video/webm"), json!(video)])
        .await
        .unwrap_or_else(|err| panic!("cannot paste: {err}"));
    browser.wait_count(ITEM, 3).await;
    support::wait_for("the video's first frame", || async {
        let shown = browser
            .eval(&format!(
                "const v = document.querySelector('{}'); return v && v.src.startsWith('blob:') && v.readyState >= 2 && v.videoWidth === 160;",
                in_item(3, "video[data-testid=attachment-preview-video]")
            ))
            .await;
        if shown == json!(true) { Ok(()) } else { Err(shown.to_string()) }
    })
    .await;
    browser.screenshot("attachments-pasted-and-dropped").await;

    // Esc empties the tray without sending anything.
    browser.click("composer-input").await;
    browser.keys_to_focused("\u{E00C}").await;
    browser.wait_gone("attachment-tray").await;
    assert_eq!(sent_messages(&browser).await.as_array().map(Vec::len), Some(2));
    browser.close().await;
}
