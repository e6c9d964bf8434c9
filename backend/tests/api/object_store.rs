//! Media in an S3-compatible object store (`ATENDE_MEDIA_URL=s3://...`): the same bytes and headers
//! as from the data dir, objects gone with their rows, one instance serving what another received,
//! and a store that does not answer. Against the S3 server scripts/test-services.sh starts on
//! loopback (`ATENDE_TEST_S3_ENDPOINT`); each test writes under a prefix of its own.

use ::object_store::ObjectStore;
use ::object_store::aws::AmazonS3Builder;
use ::object_store::path::Path as Key;
use atende::config::{MediaStorage, S3Storage};
use base64::Engine;
use futures_util::TryStreamExt;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use serde_json::{Value, json};

use crate::helpers::*;

const BUCKET: &str = "atende-test";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

/// The test bucket (created if need be) and a fresh prefix in it, as the server's configuration.
async fn fresh_bucket_prefix() -> S3Storage {
    let endpoint = std::env::var("ATENDE_TEST_S3_ENDPOINT").ok().filter(|e| !e.is_empty()).expect(
        "ATENDE_TEST_S3_ENDPOINT is not set: run the tests through `make test`, or eval \"$(bash scripts/test-services.sh)\" first",
    );
    // The stand-in takes an unsigned request; an existing bucket answers 200 or 409.
    let created =
        reqwest::Client::new().put(format!("{endpoint}/{BUCKET}")).send().await.expect("the S3 server answers");
    assert!(matches!(created.status().as_u16(), 200 | 409), "creating the bucket: {}", created.status());
    S3Storage {
        bucket: BUCKET.into(),
        prefix: format!("run-{}", uuid::Uuid::new_v4().simple()),
        endpoint: Some(endpoint),
        region: "us-east-1".into(),
        access_key_id: Some("test".into()),
        secret_access_key: Some("test-secret".into()),
        session_token: None,
        allow_http: true,
    }
}

/// The keys under the test's prefix, read from the bucket itself (not through the server).
async fn keys(s3: &S3Storage) -> Vec<String> {
    let bucket = AmazonS3Builder::new()
        .with_bucket_name(&s3.bucket)
        .with_region(&s3.region)
        .with_endpoint(s3.endpoint.as_deref().unwrap_or_default())
        .with_allow_http(true)
        .with_access_key_id("test")
        .with_secret_access_key("test-secret")
        .build()
        .expect("a client of the test bucket");
    let listed: Vec<_> = bucket.list(Some(&Key::from(s3.prefix.as_str()))).try_collect().await.expect("listing");
    let mut keys: Vec<String> = listed.into_iter().map(|meta| meta.location.to_string()).collect();
    keys.sort();
    keys
}

async fn start_on(s3: &S3Storage) -> TestApp {
    let s3 = s3.clone();
    TestApp::start_with(move |c| c.media = MediaStorage::S3(s3)).await
}

/// A file sent by an agent into `ticket`: the message.
async fn upload(app: &TestApp, token: &str, ticket: i64, bytes: &[u8], name: &str) -> Value {
    let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned());
    let response = app
        .client
        .post(app.url(&format!("/api/v1/tickets/{ticket}/messages")))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    let (status, message) = read(response).await;
    assert_eq!(status, StatusCode::CREATED, "{name}: {message}");
    message
}

/// A download: its status, the headers a browser acts on, and its bytes.
async fn download(app: &TestApp, token: &str, path: &str) -> (StatusCode, Vec<Option<String>>, Vec<u8>) {
    let response = app.client.get(app.url(path)).bearer_auth(token).send().await.expect("download");
    let status = response.status();
    let headers = [CONTENT_TYPE, CONTENT_DISPOSITION, X_CONTENT_TYPE_OPTIONS, CACHE_CONTROL, CONTENT_LENGTH]
        .iter()
        .map(|name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned))
        .collect();
    (status, headers, response.bytes().await.expect("body").to_vec())
}

/// An open ticket of the desk's admin.
async fn open_ticket(desk: &Desk, from: &str) -> i64 {
    let ticket = desk.app.inbound(&desk.admin, desk.connection, from, "manda o arquivo").await;
    desk.app.act(&desk.admin, ticket, "accept", json!({})).await;
    ticket
}

/// Three files through the API (an image shown inline, a PDF as an attachment, one large enough
/// to go up in parts), a quick reply's file, and that file sent in the conversation (a copy made
/// by the store); what each download answered.
async fn round_trip(desk: &Desk, big: &[u8]) -> Vec<(StatusCode, Vec<Option<String>>, Vec<u8>)> {
    let (app, admin) = (&desk.app, desk.admin.as_str());
    let ticket = open_ticket(desk, "11987654321").await;
    let mut answers = Vec::new();
    for (bytes, name) in [(PNG, "foto.png"), (PDF, "nota \"fiscal\".pdf"), (big, "relatório.txt")] {
        let message = upload(app, admin, ticket, bytes, name).await;
        let url = message["media_url"].as_str().expect("media_url").to_owned();
        answers.push(download(app, admin, &url).await);
    }
    let (status, reply) = app.post("/api/v1/quick-replies", admin, json!({"shortcut": "nota", "body": "Segue"})).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    let file = reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("boleto.pdf");
    let response = app
        .client
        .put(app.url(&format!("/api/v1/quick-replies/{}/file", reply["id"])))
        .bearer_auth(admin)
        .multipart(reqwest::multipart::Form::new().part("file", file))
        .send()
        .await
        .expect("quick reply file");
    assert_eq!(response.status(), StatusCode::OK);
    answers.push(download(app, admin, &format!("/api/v1/quick-replies/{}/file", reply["id"])).await);
    let (status, sent) = app
        .post(&format!("/api/v1/tickets/{ticket}/messages"), admin, json!({"body": "", "quick_reply_id": reply["id"]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    answers.push(download(app, admin, sent["media_url"].as_str().expect("media_url")).await);
    let spool = app.state.config.data_dir.join("tmp").join("uploads");
    assert_eq!(walk(&spool), Vec::<std::path::PathBuf>::new(), "no upload is left in the spool");
    answers
}

async fn desk_on(app: TestApp) -> Desk {
    let admin = app.admin().await;
    let queue = app.queue(&admin, "Suporte").await;
    let connection = app.simulator(&admin, Some(queue)).await;
    Desk { app, admin, queue, connection }
}

#[tokio::test]
async fn files_in_the_bucket_come_back_as_from_the_data_dir_and_go_with_their_rows() {
    let s3 = fresh_bucket_prefix().await;
    // Over one part: this one goes up as a multipart upload.
    let big: Vec<u8> = (0..9 * 1024 * 1024).map(|i: u32| b'a' + (i % 26) as u8).collect();
    let local = desk_on(TestApp::start().await).await;
    let remote = desk_on(start_on(&s3).await).await;
    let from_disk = round_trip(&local, &big).await;
    let from_bucket = round_trip(&remote, &big).await;

    for (n, expected) in [PNG, PDF, big.as_slice(), PDF, PDF].into_iter().enumerate() {
        let (status, headers, bytes) = &from_bucket[n];
        assert_eq!(*status, StatusCode::OK, "file {n}: {:?}", String::from_utf8_lossy(&bytes[..bytes.len().min(200)]));
        assert!(bytes == expected, "file {n}: {} bytes back, {} sent", bytes.len(), expected.len());
        assert_eq!(
            (status, headers),
            (&from_disk[n].0, &from_disk[n].1),
            "file {n}: the same headers as from the disk"
        );
        assert!(bytes == &from_disk[n].2, "file {n}: the same bytes as from the disk");
    }
    assert_eq!(from_bucket[0].1[0].as_deref(), Some("image/png"));
    assert!(from_bucket[1].1[1].as_deref().is_some_and(|d| d.starts_with("attachment;")), "{:?}", from_bucket[1].1);
    assert_eq!(from_bucket[2].1[4].as_deref(), Some(big.len().to_string().as_str()));
    assert_eq!(
        walk(&remote.app.state.config.data_dir.join("media")),
        Vec::<std::path::PathBuf>::new(),
        "nothing on disk"
    );

    let stored = keys(&s3).await;
    assert_eq!(stored.len(), 5, "{stored:?}");
    let company_dir = format!("{}/media/1/", s3.prefix);
    assert!(
        stored.iter().all(|k| k.starts_with(&company_dir)),
        "the rows' relative names under the prefix: {stored:?}"
    );

    // The quick reply goes, and its object with it.
    let (app, admin) = (&remote.app, remote.admin.as_str());
    let (_, replies) = app.get("/api/v1/quick-replies", admin).await;
    let reply = replies["items"][0]["id"].clone();
    assert_eq!(app.delete(&format!("/api/v1/quick-replies/{reply}"), admin).await.0, StatusCode::NO_CONTENT);
    assert_eq!(keys(&s3).await.len(), 4, "the message's copy stays with the message");
    // The contact goes with its messages, and their objects with them.
    let (_, contacts) = app.get("/api/v1/contacts", admin).await;
    let contact = contacts["items"][0]["id"].clone();
    assert_eq!(app.delete(&format!("/api/v1/contacts/{contact}"), admin).await.0, StatusCode::NO_CONTENT);
    assert_eq!(keys(&s3).await, Vec::<String>::new(), "every object went with its row");
}

#[tokio::test]
async fn a_file_received_by_one_instance_downloads_from_another() {
    let s3 = fresh_bucket_prefix().await;
    let (media, bucket) = (MediaStorage::S3(s3.clone()), s3.clone());
    let a = TestApp::first_of_cluster(move |c| c.media = media).await;
    let b = a.another_instance().await;
    let admin = a.admin().await;
    let connection = a.simulator(&admin, None).await;

    // The customer's photo arrives through instance A.
    let encoded = base64::engine::general_purpose::STANDARD.encode(PNG);
    let (status, result) =
        a.customer_writes(&admin, connection, json!({"from": "11987654321", "media": {"base64": encoded}})).await;
    assert_eq!(status, StatusCode::CREATED, "{result}");
    let ticket = result["ticket_id"].as_i64().expect("ticket");
    let (_, page) = b.get(&format!("/api/v1/tickets/{ticket}/messages"), &admin).await;
    let url = page["items"][0]["media_url"].as_str().expect("the message has its file").to_owned();

    // Instance B serves it, with the headers A would give.
    let (from_b, from_a) = (download(&b, &admin, &url).await, download(&a, &admin, &url).await);
    assert_eq!(from_b.0, StatusCode::OK, "{:?}", String::from_utf8_lossy(&from_b.2));
    assert_eq!(from_b.2, PNG);
    assert_eq!(from_b, from_a);

    // And the other way round: an agent's file sent through B downloads from A.
    b.act(&admin, ticket, "accept", json!({})).await;
    let sent = upload(&b, &admin, ticket, PDF, "contrato.pdf").await;
    let sent_url = sent["media_url"].as_str().expect("media_url");
    assert_eq!(download(&a, &admin, sent_url).await.2, PDF);
    assert_eq!(keys(&bucket).await.len(), 2);

    // Deleting the connection's history through B removes what A stored.
    let (status, _) = b.delete(&format!("/api/v1/connections/{connection}?history=delete"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(keys(&bucket).await, Vec::<String>::new());
}

/// Without a shared store, the same setup loses the file on the other instance: what the test
/// above guards against.
#[tokio::test]
async fn without_a_shared_store_the_other_instance_has_no_file() {
    let a = TestApp::first_of_cluster(|_| {}).await;
    let b = a.another_instance().await;
    let admin = a.admin().await;
    let connection = a.simulator(&admin, None).await;
    let encoded = base64::engine::general_purpose::STANDARD.encode(PNG);
    let (_, result) =
        a.customer_writes(&admin, connection, json!({"from": "11987654321", "media": {"base64": encoded}})).await;
    let (_, page) = a.get(&format!("/api/v1/tickets/{}/messages", result["ticket_id"]), &admin).await;
    let url = page["items"][0]["media_url"].as_str().expect("media_url").to_owned();
    assert_eq!(download(&a, &admin, &url).await.0, StatusCode::OK);
    assert_eq!(download(&b, &admin, &url).await.0, StatusCode::NOT_FOUND);
}

/// A store that does not answer: the upload is 503 `unavailable` (try again later) and no message
/// points at a file that is not there; an inbound file is refused the same way, so the provider
/// delivers it again.
#[tokio::test]
async fn a_store_that_does_not_answer_is_503_and_stores_nothing() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let mut s3 = fresh_bucket_prefix().await;
    s3.endpoint = Some(format!("http://127.0.0.1:{port}"));
    let desk = desk_on(start_on(&s3).await).await;
    let ticket = open_ticket(&desk, "11987654321").await;
    let (app, admin) = (&desk.app, desk.admin.as_str());
    let (_, before) = app.get(&format!("/api/v1/tickets/{ticket}/messages"), admin).await;

    let part = reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("foto.png");
    let response = app
        .client
        .post(app.url(&format!("/api/v1/tickets/{ticket}/messages")))
        .bearer_auth(admin)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let encoded = base64::engine::general_purpose::STANDARD.encode(PNG);
    let (status, body) =
        app.customer_writes(admin, desk.connection, json!({"from": "11987654321", "media": {"base64": encoded}})).await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let (_, after) = app.get(&format!("/api/v1/tickets/{ticket}/messages"), admin).await;
    assert_eq!(after["items"], before["items"], "no message without its file");
}
