//! Scenario (c): what sockets cost and how they come back. Many idle sockets (memory per socket),
//! then a reconnect storm: every socket drops at once, customers keep writing while they are
//! away, and every socket reconnects at once with `since`. Admin sockets see every company event,
//! so the `seq`s each receives must follow one another with no gap; the time until a socket has
//! caught up with the newest event is its resume time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures_util::StreamExt;
use reqwest::{Client, StatusCode};
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::live::seq_of;
use crate::stats::{Summary, micros, ms, rss_mib};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Connections being opened at once: a storm, but within the listen backlog of the server.
const CONNECTING_AT_ONCE: usize = 256;

/// Raises this process's open-file limit to its hard limit (the server it starts inherits it);
/// the number of sockets both sides can hold at once.
pub fn raise_open_files() -> usize {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = rustix::process::Rlimit { current: limit.maximum, maximum: limit.maximum };
    let _ = setrlimit(Resource::Nofile, raised);
    let now = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    usize::try_from(now).unwrap_or(usize::MAX)
}

async fn connect(url: &str, gate: &Semaphore) -> Option<Socket> {
    let _turn = gate.acquire().await.ok()?;
    for _ in 0..5 {
        match tokio::time::timeout(Duration::from_secs(20), tokio_tungstenite::connect_async(url)).await {
            Ok(Ok((socket, _))) => return Some(socket),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    None
}

pub struct IdleResult {
    pub wanted: usize,
    pub connected: usize,
    pub rss_before: Option<f64>,
    pub rss_after: Option<f64>,
}

impl IdleResult {
    /// "N KiB" per socket, or "?" without the figures.
    pub fn per_socket(&self) -> String {
        self.kib_per_socket().map(|k| format!("{k:.1} KiB")).unwrap_or_else(|| "?".into())
    }

    /// Server memory per open idle socket, in KiB.
    pub fn kib_per_socket(&self) -> Option<f64> {
        let (before, after) = (self.rss_before?, self.rss_after?);
        (self.connected > 0).then(|| (after - before) * 1024.0 / self.connected as f64)
    }
}

/// Opens `count` sockets that only listen, measures the server's memory, closes them.
pub async fn idle_sockets(base: &str, token: &str, count: usize, server_pid: u32) -> IdleResult {
    let url = format!("{}/api/v1/ws?token={token}", base.replacen("http://", "ws://", 1));
    let rss_before = rss_mib(server_pid);
    let gate = Arc::new(Semaphore::new(CONNECTING_AT_ONCE));
    let opened: Vec<Option<Socket>> = futures_util::stream::iter(0..count)
        .map(|_| {
            let (url, gate) = (url.clone(), gate.clone());
            async move { connect(&url, &gate).await }
        })
        .buffer_unordered(CONNECTING_AT_ONCE)
        .collect()
        .await;
    let sockets: Vec<Socket> = opened.into_iter().flatten().collect();
    // The server's per-socket tasks settle (first reads, buffers) before the figure is taken.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = rss_mib(server_pid);
    let connected = sockets.len();
    drop(sockets);
    IdleResult { wanted: count, connected, rss_before, rss_after }
}

/// What one storm socket saw.
#[derive(Default)]
struct Seen {
    /// The newest `seq` received (0: none yet).
    last: AtomicI64,
    /// Frames whose `seq` was not the one after the previous frame's.
    gaps: AtomicUsize,
}

pub struct StormResult {
    pub sockets: usize,
    pub connected: usize,
    pub messages_while_away: usize,
    /// Events written while the sockets were away (the `seq`s each had to catch up on).
    pub events_missed: i64,
    pub resumed: usize,
    pub gaps: usize,
    /// From the moment every socket was told to reconnect until each had the newest event.
    pub resume: Summary,
    pub seconds: f64,
}

/// The storm: `count` admin sockets, all dropped, `messages` inbound while away, all back with `since`.
pub async fn reconnect_storm(
    client: &Client,
    base: &str,
    token: &Arc<str>,
    simulate_url: &str,
    count: usize,
    messages: usize,
) -> Result<StormResult> {
    let url = Arc::<str>::from(format!("{}/api/v1/ws?token={token}", base.replacen("http://", "ws://", 1)));
    let gate = Arc::new(Semaphore::new(CONNECTING_AT_ONCE));
    // phase 0: connected and listening; 1: drop the connection; 2: reconnect with since.
    let (phase, _) = watch::channel(0u8);
    let phase = Arc::new(phase);
    let connected = Arc::new(AtomicUsize::new(0));
    let (resumed_tx, mut resumed_rx) = tokio::sync::mpsc::unbounded_channel::<Option<u64>>();
    let target = Arc::new(AtomicI64::new(i64::MAX));
    let storm_started = Arc::new(std::sync::OnceLock::<Instant>::new());
    let seen: Arc<Vec<Seen>> = Arc::new((0..count).map(|_| Seen::default()).collect());

    let mut tasks = Vec::with_capacity(count);
    for n in 0..count {
        let (url, gate, mut phase_rx, connected, seen, target, started, resumed_tx) = (
            url.clone(),
            gate.clone(),
            phase.subscribe(),
            connected.clone(),
            seen.clone(),
            target.clone(),
            storm_started.clone(),
            resumed_tx.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let Some(mine) = seen.get(n) else { return };
            let Some(mut socket) = connect(&url, &gate).await else { return };
            connected.fetch_add(1, Ordering::Relaxed);
            listen_until(&mut socket, mine, &mut phase_rx, 1, None).await;
            drop(socket);
            if phase_rx.wait_for(|p| *p >= 2).await.is_err() {
                return;
            }
            let since = mine.last.load(Ordering::Relaxed);
            let Some(mut socket) = connect(&format!("{url}&since={since}"), &gate).await else {
                let _ = resumed_tx.send(None);
                return;
            };
            let caught_up = listen_until(&mut socket, mine, &mut phase_rx, 3, Some(&target)).await;
            let took = caught_up.zip(started.get().copied()).map(|(at, from)| micros(at.duration_since(from)));
            let _ = resumed_tx.send(took);
            listen_until(&mut socket, mine, &mut phase_rx, 3, None).await;
        }));
    }
    drop(resumed_tx);
    // One more socket stays connected throughout: it tells the newest seq.
    let probe = Arc::new(Seen::default());
    let probe_task = {
        let (url, probe, mut phase_rx) = (url.clone(), probe.clone(), phase.subscribe());
        let mut socket = tokio_tungstenite::connect_async(&*url).await.context("the probe socket")?.0;
        tokio::spawn(async move { listen_until(&mut socket, &probe, &mut phase_rx, 3, None).await })
    };
    wait_until(Duration::from_secs(120), || connected.load(Ordering::Relaxed) + finished(&tasks) >= count).await;
    let connected_count = connected.load(Ordering::Relaxed);
    if connected_count == 0 {
        bail!("no storm socket connected");
    }

    // Every socket learns a seq, then all drop at once, and customers write while they are away.
    post_messages(client, simulate_url, token, 5_000_000, 5, "antes").await?;
    wait_until(Duration::from_secs(30), || {
        seen.iter().take(count).filter(|s| s.last.load(Ordering::Relaxed) > 0).count() >= connected_count
    })
    .await;
    let before = seen.iter().map(|s| s.last.load(Ordering::Relaxed)).max().unwrap_or(0);
    let _ = phase.send(1);
    post_messages(client, simulate_url, token, 5_000_100, messages, "ausente").await?;
    let newest = newest_seq(&probe).await;
    target.store(newest, Ordering::Relaxed);

    let started = Instant::now();
    let _ = storm_started.set(started);
    let _ = phase.send(2);
    let mut resume = Vec::new();
    // Sockets that came back (in time or not) or could not reconnect.
    let mut answered = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while answered < connected_count {
        match tokio::time::timeout_at(deadline, resumed_rx.recv()).await {
            Ok(Some(took)) => {
                answered += 1;
                resume.extend(took);
            }
            Ok(None) | Err(_) => break,
        }
    }
    let resumed = resume.len();
    let seconds = started.elapsed().as_secs_f64();
    let _ = phase.send(3);
    probe_task.abort();
    for task in tasks {
        task.abort();
    }
    Ok(StormResult {
        sockets: count,
        connected: connected_count,
        messages_while_away: messages,
        events_missed: newest - before,
        resumed,
        gaps: seen.iter().map(|s| s.gaps.load(Ordering::Relaxed)).sum(),
        resume: Summary::of(&mut resume),
        seconds,
    })
}

impl StormResult {
    /// How the sockets came back, for the progress line and the report alike.
    pub fn outcome(&self) -> String {
        format!(
            "{} of {} resumed in {:.1} s ({} events missed each), {} gaps; resume p50 {} ms, p99 {} ms, max {} ms",
            self.resumed,
            self.connected,
            self.seconds,
            self.events_missed,
            self.gaps,
            ms(self.resume.p50, self.resume.count),
            ms(self.resume.p99, self.resume.count),
            ms(self.resume.max, self.resume.count)
        )
    }
}

fn finished(tasks: &[tokio::task::JoinHandle<()>]) -> usize {
    tasks.iter().filter(|t| t.is_finished()).count()
}

async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Reads frames, checking each `seq` follows the last, until the phase reaches `until` or (with a
/// target) the socket has the target seq; returns when it caught up.
async fn listen_until(
    socket: &mut Socket,
    mine: &Seen,
    phase: &mut watch::Receiver<u8>,
    until: u8,
    target: Option<&AtomicI64>,
) -> Option<Instant> {
    loop {
        if *phase.borrow() >= until {
            return None;
        }
        if let Some(target) = target
            && mine.last.load(Ordering::Relaxed) >= target.load(Ordering::Relaxed)
        {
            return Some(Instant::now());
        }
        tokio::select! {
            _ = phase.changed() => {}
            frame = socket.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if let Some(seq) = seq_of(text.as_str()) {
                        let last = mine.last.swap(seq, Ordering::Relaxed);
                        if last > 0 && seq != last + 1 {
                            mine.gaps.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            },
        }
    }
}

/// The newest seq a socket that stays connected has seen, once no new event came for a second.
async fn newest_seq(probe: &Seen) -> i64 {
    let mut newest = probe.last.load(Ordering::Relaxed);
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = probe.last.load(Ordering::Relaxed);
        if now == newest {
            return newest;
        }
        newest = now;
    }
}

/// `count` customer messages through the simulator, ten at a time, each answered before it returns.
/// Customers numbered from `first` (new contacts: the other scenarios' are far below 5,000,000).
async fn post_messages(client: &Client, url: &str, token: &str, first: u64, count: usize, tag: &str) -> Result<()> {
    let nonce = chrono::Utc::now().timestamp_micros();
    let results: Vec<Result<()>> = futures_util::stream::iter(0..count)
        .map(|n| async move {
            let payload = json!({
                "from": crate::seed::new_number(first + n as u64),
                "name": format!("Tempestade {n}"),
                "body": format!("Mensagem {tag} {n}"),
                "external_id": format!("storm-{nonce}-{tag}-{n}"),
            });
            let response = client.post(url).bearer_auth(token).json(&payload).send().await?;
            let status = response.status();
            if status != StatusCode::CREATED && status != StatusCode::OK {
                bail!("simulate: {status} {}", response.text().await.unwrap_or_default());
            }
            Ok(())
        })
        .buffer_unordered(10)
        .collect()
        .await;
    results.into_iter().collect()
}
