//! The real server binary as a child process, private PostgreSQL and Redis servers on free
//! loopback ports, and a small HTTP client that never waits without a bound.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const ADMIN_EMAIL: &str = "admin@faults.test";
pub const ADMIN_PASSWORD: &str = "admin-secret-1";
pub const APP_SECRET: &str = "app-secret-faults";
pub const PHONE_ID: &str = "109876543210";
/// The longest any request may take, even with a dependency gone: past it the server hangs.
pub const REQUEST_BOUND: Duration = Duration::from_secs(20);

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Polls `check` until it returns `Some`, failing with `what` after `within`.
pub async fn wait_for<T, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How to start the server: its data dir and the variables that differ between tests.
pub struct Setup {
    pub data: tempfile::TempDir,
    pub env: Vec<(String, String)>,
    /// `ulimit -f` (KiB) for the server process: files it writes cannot grow past this.
    pub max_file_kib: Option<u64>,
}

impl Setup {
    pub fn new() -> Self {
        Self { data: tempfile::tempdir().expect("data dir"), env: Vec::new(), max_file_kib: None }
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        let binary = PathBuf::from(env!("CARGO_BIN_EXE_atende"));
        let mut command = match self.max_file_kib {
            // Through bash: `ulimit -f` caps the size of every file the server writes, and SIGXFSZ
            // ignored makes a write past it fail with EFBIG instead of killing the process: a
            // full disk as the process sees it, without root or a special filesystem.
            Some(kib) => {
                let mut command = Command::new("bash");
                command.arg("-c").arg(format!("ulimit -f {kib} && trap '' XFSZ && exec \"$0\" \"$@\"")).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        command
            .args(args)
            .env("ATENDE_DATA_DIR", self.data.path())
            .env("ATENDE_BIND", "127.0.0.1:0")
            .env("ATENDE_ALLOW_PRIVATE_URLS", "true")
            .env("ATENDE_JWT_SECRET", "faults-test-secret-0123456789abcdefghij")
            // One key for every instance: Cloud API credentials sealed by one open on another.
            .env("ATENDE_ENCRYPTION_KEY", "faults-test-encryption-key-0123456789abcdef")
            .env("ATENDE_STATIC_DIR", self.data.path().join("no-spa"))
            .env("RUST_LOG", "warn")
            .env_remove("ATENDE_DATABASE_URL")
            .env_remove("ATENDE_REDIS_URL")
            .kill_on_drop(true);
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    pub async fn create_admin(&self) {
        let status = self
            .command(&["create-admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD])
            .stdout(Stdio::null())
            .status()
            .await
            .expect("create-admin runs");
        assert!(status.success(), "create-admin: {status}");
    }

    /// Starts `atende serve` and waits until it listens.
    pub async fn serve(&self) -> Server {
        let mut child =
            self.command(&["serve"]).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = loop {
            let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
                .await
                .expect("the server starts within 60 s")
                .expect("read")
                .expect("the server printed where it listens");
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe; its warnings and errors
        // go to the test's output (shown when the test fails).
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("WARN") || line.contains("ERROR") {
                    eprintln!("server: {line}");
                }
            }
        });
        Server { child, base }
    }
}

pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// SIGKILL: no shutdown, nothing flushed.
    pub async fn kill(mut self) {
        self.child.kill().await.expect("SIGKILL");
    }

    /// SIGTERM: a graceful handover; `wait_exit` tells how it ended.
    pub fn terminate(&self) {
        let pid = self.child.id().expect("the server runs");
        let status = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill runs");
        assert!(status.success(), "kill -TERM {pid}: {status}");
    }

    /// Waits for the process to exit, at most `within`.
    pub async fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        tokio::time::timeout(within, self.child.wait()).await.expect("the server exits in time").expect("wait")
    }

    pub fn api(&self, token: Option<&str>) -> Api {
        Api::new(&self.base, token)
    }

    pub async fn login(&self) -> Api {
        let (status, pair) = self
            .api(None)
            .send(Method::POST, "/api/v1/auth/login", Some(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})))
            .await;
        assert_eq!(status, StatusCode::OK, "{pair}");
        self.api(pair["access_token"].as_str())
    }

    pub fn ws_url(&self, token: &str, since: Option<i64>) -> String {
        let since = since.map(|s| format!("&since={s}")).unwrap_or_default();
        format!("{}/api/v1/ws?token={token}{since}", self.base.replacen("http://", "ws://", 1))
    }
}

#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Api {
    pub fn new(base: &str, token: Option<&str>) -> Self {
        let client = reqwest::Client::builder().timeout(REQUEST_BOUND).build().expect("client");
        Self { client, base: base.to_owned(), token: token.map(str::to_owned) }
    }

    pub fn token(&self) -> &str {
        self.token.as_deref().expect("signed in")
    }

    /// Any answer, or `Err` when none came (connection refused, reset, or past `REQUEST_BOUND`).
    pub async fn try_send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, reqwest::header::HeaderMap, Value), reqwest::Error> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let (status, headers) = (response.status(), response.headers().clone());
        let text = response.text().await?;
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Ok((status, headers, value))
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let (status, _, body) = self.try_send(method, path, body).await.expect("an answer");
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(body)).await
    }

    /// A Cloud API connection whose Graph API is at `graph`; returns its id.
    pub async fn cloud_connection(&self, graph: &str) -> i64 {
        let (status, connection) = self
            .post(
                "/api/v1/connections",
                json!({"name": "WhatsApp", "kind": "cloud_api", "phone_number_id": PHONE_ID, "access_token": "EAAG",
                       "app_secret": APP_SECRET, "verify_token": "v", "graph_base_url": graph}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{connection}");
        connection["id"].as_i64().expect("connection id")
    }

    /// A simulator connection; returns its id.
    pub async fn simulator(&self) -> i64 {
        let (status, body) = self.post("/api/v1/connections", json!({"name": "Simulador", "kind": "simulator"})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().expect("connection id")
    }
}

/// The `X-Hub-Signature-256` Meta puts on a webhook body.
pub fn sign(body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(APP_SECRET.as_bytes()).expect("key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A webhook notification with `messages`, as Meta sends it.
pub fn notification(messages: Value) -> Value {
    let value = json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "551140000000", "phone_number_id": PHONE_ID},
        "contacts": [{"profile": {"name": "Cliente"}, "wa_id": messages[0]["from"]}],
        "messages": messages,
    });
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": value}]}]})
}

/// Posts a signed webhook; `Err` when no answer came.
pub async fn deliver(
    client: &reqwest::Client,
    base: &str,
    connection: i64,
    payload: &Value,
) -> Result<StatusCode, reqwest::Error> {
    let body = serde_json::to_vec(payload).expect("json");
    let response = client
        .post(format!("{base}/webhooks/whatsapp/{connection}"))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", sign(&body))
        .body(body)
        .send()
        .await?;
    Ok(response.status())
}

/// Runs `program` as the `postgres` user when we are root (PostgreSQL refuses to run as root).
fn as_postgres(program: &Path) -> std::process::Command {
    let is_root =
        std::process::Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false);
    if is_root {
        let mut command = std::process::Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        std::process::Command::new(program)
    }
}

/// A PostgreSQL cluster of this test's own (initdb in a temp dir, a free port), so it can be
/// stopped and started without disturbing anyone else.
pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
}

impl PrivatePostgres {
    pub fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed (apt-get install postgresql)")
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("pg_ctl").exists())
            .max()
            .expect("a PostgreSQL version with pg_ctl");
        let dir = tempfile::Builder::new().prefix("atende-faults-pg").tempdir().expect("temp dir");
        // The postgres user must own the cluster's directory (and reach it).
        let _ = std::process::Command::new("chmod").arg("755").arg(dir.path()).status();
        let _ = std::process::Command::new("chown").arg("postgres").arg(dir.path()).status();
        let status = as_postgres(&bin.join("initdb"))
            .args(["-A", "trust", "-U", "atende", "-E", "UTF8", "-D"])
            .arg(dir.path().join("data"))
            .stdout(Stdio::null())
            .status()
            .expect("initdb runs");
        assert!(status.success(), "initdb: {status}");
        let postgres = Self { dir, bin, port: free_port() };
        postgres.up();
        postgres
    }

    pub fn url(&self) -> String {
        format!("postgres://atende@127.0.0.1:{}/postgres", self.port)
    }

    pub fn up(&self) {
        let options =
            format!("-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off", self.port, self.dir.path().display());
        let status = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .arg("-l")
            .arg(self.dir.path().join("log"))
            .args(["-w", "start", "-o", &options])
            .stdout(Stdio::null())
            .status()
            .expect("pg_ctl start");
        assert!(status.success(), "pg_ctl start: {status}");
    }

    /// An immediate stop: every connection cut, as in a crash.
    pub fn down(&self) {
        let status = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-w", "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .status()
            .expect("pg_ctl stop");
        assert!(status.success(), "pg_ctl stop: {status}");
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A Redis server of this test's own on a free port: killed (SIGKILL) and started again on the
/// same port at will.
pub struct PrivateRedis {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<std::process::Child>,
}

impl PrivateRedis {
    pub fn start() -> Self {
        let mut redis = Self { port: free_port(), dir: tempfile::tempdir().expect("dir"), child: None };
        redis.up();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn up(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string(), "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs (apt-get install redis-server)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A new, empty database on the PostgreSQL server behind `admin_url`; returns its URL.
pub async fn create_database(admin_url: &str) -> String {
    use sea_orm::ConnectionTrait;
    let name = format!("atende_faults_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(admin_url).await.expect("PostgreSQL answers");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create a database");
    let _ = admin.close().await;
    let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(admin_url);
    format!("{base}/{name}")
}
