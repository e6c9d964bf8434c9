//! The ceiling: a bare axum route answering a small JSON document, served by this same binary in
//! a process of its own (`bench --ceiling-server`) and loaded by the same client as the real
//! server. What the machine, the HTTP stack and the load generator manage when the handler does
//! nothing; every throughput is printed as a share of it.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The argument that turns the bench binary into the ceiling server.
pub const SERVE_FLAG: &str = "--ceiling-server";

/// Serves `GET /ceiling` on 127.0.0.1:0 and prints `listening on http://ADDR`; runs until killed.
pub async fn serve() -> Result<()> {
    let app = axum::Router::new().route(
        "/ceiling",
        axum::routing::get(|| async { axum::Json(serde_json::json!({"items": [], "next_cursor": null})) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding the ceiling server")?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await.context("serving the ceiling route")
}

pub struct CeilingServer {
    child: Child,
    pub pid: u32,
    /// `http://127.0.0.1:PORT/ceiling`
    pub url: String,
}

impl CeilingServer {
    pub async fn start() -> Result<Self> {
        let exe = std::env::current_exe().context("locating the bench binary")?;
        let mut child = Command::new(exe)
            .arg(SERVE_FLAG)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting the ceiling server")?;
        let pid = child.id().context("the ceiling server has no process id")?;
        let stdout = child.stdout.take().context("the ceiling server's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .context("the ceiling server did not start within 10 s")??;
        let Some(base) = line.as_deref().and_then(|l| l.strip_prefix("listening on ")) else {
            bail!("the ceiling server printed {line:?}");
        };
        Ok(Self { url: format!("{base}/ceiling"), child, pid })
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
