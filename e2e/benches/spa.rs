//! The SPA's figures for `make bench` (issue 13, target 6): headless Chromium against the release
//! server, through the same helpers as the browser tests.
//!
//! - the first screen: bytes over the wire (gzipped) and navigation → first rendered ticket list,
//!   cold (nothing cached) and warm;
//! - a 5,000-message conversation: opening it, reading back from the newest message with older
//!   pages arriving, going to its first message, and scrolling through all of it, with every frame's
//!   length (`requestAnimationFrame` intervals) and the long animation frames (> 50 ms) Chromium
//!   reports.
//!
//! It prints figures and checks only that each step got where it was going; it asserts no time.
//! Run by `make bench` (`cargo test --bench spa`, so it reuses the test build) with
//! `ATENDE_BIN` naming the release server.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use serde_json::{Value, json};
use support::browser::Browser;
use support::customers_write;
use support::processes::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

/// Messages in the long conversation.
const MESSAGES: usize = 5_000;
/// Other conversations, so the list is not a single row.
const OTHER_TICKETS: usize = 40;
const THREAD: &str = "document.querySelector('[data-testid=message-thread]')";
/// What the page fetched so far, from the browser's resource timings: bytes over the wire
/// (compressed, with headers) and decoded, for the code (wasm and js) and the stylesheet.
const FIRST_SCREEN_BYTES: &str = "\
    const all = performance.getEntriesByType('resource'); \
    const code = all.filter(e => /\\.(wasm|js)(\\?|$)/.test(e.name)); \
    const css = all.filter(e => /\\.css(\\?|$)/.test(e.name)); \
    const sum = (list, key) => list.reduce((total, e) => total + e[key], 0); \
    return { code_wire: sum(code, 'transferSize'), code_decoded: sum(code, 'decodedBodySize'), \
             css_wire: sum(css, 'transferSize'), wasm_files: code.filter(e => /\\.wasm(\\?|$)/.test(e.name)).length };";

fn body(i: usize) -> String {
    format!("Linha {i:04} da conversa comprida")
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|err| panic!("cannot start a runtime: {err}"));
    runtime.block_on(run());
}

async fn run() {
    println!("\n== SPA in headless Chromium (release server: {})", support::processes::server_binary().display());
    let server = Server::start();
    let browser = Browser::start(&server.base_url).await;
    // A page of the server's origin that is not the SPA, so the SPA's files stay uncached.
    browser.goto("/healthz").await;
    let admin = browser.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, connection) = browser.support_queue_and_simulator(&admin).await;
    let connection = connection["id"].as_i64().unwrap_or_default();
    let seeding = Instant::now();
    let others: Vec<(String, String)> =
        (0..OTHER_TICKETS).map(|i| (format!("55119888{i:05}"), format!("Bom dia, sou o cliente {i}"))).collect();
    customers_write(&server.base_url, &admin, connection, others, 8).await;
    let ticket =
        customers_write(&server.base_url, &admin, connection, vec![("5511977776666".into(), body(0))], 8).await;
    let thread = (1..MESSAGES).map(|i| ("5511977776666".to_owned(), body(i))).collect();
    customers_write(&server.base_url, &admin, connection, thread, 8).await;
    // The admin works half of them (the open tab, where they land), the long one included.
    let waiting = browser.api_ok("GET", "/tickets?status=pending&limit=20", None, &admin).await;
    let mut accepted: Vec<i64> =
        waiting["items"].as_array().into_iter().flatten().filter_map(|t| t["id"].as_i64()).collect();
    accepted.push(ticket);
    accepted.dedup();
    for id in accepted {
        browser.api_ok("POST", &format!("/tickets/{id}/accept"), None, &admin).await;
    }
    println!("seeded {MESSAGES} messages in one conversation and {OTHER_TICKETS} others in {:.1} s", secs(seeding));

    // The first screen, cold: signed in (tokens saved as the SPA saves them), nothing cached.
    let pair = browser
        .api_ok("POST", "/auth/login", Some(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})), &admin)
        .await;
    let tokens = json!({"access_token": pair["access_token"], "refresh_token": pair["refresh_token"],
        "expires_at": 4_102_444_800_000_u64});
    browser.eval(&format!("localStorage.setItem('atende.session', {:?}); return null;", tokens.to_string())).await;
    browser.goto("/tickets").await;
    let cold_ms = browser.wait_mark("atende:ticket-list").await;
    let transfer = browser.eval(FIRST_SCREEN_BYTES).await;
    browser.reload().await;
    let warm_ms = browser.wait_mark("atende:ticket-list").await;
    println!("\nfirst screen (target ≤ 250 KB gzipped wasm + js; first list < 500 ms cold)");
    let kb = |key: &str| transfer[key].as_f64().unwrap_or_default() as u64 / 1024;
    println!(
        "  wasm + js: {} KiB over the wire ({} KiB decoded; {} wasm modules: the main one and the chunks \
         of the lazy routes shown); css {} KiB",
        kb("code_wire"),
        kb("code_decoded"),
        transfer["wasm_files"],
        kb("css_wire")
    );
    println!("  navigation → first ticket list: cold {cold_ms:.0} ms, warm {warm_ms:.0} ms");

    // The long conversation.
    browser.goto(&format!("/tickets/{ticket}")).await;
    let opened_ms = browser.wait_mark("atende:thread").await;
    browser.wait_any_text("[data-testid=\"message-text\"]", &body(MESSAGES - 1)).await;
    println!("\na {MESSAGES}-message conversation (target: no frame over 50 ms; its first message < 2 s)");
    println!("  navigation → newest page shown: {opened_ms:.0} ms");
    let loaf = browser.eval("return PerformanceObserver.supportedEntryTypes.includes('long-animation-frame');").await;
    println!(
        "  frame = interval between animation frames; LoAF = long animation frames Chromium reports (supported: {loaf})"
    );
    println!(
        "  {:<44} {:>7} {:>7} {:>7} {:>7} {:>6} {:>5} {:>7} {:>9}",
        "", "frames", "p50 ms", "p99 ms", "max ms", ">50ms", "LoAF", "longest", "elapsed"
    );

    // Reading back: a steady upward scroll (3,000 px/s) for five seconds, older pages arriving.
    let back = drive(&browser, "up", 50.0, 300).await;
    back.print("reading back, 50 px a frame, pages arriving");

    // The first message, as a reader gets there: dragging the scroll bar to the top again and
    // again, or pressing Home in the thread.
    let dragged = drive(&browser, "top", 0.0, 600).await;
    dragged.print("to the first message, dragging to the top");
    browser.reload().await;
    browser.wait_any_text("[data-testid=\"message-text\"]", &body(MESSAGES - 1)).await;
    let to_start = drive(&browser, "start", 0.0, 1_200).await;
    to_start.print("to the first message, Home");
    assert!(to_start.finished, "the first message was not reached: {:?}", to_start.last);

    // Down through the whole conversation, every row measured on the way.
    let mut down = Frames::default();
    while !down.finished && down.frames.len() < 6_000 {
        down.extend(drive(&browser, "down", 200.0, 600).await);
    }
    down.print("down through all of it, 200 px a frame");

    browser.close().await;
    drop(server);
}

/// Frame intervals seen while driving the thread.
#[derive(Default)]
struct Frames {
    frames: Vec<f64>,
    elapsed_ms: f64,
    /// Long animation frames (over 50 ms) Chromium reported meanwhile, their durations.
    long_frames: Vec<f64>,
    finished: bool,
    last: Value,
}

impl Frames {
    fn extend(&mut self, more: Frames) {
        self.frames.extend(more.frames);
        self.long_frames.extend(more.long_frames);
        self.elapsed_ms += more.elapsed_ms;
        self.finished = more.finished;
        self.last = more.last;
    }

    fn print(&self, what: &str) {
        let mut sorted = self.frames.clone();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| sorted.get(((sorted.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or_default();
        let over = sorted.iter().filter(|ms| **ms > 50.0).count();
        let longest = self.long_frames.iter().copied().fold(0.0, f64::max);
        println!(
            "  {what:<44} {:>7} {:>7.1} {:>7.1} {:>7.1} {over:>6} {:>5} {longest:>7.0} {:>7.2} s",
            sorted.len(),
            at(0.5),
            at(0.99),
            at(1.0),
            self.long_frames.len(),
            self.elapsed_ms / 1000.0
        );
    }
}

/// Drives the thread for up to `max_frames` animation frames and records each frame's interval:
/// `up`/`down` scroll by `step` px a frame; `top` scrolls to the top every frame and `start` presses
/// Home in the thread once, both until its first message is on screen. Done early when the bottom (or the first message) is reached.
async fn drive(browser: &Browser, mode: &str, step: f64, max_frames: u32) -> Frames {
    let script = format!(
        r#"
const [mode, step, maxFrames, first, done] = arguments;
const thread = {THREAD};
const firstSeen = () => {{
  const box = thread.getBoundingClientRect();
  const row = [...thread.querySelectorAll('[data-testid=message-text]')].find(e => e.textContent.includes(first));
  const r = row && row.getBoundingClientRect();
  return !!r && r.bottom > box.top && r.top < box.bottom && !!thread.querySelector('[data-testid=thread-start]');
}};
if (mode === 'start') {{
  thread.focus();
  thread.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'Home', bubbles: true }}));
}}
const long = [];
const observer = PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')
  ? new PerformanceObserver(list => long.push(...list.getEntries().map(e => e.duration)))
  : null;
if (observer) observer.observe({{ type: 'long-animation-frame' }});
const frames = [];
const started = performance.now();
let last = started;
const tick = (now) => {{
  frames.push(now - last);
  last = now;
  if (mode === 'up') thread.scrollTop -= step;
  if (mode === 'down') thread.scrollTop += step;
  if (mode === 'top') thread.scrollTop = 0;
  const finished = mode === 'down'
    ? thread.scrollTop + thread.clientHeight >= thread.scrollHeight - 2
    : mode === 'start' || mode === 'top' ? firstSeen() : false;
  if (finished || frames.length >= maxFrames) {{
    if (observer) {{ long.push(...observer.takeRecords().map(e => e.duration)); observer.disconnect(); }}
    done({{ frames: frames.slice(1), elapsed: now - started, finished, long,
            last: {{ top: thread.scrollTop, height: thread.scrollHeight }} }});
  }} else {{
    requestAnimationFrame(tick);
  }}
}};
requestAnimationFrame(tick);
"#
    );
    let result = browser.eval_async(&script, vec![json!(mode), json!(step), json!(max_frames), json!(body(0))]).await;
    Frames {
        frames: numbers(&result["frames"]),
        elapsed_ms: result["elapsed"].as_f64().unwrap_or_default(),
        finished: result["finished"] == json!(true),
        long_frames: numbers(&result["long"]),
        last: result["last"].clone(),
    }
}

fn numbers(array: &Value) -> Vec<f64> {
    array.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default()
}

fn secs(since: Instant) -> f64 {
    since.elapsed().as_secs_f64()
}
