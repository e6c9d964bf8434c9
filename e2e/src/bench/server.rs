//! The `atende` binary under test: its commands (`migrate`, `create-admin`) and one `serve`
//! process on a free loopback port, stopped again by its process id.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A command of the binary with the data dir set and nothing inherited that would point it
/// elsewhere (another database, Redis, a fixed port).
fn command(bin: &Path, data_dir: &Path) -> Command {
    let mut command = Command::new(bin);
    command
        .env("ATENDE_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .env("ATENDE_LOG_FORMAT", "human")
        .env("ATENDE_STATIC_DIR", data_dir.join("no-spa"))
        .env_remove("ATENDE_DATABASE_URL")
        .env_remove("ATENDE_REDIS_URL")
        .env_remove("ATENDE_BIND")
        .env_remove("ATENDE_JWT_SECRET")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Runs `atende <args>` to completion; its output is shown only when it fails.
pub async fn run(bin: &Path, data_dir: &Path, args: &[&str]) -> Result<()> {
    run_with(bin, data_dir, args, &[]).await
}

/// `run` with more variables (ATENDE_DATABASE_URL, …).
pub async fn run_with(bin: &Path, data_dir: &Path, args: &[&str], env: &[(&str, String)]) -> Result<()> {
    let output = command(bin, data_dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(args)
        .output()
        .await
        .with_context(|| format!("running {} {}", bin.display(), args.join(" ")))?;
    if !output.status.success() {
        bail!(
            "`atende {}` failed ({}):\n{}{}",
            args.first().copied().unwrap_or_default(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

pub struct Server {
    child: Child,
    pub pid: u32,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub log: PathBuf,
}

impl Server {
    /// `atende serve` on 127.0.0.1:0; returns once it printed the address it listens on.
    pub async fn start(bin: &Path, data_dir: &Path) -> Result<Self> {
        Self::start_with(bin, data_dir, "server.log", &[]).await
    }

    /// `start` with more variables (ATENDE_DATABASE_URL, ATENDE_REDIS_URL, …) and its log in
    /// `data_dir/<log_name>`, so several instances can share a data dir.
    pub async fn start_with(bin: &Path, data_dir: &Path, log_name: &str, env: &[(&str, String)]) -> Result<Self> {
        let log = data_dir.join(log_name);
        let log_file = std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = command(bin, data_dir)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .arg("serve")
            .env("ATENDE_BIND", "127.0.0.1:0")
            // Every agent logs in from this one address, once.
            .env("ATENDE_LOGIN_LIMIT_PER_IP", "100000")
            .env("ATENDE_LOGIN_LIMIT_PER_EMAIL", "1000")
            .env("ATENDE_ACCESS_TOKEN_TTL_SECS", "7200")
            // The load generator opens several sockets per agent account, and thousands as the admin
            // for the idle-socket and reconnect-storm scenarios.
            .env("ATENDE_WS_MAX_PER_USER", "20000")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .with_context(|| format!("starting {} serve", bin.display()))?;
        let pid = child.id().context("the server has no process id")?;
        let stdout = child.stdout.take().context("the server's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let wait = async {
            while let Some(line) = lines.next_line().await? {
                if let Some(addr) = line.trim().strip_prefix("listening on ") {
                    return Ok::<_, std::io::Error>(Some(addr.to_owned()));
                }
            }
            Ok(None)
        };
        let base = match tokio::time::timeout(Duration::from_secs(120), wait).await {
            Ok(Ok(Some(base))) => base,
            Ok(Ok(None)) | Ok(Err(_)) => {
                let _ = child.kill().await;
                bail!("the server stopped before listening; see {}", log.display());
            }
            Err(_) => {
                let _ = child.kill().await;
                bail!("the server did not listen within 120 s; see {}", log.display());
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, pid, base, log })
    }

    /// `Some` once the server has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn rss_mib(&self) -> Option<f64> {
        crate::stats::rss_mib(self.pid)
    }

    /// SIGTERM (a graceful stop), then SIGKILL if it is still there after 15 s.
    pub async fn stop(mut self) -> Result<()> {
        if self.exited().is_some() {
            return Ok(());
        }
        let pid = i32::try_from(self.pid).ok().and_then(rustix::process::Pid::from_raw);
        if let Some(pid) = pid {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        match tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await {
            Ok(status) => {
                status.context("waiting for the server")?;
            }
            Err(_) => {
                self.child.kill().await.context("killing the server")?;
            }
        }
        Ok(())
    }
}
