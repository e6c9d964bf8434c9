//! Helpers for the browser tests: the real server, ChromeDriver with headless Chromium, and
//! polling helpers (every wait is "until this condition holds, or fail after a timeout").

#![allow(dead_code)]

pub mod browser;
pub mod processes;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long any single condition may take to become true.
pub const TIMEOUT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);

/// The checkout being tested. `cargo test` says where at run time; the path compiled in is only a
/// fallback, because an unchanged test binary can be reused from a copy of the tree built
/// elsewhere with the same target directory.
pub fn workspace_root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let manifest = manifest.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Polls `probe` until it yields `Some`, failing the test after `TIMEOUT` with `what` and the
/// last thing the probe reported.
pub async fn wait_for<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let started = Instant::now();
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(last) if started.elapsed() > TIMEOUT => {
                panic!("timed out after {TIMEOUT:?} waiting for {what}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// Customers write through a simulator connection, `in_flight` requests at a time: each message is
/// `(phone, text)`. Returns the ticket the last answered message went to.
pub async fn customers_write(
    base_url: &str,
    admin: &str,
    connection: i64,
    messages: Vec<(String, String)>,
    in_flight: usize,
) -> i64 {
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
    let client = reqwest::Client::new();
    let url = format!("{base_url}/api/v1/connections/{connection}/simulate");
    let (next, ticket) = (AtomicUsize::new(0), AtomicI64::new(0));
    let worker = || async {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((from, text)) = messages.get(i) else { return };
            let message = serde_json::json!({"from": from, "name": format!("Cliente {from}"), "body": text});
            let response = client.post(&url).bearer_auth(admin).json(&message).send().await;
            let response = response.unwrap_or_else(|err| panic!("simulating message {i}: {err}"));
            assert!(response.status().is_success(), "simulating message {i}: {}", response.status());
            let answer: serde_json::Value = response.json().await.unwrap_or_default();
            if let Some(id) = answer["ticket_id"].as_i64() {
                ticket.store(id, Ordering::Relaxed);
            }
        }
    };
    futures_util::future::join_all((0..in_flight).map(|_| worker())).await;
    ticket.load(Ordering::Relaxed)
}
