use std::net::SocketAddr;

use atende::{AppState, Config};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub const ADMIN_EMAIL: &str = "admin@test.local";
pub const ADMIN_PASSWORD: &str = "admin-secret-1";

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub state: AppState,
    _dir: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<()>,
}

impl TestApp {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::with_data_dir(dir.path());
        config.static_dir = dir.path().join("no-spa");
        // The Graph API stand-in listens on loopback; tests of the guard turn this off again.
        config.allow_private_urls = true;
        if let Some(url) = fresh_postgres_database().await {
            config.database_url = url;
        }
        configure(&mut config);
        // Captured per test, shown when it fails.
        atende::telemetry::init(atende::config::LogFormat::Human);
        let state = AppState::build(config).await.expect("state");
        atende::domain::bootstrap::create_admin(&state, ADMIN_EMAIL, ADMIN_PASSWORD, "Admin").await.expect("admin");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = state.clone();
        let serving = tokio::spawn(async move {
            let _ = atende::server::serve_until(listener, serving, async {
                let _ = stopped.await;
            })
            .await;
        });
        Self { base: format!("http://{addr}"), client: Client::new(), state, _dir: dir, _stop: stop, serving }
    }

    /// Stops serving and waits until the instance's workers have stopped (its data dir stays
    /// until `self` is dropped).
    pub async fn shut_down(self) -> tempfile::TempDir {
        let TestApp { _stop: stop, serving, _dir: dir, .. } = self;
        drop(stop);
        serving.await.expect("the server task ends");
        dir
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        read(response).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PATCH, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, Some(token), None).await
    }

    /// Logs in and returns the whole token pair.
    pub async fn login_pair(&self, email: &str, password: &str) -> Value {
        let (status, body) = self
            .send(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": password})))
            .await;
        assert_eq!(status, StatusCode::OK, "login of {email}: {body}");
        body
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        self.login_pair(email, password).await["access_token"].as_str().expect("access token").to_owned()
    }

    pub async fn admin(&self) -> String {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Creates a user with `role` (as the admin behind `admin_token`) and logs them in.
    pub async fn user(&self, admin_token: &str, email: &str, role: &str, queue_ids: &[i64]) -> (i64, String) {
        let (status, body) = self
            .post(
                "/api/v1/users",
                admin_token,
                json!({"name": email, "email": email, "password": "user-secret-1", "role": role, "queue_ids": queue_ids}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (body["id"].as_i64().expect("id"), self.login(email, "user-secret-1").await)
    }
}

pub async fn read(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, value)
}

/// Asserts the error envelope and its code.
pub fn assert_error(status: StatusCode, body: &Value, expected_status: StatusCode, code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

impl TestApp {
    pub async fn queue(&self, admin: &str, name: &str) -> i64 {
        let (status, body) = self.post("/api/v1/queues", admin, json!({"name": name, "color": "#1e88e5"})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().expect("queue id")
    }

    /// A simulator connection whose new tickets wait in `default_queue_id`.
    pub async fn simulator(&self, admin: &str, default_queue_id: Option<i64>) -> i64 {
        let (status, body) = self
            .post(
                "/api/v1/connections",
                admin,
                json!({"name": "Simulador", "kind": "simulator", "default_queue_id": default_queue_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().expect("connection id")
    }

    /// A customer writes through the simulated channel; returns (status, body).
    pub async fn customer_writes(&self, admin: &str, connection: i64, message: Value) -> (StatusCode, Value) {
        self.post(&format!("/api/v1/connections/{connection}/simulate"), admin, message).await
    }

    /// A customer writes and the message is stored: returns the ticket id.
    pub async fn inbound(&self, admin: &str, connection: i64, from: &str, body: &str) -> i64 {
        let (status, result) =
            self.customer_writes(admin, connection, json!({"from": from, "name": "Cliente", "body": body})).await;
        assert_eq!(status, StatusCode::CREATED, "{result}");
        result["ticket_id"].as_i64().expect("ticket id")
    }

    pub async fn ticket(&self, token: &str, id: i64) -> Value {
        let (status, body) = self.get(&format!("/api/v1/tickets/{id}"), token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn act(&self, token: &str, id: i64, action: &str, body: Value) -> (StatusCode, Value) {
        self.post(&format!("/api/v1/tickets/{id}/{action}"), token, body).await
    }

    pub async fn ticket_ids(&self, token: &str, query: &str) -> Vec<i64> {
        let (status, page) = self.get(&format!("/api/v1/tickets?{query}"), token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page["items"].as_array().expect("items").iter().map(|t| t["id"].as_i64().unwrap_or_default()).collect()
    }

    /// The message `id` of `ticket` once the outbox has settled it (no longer `pending`).
    pub async fn settled(&self, token: &str, ticket: i64, id: i64) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let (_, page) = self.get(&format!("/api/v1/tickets/{ticket}/messages?limit=100"), token).await;
            let found = page["items"].as_array().and_then(|items| items.iter().find(|m| m["id"] == id).cloned());
            match found {
                Some(message) if message["status"] != "pending" => return message,
                other => assert!(std::time::Instant::now() < deadline, "message {id} never left pending: {other:?}"),
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub fn ws_url(&self, token: &str, since: Option<i64>) -> String {
        let since = since.map(|s| format!("&since={s}")).unwrap_or_default();
        format!("{}/api/v1/ws?token={token}{since}", self.base.replacen("http://", "ws://", 1))
    }
}

/// With `ATENDE_TEST_DATABASE_URL` set (a PostgreSQL server's admin URL), each test gets a database
/// of its own there, so the whole suite runs on PostgreSQL too; unset, each test uses SQLite.
pub async fn fresh_postgres_database() -> Option<String> {
    if std::env::var("ATENDE_TEST_BACKEND").as_deref() != Ok("postgres") {
        return None;
    }
    let admin_url = std::env::var("ATENDE_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    Some(create_postgres_database(&admin_url).await)
}

/// A new, empty database on the PostgreSQL server behind `admin_url`; returns its URL.
pub async fn create_postgres_database(admin_url: &str) -> String {
    use sea_orm::ConnectionTrait;
    let name = format!("atende_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(admin_url).await.expect("PostgreSQL from ATENDE_TEST_DATABASE_URL answers");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create a test database");
    let _ = admin.close().await;
    let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(admin_url);
    format!("{base}/{name}")
}

impl TestApp {
    /// The first instance of a cluster: a fresh PostgreSQL database and the shared Redis, with a
    /// JWT secret every instance shares; `configure` adds to that (a media store, say).
    pub async fn first_of_cluster(configure: impl FnOnce(&mut Config) + Send + 'static) -> TestApp {
        let (postgres, redis) = shared_services();
        let database = create_postgres_database(&postgres).await;
        TestApp::start_with(move |c| {
            c.database_url = database;
            c.redis_url = Some(redis);
            c.jwt_secret = Some("cluster-test-secret-0123456789abcdef".to_owned());
            configure(c);
        })
        .await
    }

    /// A second server instance on the same database (and the same Redis and media store, if
    /// configured).
    pub async fn another_instance(&self) -> TestApp {
        let (database_url, redis_url, secret, media) = (
            self.state.config.database_url.clone(),
            self.state.config.redis_url.clone(),
            self.state.config.jwt_secret.clone(),
            self.state.config.media.clone(),
        );
        // Instances share one encryption key (credentials sealed by one open on the other): the
        // configured one, or the one the first instance generated in its data dir.
        let key = self.state.config.encryption_key.clone().or_else(|| {
            let kept = std::fs::read_to_string(self.state.config.data_dir.join("encryption_key")).ok()?;
            Some(kept.trim().to_owned())
        });
        TestApp::start_with(move |config| {
            config.database_url = database_url;
            config.redis_url = redis_url;
            config.jwt_secret = secret;
            config.media = media;
            config.encryption_key = key;
        })
        .await
    }
}

/// PostgreSQL and Redis from `scripts/test-services.sh`; the cluster tests need both.
pub fn shared_services() -> (String, String) {
    let database = std::env::var("ATENDE_TEST_DATABASE_URL").expect(
        "ATENDE_TEST_DATABASE_URL is not set: run the tests through `make test`, or eval \"$(bash scripts/test-services.sh)\" first",
    );
    let redis =
        std::env::var("ATENDE_TEST_REDIS_URL").expect("ATENDE_TEST_REDIS_URL is not set: see scripts/test-services.sh");
    (database, redis)
}

/// A company with a queue ("Suporte") and a simulator connection that files new tickets there.
pub struct Desk {
    pub app: TestApp,
    pub admin: String,
    pub queue: i64,
    pub connection: i64,
}

pub async fn desk() -> Desk {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let queue = app.queue(&admin, "Suporte").await;
    let connection = app.simulator(&admin, Some(queue)).await;
    Desk { app, admin, queue, connection }
}

/// Every file under `dir` (the media a test expects on disk or gone).
pub fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() { walk(&path) } else { vec![path] }
        })
        .collect()
}

/// The backend package's directory. `cargo test` says where at run time; the path compiled in is
/// only a fallback, because an unchanged test binary can be reused from a copy of the tree built
/// elsewhere with the same target directory (and would then read that copy's files).
pub fn package_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
