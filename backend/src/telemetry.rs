//! Logging: human-readable by default, one JSON object per line with `ATENDE_LOG_FORMAT=json`.
//! `RUST_LOG` narrows or widens what is logged (default `info`).

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    // A second init (tests start many servers in one process) is harmless: keep the first.
    let _ = match format {
        LogFormat::Human => registry.with(fmt::layer().with_target(false)).try_init(),
        LogFormat::Json => registry.with(fmt::layer().json().flatten_event(true).with_current_span(true)).try_init(),
    };
}
