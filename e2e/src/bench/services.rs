//! The bench's own PostgreSQL and Redis, made fresh for each run and stopped at its end: a new
//! cluster (`initdb`) on a free loopback port with durable settings (fsync and synchronous commit
//! on, PostgreSQL's defaults, unlike the tests' throwaway server), and a Redis without persistence
//! (it only carries events between the server instances). As root, PostgreSQL runs as the
//! `postgres` user, as scripts/test-services.sh does.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use tokio::process::{Child, Command};

/// The superuser `initdb` creates; the server connects as it, to the database below.
const USER: &str = "atende";
const DATABASE: &str = "atende";

/// Settings appended to the new cluster's postgresql.conf. Durable: fsync and synchronous_commit
/// are PostgreSQL's defaults, written out so the report can't be misread. shared_buffers is sized
/// for the bench dataset (about 1 GiB at full scale), and random_page_cost is the SSD value
/// docs/deploy.md recommends (the stock 4 prices a spinning disk: the dashboard's logs of today
/// were then joined by hashing 31,000 tickets, 50 ms, instead of 800 lookups by key, 5 ms);
/// everything else is stock.
const SETTINGS: &str = "
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
shared_buffers = 512MB
random_page_cost = 1.1
fsync = on
synchronous_commit = on
full_page_writes = on
";

/// The settings the report prints, beside the version.
const SHOWN: &[&str] = &[
    "fsync",
    "synchronous_commit",
    "full_page_writes",
    "wal_level",
    "shared_buffers",
    "effective_cache_size",
    "work_mem",
    "random_page_cost",
    "max_connections",
    "jit",
];

fn is_root() -> bool {
    rustix::process::getuid().is_root()
}

/// The newest installed PostgreSQL's bin directory (Debian's layout).
fn pg_bin() -> Result<PathBuf> {
    let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version =
                entry.file_name().to_string_lossy().split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
            let bin = entry.path().join("bin");
            bin.join("pg_ctl").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).context(
        "PostgreSQL is not installed (`make deps` installs it: apt-get install postgresql); or pass --no-postgres",
    )
}

/// Both servers are installed; checked before the SQLite run so a missing one fails early.
pub fn check_installed() -> Result<()> {
    pg_bin()?;
    if !Path::new("/usr/bin/redis-server").exists() && which("redis-server").is_none() {
        bail!(
            "redis-server is not installed (`make deps` installs it: apt-get install redis-server); or pass --no-postgres"
        );
    }
    Ok(())
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(name)).find(|p| p.exists())
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// `program args…`, as the `postgres` user when we are root (PostgreSQL refuses to run as root).
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

async fn run(mut command: Command, what: &str) -> Result<()> {
    let output = command.stdin(Stdio::null()).output().await.with_context(|| format!("running {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Where the cluster lives: `<bench data dir>/postgres`, or, when the `postgres` user can't reach
/// the bench data dir (e.g. under root's home), a directory of the system's temp dir named after it.
fn cluster_dir(bench_dir: &Path) -> PathBuf {
    let inside = bench_dir.join("postgres");
    if !is_root() || reachable_by_postgres(bench_dir) {
        return inside;
    }
    // FNV-1a of the path: the same bench data dir always maps to the same place (leftovers are found).
    let hash = bench_dir
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    std::env::temp_dir().join(format!("atende-bench-postgres-{hash:016x}"))
}

/// Whether every directory up to `dir` lets others through (the `postgres` user is one of them).
fn reachable_by_postgres(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    dir.ancestors().all(|d| std::fs::metadata(d).map(|m| m.permissions().mode() & 0o001 != 0).unwrap_or(false))
}

/// Stops a cluster a previous run left running (the bench was killed) before its files are removed.
pub fn stop_leftover(bench_dir: &Path) {
    let Ok(bin) = pg_bin() else { return };
    let data = cluster_dir(bench_dir).join("data");
    if data.join("postmaster.pid").exists() {
        stop_cluster(&bin, &data);
    }
}

fn stop_cluster(bin: &Path, data: &Path) {
    let pg_ctl = bin.join("pg_ctl");
    let mut command = if is_root() {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&pg_ctl);
        c
    } else {
        std::process::Command::new(&pg_ctl)
    };
    let _ = command
        .arg("-D")
        .arg(data)
        .args(["-m", "fast", "-w", "-t", "60", "stop"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

pub struct Postgres {
    bin: PathBuf,
    /// The cluster's directory: `data/` and `postgres.log`.
    pub dir: PathBuf,
    /// `postgres://atende@127.0.0.1:PORT/atende`
    pub url: String,
    running: bool,
}

impl Postgres {
    /// A new cluster (any previous one under `bench_dir` is removed), started, with an empty database.
    pub async fn start(bench_dir: &Path) -> Result<Self> {
        let bin = pg_bin()?;
        let dir = cluster_dir(bench_dir);
        stop_leftover(bench_dir);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        if is_root() {
            let mut chown = Command::new("chown");
            chown.arg("postgres:postgres").arg(&dir);
            run(chown, "chown postgres").await?;
        }
        let data = dir.join("data");
        let mut initdb = as_postgres(&bin.join("initdb"));
        initdb.arg("-D").arg(&data).args(["-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync"]);
        run(initdb, "initdb").await?;
        let port = free_port()?;
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).with_context(|| format!("reading {}", conf.display()))?;
        text.push_str(&format!("\n# atende bench\nport = {port}{SETTINGS}"));
        std::fs::write(&conf, text).with_context(|| format!("writing {}", conf.display()))?;
        let mut start = as_postgres(&bin.join("pg_ctl"));
        start.arg("-D").arg(&data).arg("-l").arg(dir.join("postgres.log")).args(["-w", "-t", "120", "start"]);
        let mut postgres = Self { bin, dir, url: String::new(), running: true };
        run(start, "pg_ctl start")
            .await
            .with_context(|| format!("see {}", postgres.dir.join("postgres.log").display()))?;

        let admin_url = format!("postgres://{USER}@127.0.0.1:{port}/postgres");
        let db = Database::connect(admin_url.as_str()).await.context("connecting to the bench's PostgreSQL")?;
        db.execute_unprepared(&format!("CREATE DATABASE {DATABASE}")).await.context("creating the database")?;
        db.close().await?;
        postgres.url = format!("postgres://{USER}@127.0.0.1:{port}/{DATABASE}");
        Ok(postgres)
    }

    /// `PostgreSQL 15.8 …; fsync=on synchronous_commit=on …`
    pub async fn describe(&self) -> Result<String> {
        let db = Database::connect(self.url.as_str()).await.context("connecting to the bench's PostgreSQL")?;
        let mut line = String::new();
        let version = db
            .query_one_raw(Statement::from_string(DbBackend::Postgres, "SHOW server_version"))
            .await?
            .context("the server's version")?;
        line.push_str(&format!("PostgreSQL {}:", version.try_get_by_index::<String>(0)?));
        for setting in SHOWN {
            let row = db
                .query_one_raw(Statement::from_string(DbBackend::Postgres, format!("SHOW {setting}")))
                .await?
                .with_context(|| format!("SHOW {setting}"))?;
            line.push_str(&format!(" {setting}={}", row.try_get_by_index::<String>(0)?));
        }
        db.close().await?;
        Ok(line)
    }

    /// Stops the cluster; its files go too when they live in the temp dir (the log stays).
    pub fn stop(&mut self) {
        if std::mem::take(&mut self.running) {
            stop_cluster(&self.bin, &self.dir.join("data"));
            if self.dir.starts_with(std::env::temp_dir()) {
                let _ = std::fs::remove_dir_all(self.dir.join("data"));
            }
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}

pub struct Redis {
    child: Child,
    /// `redis://127.0.0.1:PORT/`
    pub url: String,
}

impl Redis {
    /// A Redis on a free loopback port, nothing saved to disk; returns once it answers.
    pub async fn start(bench_dir: &Path) -> Result<Self> {
        let dir = bench_dir.join("redis");
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let port = free_port()?;
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .arg("--logfile")
            .arg(dir.join("redis.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting redis-server")?;
        let mut redis = Self { child, url: format!("redis://127.0.0.1:{port}/") };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = redis.child.try_wait()? {
                bail!("redis-server exited ({status}); see {}", dir.join("redis.log").display());
            }
            if ping(port).await {
                return Ok(redis);
            }
            if Instant::now() > deadline {
                bail!("redis-server did not answer within 20 s; see {}", dir.join("redis.log").display());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// `PING` → `+PONG`, in Redis's wire protocol.
async fn ping(port: u16) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else { return false };
    if stream.write_all(b"PING\r\n").await.is_err() {
        return false;
    }
    let mut answer = [0u8; 7];
    matches!(
        tokio::time::timeout(Duration::from_secs(2), stream.read_exact(&mut answer)).await,
        Ok(Ok(_)) if &answer == b"+PONG\r\n"
    )
}
