//! A headless Chromium session through ChromeDriver, with the few verbs the tests use. Elements
//! are found by their `data-testid`; every verb waits (polling) until it can act.

use std::path::PathBuf;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use super::processes::{CHROMIUM, ChromeDriver};
use super::{wait_for, workspace_root};

pub struct Browser {
    pub client: Client,
    base_url: String,
    // Dropped after the client: the profile directory and the driver outlive the session.
    _profile: tempfile::TempDir,
    _driver: ChromeDriver,
}

/// The element's text as in the DOM (`textContent`), unaffected by CSS such as `text-transform`.
async fn text_content(element: &Element) -> Result<String, String> {
    let text = element.prop("textContent").await.map_err(|err| err.to_string())?;
    Ok(text.unwrap_or_default())
}

pub fn by_testid(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

impl Browser {
    /// The server the browser talks to, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub async fn start(base_url: &str) -> Self {
        let driver = ChromeDriver::start();
        let profile = tempfile::tempdir().unwrap_or_else(|err| panic!("cannot make a temp dir: {err}"));
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1280,900".to_owned(),
            "--lang=pt-BR".to_owned(),
            // A synthetic microphone (a beep), granted without asking: the voice note tests record.
            "--use-fake-device-for-media-stream".to_owned(),
            "--use-fake-ui-for-media-stream".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), json!({ "binary": CHROMIUM, "args": args }));
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|err| panic!("cannot start a Chromium session through chromedriver: {err}"));
        Self { client, base_url: base_url.to_owned(), _profile: profile, _driver: driver }
    }

    /// Ends the browser session (the guards kill the processes in any case).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base_url);
        self.client.goto(&url).await.unwrap_or_else(|err| panic!("cannot open {url}: {err}"));
    }

    pub async fn reload(&self) {
        self.client.refresh().await.unwrap_or_else(|err| panic!("cannot reload: {err}"));
    }

    /// Waits until the page's path is `path`.
    pub async fn wait_path(&self, path: &str) {
        wait_for(&format!("the URL path to be {path}"), || async {
            let url = self.client.current_url().await.map_err(|err| err.to_string())?;
            if url.path() == path { Ok(()) } else { Err(url.to_string()) }
        })
        .await
    }

    /// Waits for a visible element with this test id.
    pub async fn find(&self, testid: &str) -> Element {
        self.find_css(&by_testid(testid)).await
    }

    pub async fn find_css(&self, css: &str) -> Element {
        wait_for(&format!("a visible `{css}`"), || async {
            let element = self.client.find(Locator::Css(css)).await.map_err(|err| err.to_string())?;
            match element.is_displayed().await {
                Ok(true) => Ok(element),
                Ok(false) => Err("present but hidden".to_owned()),
                Err(err) => Err(err.to_string()),
            }
        })
        .await
    }

    /// Waits until no element with this test id is on the page.
    pub async fn wait_gone(&self, testid: &str) {
        let css = by_testid(testid);
        wait_for(&format!("`{css}` to go away"), || async {
            match self.client.find_all(Locator::Css(&css)).await {
                Ok(found) if found.is_empty() => Ok(()),
                Ok(found) => Err(format!("{} still present", found.len())),
                Err(err) => Err(err.to_string()),
            }
        })
        .await
    }

    /// Waits until the element's visible text (trimmed) equals `expected`.
    pub async fn wait_text(&self, testid: &str, expected: &str) {
        let css = by_testid(testid);
        wait_for(&format!("`{css}` to read {expected:?}"), || async {
            let element = self.client.find(Locator::Css(&css)).await.map_err(|err| err.to_string())?;
            let text = text_content(&element).await?;
            if text.trim() == expected { Ok(()) } else { Err(format!("{text:?}")) }
        })
        .await
    }

    /// Waits until the element's visible text contains `expected`.
    pub async fn wait_text_contains(&self, testid: &str, expected: &str) {
        let css = by_testid(testid);
        wait_for(&format!("`{css}` to contain {expected:?}"), || async {
            let element = self.client.find(Locator::Css(&css)).await.map_err(|err| err.to_string())?;
            let text = text_content(&element).await?;
            if text.contains(expected) { Ok(()) } else { Err(format!("{text:?}")) }
        })
        .await
    }

    /// Waits until some element matching `css` has exactly this text.
    pub async fn wait_any_text(&self, css: &str, expected: &str) -> Element {
        wait_for(&format!("a `{css}` reading {expected:?}"), || async {
            let found = self.client.find_all(Locator::Css(css)).await.map_err(|err| err.to_string())?;
            let mut seen = Vec::new();
            for element in found {
                let text = text_content(&element).await?;
                if text.trim() == expected {
                    return Ok(element);
                }
                seen.push(text);
            }
            Err(format!("{seen:?}"))
        })
        .await
    }

    /// Waits until some element matching `css` contains this text.
    pub async fn wait_any_contains(&self, css: &str, expected: &str) -> Element {
        wait_for(&format!("a `{css}` containing {expected:?}"), || async {
            let found = self.client.find_all(Locator::Css(css)).await.map_err(|err| err.to_string())?;
            let mut seen = Vec::new();
            for element in found {
                let text = text_content(&element).await?;
                if text.contains(expected) {
                    return Ok(element);
                }
                seen.push(text);
            }
            Err(format!("{seen:?}"))
        })
        .await
    }

    /// Waits until exactly `count` elements match `css`.
    pub async fn wait_count(&self, css: &str, count: usize) {
        wait_for(&format!("{count} × `{css}`"), || async {
            let found = self.client.find_all(Locator::Css(css)).await.map_err(|err| err.to_string())?;
            if found.len() == count { Ok(()) } else { Err(format!("{} found", found.len())) }
        })
        .await
    }

    /// Clicks the element once it is visible (retrying while it is being re-rendered).
    pub async fn click(&self, testid: &str) {
        self.click_css(&by_testid(testid)).await;
    }

    /// [`Browser::click`] on the first element matching `css`.
    pub async fn click_css(&self, css: &str) {
        let css = css.to_owned();
        wait_for(&format!("a click on `{css}`"), || async {
            let element = self.client.find(Locator::Css(&css)).await.map_err(|err| err.to_string())?;
            // WebDriver scrolls only what is outside the window; an element a sticky header of its
            // own scroll box covers (the panel's title) is brought to the middle first, as a
            // person would scroll to it.
            let target = serde_json::to_value(&element).map_err(|err| err.to_string())?;
            self.client
                .execute("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});", vec![target])
                .await
                .map_err(|err| err.to_string())?;
            element.click().await.map_err(|err| err.to_string())
        })
        .await
    }

    /// Replaces the text of an input.
    pub async fn fill(&self, testid: &str, value: &str) {
        let css = by_testid(testid);
        wait_for(&format!("typing into `{css}`"), || async {
            let element = self.client.find(Locator::Css(&css)).await.map_err(|err| err.to_string())?;
            element.clear().await.map_err(|err| err.to_string())?;
            element.send_keys(value).await.map_err(|err| err.to_string())?;
            let now = element.prop("value").await.map_err(|err| err.to_string())?;
            if now.as_deref() == Some(value) { Ok(()) } else { Err(format!("value is {now:?}")) }
        })
        .await
    }

    /// Waits until the focused element is the one with this test id.
    pub async fn wait_focus(&self, testid: &str) {
        wait_for(&format!("focus on `{testid}`"), || async {
            let active = self
                .client
                .execute(
                    "const el = document.activeElement; return el ? (el.dataset.testid || el.tagName) : null;",
                    vec![],
                )
                .await
                .map_err(|err| err.to_string())?;
            if active.as_str() == Some(testid) { Ok(()) } else { Err(active.to_string()) }
        })
        .await
    }

    /// Sends keys to the focused element (WebDriver key codes, e.g. "\u{E008}\u{E004}" for Shift+Tab).
    pub async fn keys_to_focused(&self, keys: &str) {
        let active = self.client.active_element().await.unwrap_or_else(|err| panic!("no focused element: {err}"));
        active.send_keys(keys).await.unwrap_or_else(|err| panic!("cannot type {keys:?}: {err}"));
    }

    pub async fn press_escape(&self) {
        let body = self.find_css("body").await;
        body.send_keys("\u{E00C}").await.unwrap_or_else(|err| panic!("cannot press Escape: {err}"));
    }

    /// Saves a PNG of the viewport to `e2e/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap_or_else(|err| panic!("cannot take a screenshot: {err}"));
        let dir = workspace_root().join("e2e/screenshots");
        std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("cannot create {}: {err}", dir.display()));
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
        path
    }

    /// Calls the JSON API from inside the page (same origin), as `token` (or anonymously).
    /// Returns the status and the body (`null` when empty or not JSON).
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
        token: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let script = r#"
const [method, path, body, token, done] = arguments;
const headers = { accept: 'application/json' };
if (body !== null) headers['content-type'] = 'application/json';
if (token) headers.authorization = 'Bearer ' + token;
fetch(path, { method, headers, body: body === null ? undefined : JSON.stringify(body) })
  .then(async (response) => {
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (_) { json = text; }
    done([response.status, json]);
  })
  .catch((err) => done([0, String(err)]));
"#;
        let args = vec![
            json!(method),
            json!(format!("/api/v1{path}")),
            body.unwrap_or(serde_json::Value::Null),
            token.map_or(serde_json::Value::Null, |t| json!(t)),
        ];
        let result = self
            .client
            .execute_async(script, args)
            .await
            .unwrap_or_else(|err| panic!("cannot call {method} {path} from the page: {err}"));
        let status = result[0].as_u64().unwrap_or(0) as u16;
        (status, result[1].clone())
    }

    /// Like [`Browser::api`], failing the test unless the answer is 2xx.
    pub async fn api_ok(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
        token: &str,
    ) -> serde_json::Value {
        let (status, json) = self.api(method, path, body, Some(token)).await;
        assert!((200..300).contains(&status), "{method} {path} answered {status}: {json}");
        json
    }

    /// The company most tests start from: a queue "Suporte" and a simulator connection whose
    /// conversations land in it. Returns both as the API answered them.
    pub async fn support_queue_and_simulator(&self, admin: &str) -> (serde_json::Value, serde_json::Value) {
        let queue = self.api_ok("POST", "/queues", Some(json!({"name": "Suporte", "color": "#2563eb"})), admin).await;
        let simulator = json!({"name": "Simulador", "kind": "simulator", "default_queue_id": queue["id"]});
        let connection = self.api_ok("POST", "/connections", Some(simulator), admin).await;
        (queue, connection)
    }

    /// An access token for these credentials (the page's own session is untouched).
    pub async fn token_for(&self, email: &str, password: &str) -> String {
        let (status, json) =
            self.api("POST", "/auth/login", Some(json!({ "email": email, "password": password })), None).await;
        assert_eq!(status, 200, "login of {email} answered {status}: {json}");
        json["access_token"].as_str().unwrap_or_default().to_owned()
    }

    /// Signs in through the login page and waits to arrive at `lands_on`.
    pub async fn sign_in_as(&self, email: &str, password: &str, lands_on: &str) {
        self.find("login-page").await;
        self.fill("login-email", email).await;
        self.fill("login-password", password).await;
        self.click("login-submit").await;
        self.wait_path(lands_on).await;
    }

    /// The number of elements matching `css` now.
    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.map(|found| found.len()).unwrap_or(0)
    }

    /// The text of every element matching `css`, in document order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(found) = self.client.find_all(Locator::Css(css)).await {
            for element in found {
                out.push(text_content(&element).await.unwrap_or_default().trim().to_owned());
            }
        }
        out
    }

    /// Waits until the element's attribute has this value.
    pub async fn wait_attr(&self, css: &str, attr: &str, expected: &str) {
        wait_for(&format!("`{css}` to have {attr}={expected:?}"), || async {
            let element = self.client.find(Locator::Css(css)).await.map_err(|err| err.to_string())?;
            let value = element.attr(attr).await.map_err(|err| err.to_string())?;
            if value.as_deref() == Some(expected) { Ok(()) } else { Err(format!("{value:?}")) }
        })
        .await
    }

    /// Picks the option with this visible label in a `<select>`.
    pub async fn select_label(&self, testid: &str, label: &str) {
        let css = by_testid(testid);
        wait_for(&format!("choosing {label:?} in `{css}`"), || async {
            let element = self.client.find(Locator::Css(&css)).await.map_err(|err| err.to_string())?;
            element.select_by_label(label).await.map_err(|err| err.to_string())
        })
        .await
    }

    /// Runs a script and returns its value.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|err| panic!("script failed: {err}\n{script}"))
    }

    /// Runs an asynchronous script (it calls its last argument with the result) and returns that.
    pub async fn eval_async(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.client.execute_async(script, args).await.unwrap_or_else(|err| panic!("script failed: {err}\n{script}"))
    }

    /// Milliseconds from navigation start to the named `performance.mark`, once it exists.
    pub async fn wait_mark(&self, name: &str) -> f64 {
        let script = format!(
            "const m = performance.getEntriesByName({name:?}, 'mark'); return m.length ? m[m.length - 1].startTime : null;"
        );
        wait_for(&format!("the performance mark {name}"), || async {
            let value = self.client.execute(&script, vec![]).await.map_err(|err| err.to_string())?;
            value.as_f64().ok_or_else(|| value.to_string())
        })
        .await
    }
}
