#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Fault tests: the real server binary, killed, stopped (SIGTERM) or starved of what it depends on
//! (its process, PostgreSQL, Redis, the disk), must lose nothing it acknowledged, fail with a JSON
//! error instead of a 500 or a hang, and recover on its own; and the deployment files it ships
//! (systemd unit, container recipe, backup script) checked by real tools. A separate target (`test = false` in Cargo.toml), run by
//! `make faults`: it starts private PostgreSQL and Redis servers, so it is slower than the API suite.

mod deploy;
mod disk;
mod flood;
mod handover;
mod postgres;
mod redis;
mod support;
// The API suite's WebSocket client; not every helper of it is used here.
#[path = "../api/ws_client.rs"]
#[allow(dead_code)]
mod ws_client;
