//! The operator's commands behind `atende <command>`.

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::domain::bootstrap;
use crate::state::AppState;

async fn state() -> anyhow::Result<AppState> {
    let config = Config::from_env()?;
    crate::telemetry::init(config.log_format);
    AppState::build(config).await
}

pub async fn serve() -> anyhow::Result<()> {
    let mut config = Config::from_env()?;
    crate::telemetry::init(config.log_format);
    // Bound before the state is built, so `ATENDE_BIND=127.0.0.1:0` is the real port wherever the
    // configuration is read (the default ATENDE_PUBLIC_URL, hence the webhook URLs shown).
    let listener = TcpListener::bind(config.bind).await.with_context(|| format!("binding {}", config.bind))?;
    config.bind = listener.local_addr()?;
    let state = AppState::build(config).await?;
    if let Some(credentials) = bootstrap::ensure_first_admin(&state).await? {
        println!("==> First admin created (shown only this once; change the password in Perfil):");
        println!("    e-mail:   {}", credentials.email);
        println!("    password: {}", credentials.password);
    }
    let orphaned = crate::domain::messages::fail_orphaned_sends(&state).await?;
    if orphaned > 0 {
        tracing::warn!(count = orphaned, "outbound messages written before the outbox existed were marked failed");
    }
    if !state.config.static_dir.join("index.html").exists() {
        tracing::warn!(dir = %state.config.static_dir.display(), "the SPA is not built here; only the API is served");
    }
    let addr = state.config.bind;
    // Tests and scripts wait for this exact line.
    println!("listening on http://{addr}");
    tracing::info!(config = ?state.config, "serving");
    crate::serve(listener, state).await.context("serving")
}

pub async fn migrate() -> anyhow::Result<()> {
    state().await?;
    println!("migrations applied");
    Ok(())
}

pub async fn create_admin(email: &str, password: &str, name: &str) -> anyhow::Result<()> {
    let state = state().await?;
    bootstrap::create_admin(&state, email, password, name).await.map_err(describe)?;
    println!("platform admin {} is ready", email.trim().to_lowercase());
    Ok(())
}

pub async fn seed_demo() -> anyhow::Result<()> {
    let state = state().await?;
    // The agents' answers go out through the outbox, as in the server: a worker settles them here.
    let worker = crate::domain::outbox::OutboxWorker::start(state.clone());
    let report = bootstrap::seed_demo(&state).await.map_err(describe);
    crate::domain::demo::settle(&state, std::time::Duration::from_secs(60)).await.map_err(describe)?;
    worker.stop().await;
    let report = report?;
    if let Some(admin) = &report.admin {
        println!("platform admin {} created, password {}", admin.email, admin.password);
    }
    println!("demo queues: Vendas, Suporte, Financeiro");
    for user in &report.users {
        println!("demo user {user}, password {}", bootstrap::DEMO_PASSWORD);
    }
    if report.users.is_empty() {
        println!("demo users already exist (password {})", bootstrap::DEMO_PASSWORD);
    }
    println!(
        "demo conversations: {} written, {} already there (connection \"{}\")",
        report.seeded.conversations,
        report.seeded.skipped,
        crate::domain::demo::CONNECTION_NAME
    );
    Ok(())
}

pub fn print_openapi() -> anyhow::Result<()> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(crate::openapi::spec_json().as_bytes()) {
        // A reader that stopped early (`atende openapi | head`) is not an error of ours.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing the OpenAPI document"),
    }
}

/// An `AppError` as the sentence an operator needs (field errors included).
fn describe(error: crate::AppError) -> anyhow::Error {
    let body = error.body().error;
    match body.details {
        Some(details) => anyhow::anyhow!("{}: {}", body.message, details),
        None => anyhow::anyhow!("{}", body.message),
    }
}
