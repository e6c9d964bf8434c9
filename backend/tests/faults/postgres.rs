//! PostgreSQL stopped under a running server (an immediate stop: every connection cut), then
//! started again: meanwhile every request is a JSON 503 within a bounded time, never a 500, a panic
//! or a hang; afterwards the same server answers again, without a restart.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn with_postgresql_down_requests_are_503_and_recover_when_it_returns() {
    let postgres = PrivatePostgres::start();
    let database = create_database(&postgres.url()).await;
    let setup = Setup::new().env("ATENDE_DATABASE_URL", &database);
    setup.create_admin().await;
    let server = setup.serve().await;
    let admin = server.login().await;
    let (status, queue) = admin.post("/api/v1/queues", json!({"name": "Antes", "color": "#1e88e5"})).await;
    assert_eq!(status, StatusCode::CREATED, "{queue}");
    let connection = admin.cloud_connection("http://127.0.0.1:9").await;
    let webhook = format!("/webhooks/whatsapp/{connection}");

    postgres.down();
    let requests = [
        (Method::GET, "/api/v1/queues", None),
        (Method::POST, "/api/v1/queues", Some(json!({"name": "Durante", "color": "#1e88e5"}))),
        (Method::GET, "/api/v1/tickets", None),
        (Method::GET, "/api/v1/me", None),
        // A provider's delivery: a 503 makes Meta deliver it again later.
        (Method::POST, webhook.as_str(), Some(json!({"object": "whatsapp_business_account", "entry": []}))),
    ];
    // All at once: each waits for a connection until the pool gives up (its acquire timeout, 10 s).
    let answers = futures_util::future::join_all(requests.into_iter().map(|(method, path, body)| {
        let admin = admin.clone();
        async move {
            let started = Instant::now();
            let answer = admin.try_send(method.clone(), path, body).await;
            (method, path, answer, started.elapsed())
        }
    }))
    .await;
    for (method, path, answer, took) in answers {
        let (status, headers, body) =
            answer.unwrap_or_else(|e| panic!("{method} {path}: no answer within {REQUEST_BOUND:?} ({e})"));
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{method} {path}: {body}");
        assert_eq!(body["error"]["code"], "unavailable", "{method} {path}: {body}");
        assert!(
            headers.get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"application/json")),
            "{method} {path}: {headers:?}"
        );
        assert!(took < REQUEST_BOUND, "{method} {path} took {took:?}");
    }
    // The readiness probe tells the load balancer.
    let (status, _) = server.api(None).get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    // A login needs the database too.
    let (status, body) = server
        .api(None)
        .send(Method::POST, "/api/v1/auth/login", Some(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")),
        "{body}"
    );

    postgres.up();
    // The pool replaces its dead connections: the same process answers again.
    wait_for(Duration::from_secs(30), "requests succeed again after PostgreSQL returned", || {
        let admin = admin.clone();
        async move {
            let (status, _, _) = admin.try_send(Method::GET, "/api/v1/queues", None).await.ok()?;
            (status == StatusCode::OK).then_some(())
        }
    })
    .await;
    let (status, created) = admin.post("/api/v1/queues", json!({"name": "Depois", "color": "#1e88e5"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (_, queues) = admin.get("/api/v1/queues").await;
    let names: Vec<&str> =
        queues["items"].as_array().expect("items").iter().filter_map(|q| q["name"].as_str()).collect();
    assert_eq!(names.iter().filter(|n| ["Antes", "Durante", "Depois"].contains(n)).count(), 2, "{names:?}");
    assert!(!names.contains(&"Durante"), "nothing written while PostgreSQL was down: {names:?}");
    assert_eq!(server.api(None).get("/readyz").await.0, StatusCode::OK);
    let login = server.login().await;
    assert_eq!(login.get("/api/v1/me").await.0, StatusCode::OK);
    server.kill().await;
}
