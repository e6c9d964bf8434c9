//! Voice notes: a browser recording (WebM/Opus from Chromium) is stored and sent as Ogg/Opus, the
//! form WhatsApp plays as a voice note; checked at a local stand-in of the Graph API that records
//! what it was uploaded and asked to send.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Multipart, State};
use axum::routing::post;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const CHROMIUM_WEBM: &[u8] = include_bytes!("../../src/domain/media/fixtures/chromium-opus.webm");
const VP8_WEBM: &[u8] = include_bytes!("../../src/domain/media/fixtures/chromium-vp8.webm");
const OGG_OPUS: &str = "audio/ogg; codecs=opus";

/// One file the stand-in was given on `/{phone}/media`.
#[derive(Debug, Clone)]
struct Upload {
    /// The `type` form field.
    declared: String,
    /// The file part's `Content-Type`.
    mime: String,
    name: String,
    bytes: Vec<u8>,
}

#[derive(Default)]
struct Graph {
    uploads: Vec<Upload>,
    sent: Vec<Value>,
}

type Shared = Arc<Mutex<Graph>>;

async fn upload(State(graph): State<Shared>, mut form: Multipart) -> axum::Json<Value> {
    let (mut declared, mut file) = (String::new(), None);
    while let Ok(Some(field)) = form.next_field().await {
        match field.name().unwrap_or_default() {
            "type" => declared = field.text().await.unwrap_or_default(),
            "file" => {
                let mime = field.content_type().unwrap_or_default().to_owned();
                let name = field.file_name().unwrap_or_default().to_owned();
                file = Some((mime, name, field.bytes().await.map(|b| b.to_vec()).unwrap_or_default()));
            }
            _ => {}
        }
    }
    let mut graph = graph.lock().expect("lock");
    let (mime, name, bytes) = file.expect("a file part");
    graph.uploads.push(Upload { declared, mime, name, bytes });
    axum::Json(json!({"id": format!("media-{}", graph.uploads.len())}))
}

async fn send(State(graph): State<Shared>, axum::Json(body): axum::Json<Value>) -> axum::Json<Value> {
    let mut graph = graph.lock().expect("lock");
    graph.sent.push(body.clone());
    axum::Json(json!({"messaging_product": "whatsapp", "messages": [{"id": format!("wamid.OUT{}", graph.sent.len())}]}))
}

/// An open ticket of a contact on a Cloud API connection whose Graph API is the stand-in.
struct Line {
    app: TestApp,
    admin: String,
    ticket: i64,
    graph: Shared,
}

async fn line() -> Line {
    let graph: Shared = Arc::default();
    let stand_in = Router::new()
        .route("/{phone}/media", post(upload))
        .route("/{phone}/messages", post(send))
        .with_state(graph.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, stand_in).await;
    });
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, connection) = app
        .post(
            "/api/v1/connections",
            &admin,
            json!({"name": "WhatsApp oficial", "kind": "cloud_api", "phone_number_id": "1098", "access_token": "EAAG",
                   "app_secret": "s", "verify_token": "v", "graph_base_url": base}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{connection}");
    let (_, contact) = app.post("/api/v1/contacts", &admin, json!({"name": "Maria", "number": "11987654321"})).await;
    let (status, ticket) = app
        .post("/api/v1/tickets", &admin, json!({"contact_id": contact["id"], "connection_id": connection["id"]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    Line { app, admin, ticket: ticket["id"].as_i64().expect("id"), graph }
}

impl Line {
    async fn upload(&self, bytes: &[u8], name: &str, kind: Option<&str>) -> (StatusCode, Value) {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned());
        let mut form = reqwest::multipart::Form::new().part("file", part);
        if let Some(kind) = kind {
            form = form.text("kind", kind.to_owned());
        }
        let response = self
            .app
            .client
            .post(self.app.url(&format!("/api/v1/tickets/{}/messages", self.ticket)))
            .bearer_auth(&self.admin)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let (status, message) = read(response).await;
        if status == StatusCode::CREATED {
            // What WhatsApp received is read once the outbox has sent it.
            self.app.settled(&self.admin, self.ticket, message["id"].as_i64().expect("id")).await;
        }
        (status, message)
    }

    async fn file(&self, message: &Value) -> (String, Vec<u8>) {
        let url = message["media_url"].as_str().expect("media url");
        let response = self.app.client.get(self.app.url(url)).bearer_auth(&self.admin).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::OK);
        let mime = response.headers()["content-type"].to_str().expect("ascii").to_owned();
        (mime, response.bytes().await.expect("bytes").to_vec())
    }

    fn last_upload_and_send(&self) -> (Upload, Value) {
        let graph = self.graph.lock().expect("lock");
        (graph.uploads.last().cloned().expect("an upload"), graph.sent.last().cloned().expect("a send"))
    }
}

/// An Ogg stream whose first page carries the Opus identification header.
fn is_ogg_opus(bytes: &[u8]) -> bool {
    let segments = usize::from(*bytes.get(26).unwrap_or(&0));
    bytes.starts_with(b"OggS") && bytes.get(27 + segments..).is_some_and(|rest| rest.starts_with(b"OpusHead"))
}

#[tokio::test]
async fn a_browser_recording_reaches_whatsapp_as_an_ogg_opus_voice_note() {
    let line = line().await;
    let (status, message) = line.upload(CHROMIUM_WEBM, "gravacao.webm", Some("audio")).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!((message["kind"].as_str(), message["media_mime"].as_str()), (Some("audio"), Some(OGG_OPUS)));
    assert_eq!(message["media_name"], "gravacao.ogg");
    let (_, page) = line.app.get(&format!("/api/v1/tickets/{}/messages", line.ticket), &line.admin).await;
    assert_eq!(page["items"][0]["status"], "sent", "{page}");
    let (mime, stored) = line.file(&message).await;
    assert_eq!(mime, OGG_OPUS);
    assert!(is_ogg_opus(&stored), "the stored file is Ogg/Opus");

    let (uploaded, sent) = line.last_upload_and_send();
    assert_eq!((uploaded.mime.as_str(), uploaded.declared.as_str()), (OGG_OPUS, OGG_OPUS));
    assert_eq!(uploaded.name, "gravacao.ogg");
    assert_eq!(uploaded.bytes, stored, "WhatsApp gets the stored file");
    assert_eq!(sent["type"], "audio", "{sent}");
    assert_eq!(sent["audio"], json!({"id": "media-1"}));
    assert_eq!(sent["to"], "5511987654321");
}

#[tokio::test]
async fn an_ogg_opus_file_goes_through_unchanged_and_other_audio_is_an_ordinary_audio_file() {
    let line = line().await;
    let (_, note) = line.upload(CHROMIUM_WEBM, "nota.webm", Some("audio")).await;
    let (_, ogg) = line.file(&note).await;

    for kind in [Some("audio"), None] {
        let (status, message) = line.upload(&ogg, "recado.ogg", kind).await;
        assert_eq!(status, StatusCode::CREATED, "{message}");
        assert_eq!((message["kind"].as_str(), message["media_mime"].as_str()), (Some("audio"), Some(OGG_OPUS)));
        assert_eq!(message["media_name"], "recado.ogg");
        assert_eq!(line.file(&message).await.1, ogg, "the same bytes");
        let (uploaded, sent) = line.last_upload_and_send();
        assert_eq!((uploaded.mime.as_str(), uploaded.bytes == ogg), (OGG_OPUS, true));
        assert_eq!(sent["type"], "audio");
    }

    // An MP3 (an ID3 tag, then an MPEG frame header) stays audio/mpeg: audio, not a voice note.
    let mut mp3 = b"ID3\x04\0\0\0\0\0\0".to_vec();
    mp3.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
    mp3.resize(512, 0);
    let (status, message) = line.upload(&mp3, "musica.mp3", Some("audio")).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!((message["kind"].as_str(), message["media_mime"].as_str()), (Some("audio"), Some("audio/mpeg")));
    assert_eq!(message["media_name"], "musica.mp3");
    let (uploaded, sent) = line.last_upload_and_send();
    assert_eq!((uploaded.mime.as_str(), uploaded.bytes == mp3), ("audio/mpeg", true));
    assert_eq!(sent["type"], "audio");
}

#[tokio::test]
async fn a_video_sent_as_a_voice_note_is_refused_and_nothing_goes_out() {
    let line = line().await;
    let (status, body) = line.upload(VP8_WEBM, "camera.webm", Some("audio")).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["kind"]["code"], "not_audio", "{body}");
    // A recording cut short before its first sound is not a voice note either.
    let (status, body) = line.upload(&CHROMIUM_WEBM[..200], "vazio.webm", Some("audio")).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let nothing_out = {
        let graph = line.graph.lock().expect("lock");
        graph.uploads.is_empty() && graph.sent.is_empty()
    };
    assert!(nothing_out, "nothing reached WhatsApp");
    let (_, page) = line.app.get(&format!("/api/v1/tickets/{}/messages", line.ticket), &line.admin).await;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    assert!(items.iter().all(|m| m["kind"] == "system"), "nothing stored: {page}");
}
