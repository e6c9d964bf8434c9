//! The Atende server as a library: `app(state)` builds the whole router, so the binary and the
//! tests serve exactly the same application.

pub mod allocator;
pub mod auth;
pub mod channels;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod integrations;
pub mod lifecycle;
pub mod metrics;
pub mod openapi;
pub mod realtime;
pub mod secrets;
pub mod server;
pub mod state;
pub mod store;
pub mod telemetry;

pub use config::Config;
pub use error::{AppError, AppResult};
pub use server::{app, serve};
pub use state::AppState;
