//! The whole application: API, docs, probes, metrics and the SPA, with the layers around them.

use std::future::Future;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::AppError;
use crate::http::ops;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn app(state: AppState) -> Router {
    let (api, spec) = crate::openapi::api();
    let static_dir = state.config.static_dir.clone();
    // scripts/build-spa.sh writes a gzipped copy beside each script and wasm module: sent as is to
    // browsers that accept gzip (about a third of the bytes, no compression per request).
    let spa = ServeDir::new(&static_dir).precompressed_gzip().fallback(ServeFile::new(static_dir.join("index.html")));
    Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/docs").url("/api/v1/openapi.json", spec))
        .route("/api", any(ops::api_not_found))
        .route("/api/{*rest}", any(ops::api_not_found))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .method_not_allowed_fallback(ops::method_not_allowed)
        .fallback_service(spa)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::http::headers::security_headers))
        .layer(axum::middleware::from_fn(crate::http::headers::close_after_cut_upload))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id =
                request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| -> Response {
            AppError::Internal(anyhow::anyhow!("a handler panicked")).into_response()
        }))
        .with_state(state)
}

/// Serves until `shutdown` completes, then hands over at once (no readiness drain: tests, embedding).
pub async fn serve_until(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    handover(listener, state, None, async move {
        shutdown.await;
        Duration::ZERO
    })
    .await
}

/// Serves until Ctrl-C or SIGTERM, then hands over (see [`handover`]).
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    crate::domain::media::spool::clear_leftovers(&state.config.data_dir, Duration::from_secs(3600));
    let pruner = crate::domain::events::EventPruner::start(state.clone());
    let drain = state.config.shutdown_drain;
    handover(listener, state, Some(pruner), shutdown_signal(drain)).await
}

/// Serves until `stop` resolves (to how long to drain), then, within `ATENDE_SHUTDOWN_GRACE_SECS`
/// of it: `/readyz` answers 503 for the drain time while requests are still served (a load
/// balancer moves away), then the listener closes, requests in flight finish, every WebSocket is
/// told to reconnect elsewhere with `since`, the outbox finishes its sends in flight and releases
/// its other claims (another instance takes them at once), and the background loops stop. Past
/// the grace period it returns anyway: what is left is what a crash leaves, and is recovered the
/// same way (leases run out; an interrupted send becomes `unknown`).
async fn handover(
    listener: TcpListener,
    state: AppState,
    pruner: Option<crate::domain::events::EventPruner>,
    stop: impl Future<Output = Duration> + Send + 'static,
) -> std::io::Result<()> {
    let outbox = crate::domain::outbox::OutboxWorker::start(state.clone());
    let schedules = crate::domain::schedules::ScheduleSender::start(state.clone());
    let imports = crate::domain::contacts_io::ImportSweeper::start(state.clone());
    let webhooks = crate::domain::outgoing_webhooks::WebhookSender::start(state.clone());
    // WhatsApp Web sessions that were running before the restart reconnect.
    state.whatsapp_web.resume_all(&state).await;
    let bots = crate::domain::bots::engine::BotWorker::start(state.clone());
    let grace = state.config.shutdown_grace;
    let (left, leaving) = tokio::sync::oneshot::channel::<Instant>();
    let closing_state = state.clone();
    let closing = async move {
        let drain = stop.await;
        let deadline = Instant::now() + grace;
        closing_state.lifecycle.drain();
        tracing::info!(?drain, ?grace, "shutting down: /readyz answers 503 while load balancers move away");
        tokio::time::sleep(drain.min(grace)).await;
        tracing::info!("no longer accepting; finishing requests, sends and sockets");
        closing_state.lifecycle.leave();
        let _ = left.send(deadline);
    };
    let serving = tokio::spawn(
        axum::serve(listener, app(state.clone()).into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(closing)
            .into_future(),
    );
    // No deadline when serving ended on its own (an accept error): stop the rest all the same.
    let deadline = leaving.await.unwrap_or_else(|_| Instant::now() + grace);
    state.lifecycle.leave();
    let requests = async { serving.await.unwrap_or_else(|error| Err(std::io::Error::other(error))) };
    let pruned = async {
        if let Some(pruner) = pruner {
            pruner.stop().await;
        }
    };
    let everything = async {
        let (served, ..) = tokio::join!(
            requests,
            outbox.stop(),
            schedules.stop(),
            imports.stop(),
            webhooks.stop(),
            state.whatsapp_web.stop_all(&state),
            bots.stop(),
            pruned,
            state.lifecycle.sockets_closed()
        );
        served
    };
    match tokio::time::timeout_at(deadline, everything).await {
        Ok(served) => {
            tracing::info!("handed over");
            served
        }
        Err(_) => {
            tracing::warn!(?grace, "the shutdown grace period ran out; exiting with work unfinished");
            Ok(())
        }
    }
}

/// Resolves on Ctrl-C (nothing to drain: someone at a terminal) or SIGTERM (drain first).
async fn shutdown_signal(drain: Duration) -> Duration {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => Duration::ZERO,
        () = terminate => drain,
    }
}
