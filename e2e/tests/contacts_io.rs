//! Browser test of Contatos → Importar and Exportar: a Latin-1 CSV file with `;` picked in the
//! dialog, the preview and a column set to Ignorar, "update" for contacts that exist, the progress
//! ending in the report with the rejected row and its reason, the list reloaded, then the list
//! exported (filtered) as the file the browser saves.

mod support;

use fantoccini::Locator;
use serde_json::{Value, json};
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

/// The contact with this normalised number, through the API.
async fn contact(browser: &Browser, token: &str, number: &str) -> Value {
    let page = browser.api_ok("GET", &format!("/contacts?q={number}"), None, token).await;
    page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|c| c["number"] == number).cloned())
        .unwrap_or_else(|| panic!("no contact {number}: {page}"))
}

/// Clicks Exportar and returns the text of the file the page handed to the browser to save.
async fn exported(browser: &Browser) -> String {
    // The page saves a `blob:` URL through a link; keep the blob to read it here.
    browser
        .eval(
            "window.__exported = null;
             if (!window.__keepBlobs) {
               window.__keepBlobs = true;
               const create = URL.createObjectURL;
               URL.createObjectURL = (blob) => { window.__exported = blob; return create(blob); };
             }",
        )
        .await;
    browser.click("contacts-export").await;
    support::wait_for("the exported file", || async {
        let found = browser.eval("return window.__exported !== null;").await;
        if found == json!(true) { Ok(()) } else { Err("not yet".to_owned()) }
    })
    .await;
    let text = browser
        .client
        // Decoded keeping the byte-order mark, which `Blob.text()` would drop.
        .execute_async(
            "const done = arguments[0];
             window.__exported.arrayBuffer().then((b) => done(new TextDecoder('utf-8', { ignoreBOM: true }).decode(b)));",
            vec![],
        )
        .await
        .unwrap_or_else(|err| panic!("cannot read the exported blob: {err}"));
    text.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_a_csv_through_the_dialog_then_export_the_list() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser
        .api_ok(
            "POST",
            "/contacts",
            Some(json!({"name": "Ana Antiga", "number": "11 98765-4321", "extra": {"Cidade": "Santos"}})),
            &admin,
        )
        .await;

    // As Excel in Portuguese saves it: Windows-1252, `;`.
    let dir = tempfile::tempdir().unwrap_or_else(|err| panic!("temp dir: {err}"));
    let path = dir.path().join("clientes.csv");
    let file = b"Cliente;Fone;Cidade;Obs\r\n\
        Ana Nova;(11) 98765-4321;S\xe3o Paulo;vip\r\n\
        Bruno;21 99876-5432;Rio;novo\r\n\
        Carla;123;BH;x\r\n";
    std::fs::write(&path, file).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));

    browser.goto("/contacts").await;
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/contacts").await;
    browser.wait_any_text("[data-testid=\"contact-row-name\"]", "Ana Antiga").await;
    browser.click("contacts-import").await;
    browser.find("import-dialog").await;
    let input = browser
        .client
        .find(Locator::Css(&by_testid("import-file")))
        .await
        .unwrap_or_else(|err| panic!("no file input: {err}"));
    input.send_keys(&path.display().to_string()).await.unwrap_or_else(|err| panic!("cannot pick the file: {err}"));

    // The preview: three rows read as Latin-1, the columns guessed from their titles.
    browser.wait_count("[data-testid=\"import-preview-row\"]", 3).await;
    browser.wait_text_contains("import-read-as", "Latin-1").await;
    browser.wait_any_contains("[data-testid=\"import-preview\"] td", "São Paulo").await;
    let chosen =
        browser.eval("return [0,1,2,3].map(i => document.querySelector(`[data-testid=import-map-${i}]`).value);").await;
    assert_eq!(chosen, json!(["name", "number", "extra", "extra"]));
    browser.select_label("import-map-3", "Ignorar").await;
    browser.click("import-existing-update").await;
    browser.screenshot("contacts-import-preview").await;
    browser.click("import-start").await;

    // The report: one created, one updated, one rejected with its row and reason.
    browser.wait_attr("[data-testid=\"import-job\"]", "data-status", "done").await;
    browser.wait_text("import-created", "1").await;
    browser.wait_text("import-updated", "1").await;
    browser.wait_text("import-rejected", "1").await;
    browser.wait_text("import-error-line", "4").await;
    browser.wait_text("import-error-reason", "Informe um número com DDD, como 11 98888-7777.").await;
    browser.wait_text_contains("import-count", "3 de 3 linhas").await;
    browser.screenshot("contacts-import-report").await;

    // Closing reloads the list.
    browser.click("import-close").await;
    browser.wait_gone("import-dialog").await;
    browser.wait_any_text("[data-testid=\"contact-row-name\"]", "Bruno").await;
    browser.wait_any_text("[data-testid=\"contact-row-name\"]", "Ana Nova").await;
    let ana = contact(&browser, &admin, "5511987654321").await;
    assert_eq!(ana["extra"], json!({"Cidade": "São Paulo"}), "{ana}");
    let bruno = contact(&browser, &admin, "5521998765432").await;
    assert_eq!(bruno["extra"], json!({"Cidade": "Rio"}), "the ignored column stays out: {bruno}");

    // Exportar: the whole list, then only what the search shows.
    let text = exported(&browser).await;
    assert!(text.starts_with("\u{feff}Nome;Número;E-mail;Cidade\r\n"), "{text:?}");
    assert!(text.contains("Bruno;(+55) 21 99876-5432;;Rio\r\n"), "{text:?}");
    assert!(text.contains("Ana Nova;(+55) 11 98765-4321;;São Paulo\r\n"), "{text:?}");
    browser.fill("contact-search", "Bruno").await;
    browser.wait_count("[data-testid=\"contact-row\"]", 1).await;
    let text = exported(&browser).await;
    assert!(text.contains("Bruno") && !text.contains("Ana Nova"), "{text:?}");
    assert_eq!(text.lines().count(), 2, "{text:?}");
    browser.close().await;
}
