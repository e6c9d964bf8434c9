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
