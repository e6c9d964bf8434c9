//! Browser test of the panel's Etiqueta and Nota: an administrator adds a tag on the Etiquetas
//! page; an agent puts it on a ticket from the panel (the list row and the header show it),
//! filters the list by it, takes it off, and writes an internal note that a second agent, looking
//! at the same ticket, sees appear in the thread without reloading (and go when it is deleted).

mod support;

use serde_json::json;
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

const ROW_NAME: &str = "[data-testid=\"ticket-row-name\"]";
const PASSWORD: &str = "agente-Secret-1";

async fn wait_names(browser: &Browser, expected: &[&str]) {
    support::wait_for(&format!("the ticket list to show {expected:?}"), || async {
        let mut names = browser.texts(ROW_NAME).await;
        names.sort();
        let mut want: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        want.sort();
        if names == want { Ok(()) } else { Err(format!("{names:?}")) }
    })
    .await
}

/// The texts of `css` equal `expected`, in order, soon.
async fn wait_texts(browser: &Browser, css: &str, expected: &[&str]) {
    support::wait_for(&format!("`{css}` to read {expected:?}"), || async {
        let texts = browser.texts(css).await;
        if texts == expected { Ok(()) } else { Err(format!("{texts:?}")) }
    })
    .await
}

async fn agent_browser(server: &Server, email: &str) -> Browser {
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/tickets").await;
    browser.wait_path("/login").await;
    browser.sign_in_as(email, PASSWORD, "/tickets").await;
    browser.find("ticket-pane").await;
    browser
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_tag_tickets_filter_by_tags_and_share_internal_notes_live() {
    let server = Server::start();
    let admin_browser = Browser::start(&server.base_url).await;
    admin_browser.goto("/login").await;
    let admin = admin_browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (queue, connection) = admin_browser.support_queue_and_simulator(&admin).await;
    for (name, email) in [("Ana Agente", "ana@e2e.test"), ("Bia Agente", "bia@e2e.test")] {
        let user =
            json!({"name": name, "email": email, "password": PASSWORD, "role": "agent", "queue_ids": [queue["id"]]});
        admin_browser.api_ok("POST", "/users", Some(user), &admin).await;
    }
    let mut tickets = Vec::new();
    for (from, name) in [("5511988880001", "Maria Cliente"), ("5511988880002", "João Cliente")] {
        let message = json!({"from": from, "name": name, "body": format!("Oi, aqui é {name}")});
        let simulated = admin_browser
            .api_ok("POST", &format!("/connections/{}/simulate", connection["id"]), Some(message), &admin)
            .await;
        tickets.push(simulated["ticket_id"].as_i64().unwrap_or_default());
    }
    admin_browser.api_ok("POST", "/tags", Some(json!({"name": "Boleto", "color": "#16a34a"})), &admin).await;

    // The administrator adds "VIP" on the Etiquetas page.
    admin_browser.goto("/").await;
    admin_browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;
    admin_browser.click("nav-tags").await;
    admin_browser.wait_path("/admin/tags").await;
    admin_browser.wait_any_text(&by_testid("tag-row-name"), "Boleto").await;
    admin_browser.click("tag-new").await;
    admin_browser.find("tag-dialog").await;
    admin_browser.click("tag-save").await;
    admin_browser.wait_text("tag-name-error", "Obrigatório.").await;
    admin_browser.fill("tag-name", "VIP").await;
    admin_browser.click("tag-save").await;
    admin_browser.wait_gone("tag-dialog").await;
    wait_texts(&admin_browser, &by_testid("tag-row-name"), &["Boleto", "VIP"]).await;
    admin_browser.screenshot("admin-tags").await;
    admin_browser.close().await;

    // Ana opens Maria's ticket and its panel, and tags it VIP from the picker.
    let ana = agent_browser(&server, "ana@e2e.test").await;
    ana.click("tab-pending").await;
    wait_names(&ana, &["Maria Cliente", "João Cliente"]).await;
    ana.goto(&format!("/tickets/{}", tickets[0])).await;
    ana.find("conversation").await;
    ana.click("action-info").await;
    ana.find("panel-tags-empty").await;
    ana.click("panel-tag-add").await;
    wait_texts(&ana, &by_testid("panel-tag-option"), &["Boleto", "VIP"]).await;
    ana.wait_any_text(&by_testid("panel-tag-option"), "VIP").await.click().await.unwrap_or_else(|e| panic!("{e}"));
    ana.wait_gone("panel-tag-picker").await;
    wait_texts(&ana, &by_testid("panel-tag"), &["VIP×"]).await;
    wait_texts(&ana, &by_testid("conversation-tag"), &["VIP"]).await;
    let maria_row = format!("[data-ticket-id=\"{}\"] [data-testid=\"ticket-row-tag\"]", tickets[0]);
    wait_texts(&ana, &maria_row, &["VIP"]).await;
    ana.screenshot("panel-tags").await;

    // The list's filter: only tickets with any of the chosen tags.
    ana.click("filters-toggle").await;
    let vip = ana.wait_any_text(&by_testid("filter-tag-choice"), "VIP").await;
    vip.click().await.unwrap_or_else(|err| panic!("cannot tick VIP: {err}"));
    wait_names(&ana, &["Maria Cliente"]).await;
    ana.wait_text("filters-count", "1").await;
    ana.click("filters-clear").await;
    wait_names(&ana, &["Maria Cliente", "João Cliente"]).await;
    ana.click("filters-toggle").await;

    // Bia looks at the same ticket.
    let bia = agent_browser(&server, "bia@e2e.test").await;
    bia.goto(&format!("/tickets/{}", tickets[0])).await;
    bia.wait_any_text("[data-testid=\"message-text\"]", "Oi, aqui é Maria Cliente").await;
    wait_texts(&bia, &by_testid("conversation-tag"), &["VIP"]).await;

    // Ana writes a note: refused empty, then saved; it shows in her panel and thread, and in
    // Bia's thread without a reload, as an internal note.
    ana.click("note-save").await;
    ana.wait_text("note-body-error", "Obrigatório.").await;
    ana.fill("note-body", "Cliente pediu a segunda via do boleto").await;
    ana.click("note-save").await;
    wait_texts(&ana, &by_testid("panel-note-body"), &["Cliente pediu a segunda via do boleto"]).await;
    wait_texts(&ana, &by_testid("panel-note-author"), &["Ana Agente"]).await;
    wait_texts(&ana, &by_testid("thread-note-body"), &["Cliente pediu a segunda via do boleto"]).await;
    wait_texts(&bia, &by_testid("thread-note-body"), &["Cliente pediu a segunda via do boleto"]).await;
    bia.wait_text_contains("thread-note", "Nota interna").await;
    bia.screenshot("thread-note").await;
    // Bia may not delete Ana's note: no button for her.
    bia.click("action-info").await;
    wait_texts(&bia, &by_testid("panel-note-body"), &["Cliente pediu a segunda via do boleto"]).await;
    assert_eq!(bia.count(&by_testid("panel-note-delete")).await, 0);

    // Ana takes the tag off and deletes her note: Bia's header and thread follow.
    ana.click("panel-tag-remove").await;
    ana.find("panel-tags-empty").await;
    ana.wait_gone("conversation-tag").await;
    bia.wait_gone("conversation-tag").await;
    ana.click("panel-note-delete").await;
    ana.wait_gone("thread-note").await;
    bia.wait_gone("thread-note").await;
    bia.wait_gone("panel-note").await;

    ana.close().await;
    bia.close().await;
}
