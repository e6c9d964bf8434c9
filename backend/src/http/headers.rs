//! Security headers on every answer: the SPA may run only its own code (a strict
//! Content-Security-Policy: no inline script, connections to this origin only, no framing), and
//! nothing is sniffed, framed or leaks the URL to other sites. Token answers are never cached.
//! Behind a trusted proxy that terminates TLS, browsers are told to keep to https (HSTS).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// The SPA's policy. Wasm needs `wasm-unsafe-eval` (compiling the module), never `unsafe-eval`;
/// styles may be inline (Leptos sets style attributes); media comes from this origin or from
/// blobs the SPA built after downloading with the bearer token.
pub const APP_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; media-src 'self' blob:; \
     connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'self'";

/// Swagger UI (vendored at `/docs`) starts itself with an inline script; it holds no tokens of ours.
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Whether the client reached us over https: said by a trusted proxy (`ATENDE_TRUSTED_PROXIES`)
/// in `X-Forwarded-Proto`; anyone else could claim it.
fn over_https(request: &Request, state: &AppState) -> bool {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    let from_trusted = peer.is_some_and(|ip| state.config.trusted_proxies.iter().any(|net| net.contains(&ip)));
    let proto = request.headers().get("x-forwarded-proto").and_then(|v| v.to_str().ok()).unwrap_or_default();
    from_trusted && proto.eq_ignore_ascii_case("https")
}

pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let https = over_https(&request, &state);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let policy = if path == "/docs" || path.starts_with("/docs/") { DOCS_POLICY } else { APP_POLICY };
    let set = |headers: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, policy);
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    if https {
        set(headers, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    if path.starts_with("/api/v1/auth/") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// An upload refused while it arrives (413 past the limit, 507 on a full disk) is answered before
/// its body has been read to the end. `Connection: close` makes the client open a new connection
/// for its next request instead of sending it after the unread rest of this body.
pub async fn close_after_cut_upload(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if matches!(response.status(), StatusCode::PAYLOAD_TOO_LARGE | StatusCode::INSUFFICIENT_STORAGE) {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
