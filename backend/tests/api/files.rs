//! Files from the composer: the company's size limit answered as JSON, captions, and several files
//! in a row keeping their order.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

async fn upload(
    app: &TestApp,
    token: &str,
    ticket: i64,
    bytes: Vec<u8>,
    name: &str,
    caption: Option<&str>,
) -> Response {
    let mut form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    if let Some(caption) = caption {
        form = form.text("body", caption.to_owned());
    }
    let response = app
        .client
        .post(app.url(&format!("/api/v1/tickets/{ticket}/messages")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    Response {
        content_type: response.headers().get("content-type").cloned(),
        connection: response.headers().get("connection").cloned(),
        answer: read(response).await,
    }
}

struct Response {
    content_type: Option<reqwest::header::HeaderValue>,
    connection: Option<reqwest::header::HeaderValue>,
    answer: (StatusCode, Value),
}

/// An open ticket of the admin's, with the signature off so bodies read as sent.
async fn open_ticket() -> (Desk, i64) {
    let desk = desk().await;
    let id = desk.app.inbound(&desk.admin, desk.connection, "11987654321", "manda os arquivos").await;
    desk.app.act(&desk.admin, id, "accept", json!({})).await;
    desk.app.patch("/api/v1/me", &desk.admin, json!({"signature_enabled": false})).await;
    (desk, id)
}

async fn thread(app: &TestApp, token: &str, ticket: i64) -> Vec<Value> {
    let (status, page) = app.get(&format!("/api/v1/tickets/{ticket}/messages?limit=100"), token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // The API answers newest first; the thread reads oldest first.
    let mut items = page["items"].as_array().cloned().unwrap_or_default();
    items.reverse();
    items
}

fn assert_json_413(response: &Response) {
    let (status, body) = &response.answer;
    assert_error(*status, body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    let content_type = response.content_type.as_ref().and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "{content_type}");
    // Answered before the body was read to its end: the client must not reuse the connection.
    assert_eq!(response.connection.as_ref().and_then(|v| v.to_str().ok()), Some("close"));
}

#[tokio::test]
async fn a_file_over_the_company_limit_is_413_in_json_and_not_stored() {
    let (Desk { app, admin, .. }, id) = open_ticket().await;
    let (status, settings) = app.patch("/api/v1/settings", &admin, json!({"general": {"max_upload_mb": 1}})).await;
    assert_eq!((status, &settings["general"]["max_upload_mb"]), (StatusCode::OK, &json!(1)), "{settings}");
    let before = thread(&app, &admin, id).await.len();

    let refused = upload(&app, &admin, id, vec![b'a'; 1024 * 1024 + 1], "grande.txt", Some("não vai")).await;
    assert_json_413(&refused);
    assert_eq!(thread(&app, &admin, id).await.len(), before, "nothing stored for a refused file");

    // A refused type is not kept either.
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0\x01".to_vec();
    elf.resize(4096, 0);
    let refused = upload(&app, &admin, id, elf, "programa", None).await;
    assert_eq!(refused.answer.0, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", refused.answer.1);
    let data_dir = &app.state.config.data_dir;
    assert_eq!(walk(&data_dir.join("media")), Vec::<std::path::PathBuf>::new(), "no file kept");
    assert_eq!(walk(&data_dir.join("tmp")), Vec::<std::path::PathBuf>::new(), "no upload left in the spool");

    // The limit itself is allowed: the SPA refuses what the server would, no more.
    let fits = upload(&app, &admin, id, vec![b'a'; 1024 * 1024], "cabe.txt", None).await;
    assert_eq!(fits.answer.0, StatusCode::CREATED, "{}", fits.answer.1);
    assert_eq!(walk(&data_dir.join("media")).len(), 1, "kept, moved out of the spool");
    assert_eq!(walk(&data_dir.join("tmp")), Vec::<std::path::PathBuf>::new());
}

/// Above what any company may allow, the body is cut off while it is read: still the JSON error.
#[tokio::test]
async fn a_multipart_body_over_every_limit_is_413_in_json() {
    let (Desk { app, admin, .. }, id) = open_ticket().await;
    let ceiling = shared::settings::MAX_UPLOAD_MB_LIMIT as usize * 1024 * 1024;
    let refused = upload(&app, &admin, id, vec![b'a'; ceiling + 256 * 1024], "enorme.txt", None).await;
    assert_json_413(&refused);
}

#[tokio::test]
async fn a_caption_is_the_body_of_the_file_message() {
    let (Desk { app, admin, .. }, id) = open_ticket().await;
    let sent = upload(&app, &admin, id, PNG.to_vec(), "foto.png", Some("  Segue a foto do pedido \n")).await;
    let (status, message) = sent.answer;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(message["kind"], "image");
    assert_eq!(message["body"], "Segue a foto do pedido");
    let stored = thread(&app, &admin, id).await.pop().expect("the file");
    assert_eq!((&stored["id"], &stored["body"], &stored["kind"]), (&message["id"], &message["body"], &message["kind"]));
    let (_, ticket) = app.get(&format!("/api/v1/tickets/{id}"), &admin).await;
    assert_eq!(ticket["last_message"]["body"], "Segue a foto do pedido", "{ticket}");

    // Without a caption the body is empty and the list shows the file's name.
    let (status, bare) = upload(&app, &admin, id, PDF.to_vec(), "contrato.pdf", Some("   ")).await.answer;
    assert_eq!(status, StatusCode::CREATED, "{bare}");
    assert_eq!((bare["kind"].as_str(), bare["body"].as_str()), (Some("document"), Some("")));
    let (_, ticket) = app.get(&format!("/api/v1/tickets/{id}"), &admin).await;
    assert_eq!(ticket["last_message"]["body"], "contrato.pdf", "{ticket}");

    // With the signature on, the caption carries it like any text the contact reads.
    app.patch("/api/v1/me", &admin, json!({"signature_enabled": true})).await;
    let (_, signed) = upload(&app, &admin, id, PNG.to_vec(), "outra.png", Some("Mais uma")).await.answer;
    assert_eq!(signed["body"], "*Admin*:\nMais uma");
}

#[tokio::test]
async fn files_sent_one_after_another_keep_their_order() {
    let (Desk { app, admin, .. }, id) = open_ticket().await;
    let files: [(&[u8], &str, &str); 4] = [
        (PNG, "1.png", "primeiro"),
        (PDF, "2.pdf", "segundo"),
        (b"terceiro arquivo", "3.txt", "terceiro"),
        (PNG, "4.png", ""),
    ];
    let mut ids = Vec::new();
    for (bytes, name, caption) in files {
        let (status, message) = upload(&app, &admin, id, bytes.to_vec(), name, Some(caption)).await.answer;
        assert_eq!(status, StatusCode::CREATED, "{message}");
        ids.push(message["id"].as_i64().expect("id"));
    }
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");
    let sent: Vec<(String, String)> = thread(&app, &admin, id)
        .await
        .into_iter()
        .filter(|m| m["media_name"].is_string())
        .map(|m| {
            (m["media_name"].as_str().unwrap_or_default().to_owned(), m["body"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    let expected: Vec<(String, String)> =
        files.iter().map(|(_, name, caption)| ((*name).to_owned(), (*caption).to_owned())).collect();
    assert_eq!(sent, expected);
}
