//! The disk full on a media write: an agent's upload and a customer's photo arriving through the
//! Cloud API webhook. Each is refused with 507 `insufficient_storage` in JSON and leaves nothing
//! behind: no message row, no file, not even a truncated one.
//!
//! The full disk is the server's own file-size limit (`ulimit -f`, SIGXFSZ ignored): a write past
//! it fails with EFBIG exactly where a full disk fails with ENOSPC, and it needs neither root nor
//! a mount, so it works on any CI machine. The limit (4 MiB) is far above the SQLite database of a
//! test and below the 6 MiB files sent.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::*;

const LIMIT_KIB: u64 = 4096;
const BIG: usize = 6 * 1024 * 1024;

/// A PNG of `size` bytes (a real header, then zeros): the server types files by their bytes.
fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    bytes.resize(size, 0);
    bytes
}

/// A Graph API stand-in that hands out one media file, `file`.
async fn graph_serving(file: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = (base.clone(), Arc::new(file));
    let app = axum::Router::new()
        .route(
            "/{id}",
            get(|State((base, file)): State<(String, Arc<Vec<u8>>)>, Path(id): Path<String>| async move {
                axum::Json(json!({"url": format!("{base}/files/{id}"), "mime_type": "image/png", "sha256": "x",
                                  "file_size": file.len(), "id": id, "messaging_product": "whatsapp"}))
            }),
        )
        .route("/files/{id}", get(|State((_, file)): State<(String, Arc<Vec<u8>>)>| async move { file.to_vec() }))
        .with_state(state);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

fn media_files(setup: &Setup) -> Vec<(std::path::PathBuf, u64)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, u64)>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push((path.clone(), entry.metadata().map(|m| m.len()).unwrap_or(0)));
            }
        }
    }
    let mut files = Vec::new();
    walk(&setup.data_dir().join("media"), &mut files);
    files
}

fn assert_insufficient_storage(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{body}");
    assert_eq!(body["error"]["code"], "insufficient_storage", "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn a_full_disk_refuses_uploads_and_inbound_media_with_507_and_stores_nothing_half() {
    let mut setup = Setup::new();
    setup.max_file_kib = Some(LIMIT_KIB);
    setup.create_admin().await;
    let server = setup.serve().await;
    let admin = server.login().await;

    // A customer's photo through the webhook: Meta is told to deliver it again later.
    let graph = graph_serving(png(BIG)).await;
    let connection = admin.cloud_connection(&graph).await;
    let photo = notification(json!([{"from": "5511987654321", "id": "wamid.PHOTO", "timestamp": "1764000000",
                                       "type": "image", "image": {"id": "media-1", "mime_type": "image/png"}}]));
    let body = serde_json::to_vec(&photo).expect("json");
    let response = admin
        .client
        .post(format!("{}/webhooks/whatsapp/{connection}", server.base))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", sign(&body))
        .body(body)
        .send()
        .await
        .expect("an answer");
    let status = response.status();
    let answer: Value = serde_json::from_str(&response.text().await.expect("body")).unwrap_or(Value::Null);
    assert_insufficient_storage(status, &answer);
    assert_eq!(media_files(&setup), vec![], "no file left behind");
    let (_, tickets) = admin.get("/api/v1/tickets").await;
    assert_eq!(tickets["items"], json!([]), "no ticket or message stored for the refused photo");

    // An agent's upload in an open conversation.
    let simulator = admin.simulator().await;
    let (status, written) = admin
        .post(&format!("/api/v1/connections/{simulator}/simulate"), json!({"from": "11987654321", "body": "oi"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{written}");
    let ticket = written["ticket_id"].as_i64().expect("ticket");
    let (status, accepted) = admin.post(&format!("/api/v1/tickets/{ticket}/accept"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    let upload = |bytes: Vec<u8>| {
        let admin = admin.clone();
        async move {
            let form = reqwest::multipart::Form::new()
                .text("body", "segue o comprovante")
                .part("file", reqwest::multipart::Part::bytes(bytes).file_name("comprovante.png"));
            let response = admin
                .client
                .post(format!("{}/api/v1/tickets/{ticket}/messages", admin.base))
                .bearer_auth(admin.token())
                .multipart(form)
                .send()
                .await
                .expect("an answer");
            let status = response.status();
            (status, response.json::<Value>().await.expect("a JSON body"))
        }
    };
    let (status, refused) = upload(png(BIG)).await;
    assert_insufficient_storage(status, &refused);
    assert_eq!(media_files(&setup), vec![], "no file left behind");
    let (_, messages) = admin.get(&format!("/api/v1/tickets/{ticket}/messages")).await;
    let with_media: Vec<&Value> =
        messages["items"].as_array().expect("items").iter().filter(|m| !m["media_url"].is_null()).collect();
    assert!(with_media.is_empty(), "no message for the refused file: {with_media:?}");

    // What fits is stored whole, and the message points at it.
    let (status, sent) = upload(png(64 * 1024)).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let files = media_files(&setup);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].1, 64 * 1024);
    server.kill().await;
}
