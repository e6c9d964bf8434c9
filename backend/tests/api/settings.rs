//! Configurações: defaults, merging per section, validation, who may change them, the live event,
//! and the settings that other features obey (new users' signature, the upload limit).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Desk, TestApp, assert_error, desk, read};
use crate::ws_client::EventStream;

#[tokio::test]
async fn a_new_company_reads_the_defaults() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, settings) = app.get("/api/v1/settings", &admin).await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    let general = &settings["general"];
    assert_eq!(general["time_zone"], "America/Sao_Paulo");
    assert_eq!(general["video_call_base_url"], "https://meet.jit.si");
    assert_eq!(general["max_upload_mb"], 16);
    assert_eq!(general["ratings"]["scale"], 5);
}

#[tokio::test]
async fn a_patch_merges_field_by_field_and_a_bad_field_changes_nothing() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, saved) =
        app.patch("/api/v1/settings", &admin, json!({"general": {"time_zone": "America/Manaus"}})).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, saved) = app.patch("/api/v1/settings", &admin, json!({"general": {"ratings": {"scale": 10}}})).await;
    assert_eq!(saved["general"]["time_zone"], "America/Manaus", "the earlier change stays");
    assert_eq!(saved["general"]["ratings"]["scale"], 10);
    assert_eq!(saved["general"]["ratings"]["window_minutes"], 1440, "untouched fields keep their value");

    let (status, body) = app
        .patch(
            "/api/v1/settings",
            &admin,
            json!({"general": {"time_zone": "Europe/Lisbon", "max_upload_mb": 500, "video_call_base_url": "javascript:x",
                "ratings": {"scale": 4}}}),
        )
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let fields = &body["error"]["details"];
    assert_eq!(fields["general.max_upload_mb"]["code"], "number_between", "{body}");
    assert_eq!(fields["general.video_call_base_url"]["code"], "not_url");
    assert_eq!(fields["general.ratings.scale"]["code"], "one_of");
    assert_eq!(fields["general.ratings.scale"]["choices"], json!([3, 5, 10]));
    let (status, body) = app.patch("/api/v1/settings", &admin, json!({"general": {"time_zone": "Brasília"}})).await;
    assert_eq!(body["error"]["details"]["general.time_zone"]["code"], "unknown_time_zone", "{status} {body}");
    let (_, now) = app.get("/api/v1/settings", &admin).await;
    assert_eq!(now["general"]["time_zone"], "America/Manaus", "nothing of a refused patch was kept");

    let (status, body) = app.patch("/api/v1/settings", &admin, json!({"general": {"timezone": "UTC"}})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
}

#[tokio::test]
async fn agents_read_the_settings_but_only_admins_change_them_and_everyone_hears_of_it() {
    let Desk { app, admin, queue, .. } = desk().await;
    let (_, agent) = app.user(&admin, "agent@test.local", "agent", &[queue]).await;
    let (status, _) = app.get("/api/v1/settings", &agent).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.patch("/api/v1/settings", &agent, json!({"general": {"max_upload_mb": 2}})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    let mut socket = EventStream::connect(&app.ws_url(&agent, None)).await;
    app.patch("/api/v1/settings", &admin, json!({"general": {"video_call_base_url": "https://video.example.com/"}}))
        .await;
    let events = socket.until("settings.updated").await;
    let event = events.last().expect("the event");
    assert_eq!(event["data"]["general"]["video_call_base_url"], "https://video.example.com");
}

#[tokio::test]
async fn another_company_keeps_its_own_settings() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, created) = app
        .post(
            "/api/v1/companies",
            &admin,
            json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.local", "password": "olga-secret-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let other = app.login("olga@outra.local", "olga-secret-1").await;
    app.patch("/api/v1/settings", &other, json!({"general": {"time_zone": "Asia/Tokyo"}})).await;
    let (_, mine) = app.get("/api/v1/settings", &admin).await;
    assert_eq!(mine["general"]["time_zone"], "America/Sao_Paulo");
}

#[tokio::test]
async fn new_users_start_with_the_signature_default() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.patch("/api/v1/settings", &admin, json!({"general": {"signature_default": false}})).await;
    let (id, _) = app.user(&admin, "quiet@test.local", "agent", &[]).await;
    let (_, user) = app.get(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(user["signature_enabled"], false, "{user}");
}

#[tokio::test]
async fn files_larger_than_the_company_allows_are_refused() {
    let Desk { app, admin, connection, .. } = desk().await;
    let id = app.inbound(&admin, connection, "11987654321", "manda o arquivo").await;
    app.act(&admin, id, "accept", json!({})).await;
    app.patch("/api/v1/settings", &admin, json!({"general": {"max_upload_mb": 1}})).await;
    let send = |bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name("dados.bin".to_owned()));
        app.client.post(app.url(&format!("/api/v1/tickets/{id}/messages"))).bearer_auth(&admin).multipart(form).send()
    };
    let (status, body) = read(send(vec![7u8; 1024 * 1024 + 1]).await.expect("upload")).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // Above the old fixed 16 MB limit, within the company's.
    app.patch("/api/v1/settings", &admin, json!({"general": {"max_upload_mb": 20}})).await;
    let (status, body) = read(send(vec![7u8; 17 * 1024 * 1024]).await.expect("upload")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
