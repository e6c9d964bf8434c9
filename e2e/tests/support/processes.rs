//! The processes a browser test needs: the `atende` server on a fresh data directory, and
//! ChromeDriver. Both are killed when their guard is dropped, also when the test panics.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::{TIMEOUT, workspace_root};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub const ADMIN_EMAIL: &str = "admin@e2e.test";
pub const ADMIN_PASSWORD: &str = "e2e-Secret-123";
pub const ADMIN_NAME: &str = "Ana Admin";

/// The server binary: `$ATENDE_BIN`, else `$CARGO_TARGET_DIR/debug/atende`, else
/// `<workspace>/target/debug/atende`.
pub fn server_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("ATENDE_BIN") {
        return PathBuf::from(bin);
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    };
    target.join("debug").join("atende")
}

/// Fails the test (never skips it) when something the browser tests need is missing.
pub fn require_prerequisites() {
    let mut missing = Vec::new();
    for (path, hint) in [
        (PathBuf::from(CHROMIUM), "apt-get install chromium"),
        (PathBuf::from(CHROMEDRIVER), "apt-get install chromium-driver"),
        (workspace_root().join("frontend/dist/index.html"), "build the SPA: bash scripts/build-spa.sh"),
        (workspace_root().join("frontend/dist/atende_bg.wasm"), "build the SPA: bash scripts/build-spa.sh"),
        (server_binary(), "build the server: cargo build -p atende (or set ATENDE_BIN)"),
    ] {
        if !path.exists() {
            missing.push(format!("  {} is missing ({hint})", path.display()));
        }
    }
    assert!(missing.is_empty(), "the browser tests cannot run:\n{}", missing.join("\n"));
}

/// A child process killed (with its whole process group) on drop.
struct Guarded {
    child: Child,
    name: &'static str,
}

impl Drop for Guarded {
    fn drop(&mut self) {
        // The child leads its own process group (spawned with `process_group(0)`, so the group id
        // is its pid): kill that group, so the browsers ChromeDriver started go too. Never signal
        // anything but a real child's group.
        let pid = i32::try_from(self.child.id()).ok().filter(|pid| *pid > 1);
        if let Some(group) = pid.and_then(rustix::process::Pid::from_raw) {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = self.name;
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|err| panic!("cannot find a free port: {err}"))
}

/// `atende serve` on a fresh data directory, with the first admin created.
pub struct Server {
    pub base_url: String,
    process: Option<Guarded>,
    log_path: PathBuf,
    output: Arc<Mutex<Vec<String>>>,
    /// Variables added to the server's environment (see [`Server::start_with_env`]).
    env: Vec<(String, String)>,
    // Dropped last: the data directory outlives the process.
    _data_dir: tempfile::TempDir,
}

/// The `atende` command with the test's environment.
fn atende_command(data_dir: &Path, bind: &str, log: &Path, env: &[(String, String)]) -> Command {
    let mut command = Command::new(server_binary());
    command.envs(env.iter().map(|(k, v)| (k, v)));
    command
        .env("ATENDE_DATA_DIR", data_dir)
        .env("ATENDE_BIND", bind)
        .env("ATENDE_STATIC_DIR", workspace_root().join("frontend/dist"))
        .env_remove("ATENDE_DATABASE_URL")
        .env_remove("ATENDE_REDIS_URL")
        // WhatsApp Web connections pair with a fake that shows a QR: no test reaches WhatsApp.
        .env("ATENDE_WHATSAPP_WEB_FAKE", "1")
        .stdin(Stdio::null())
        .stderr(File::create(log).map(Stdio::from).unwrap_or_else(|_| Stdio::null()));
    command
}

/// Starts `atende serve` and waits for its "listening on" line; returns the process and its URL.
fn serve(
    data_dir: &Path,
    bind: &str,
    log_path: &Path,
    output: &Arc<Mutex<Vec<String>>>,
    env: &[(String, String)],
) -> (Guarded, String) {
    let binary = server_binary();
    let mut child = atende_command(data_dir, bind, log_path, env)
        .arg("serve")
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {}: {err}", binary.display()));
    let stdout = child.stdout.take();
    let process = Guarded { child, name: "atende" };

    // Read stdout on a thread (and keep draining it, kept for the failure report) until the
    // "listening on" line.
    let (lines_tx, lines_rx) = mpsc::channel();
    if let Some(stdout) = stdout {
        let output = Arc::clone(output);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(mut kept) = output.lock() {
                    kept.push(line.clone());
                }
                let _ = lines_tx.send(line);
            }
        });
    }
    let deadline = Instant::now() + TIMEOUT;
    let base_url = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines_rx.recv_timeout(left) {
            Ok(line) => {
                if let Some(url) = line.trim().strip_prefix("listening on ") {
                    break url.trim_end_matches('/').to_owned();
                }
            }
            Err(_) => panic!(
                "atende serve did not print `listening on http://...` within {TIMEOUT:?}; its log:\n{}",
                read_tail(log_path)
            ),
        }
    };
    (process, base_url)
}

impl Server {
    pub fn start() -> Self {
        Self::start_with_env(&[])
    }

    /// [`Server::start`] with more environment, e.g. `ATENDE_ALLOW_PRIVATE_URLS=true` so provider
    /// URLs may point at a test's stand-in on loopback.
    pub fn start_with_env(env: &[(&str, &str)]) -> Self {
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        require_prerequisites();
        let data_dir = tempfile::tempdir().unwrap_or_else(|err| panic!("cannot make a temp dir: {err}"));
        let admin_log = data_dir.path().join("create-admin.log");
        let status = atende_command(data_dir.path(), "127.0.0.1:0", &admin_log, &env)
            .args(["create-admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, "--name", ADMIN_NAME])
            .stdout(Stdio::null())
            .status()
            .unwrap_or_else(|err| panic!("cannot run {}: {err}", server_binary().display()));
        assert!(status.success(), "atende create-admin failed ({status}):\n{}", read_tail(&admin_log));

        let log_path = data_dir.path().join("server.log");
        let output = Arc::new(Mutex::new(Vec::new()));
        let (process, base_url) = serve(data_dir.path(), "127.0.0.1:0", &log_path, &output, &env);
        Self { base_url, process: Some(process), log_path, output, env, _data_dir: data_dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Stops the server (its data stays), as a crash or a deploy would.
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// Starts it again on the same address and data.
    pub fn start_again(&mut self) {
        let bind = self.base_url.trim_start_matches("http://").to_owned();
        let (process, base_url) = serve(self._data_dir.path(), &bind, &self.log_path, &self.output, &self.env);
        assert_eq!(base_url, self.base_url, "the server came back on another address");
        self.process = Some(process);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let output = self.output.lock().map(|lines| lines.clone()).unwrap_or_default();
            let tail = &output[output.len().saturating_sub(40)..];
            eprintln!("--- atende server stdout (tail) ---\n{}", tail.join("\n"));
            eprintln!("--- atende server stderr (tail) ---\n{}", read_tail(&self.log_path));
        }
        let _ = &self.process;
    }
}

fn read_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// ChromeDriver on a free loopback port.
pub struct ChromeDriver {
    pub url: String,
    _process: Guarded,
    _log_dir: tempfile::TempDir,
}

impl ChromeDriver {
    pub fn start() -> Self {
        require_prerequisites();
        let log_dir = tempfile::tempdir().unwrap_or_else(|err| panic!("cannot make a temp dir: {err}"));
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log_dir.path().join("chromedriver.log").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {CHROMEDRIVER}: {err}"));
        let process = Guarded { child, name: "chromedriver" };
        let deadline = Instant::now() + TIMEOUT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen on port {port} within {TIMEOUT:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { url: format!("http://127.0.0.1:{port}"), _process: process, _log_dir: log_dir }
    }
}
