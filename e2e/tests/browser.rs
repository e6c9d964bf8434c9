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
