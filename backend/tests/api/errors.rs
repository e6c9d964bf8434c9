use reqwest::{Method, StatusCode};

use crate::helpers::*;

#[tokio::test]
async fn malformed_json_is_400_in_json() {
    let app = TestApp::start().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_json");
}

#[tokio::test]
async fn wrong_content_type_is_415_in_json() {
    let app = TestApp::start().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
}

#[tokio::test]
async fn missing_fields_are_422_in_json() {
    let app = TestApp::start().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "a@b.c"}))
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
}

#[tokio::test]
async fn oversized_bodies_are_413_in_json() {
    let app = TestApp::start_with(|c| c.max_body_bytes = 1024).await;
    let big = format!("{{\"email\": \"{}\", \"password\": \"x\"}}", "a".repeat(4096));
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn unknown_api_routes_and_methods_answer_in_json() {
    let app = TestApp::start().await;
    let token = app.admin().await;
    for path in ["/api/v1/nope", "/api", "/api/v2/users/1"] {
        let (status, body) = app.get(path, &token).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, body) = app.send(Method::PUT, "/api/v1/me", Some(&token), None).await;
    assert_error(status, &body, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn a_malformed_id_is_404() {
    let app = TestApp::start().await;
    let token = app.admin().await;
    let (status, body) = app.get("/api/v1/users/abc", &token).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app.get("/api/v1/users/99999999999999999999999", &token).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}
