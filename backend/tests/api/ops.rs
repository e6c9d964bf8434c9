use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::start().await;
    let health = app.client.get(app.url("/healthz")).send().await.expect("send");
    assert_eq!(health.status(), StatusCode::OK);
    let ready = app.client.get(app.url("/readyz")).send().await.expect("send");
    let (status, body) = read(ready).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ready")));
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::start().await;
    let token = app.admin().await;
    app.get("/api/v1/me", &token).await;
    app.get("/api/v1/users/123", &token).await;
    let text = app.client.get(app.url("/metrics")).send().await.expect("send").text().await.expect("text");
    assert!(text.contains(r#"atende_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1"#), "{text}");
    assert!(text.contains(r#"route="/api/v1/users/{id}",status="404""#), "{text}");
    assert!(text.contains("atende_http_request_duration_seconds_bucket"), "{text}");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::start().await;
    let response = app.client.get(app.url("/healthz")).send().await.expect("send");
    let id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let given = app.client.get(app.url("/healthz")).header("x-request-id", "trace-me-42").send().await.expect("send");
    assert_eq!(given.headers()["x-request-id"], "trace-me-42");
}

#[tokio::test]
async fn openapi_and_docs_are_served() {
    let app = TestApp::start().await;
    let (status, spec) = read(app.client.get(app.url("/api/v1/openapi.json")).send().await.expect("send")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(spec["paths"]["/api/v1/auth/login"]["post"].is_object(), "{spec}");
    let docs = app.client.get(app.url("/docs/")).send().await.expect("send");
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.expect("text").contains("swagger"));
}

#[tokio::test]
async fn the_spa_is_served_with_a_fallback_to_index_html() {
    let app = TestApp::start_with(|c| {
        let dir = c.data_dir.join("spa");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("index.html"), "<html>atende spa</html>").expect("index");
        std::fs::write(dir.join("app.js"), "console.log(1)").expect("js");
        c.static_dir = dir;
    })
    .await;
    for path in ["/", "/admin/users", "/tickets/42"] {
        let response = app.client.get(app.url(path)).send().await.expect("send");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.text().await.expect("text").contains("atende spa"), "{path}");
    }
    let js = app.client.get(app.url("/app.js")).send().await.expect("send").text().await.expect("text");
    assert_eq!(js, "console.log(1)");
}

#[test]
fn the_checked_in_openapi_document_matches_the_code() {
    let path = crate::helpers::package_dir().join("../openapi/openapi.json");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    let generated = atende::openapi::spec_json();
    assert!(
        checked_in == generated,
        "openapi/openapi.json is out of date with the code: run `make openapi` and commit the result"
    );
}

#[tokio::test]
async fn security_headers_are_on_every_answer() {
    let app = TestApp::start().await;
    for path in ["/", "/tickets/5", "/api/v1/me", "/healthz", "/api/v1/openapi.json"] {
        let response = app.client.get(app.url(path)).send().await.expect("get");
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let policy = header("content-security-policy");
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval'"), "{path}: {policy}");
        assert!(!policy.contains("unsafe-inline'; img") || !policy.contains("script-src 'self' 'unsafe-inline'"));
        assert!(policy.contains("frame-ancestors 'none'") && policy.contains("connect-src 'self'"), "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
    }
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(response.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
}

/// HSTS only when a trusted proxy says the client came over https (a client cannot claim it).
#[tokio::test]
async fn hsts_is_sent_behind_a_trusted_tls_proxy_only() {
    let hsts = |app: &TestApp| {
        let request = app.client.get(app.url("/healthz")).header("x-forwarded-proto", "https").send();
        async move {
            let response = request.await.expect("get");
            response.headers().get("strict-transport-security").map(|v| v.to_str().unwrap_or_default().to_owned())
        }
    };
    let direct = TestApp::start().await;
    assert_eq!(hsts(&direct).await, None, "the peer is not a trusted proxy");
    let proxied = TestApp::start_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")]).await;
    assert_eq!(hsts(&proxied).await.as_deref(), Some("max-age=31536000; includeSubDomains"));
}
