//! Browser test of the Kanban: an administrator builds a board on its admin page (lanes added,
//! renamed, coloured, reordered, removed); then two people watch the board in two browsers — the
//! administrator drags a card to another lane with the mouse and the agent sees it move without
//! reloading; the agent moves another card with the keyboard (after cancelling once with Esc),
//! which the administrator sees; finally a ticket is placed in a lane from the conversation's
//! panel, and taken off the board again, live on the agent's board.

mod support;

use serde_json::{Value, json};
use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

const ANA: (&str, &str) = ("ana@empresa.test", "ana-secret-1");
const SPACE: &str = " ";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";
const ARROW_LEFT: &str = "\u{E012}";
const ARROW_RIGHT: &str = "\u{E014}";

fn card_in(lane: i64, ticket: i64) -> String {
    format!(
        "[data-testid=\"kanban-lane\"][data-lane-id=\"{lane}\"] [data-testid=\"kanban-card\"][data-ticket-id=\"{ticket}\"]"
    )
}

fn card(ticket: i64) -> String {
    format!("[data-testid=\"kanban-card\"][data-ticket-id=\"{ticket}\"]")
}

/// A customer writes through the simulated channel; returns the (pending) ticket's id.
async fn customer_writes(browser: &Browser, admin: &str, connection: &Value, from: &str, name: &str) -> i64 {
    let message = json!({"from": from, "name": name, "body": format!("Olá, aqui é {name}")});
    let simulated =
        browser.api_ok("POST", &format!("/connections/{}/simulate", connection["id"]), Some(message), admin).await;
    simulated["ticket_id"].as_i64().unwrap_or_default()
}

/// Focuses the card, as Tab would.
async fn focus(browser: &Browser, ticket: i64) {
    browser.eval(&format!("document.querySelector('{}').focus();", card(ticket).replace('\'', "\\'"))).await;
    browser.wait_focus("kanban-card").await;
}

/// Presses a key on the focused card, and waits for the card to have the focus again (a move
/// draws its lanes again).
async fn press(browser: &Browser, key: &str) {
    browser.keys_to_focused(key).await;
    browser.wait_focus("kanban-card").await;
}

/// Drags `from` onto `to` as a mouse does: `dragstart` on the card, `dragenter`, `dragover` and
/// `drop` on the lane, `dragend` on the card, sharing one `DataTransfer`. ChromeDriver's pointer
/// actions move the mouse but never start a native HTML5 drag, so the browser's own drag events
/// are dispatched here; the page's handlers are the ones a person's drag runs.
async fn drag(browser: &Browser, from: &str, to: &str) {
    browser.find_css(from).await;
    browser.find_css(to).await;
    let script = format!(
        "const card = document.querySelector({from:?}); const lane = document.querySelector({to:?});
         const data = new DataTransfer();
         const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {{bubbles: true, cancelable: true, dataTransfer: data}}));
         fire(card, 'dragstart'); fire(lane, 'dragenter'); fire(lane, 'dragover'); fire(lane, 'drop'); fire(card, 'dragend');"
    );
    browser.eval(&script).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_watch_a_board_while_cards_move_by_mouse_keyboard_and_panel() {
    let server = Server::start();
    let admin_browser = Browser::start(&server.base_url).await;
    admin_browser.goto("/login").await;

    // The company: a queue, a simulator connection filing tickets there, an agent of that queue,
    // and three customers writing (pending tickets in the queue, which Ana may see).
    let admin = admin_browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (queue, connection) = admin_browser.support_queue_and_simulator(&admin).await;
    let agent =
        json!({"name": "Ana Agente", "email": ANA.0, "password": ANA.1, "role": "agent", "queue_ids": [queue["id"]]});
    admin_browser.api_ok("POST", "/users", Some(agent), &admin).await;
    let maria = customer_writes(&admin_browser, &admin, &connection, "5511988880001", "Maria Cliente").await;
    let joao = customer_writes(&admin_browser, &admin, &connection, "5511988880002", "João Cliente").await;
    let rita = customer_writes(&admin_browser, &admin, &connection, "5511988880003", "Rita Cliente").await;

    // The admin page: a board with lanes added, renamed, recoloured, reordered and removed.
    admin_browser.goto("/admin/kanban").await;
    admin_browser.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD, "/admin/kanban").await;
    admin_browser.find("boards-empty").await;
    admin_browser.click("board-new").await;
    admin_browser.find("board-dialog").await;
    admin_browser.fill("board-name", "Vendas").await;
    let lane_name = |n: usize| format!("[data-testid=\"board-lane\"]:nth-child({n}) [data-testid=\"board-lane-name\"]");
    let lane_button = |n: usize, what: &str| {
        format!("[data-testid=\"board-lane\"]:nth-child({n}) [data-testid=\"board-lane-{what}\"]")
    };
    for (n, name) in [(1, "Proposta"), (2, "Novo"), (3, "Descartar"), (4, "Ganho")] {
        admin_browser.click("board-lane-add").await;
        let input = admin_browser.find_css(&lane_name(n)).await;
        input.send_keys(name).await.unwrap_or_else(|err| panic!("cannot type the lane's name: {err}"));
    }
    // An empty name is refused before anything is sent.
    admin_browser.click("board-lane-add").await;
    admin_browser.click("board-save").await;
    admin_browser.find("board-lane-name-error").await;
    admin_browser.find_css(&lane_button(5, "remove")).await.click().await.unwrap_or_else(|err| panic!("{err}"));
    // "Novo" first, "Descartar" removed, "Ganho" green.
    admin_browser.find_css(&lane_button(2, "left")).await.click().await.unwrap_or_else(|err| panic!("{err}"));
    admin_browser.find_css(&lane_button(3, "remove")).await.click().await.unwrap_or_else(|err| panic!("{err}"));
    admin_browser
        .eval(
            "const c = document.querySelectorAll('[data-testid=board-lane-color]')[2]; c.value = '#16a34a'; \
             c.dispatchEvent(new Event('input', {bubbles: true}));",
        )
        .await;
    admin_browser.screenshot("kanban-admin-form").await;
    admin_browser.click("board-save").await;
    admin_browser.wait_gone("board-dialog").await;
    admin_browser.wait_count("[data-testid=\"board-row-lane\"]", 3).await;
    assert_eq!(admin_browser.texts("[data-testid=\"board-row-lane\"]").await, ["Novo", "Proposta", "Ganho"]);
    admin_browser.screenshot("kanban-admin").await;
    let boards = admin_browser.api_ok("GET", "/kanban/boards", None, &admin).await;
    let board = &boards["items"][0];
    assert_eq!(board["lanes"][2]["color"], "#16a34a", "{board}");
    let lane = |n: usize| board["lanes"][n]["id"].as_i64().unwrap_or_default();
    let (novo, proposta, ganho) = (lane(0), lane(1), lane(2));
    for ticket in [maria, joao] {
        admin_browser.api_ok("PUT", &format!("/tickets/{ticket}/kanban"), Some(json!({"lane_id": novo})), &admin).await;
    }

    // Both open the Kanban page: the board (the only one) with its two cards in "Novo".
    admin_browser.click("nav-kanban").await;
    admin_browser.wait_path("/kanban").await;
    let ana = Browser::start(&server.base_url).await;
    ana.goto("/kanban").await;
    ana.wait_path("/login").await;
    ana.sign_in_as(ANA.0, ANA.1, "/kanban").await;
    for browser in [&admin_browser, &ana] {
        browser.find_css(&card_in(novo, maria)).await;
        browser.find_css(&card_in(novo, joao)).await;
        browser.wait_count("[data-testid=\"kanban-lane\"]", 3).await;
    }
    assert_eq!(ana.texts("[data-testid=\"kanban-lane-name\"]").await, ["Novo", "Proposta", "Ganho"]);
    ana.wait_any_text("[data-testid=\"kanban-card-contact\"]", "Maria Cliente").await;
    admin_browser.screenshot("kanban-board").await;

    // The administrator drags Maria's card to "Proposta" with the mouse; Ana sees it move.
    drag(&admin_browser, &card(maria), &format!("[data-testid=\"kanban-lane\"][data-lane-id=\"{proposta}\"]")).await;
    admin_browser.find_css(&card_in(proposta, maria)).await;
    ana.find_css(&card_in(proposta, maria)).await;
    ana.wait_count(&card_in(novo, maria), 0).await;
    let placed = admin_browser.api_ok("GET", &format!("/tickets/{maria}"), None, &admin).await;
    assert_eq!(placed["kanban_lane_id"], proposta);
    ana.screenshot("kanban-board-after-drag").await;

    // Ana moves João's card with the keyboard: picks it up, moves, cancels with Esc (it stays),
    // then picks it up again and drops it two lanes to the right, in "Ganho".
    focus(&ana, joao).await;
    press(&ana, SPACE).await;
    ana.wait_text_contains("kanban-live", "Cartão #").await;
    ana.wait_text_contains("kanban-live", "pego, na coluna Novo").await;
    press(&ana, ARROW_RIGHT).await;
    ana.find_css(&card_in(proposta, joao)).await;
    ana.wait_text_contains("kanban-live", "Sobre a coluna Proposta, 2 de 3").await;
    press(&ana, ESCAPE).await;
    ana.find_css(&card_in(novo, joao)).await;
    ana.wait_text_contains("kanban-live", "continua na coluna Novo").await;
    press(&ana, ENTER).await;
    press(&ana, ARROW_RIGHT).await;
    press(&ana, ARROW_RIGHT).await;
    press(&ana, ARROW_RIGHT).await;
    ana.wait_text_contains("kanban-live", "Sobre a coluna Ganho, 3 de 3").await;
    press(&ana, ARROW_LEFT).await;
    press(&ana, ARROW_RIGHT).await;
    ana.screenshot("kanban-keyboard-picked").await;
    press(&ana, ENTER).await;
    ana.wait_text_contains("kanban-live", "solto na coluna Ganho").await;
    ana.find_css(&card_in(ganho, joao)).await;
    admin_browser.find_css(&card_in(ganho, joao)).await;
    admin_browser.wait_count(&card_in(novo, joao), 0).await;
    let logs = admin_browser.api_ok("GET", &format!("/tickets/{joao}/logs"), None, &admin).await;
    let moved = logs["items"].as_array().and_then(|items| items.iter().find(|l| l["kind"] == "kanban_moved").cloned());
    assert_eq!(
        moved.map(|l| (l["user"]["name"].clone(), l["details"]["lane"]["name"].clone())),
        Some((json!("Ana Agente"), json!("Ganho")))
    );

    // From the conversation's panel: Rita's ticket goes to "Vendas › Proposta", live on Ana's board.
    admin_browser.goto(&format!("/tickets/{rita}")).await;
    admin_browser.click("action-info").await;
    admin_browser.wait_text("kanban-current", "Fora do quadro").await;
    admin_browser.select_label("kanban-panel-board", "Vendas").await;
    admin_browser.select_label("kanban-panel-lane", "Proposta").await;
    admin_browser.wait_text("kanban-current", "Vendas › Proposta").await;
    ana.find_css(&card_in(proposta, rita)).await;
    admin_browser.screenshot("kanban-panel").await;
    admin_browser.click("kanban-panel-remove").await;
    admin_browser.wait_text("kanban-current", "Fora do quadro").await;
    ana.wait_count(&card(rita), 0).await;
    let placed = admin_browser.api_ok("GET", &format!("/tickets/{rita}"), None, &admin).await;
    assert_eq!(placed["kanban_lane_id"], Value::Null);
    assert_eq!(ana.count(&by_testid("kanban-card")).await, 2);

    ana.close().await;
    admin_browser.close().await;
}
