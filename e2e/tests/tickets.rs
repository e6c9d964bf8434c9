//! Browser tests of the agent's two screens (ticket list and conversation), the contacts page and
//! the dashboard: the real `atende` server and the built SPA in headless Chromium, with customers
//! simulated through the simulator channel. Two browsers are two agents working side by side.
//!
//! Every wait polls a condition with a timeout (see `support::wait_for`); nothing sleeps to
//! synchronise. Screenshots go to `e2e/screenshots/`.

mod support;

use serde_json::{Value, json};
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

const BRUNO: (&str, &str, &str) = ("Bruno Agente", "bruno@e2e.test", "Bruno-Secret-1");
const CARLA: (&str, &str, &str) = ("Carla Agente", "carla@e2e.test", "Carla-Secret-1");
const ROW: &str = "[data-testid=\"ticket-row\"]";
const ROW_NAME: &str = "[data-testid=\"ticket-row-name\"]";

/// What the admin set up through the API: queues Suporte and Vendas, two agents of Suporte, and a
/// simulator connection whose default queue is Suporte.
struct Company {
    admin: String,
    connection: i64,
}

async fn set_up_company(browser: &Browser) -> Company {
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let support = browser.api_ok("POST", "/queues", Some(json!({"name": "Suporte", "color": "#2563eb"})), &admin).await;
    let support_queue = support["id"].as_i64().unwrap_or_default();
    browser.api_ok("POST", "/queues", Some(json!({"name": "Vendas", "color": "#db2777"})), &admin).await;
    for (name, email, password) in [BRUNO, CARLA] {
        let user =
            json!({"name": name, "email": email, "password": password, "role": "agent", "queue_ids": [support_queue]});
        browser.api_ok("POST", "/users", Some(user), &admin).await;
    }
    let connection = browser
        .api_ok(
            "POST",
            "/connections",
            Some(json!({"name": "Simulador", "kind": "simulator", "default_queue_id": support_queue})),
            &admin,
        )
        .await;
    Company { admin, connection: connection["id"].as_i64().unwrap_or_default() }
}

/// A customer writes through the simulated channel; returns the ticket id.
async fn customer_writes(browser: &Browser, company: &Company, from: &str, name: &str, body: &str) -> i64 {
    let message = json!({"from": from, "name": name, "body": body});
    let result = browser
        .api_ok("POST", &format!("/connections/{}/simulate", company.connection), Some(message), &company.admin)
        .await;
    result["ticket_id"].as_i64().unwrap_or_else(|| panic!("no ticket id in {result}"))
}

/// Many customers write, from inside the page (a few requests in flight at a time).
async fn many_customers_write(browser: &Browser, company: &Company, count: usize, prefix: &str) {
    simulate(browser, company, count, |i| {
        json!({"from": format!("55119{}", 70_000_000 + i), "name": format!("{prefix} {i:04}"), "body": format!("Mensagem {i}")})
    })
    .await;
}

/// Customers write `count` messages through the simulated channel, four at a time, from the test
/// itself: seeding is not what is measured, and a browser script has a time limit a loaded machine
/// can exceed.
async fn simulate(browser: &Browser, company: &Company, count: usize, message: impl Fn(usize) -> Value) {
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/connections/{}/simulate", browser.base_url(), company.connection);
    let bodies: Vec<Value> = (0..count).map(message).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let worker = || async {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(body) = bodies.get(i) else { return };
            let response = client
                .post(&url)
                .bearer_auth(&company.admin)
                .json(body)
                .send()
                .await
                .unwrap_or_else(|err| panic!("simulating message {i}: {err}"));
            assert!(response.status().is_success(), "simulating message {i}: {}", response.status());
        }
    };
    futures_util::future::join_all((0..4).map(|_| worker())).await;
}

/// A 1×1 PNG.
const ONE_PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// Picks a file in the composer's (visually hidden) file input.
async fn attach(browser: &Browser, path: &std::path::Path) {
    let input = browser
        .client
        .find(fantoccini::Locator::Css(&by_testid("composer-file")))
        .await
        .unwrap_or_else(|err| panic!("no file input: {err}"));
    input
        .send_keys(&path.display().to_string())
        .await
        .unwrap_or_else(|err| panic!("cannot pick {}: {err}", path.display()));
}

/// Waits until the list shows exactly these contact names (any order).
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

async fn open_row(browser: &Browser, name: &str) {
    let row = browser.wait_any_text(ROW_NAME, name).await;
    row.click().await.unwrap_or_else(|err| panic!("cannot open the ticket of {name}: {err}"));
}

async fn agent_browser(server: &Server, (_, email, password): (&str, &str, &str)) -> Browser {
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/tickets").await;
    browser.wait_path("/login").await;
    browser.sign_in_as(email, password, "/tickets").await;
    browser.find("ticket-pane").await;
    browser
}

/// The day of an agent: a customer writes → the ticket appears live in Não iniciados → accept →
/// reply with ticks → transfer to a colleague who sees it arrive live → resolve → reopen. Also:
/// contact text is never HTML, search and a filter narrow the list, Carregar mais loads the next
/// page, and the time to the first rendered list is measured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_work_tickets_live() {
    let server = Server::start();
    let bruno = Browser::start(&server.base_url).await;
    bruno.goto("/login").await;
    let company = set_up_company(&bruno).await;
    bruno.goto("/tickets").await;
    bruno.sign_in_as(BRUNO.1, BRUNO.2, "/tickets").await;
    bruno.click("tab-pending").await;
    bruno.find("tickets-empty").await;
    let carla = agent_browser(&server, CARLA).await;
    carla.click("tab-open").await;
    carla.find("tickets-empty").await;

    // A customer writes: the ticket appears live in Bruno's "Não iniciados", with its counter.
    let ticket =
        customer_writes(&bruno, &company, "5511988880001", "Maria Cliente", "Olá, preciso de ajuda com meu pedido")
            .await;
    bruno.wait_any_text(ROW_NAME, "Maria Cliente").await;
    bruno.wait_text_contains("ticket-row-preview", "preciso de ajuda").await;
    bruno.wait_text("tab-count-pending", "1").await;
    bruno.screenshot("tickets-pending").await;

    // Open it (its own URL), read it, accept it: it moves to "Em andamento".
    open_row(&bruno, "Maria Cliente").await;
    bruno.wait_path(&format!("/tickets/{ticket}")).await;
    bruno.wait_any_text("[data-testid=\"message-text\"]", "Olá, preciso de ajuda com meu pedido").await;
    bruno.wait_text("composer-note", "Aceite o atendimento para responder.").await;
    bruno.click("action-accept").await;
    bruno.wait_text("conversation-status", "Em andamento").await;
    bruno.wait_text("conversation-assignee", "Atribuído a Bruno Agente").await;
    bruno.wait_attr(&by_testid("tab-open"), "aria-selected", "true").await;
    bruno.wait_any_text(ROW_NAME, "Maria Cliente").await;

    // Reply with Enter; the message shows its delivery tick.
    bruno.fill("composer-input", "Bom dia! Vou verificar o seu pedido.").await;
    bruno.keys_to_focused("\u{E007}").await;
    // The signature (on by default) puts the agent's name first, in bold, as the contact sees it.
    bruno.wait_any_contains("[data-testid=\"message-text\"]", "Bom dia! Vou verificar o seu pedido.").await;
    bruno.wait_any_text("[data-testid=\"message-text\"] strong", "Bruno Agente").await;
    support::wait_for("the sent tick", || async {
        let statuses = bruno
            .eval("return [...document.querySelectorAll('[data-testid=message-status]')].map(e => e.dataset.status);")
            .await;
        let sent = statuses
            .as_array()
            .is_some_and(|all| all.iter().any(|s| matches!(s.as_str(), Some("sent" | "delivered" | "read"))));
        if sent { Ok(()) } else { Err(statuses.to_string()) }
    })
    .await;
    assert_eq!(bruno.eval("return document.querySelector('[data-testid=composer-input]').value;").await, json!(""));
    // The signature switch is the agent's own setting: off, the next message goes without it.
    bruno.find("signature-preview").await;
    bruno.click("signature-toggle").await;
    bruno.wait_attr(&by_testid("signature-toggle"), "aria-checked", "false").await;
    bruno.wait_gone("signature-preview").await;
    bruno.fill("composer-input", "Sem assinatura").await;
    bruno.click("composer-send").await;
    bruno.wait_any_text("[data-testid=\"message-text\"]", "Sem assinatura").await;
    // Emoji from the picker go where the caret is; a reply quotes the message it answers.
    bruno.fill("composer-input", "Obrigado ").await;
    bruno.click("composer-emoji").await;
    bruno.find("emoji-picker").await;
    bruno.click("emoji").await;
    bruno.wait_gone("emoji-picker").await;
    assert_eq!(
        bruno.eval("return document.querySelector('[data-testid=composer-input]').value;").await,
        json!("Obrigado 😀")
    );
    let first = bruno.wait_any_text("[data-testid=\"message-text\"]", "Olá, preciso de ajuda com meu pedido").await;
    first.click().await.unwrap_or_else(|err| panic!("cannot point at the message: {err}"));
    bruno.click("message-reply").await;
    bruno.wait_text_contains("composer-reply", "Olá, preciso de ajuda").await;
    bruno.click("composer-send").await;
    bruno.wait_text_contains("message-quote", "Olá, preciso de ajuda").await;
    bruno.wait_gone("composer-reply").await;

    // Contact text is text: markup arrives live and shows as typed, nothing is interpreted.
    let attack = "<img src=x onerror=alert(1)>";
    customer_writes(&bruno, &company, "5511988880001", "Maria Cliente", attack).await;
    bruno.wait_any_text("[data-testid=\"message-text\"]", attack).await;
    assert_eq!(bruno.count("[data-testid=\"message-thread\"] img").await, 0, "no element made from contact text");
    bruno.wait_any_text(ROW_NAME, "Maria Cliente").await; // no alert blocks the page
    // Read while it is open on the assigned agent's screen: no unread badge stays behind.
    bruno.wait_gone("ticket-row-unread").await;
    bruno.screenshot("conversation").await;

    // Files: staged, then sent with Send; a kind the server refuses keeps a clear message in the
    // tray while the image goes and is shown (more in files.rs).
    let files = tempfile::tempdir().unwrap_or_else(|err| panic!("cannot make a temp dir: {err}"));
    let program = files.path().join("programa.exe");
    std::fs::write(&program, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00").unwrap_or_else(|err| panic!("{err}"));
    let photo = files.path().join("foto.png");
    std::fs::write(&photo, ONE_PIXEL_PNG).unwrap_or_else(|err| panic!("{err}"));
    attach(&bruno, &program).await;
    attach(&bruno, &photo).await;
    bruno.wait_count("[data-testid=\"attachment-item\"]", 2).await;
    bruno.click("composer-send").await;
    bruno.wait_text_contains("attachment-error", "não pode ser enviado").await;
    bruno.find_css("[data-testid=\"message-thread\"] img.media-image").await;
    bruno.wait_count("[data-testid=\"attachment-item\"]", 1).await;
    bruno.click("attachment-remove").await;
    bruno.wait_gone("attachment-tray").await;

    // Transfer to Carla: it leaves Bruno's list and arrives live in Carla's "Em andamento".
    bruno.click("action-transfer").await;
    bruno.find("transfer-dialog").await;
    bruno.select_label("transfer-user", CARLA.0).await;
    bruno.click("transfer-confirm").await;
    bruno.wait_gone("transfer-dialog").await;
    bruno.wait_path("/tickets").await;
    bruno.wait_gone("ticket-row").await;
    carla.wait_any_text(ROW_NAME, "Maria Cliente").await;
    carla.wait_text("tab-count-open", "1").await;

    // Carla resolves it (confirming): it leaves "Em andamento" and is in "Finalizados"; reopen.
    open_row(&carla, "Maria Cliente").await;
    carla.wait_text("conversation-assignee", "Atribuído a Carla Agente").await;
    carla.wait_any_text("[data-testid=\"message-text\"]", attack).await;
    carla.click("action-resolve").await;
    carla.find("confirm-dialog").await;
    carla.click("confirm-action").await;
    carla.wait_text("conversation-status", "Finalizados").await;
    carla.wait_gone("ticket-row").await;
    carla.click("tab-closed").await;
    carla.wait_any_text(ROW_NAME, "Maria Cliente").await;
    carla.click("action-reopen").await;
    carla.wait_text("conversation-status", "Em andamento").await;
    carla.wait_attr(&by_testid("tab-open"), "aria-selected", "true").await;
    carla.wait_any_text(ROW_NAME, "Maria Cliente").await;
    // Reload and back/forward keep the ticket's URL and screen.
    carla.reload().await;
    carla.wait_text("conversation-name", "Maria Cliente").await;
    carla.click("action-info").await;
    carla.wait_any_text("[data-testid=\"ticket-log\"] .log-what", "Carla Agente reabriu o atendimento").await;
    carla.goto("/contacts").await;
    carla.find("contacts-page").await;
    carla.client.back().await.unwrap_or_else(|err| panic!("cannot go back: {err}"));
    carla.wait_text("conversation-name", "Maria Cliente").await;

    // Search and a filter narrow Bruno's "Não iniciados".
    for (number, name) in
        [("5511977770001", "Joana Prado"), ("5511977770002", "Pedro Lima"), ("5511977770003", "Rita Alves")]
    {
        customer_writes(&bruno, &company, number, name, &format!("Oi, aqui é {name}")).await;
    }
    bruno.click("tab-pending").await;
    wait_names(&bruno, &["Joana Prado", "Pedro Lima", "Rita Alves"]).await;
    bruno.fill("ticket-search", "Joana").await;
    wait_names(&bruno, &["Joana Prado"]).await;
    bruno.fill("ticket-search", "").await;
    wait_names(&bruno, &["Joana Prado", "Pedro Lima", "Rita Alves"]).await;
    bruno.click("filters-toggle").await;
    bruno.select_label("filter-queue", "Vendas").await;
    bruno.find("tickets-empty").await;
    bruno.select_label("filter-queue", "Suporte").await;
    wait_names(&bruno, &["Joana Prado", "Pedro Lima", "Rita Alves"]).await;
    bruno.wait_text("filters-count", "1").await;
    bruno.click("filters-clear").await;
    bruno.wait_gone("filters-count").await;
    bruno.click("filters-toggle").await;

    // Group conversations are listed apart from private ones.
    let group = json!({"from": "5511977770009", "name": "Sofia", "body": "Bom dia, grupo",
        "group": {"id": "120363000000000001@g.us", "name": "Grupo da Loja"}});
    bruno.api_ok("POST", &format!("/connections/{}/simulate", company.connection), Some(group), &company.admin).await;
    bruno.click("kind-group").await;
    wait_names(&bruno, &["Grupo da Loja"]).await;
    bruno.click("kind-private").await;
    wait_names(&bruno, &["Joana Prado", "Pedro Lima", "Rita Alves"]).await;

    // Carregar mais Conversas: 45 waiting tickets come 40 at a time. The reload also measures the
    // time from navigation to the first rendered list.
    many_customers_write(&bruno, &company, 42, "Cliente").await;
    bruno.reload().await;
    let first_list_ms = bruno.wait_mark("atende:ticket-list").await;
    println!("navigation → first rendered ticket list: {first_list_ms:.0} ms");
    bruno.wait_count(ROW, 40).await;
    bruno.wait_text("tab-count-pending", "45").await;
    bruno.click("tickets-load-more").await;
    bruno.wait_count(ROW, 45).await;
    bruno.wait_gone("tickets-load-more").await;

    // Keyboard: from the search, ArrowDown goes into the list; Enter opens the focused ticket.
    bruno.click("ticket-search").await;
    bruno.keys_to_focused("\u{E015}").await;
    bruno.keys_to_focused("\u{E015}").await;
    let focused = bruno.eval("return document.activeElement.dataset.ticketId || null;").await;
    let focused = focused.as_str().unwrap_or_else(|| panic!("no ticket row focused: {focused}")).to_owned();
    bruno.keys_to_focused("\u{E007}").await;
    bruno.wait_path(&format!("/tickets/{focused}")).await;
    bruno.find("conversation-header").await;

    // English, and a phone-sized screen: the list alone, then the conversation alone.
    carla.click("lang-en").await;
    carla.wait_text("conversation-status", "In progress").await;
    // The panel is still open when Chromium restored the page from its back-forward cache, and
    // closed when it loaded it afresh: either way it goes for the phone-sized screen.
    if carla.count(&by_testid("ticket-info")).await > 0 {
        carla.click("action-info").await;
        carla.wait_gone("ticket-info").await;
    }
    carla.client.set_window_size(390, 844).await.unwrap_or_else(|err| panic!("cannot resize: {err}"));
    carla.find("conversation-back").await;
    carla.screenshot("conversation-phone").await;
    carla.click("conversation-back").await;
    carla.wait_path("/tickets").await;
    carla.find("ticket-list").await;
    carla.screenshot("tickets-phone").await;
    carla.click("lang-pt").await;

    bruno.close().await;
    carla.close().await;
    drop(server);
}

/// Contatos: create (with a refused number first), search, edit, start a conversation (which
/// opens it), delete; the dashboard shows today's figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_and_dashboard() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    let company = set_up_company(&browser).await;
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;

    browser.click("nav-contacts").await;
    browser.wait_path("/contacts").await;
    browser.find("contacts-empty").await;
    browser.click("contact-new").await;
    browser.find("contact-dialog").await;
    browser.fill("contact-name", "Helena Costa").await;
    browser.fill("contact-number", "12").await;
    browser.click("contact-save").await;
    browser.find("contact-number-error").await;
    browser.fill("contact-number", "11 96666-5555").await;
    browser.fill("contact-email", "helena@example.com").await;
    browser.click("contact-save").await;
    browser.wait_gone("contact-dialog").await;
    browser.wait_any_text("[data-testid=\"contact-row-name\"]", "Helena Costa").await;

    browser.click("contact-new").await;
    browser.fill("contact-name", "Otávio Reis").await;
    browser.fill("contact-number", "21 95555-4444").await;
    browser.click("contact-save").await;
    browser.wait_gone("contact-dialog").await;
    browser.wait_count("[data-testid=\"contact-row\"]", 2).await;

    // Search narrows, server-side.
    browser.fill("contact-search", "Otávio").await;
    browser.wait_count("[data-testid=\"contact-row\"]", 1).await;
    browser.wait_any_text("[data-testid=\"contact-row-name\"]", "Otávio Reis").await;

    // Edit.
    browser.click("contact-edit").await;
    browser.fill("contact-name", "Otávio Reis Filho").await;
    browser.click("contact-save").await;
    browser.wait_gone("contact-dialog").await;
    browser.wait_any_text("[data-testid=\"contact-row-name\"]", "Otávio Reis Filho").await;

    // Delete (confirming).
    browser.click("contact-delete").await;
    browser.click("confirm-delete").await;
    browser.wait_gone("confirm-dialog").await;
    browser.fill("contact-search", "").await;
    browser.wait_count("[data-testid=\"contact-row\"]", 1).await;
    browser.screenshot("contacts").await;

    // Start a conversation: an open ticket of the admin's, ready to write in.
    browser.click("contact-start").await;
    support::wait_for("the new conversation", || async {
        let url = browser.client.current_url().await.map_err(|err| err.to_string())?;
        if url.path().starts_with("/tickets/") { Ok(()) } else { Err(url.to_string()) }
    })
    .await;
    browser.wait_text("conversation-name", "Helena Costa").await;
    browser.wait_text("conversation-status", "Em andamento").await;
    browser.find("composer-input").await;
    browser.find("thread-empty").await;
    // Again from Contatos: the active ticket is found and opened instead of a second one.
    browser.goto("/contacts").await;
    browser.click("contact-start").await;
    browser.wait_text("conversation-name", "Helena Costa").await;

    // The dashboard counts today's tickets (or says it is not available on this server).
    customer_writes(&browser, &company, "5511988880009", "Lia Santos", "Bom dia").await;
    browser.click("home-button").await;
    browser.wait_path("/").await;
    browser.find("home-page").await;
    support::wait_for("the dashboard figures", || async {
        if browser.count(&by_testid("dashboard-note")).await > 0 {
            return Ok(());
        }
        let pending = browser.texts(&by_testid("card-pending-value")).await;
        if pending.first().is_some_and(|v| v == "1") { Ok(()) } else { Err(format!("{pending:?}")) }
    })
    .await;
    browser.screenshot("home-dashboard").await;

    browser.close().await;
    drop(server);
}

/// Speed: thousands of tickets loaded through Carregar mais stay usable, and a conversation with
/// thousands of messages opens at its newest page and scrolls back smoothly. Prints the figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_lists_stay_fast() {
    let tickets: usize = std::env::var("ATENDE_E2E_TICKETS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let messages: usize = std::env::var("ATENDE_E2E_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(5000);
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    let company = set_up_company(&browser).await;
    many_customers_write(&browser, &company, tickets, "Cliente").await;
    // One long conversation: the same customer writes many times.
    simulate(&browser, &company, messages, |i| {
        json!({"from": "5511912345678", "name": "Zé Conversador", "body": format!("Mensagem número {i} da conversa longa")})
    })
    .await;

    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;
    browser.goto("/tickets").await;
    browser.click("tab-pending").await;
    browser.wait_count(ROW, 40.min(tickets + 1)).await;
    // Load every page; each click must render its page quickly however long the list is. Timed
    // inside the page: from the click to the frame that shows the new rows.
    let pages = (tickets + 1).div_ceil(40);
    let mut slowest = 0f64;
    for page in 2..=pages {
        let expected = (page * 40).min(tickets + 1);
        let took = browser
            .client
            .execute_async(
                r#"
const [expected, done] = arguments;
const started = performance.now();
document.querySelector('[data-testid=tickets-load-more]').click();
const check = () => {
  if (document.querySelectorAll('[data-testid=ticket-row]').length >= expected) done(performance.now() - started);
  else if (performance.now() - started > 20000) done(-1);
  else requestAnimationFrame(check);
};
requestAnimationFrame(check);
"#,
                vec![json!(expected)],
            )
            .await
            .unwrap_or_else(|err| panic!("loading page {page}: {err}"));
        let took = took.as_f64().unwrap_or(-1.0);
        assert!(took >= 0.0, "page {page} did not show");
        slowest = slowest.max(took);
    }
    browser.wait_count(ROW, tickets + 1).await;
    let sizes = browser
        .eval(
            "const l = document.querySelector('[data-testid=ticket-list]'); \
             return [l.scrollHeight, l.clientHeight, document.scrollingElement.scrollHeight, window.innerHeight];",
        )
        .await;
    // The list scrolls inside its column (the page itself does not grow with it).
    assert!(sizes[0].as_f64() > sizes[1].as_f64(), "the list is its own scroller: {sizes}");
    assert_eq!(sizes[2], sizes[3], "the page does not scroll: {sizes}");
    // Scrolling the whole list: frames stay short.
    let scroll = browser
        .client
        .execute_async(
            r#"
const done = arguments[arguments.length - 1];
const list = document.querySelector('[data-testid=ticket-list]');
let frames = 0, worst = 0, last = performance.now();
const step = () => {
  const now = performance.now(); worst = Math.max(worst, now - last); last = now; frames++;
  list.scrollTop += 600;
  if (list.scrollTop + list.clientHeight < list.scrollHeight && frames < 2000) requestAnimationFrame(step);
  else done([frames, worst]);
};
requestAnimationFrame(step);
"#,
            vec![],
        )
        .await
        .unwrap_or_else(|err| panic!("scrolling: {err}"));
    let fetch = browser
        .eval(
            "const r = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/tickets?')); \
             return r.length ? r[r.length - 1].duration : null;",
        )
        .await;
    println!("last page request: {:.0} ms (server and network)", fetch.as_f64().unwrap_or_default());
    println!(
        "{} tickets: slowest Carregar mais {slowest:.0} ms; scrolled in {} frames, worst frame {:.0} ms",
        tickets + 1,
        scroll[0],
        scroll[1].as_f64().unwrap_or_default()
    );
    assert!(slowest < 3000.0, "a page of the list took {slowest:.0} ms");

    // The long conversation: open it, then scroll back through older pages.
    browser.fill("ticket-search", "Zé Conversador").await;
    wait_names(&browser, &["Zé Conversador"]).await;
    let before = Value::as_f64(&browser.eval("return performance.now();").await).unwrap_or_default();
    open_row(&browser, "Zé Conversador").await;
    browser
        .wait_any_text("[data-testid=\"message-text\"]", &format!("Mensagem número {} da conversa longa", messages - 1))
        .await;
    let opened = Value::as_f64(&browser.eval("return performance.now();").await).unwrap_or_default() - before;
    let shown = browser.count("[data-testid=\"message\"]").await;
    assert!(shown <= 150, "only the newest pages are rendered at first ({shown})");
    // Scroll to the top again and again, as a reader going back through the history would, while
    // a frame monitor records the longest frame.
    browser
        .eval(
            "window.__worstFrame = 0; let last = performance.now(); \
             const tick = () => { const now = performance.now(); window.__worstFrame = Math.max(window.__worstFrame, now - last); \
             last = now; requestAnimationFrame(tick); }; requestAnimationFrame(tick); window.__historyStarted = performance.now(); return null;",
        )
        .await;
    let started = std::time::Instant::now();
    let history = loop {
        let state = browser
            .eval(
                "const thread = document.querySelector('[data-testid=message-thread]'); thread.scrollTop = 0; \
                 return [document.querySelectorAll('[data-testid=message]').length, \
                 !!document.querySelector('[data-testid=thread-start]'), window.__worstFrame, \
                 performance.now() - window.__historyStarted, \
                 [...document.querySelectorAll('[data-testid=message-text]')].some(e => e.textContent === 'Mensagem número 0 da conversa longa')];",
            )
            .await;
        let reached = state[1].as_bool() == Some(true) && state[4].as_bool() == Some(true);
        if reached || started.elapsed() > std::time::Duration::from_secs(300) {
            break state;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    println!(
        "conversation of {messages} messages: opened in {opened:.0} ms; scrolled back to its start ({} messages rendered) in {:.0} ms, worst frame {:.0} ms",
        history[0],
        history[3].as_f64().unwrap_or_default(),
        history[2].as_f64().unwrap_or_default()
    );
    assert_eq!(history[4].as_bool(), Some(true), "the first message reached by scrolling up");
    // Only a window of rows is in the DOM (spacers stand for the others).
    assert!(history[0].as_u64().unwrap_or(u64::MAX) < 200, "{} message rows in the DOM", history[0]);

    browser.close().await;
    drop(server);
}

/// The live connection: when the server goes away the agent sees that updates are offline; when
/// it is back the socket reconnects by itself and new tickets arrive again without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_updates_come_back_after_a_server_restart() {
    let mut server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    let company = set_up_company(&browser).await;
    browser.goto("/tickets").await;
    browser.sign_in_as(BRUNO.1, BRUNO.2, "/tickets").await;
    browser.click("tab-pending").await;
    browser.find("tickets-empty").await;
    customer_writes(&browser, &company, "5511988880001", "Antes Queda", "Primeira").await;
    browser.wait_any_text(ROW_NAME, "Antes Queda").await;
    browser.wait_text("tab-count-pending", "1").await;
    assert_eq!(browser.count(&by_testid("offline-indicator")).await, 0);

    server.stop();
    browser.find("offline-indicator").await;
    browser.screenshot("offline").await;
    server.start_again();
    // Tokens survive the restart (the signing secret is kept in the data directory).
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let company = Company { admin, ..company };
    browser.wait_gone("offline-indicator").await;
    customer_writes(&browser, &company, "5511988880002", "Depois Queda", "Voltei").await;
    browser.wait_any_text(ROW_NAME, "Depois Queda").await;
    browser.wait_text("tab-count-pending", "2").await;

    browser.close().await;
    drop(server);
}

/// Sets an input's value as the browser's own pickers do (date and time inputs take no typing the
/// same way in every locale), then tells the page.
async fn set_input(browser: &Browser, testid: &str, value: &str) {
    let script = format!(
        "const el = document.querySelector('[data-testid=\"{testid}\"]'); el.value = {value:?}; \
         el.dispatchEvent(new Event('input', {{bubbles: true}})); return el.value;"
    );
    assert_eq!(browser.eval(&script).await, json!(value));
}

/// Configurações sets the company's time zone; a message scheduled from the conversation header in
/// that zone goes out at its time, the panel follows it live, and Agendamentos cancels another.
#[tokio::test]
async fn a_message_scheduled_in_the_companys_time_zone_goes_out_and_another_is_canceled() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    let company = set_up_company(&browser).await;
    let ticket = customer_writes(&browser, &company, "5511988887777", "Marta Cliente", "Podem me lembrar?").await;
    browser.api_ok("POST", &format!("/tickets/{ticket}/accept"), Some(json!({})), &company.admin).await;
    browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/").await;

    browser.goto("/admin/settings").await;
    browser.fill("settings-time-zone", "America/Manaus").await;
    browser.click("settings-save").await;
    support::wait_for("the time zone to be saved", || async {
        let settings = browser.api_ok("GET", "/settings", None, &company.admin).await;
        if settings["general"]["time_zone"] == "America/Manaus" { Ok(()) } else { Err(settings.to_string()) }
    })
    .await;
    browser.screenshot("settings").await;

    browser.goto(&format!("/tickets/{ticket}")).await;
    browser.click("action-schedule").await;
    browser.wait_text_contains("schedule-zone", "America/Manaus").await;
    // Manaus is UTC-4 all year: this minute there, so it is due at once.
    let manaus = chrono::Utc::now() - chrono::Duration::hours(4);
    set_input(&browser, "schedule-date", &manaus.format("%Y-%m-%d").to_string()).await;
    set_input(&browser, "schedule-time", &manaus.format("%H:%M").to_string()).await;
    browser.fill("schedule-body", "Lembrete: sua consulta é amanhã às 9h").await;
    // A voice note recorded in the dialog goes with it (Chromium's fake microphone).
    let in_dialog = |testid: &str| format!("[data-testid=\"schedule-dialog\"] [data-testid=\"{testid}\"]");
    browser.find_css(&in_dialog("composer-voice")).await.click().await.expect("record");
    browser.wait_text("voice-elapsed", "0:01").await;
    browser.find_css(&in_dialog("voice-stop")).await.click().await.expect("stop");
    browser.find_css(&in_dialog("voice-send")).await.click().await.expect("attach");
    browser.wait_text_contains("schedule-file-name", ".webm").await;
    browser.screenshot("schedule-dialog").await;
    browser.click("schedule-save").await;
    browser.wait_gone("schedule-dialog").await;

    browser.click("action-info").await;
    browser
        .wait_attr("[data-testid=\"ticket-schedules\"] [data-testid=\"schedule-item\"]", "data-status", "sent")
        .await;
    browser.wait_any_contains("[data-testid=\"message-text\"]", "Lembrete: sua consulta").await;
    let schedules = browser.api_ok("GET", &format!("/schedules?ticket_id={ticket}"), None, &company.admin).await;
    let sent_at = schedules["items"][0]["send_at"].as_str().unwrap_or_default().to_owned();
    let wanted = manaus.format("%Y-%m-%dT%H:%M").to_string();
    let back_in_manaus = chrono::DateTime::parse_from_rfc3339(&sent_at)
        .map(|t| (t.with_timezone(&chrono::Utc) - chrono::Duration::hours(4)).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    assert_eq!(back_in_manaus, wanted, "the time was read in the company's zone: {schedules}");
    assert_eq!(schedules["items"][0]["media_mime"], "audio/ogg; codecs=opus", "the recording went as a voice note");

    // Another, for later, canceled from Agendamentos.
    let later = (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339();
    let contact = schedules["items"][0]["contact_id"].clone();
    browser
        .api_ok(
            "POST",
            "/schedules",
            Some(json!({"contact_id": contact, "body": "Promoção de amanhã", "send_at": later})),
            &company.admin,
        )
        .await;
    browser.goto("/schedules").await;
    browser
        .wait_any_contains("[data-testid=\"schedules-list\"] [data-testid=\"schedule-text\"]", "Promoção de amanhã")
        .await;
    // A click on the contact's name narrows the list to them.
    browser.click("schedule-contact").await;
    browser.wait_text_contains("schedules-contact-filter", "Marta Cliente").await;
    browser.screenshot("schedules").await;
    browser.click("schedule-cancel").await;
    browser.wait_count("[data-testid=\"schedules-list\"] [data-testid=\"schedule-item\"]", 0).await;
    let canceled = browser.api_ok("GET", "/schedules?status=canceled", None, &company.admin).await;
    assert_eq!(canceled["items"][0]["body"], "Promoção de amanhã", "{canceled}");
    browser.close().await;
}
