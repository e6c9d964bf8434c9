//! Browser tests: the real `atende` server (fresh SQLite data dir) and the built SPA, driven in
//! headless Chromium through ChromeDriver.
//!
//! Needs: `frontend/dist` (bash scripts/build-spa.sh), the server binary (`cargo build -p atende`,
//! or `ATENDE_BIN`), /usr/bin/chromium and /usr/bin/chromedriver. Missing pieces fail the test.
//! Screenshots of each screen go to `e2e/screenshots/`.

mod support;

use support::browser::{Browser, by_testid};
use support::processes::{ADMIN_EMAIL, ADMIN_NAME, ADMIN_PASSWORD, Server};

/// Creates 26 queues with the session's token, from inside the page (async WebDriver script).
const CREATE_26_QUEUES: &str = r#"
const done = arguments[arguments.length - 1];
const session = JSON.parse(window.localStorage.getItem('atende.session'));
(async () => {
  for (let i = 1; i <= 26; i++) {
    const response = await fetch('/api/v1/queues', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + session.access_token },
      body: JSON.stringify({ name: 'Fila ' + String(i).padStart(2, '0'), color: '#2563eb' }),
    });
    if (!response.ok) { done('status ' + response.status); return; }
  }
  done('ok');
})().catch((err) => done(String(err)));
"#;

/// The tokens the SPA keeps in `localStorage`.
struct StoredSession {
    access_token: String,
    refresh_token: String,
    expires_at: f64,
}

async fn stored_session(browser: &Browser) -> StoredSession {
    let raw = browser
        .client
        .execute("return window.localStorage.getItem('atende.session');", vec![])
        .await
        .unwrap_or_else(|err| panic!("cannot read localStorage: {err}"));
    let json: serde_json::Value = raw
        .as_str()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_else(|| panic!("no session in localStorage: {raw}"));
    StoredSession {
        access_token: json["access_token"].as_str().unwrap_or_default().to_owned(),
        refresh_token: json["refresh_token"].as_str().unwrap_or_default().to_owned(),
        expires_at: json["expires_at"].as_f64().unwrap_or_default(),
    }
}

async fn set_stored_session(browser: &Browser, access_token: &str, refresh_token: &str, expires_at: f64) {
    let value = serde_json::json!({
        "access_token": access_token, "refresh_token": refresh_token, "expires_at": expires_at,
    });
    browser
        .client
        .execute("window.localStorage.setItem('atende.session', arguments[0]);", vec![value.to_string().into()])
        .await
        .unwrap_or_else(|err| panic!("cannot write localStorage: {err}"));
}

/// Signs in as the admin from the login page and waits to arrive at `lands_on`.
async fn sign_in(browser: &Browser, lands_on: &str) {
    browser.find("login-page").await;
    browser.fill("login-email", ADMIN_EMAIL).await;
    browser.fill("login-password", ADMIN_PASSWORD).await;
    browser.click("login-submit").await;
    browser.wait_path(lands_on).await;
}

/// Login (a wrong password first), the user menu, the profile dialog, the language switch and
/// its persistence, logout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_language_and_logout() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;

    // Signed out, / lands on the login page.
    browser.goto("/").await;
    browser.wait_path("/login").await;
    browser.find("login-page").await;
    browser.screenshot("login").await;

    // A wrong password shows a message and stays on the login page.
    browser.fill("login-email", ADMIN_EMAIL).await;
    browser.fill("login-password", "not-the-password").await;
    browser.click("login-submit").await;
    browser.wait_text("login-error", "E-mail ou senha incorretos.").await;

    browser.fill("login-password", ADMIN_PASSWORD).await;
    browser.click("login-submit").await;
    browser.wait_path("/").await;
    browser.wait_text("user-name", ADMIN_NAME).await;
    browser.wait_text("tickets-today-title", "Atendimentos de hoje").await;
    browser.find("card-open").await;
    browser.find("nav-users").await; // admins see the admin pages
    browser.screenshot("home").await;

    // A rejected access token is refreshed transparently (401 → refresh → retry), and so is one
    // about to expire (refreshed before the call).
    let stale = stored_session(&browser).await;
    set_stored_session(&browser, "garbage", &stale.refresh_token, stale.expires_at).await;
    browser.reload().await;
    browser.wait_text("user-name", ADMIN_NAME).await;
    let after_401 = stored_session(&browser).await;
    assert_ne!(after_401.access_token, "garbage");
    assert_ne!(after_401.refresh_token, stale.refresh_token, "the refresh token rotates");
    set_stored_session(&browser, &after_401.access_token, &after_401.refresh_token, 0.0).await;
    browser.reload().await;
    browser.wait_text("user-name", ADMIN_NAME).await;
    let refreshed = stored_session(&browser).await;
    assert_ne!(refreshed.refresh_token, after_401.refresh_token, "an expiring token is refreshed first");

    // The name button opens Perfil / Sair; Esc closes the menu.
    browser.click("user-menu-button").await;
    browser.wait_text("menu-profile", "Perfil").await;
    browser.wait_text("menu-logout", "Sair").await;
    browser.press_escape().await;
    browser.wait_gone("user-menu").await;

    // Perfil: change the name; the button follows.
    browser.click("user-menu-button").await;
    browser.click("menu-profile").await;
    let dialog = browser.find("profile-dialog").await;
    assert_eq!(dialog.attr("role").await.ok().flatten().as_deref(), Some("dialog"));
    browser.screenshot("profile-dialog").await;
    // Focus starts in the dialog and stays there: Shift+Tab past the first control (the close
    // button) wraps to the last (Salvar), Tab from there wraps back.
    browser.wait_focus("profile-name").await;
    browser.keys_to_focused("\u{E008}\u{E004}").await;
    browser.wait_focus("dialog-close").await;
    browser.keys_to_focused("\u{E008}\u{E004}").await;
    browser.wait_focus("profile-save").await;
    browser.keys_to_focused("\u{E004}").await;
    browser.wait_focus("dialog-close").await;
    browser.fill("profile-name", "Ana Souza").await;
    browser.click("profile-save").await;
    browser.wait_gone("profile-dialog").await;
    browser.wait_text("user-name", "Ana Souza").await;

    // Changing the e-mail without the current password is refused beside the field.
    browser.click("user-menu-button").await;
    browser.click("menu-profile").await;
    browser.fill("profile-email", "ana.souza@e2e.test").await;
    browser.click("profile-save").await;
    browser.find("profile-current-password-error").await;
    browser.press_escape().await;
    browser.wait_gone("profile-dialog").await;

    // English, and it survives a reload.
    browser.click("lang-en").await;
    browser.wait_text("tickets-today-title", "Today's tickets").await;
    browser.wait_text_contains("nav-home", "Home").await;
    browser.screenshot("home-english").await;
    browser.reload().await;
    browser.wait_text("tickets-today-title", "Today's tickets").await;
    browser.wait_text("user-name", "Ana Souza").await; // the session survives the reload too
    browser.click("user-menu-button").await;
    browser.wait_text("menu-profile", "Profile").await;

    // Log out (Sair) at once: back to the login page; / now redirects there.
    browser.click("menu-logout").await;
    browser.wait_path("/login").await;
    browser.find("login-page").await;
    browser.goto("/").await;
    browser.wait_path("/login").await;
    browser.click("lang-pt").await;

    // A session that refresh cannot save (both tokens refused) returns to the login page, and
    // signing in again goes back to where the user was.
    sign_in(&browser, "/").await;
    browser.find("home-page").await;
    browser.goto("/admin/users").await;
    browser.find("users-page").await;
    set_stored_session(&browser, "garbage", "garbage", 0.0).await;
    browser.reload().await;
    browser.wait_path("/login").await;
    browser.wait_text("login-notice", "Sua sessão terminou. Entre novamente.").await;
    sign_in(&browser, "/admin/users").await;
    browser.find("users-page").await;

    browser.close().await;
    drop(server);
}

/// The admin pages: a queue and a user are created and show up in their lists; deep links work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_creates_queue_and_user() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;

    // A deep link while signed out goes to login, and back to the page after signing in.
    browser.goto("/admin/queues").await;
    browser.wait_path("/login").await;
    sign_in(&browser, "/admin/queues").await;
    browser.find("queues-page").await;

    // Create a queue.
    browser.click("queue-new").await;
    browser.find("queue-dialog").await;
    browser.fill("queue-name", "Suporte Técnico").await;
    browser.click("queue-save").await;
    browser.wait_gone("queue-dialog").await;
    browser.wait_any_text(&by_testid("queue-row-name"), "Suporte Técnico").await;
    browser.screenshot("queues").await;

    // An empty name is refused beside the field, without a request.
    browser.click("queue-new").await;
    browser.click("queue-save").await;
    browser.wait_text("queue-name-error", "Obrigatório.").await;
    browser.click("dialog-close").await;
    browser.wait_gone("queue-dialog").await;

    // Create a user in that queue, through the side navigation.
    browser.click("nav-users").await;
    browser.wait_path("/admin/users").await;
    browser.find("users-page").await;
    browser.wait_any_text(&by_testid("user-row-email"), ADMIN_EMAIL).await;
    browser.click("user-new").await;
    browser.find("user-dialog").await;
    browser.fill("user-form-name", "Bruno Agente").await;
    browser.fill("user-form-email", "bruno@e2e.test").await;
    browser.fill("user-form-password", "Bruno-Secret-1").await;
    let queue_box = browser.find_css("[data-testid^=\"user-queue-\"]").await;
    queue_box.click().await.unwrap_or_else(|err| panic!("cannot tick the queue: {err}"));
    browser.screenshot("user-dialog").await;
    browser.click("user-save").await;
    browser.wait_gone("user-dialog").await;
    let row = browser.wait_any_text(&by_testid("user-row-email"), "bruno@e2e.test").await;
    drop(row);
    browser.wait_any_text(&by_testid("user-row-name"), "Bruno Agente").await;
    browser.wait_any_text(".chip", "Suporte Técnico").await;
    browser.screenshot("users").await;

    // The deep link survives a reload.
    browser.reload().await;
    browser.find("users-page").await;
    browser.wait_any_text(&by_testid("user-row-name"), "Bruno Agente").await;

    // Paging: with more queues than a page holds, "Carregar mais" brings the rest.
    let created = browser
        .client
        .execute_async(CREATE_26_QUEUES, vec![])
        .await
        .unwrap_or_else(|err| panic!("cannot create queues through the API: {err}"));
    assert_eq!(created.as_str(), Some("ok"), "creating queues through the API");
    browser.click("nav-queues").await;
    browser.find("queues-page").await;
    browser.wait_count(&by_testid("queue-row"), 25).await;
    browser.click("queues-load-more").await;
    browser.wait_count(&by_testid("queue-row"), 27).await;
    browser.wait_gone("queues-load-more").await;
    browser.click("nav-users").await;
    browser.find("users-page").await;

    // Narrow screen: the table turns into cards.
    browser.client.set_window_size(390, 844).await.unwrap_or_else(|err| panic!("cannot resize: {err}"));
    browser.find("users-page").await;
    browser.screenshot("users-phone").await;

    browser.close().await;
    drop(server);
}

/// Figurinhas: the admin adds stickers on their page (a wrong-sized one is refused with the reason),
/// picks one in a conversation's composer and sees it sent in the thread, then deletes it from the
/// library after confirming.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_builds_the_sticker_library_and_sends_a_sticker() {
    let fixtures = support::workspace_root().join("backend/tests/fixtures");
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/admin/stickers").await;
    browser.wait_path("/login").await;
    sign_in(&browser, "/admin/stickers").await;
    browser.find("stickers-empty").await;

    // The file is checked by the server: 256×256 is not a sticker, and the dialog says why.
    let pick_file = |name: &'static str| {
        let path = fixtures.join(name);
        let browser = &browser;
        async move {
            let input = browser.find("sticker-file").await;
            input
                .send_keys(&path.display().to_string())
                .await
                .unwrap_or_else(|err| panic!("cannot pick {name}: {err}"));
        }
    };
    browser.click("sticker-new").await;
    browser.find("sticker-dialog").await;
    pick_file("sticker-256.webp").await;
    browser.click("sticker-save").await;
    browser.wait_text("sticker-file-error", "Figurinhas precisam ter 512×512 pixels; esta tem 256×256.").await;
    browser.click("dialog-close").await;
    browser.wait_gone("sticker-dialog").await;

    // A still sticker with a name, an animated one named after its file.
    browser.click("sticker-new").await;
    pick_file("sticker.webp").await;
    browser.fill("sticker-name", "Sorriso").await;
    browser.click("sticker-save").await;
    browser.wait_gone("sticker-dialog").await;
    browser.wait_any_text(&by_testid("sticker-row-name"), "Sorriso").await;
    browser.click("sticker-new").await;
    pick_file("sticker-animated.webp").await;
    browser.click("sticker-save").await;
    browser.wait_gone("sticker-dialog").await;
    browser.wait_any_text(&by_testid("sticker-row-name"), "sticker-animated").await;
    browser.wait_text("sticker-row-animated", "Animada").await;
    // The previews are the images themselves, decoded by the browser.
    support::wait_for("both previews decoded at 512 px", || async {
        let widths = browser
            .eval("return [...document.querySelectorAll('[data-testid=sticker-row] img')].map(i => i.naturalWidth);")
            .await;
        if widths == serde_json::json!([512, 512]) { Ok(()) } else { Err(widths.to_string()) }
    })
    .await;

    // A customer writes (the admin accepts through the API); the still sticker is sent from the
    // composer's picker.
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let connection = browser
        .api_ok("POST", "/connections", Some(serde_json::json!({"name": "Simulador", "kind": "simulator"})), &admin)
        .await;
    let message = serde_json::json!({"from": "5511988880001", "name": "Maria Cliente", "body": "Oi!"});
    let simulate = format!("/connections/{}/simulate", connection["id"]);
    let ticket = browser.api_ok("POST", &simulate, Some(message), &admin).await["ticket_id"].clone();
    browser.api_ok("POST", &format!("/tickets/{ticket}/accept"), Some(serde_json::json!({})), &admin).await;
    browser.goto(&format!("/tickets/{ticket}")).await;
    browser.wait_text("conversation-status", "Em andamento").await;
    browser.click("composer-sticker").await;
    browser.find("sticker-picker").await;
    browser.wait_count(&by_testid("sticker-option"), 2).await;
    browser.screenshot("sticker-picker").await;
    browser
        .find_css("[data-testid=\"sticker-option\"][title=\"Sorriso\"]")
        .await
        .click()
        .await
        .unwrap_or_else(|err| panic!("cannot pick the sticker: {err}"));
    browser.wait_gone("sticker-picker").await;
    support::wait_for("the sticker in the thread, sent", || async {
        let seen = browser
            .eval(
                "const img = document.querySelector('[data-testid=message-thread] img.sticker'); \
                 const row = img && img.closest('[data-testid=message]'); \
                 const tick = row && row.querySelector('[data-testid=message-status]'); \
                 return img ? [img.naturalWidth, tick && tick.dataset.status] : null;",
            )
            .await;
        if seen == serde_json::json!([512, "sent"]) { Ok(()) } else { Err(seen.to_string()) }
    })
    .await;
    browser.screenshot("conversation-sticker").await;

    // Deleting it from the library asks first; the message keeps its own copy.
    browser.click("nav-stickers").await;
    browser.find("stickers-page").await;
    browser.wait_count(&by_testid("sticker-row"), 2).await;
    browser.wait_count("[data-testid=\"sticker-row\"] img", 2).await;
    browser.wait_gone("toast").await;
    browser.screenshot("stickers").await;
    browser
        .find_css("[data-testid=\"sticker-row\"]:first-child [data-testid=\"sticker-delete\"]")
        .await
        .click()
        .await
        .unwrap_or_else(|err| panic!("cannot delete the sticker: {err}"));
    browser.wait_text_contains("confirm-question", "Sorriso").await;
    browser.click("confirm-delete").await;
    browser.wait_gone("confirm-dialog").await;
    browser.wait_count(&by_testid("sticker-row"), 1).await;
    browser.goto(&format!("/tickets/{ticket}")).await;
    browser.find_css("[data-testid=\"message-thread\"] img.sticker").await;

    browser.close().await;
    drop(server);
}

/// The Content-Security-Policy holds in the real browser: a script injected into the page (what a
/// stored XSS would do) is refused and reported as a `script-src` violation, and never runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_inline_script_is_refused_by_the_policy() {
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    browser.goto("/login").await;
    browser.find("login-email").await;
    browser
        .eval(
            "window.__violations = [];
             document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.effectiveDirective));
             const script = document.createElement('script');
             script.textContent = 'window.__injected = true;';
             document.body.appendChild(script);
             const img = document.createElement('img');
             img.setAttribute('src', 'x');
             img.setAttribute('onerror', 'window.__injected = true;');
             document.body.appendChild(img);
             return null;",
        )
        .await;
    let reported = support::wait_for("the violation reports", || async {
        let seen = browser.eval("return window.__violations;").await;
        let directives: Vec<String> =
            seen.as_array().into_iter().flatten().filter_map(|d| d.as_str().map(str::to_owned)).collect();
        if directives.len() >= 2 { Ok(directives) } else { Err(format!("{directives:?}")) }
    })
    .await;
    assert!(reported.iter().all(|d| d.starts_with("script-src")), "{reported:?}");
    assert_eq!(browser.eval("return window.__injected === true;").await, serde_json::json!(false), "the script ran");
    browser.close().await;
}
