//! Probes and metrics for operators, and the JSON answers for what no route matched under /api.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> impl IntoResponse {
    axum::Json(json!({ "status": "ok" }))
}

/// The process can serve: the database answers.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if crate::domain::ops::ready(&state).await {
        axum::Json(json!({ "status": "ready" })).into_response()
    } else {
        AppError::Unavailable.into_response()
    }
}

/// Prometheus text exposition.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

pub async fn api_not_found() -> AppError {
    AppError::NotFound("route")
}

pub async fn method_not_allowed() -> Response {
    let mut body = AppError::NotFound("route").body();
    body.error.code = shared::ErrorCode::MethodNotAllowed;
    body.error.message = "this method is not allowed on this path".into();
    (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}
