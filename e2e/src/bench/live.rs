//! Scenario (b): many WebSockets connected while customers write through the simulated channel
//! at a fixed rate (an open loop: requests leave on schedule whether or not earlier ones were
//! answered). Each message's body carries a marker `[bm<phase>-<index>]`, so a socket that receives
//! its `message.created` frame can tell how long after the inbound request was sent it arrived.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use futures_util::{SinkExt, StreamExt};
use reqwest::{Client, StatusCode};
use serde_json::json;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::seed::{self, Dataset};
use crate::stats::{CpuUse, Rng, Summary, micros};

/// Requests waiting for an answer beyond this are not sent (counted as skipped): the load
/// generator must not pile up thousands of connections when the server falls behind.
const MAX_IN_FLIGHT: usize = 512;
/// How often a socket may reconnect (resuming with `since`) before it gives up.
const MAX_ATTEMPTS: usize = 20;

/// Send times and arrivals of one phase's messages.
struct PhaseTrack {
    /// Microseconds since the recorder's start, plus one (0: not sent).
    sent: Vec<AtomicU64>,
    /// The earliest arrival at any socket, in microseconds after sending (`u64::MAX`: none).
    first: Vec<AtomicU64>,
    /// Every arrival at every socket.
    all: Mutex<Vec<u64>>,
    full_view_deliveries: AtomicU64,
    agent_deliveries: AtomicU64,
}

pub struct Recorder {
    start: Instant,
    phases: Vec<PhaseTrack>,
}

impl Recorder {
    pub fn new(sizes: &[usize]) -> Self {
        let phases = sizes
            .iter()
            .map(|&n| PhaseTrack {
                sent: (0..n).map(|_| AtomicU64::new(0)).collect(),
                first: (0..n).map(|_| AtomicU64::new(u64::MAX)).collect(),
                all: Mutex::new(Vec::new()),
                full_view_deliveries: AtomicU64::new(0),
                agent_deliveries: AtomicU64::new(0),
            })
            .collect();
        Self { start: Instant::now(), phases }
    }

    fn now(&self) -> u64 {
        micros(self.start.elapsed())
    }

    fn mark_sent(&self, phase: usize, index: usize) {
        if let Some(slot) = self.phases.get(phase).and_then(|p| p.sent.get(index)) {
            slot.store(self.now() + 1, Ordering::Relaxed);
        }
    }

    /// A text frame a socket received.
    fn observe(&self, frame: &str, full_view: bool) {
        if !frame.contains(r#""type":"message.created""#) {
            return;
        }
        let Some((phase, index)) = marker(frame) else { return };
        let Some(track) = self.phases.get(phase) else { return };
        let sent = track.sent.get(index).map(|s| s.load(Ordering::Relaxed)).unwrap_or(0);
        if sent == 0 {
            return;
        }
        let latency = self.now().saturating_sub(sent - 1);
        if let Some(first) = track.first.get(index) {
            first.fetch_min(latency, Ordering::Relaxed);
        }
        if let Ok(mut all) = track.all.lock() {
            all.push(latency);
        }
        let counter = if full_view { &track.full_view_deliveries } else { &track.agent_deliveries };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn deliveries(&self, phase: usize) -> u64 {
        self.phases
            .get(phase)
            .map_or(0, |p| p.full_view_deliveries.load(Ordering::Relaxed) + p.agent_deliveries.load(Ordering::Relaxed))
    }
}

/// `[bm3-1234]` → (3, 1234).
fn marker(frame: &str) -> Option<(usize, usize)> {
    let rest = &frame[frame.find("[bm")? + 3..];
    let (phase, rest) = rest.split_once('-')?;
    let (index, _) = rest.split_once(']')?;
    Some((phase.parse().ok()?, index.parse().ok()?))
}

/// `"seq":123` of a frame.
pub fn seq_of(frame: &str) -> Option<i64> {
    let rest = &frame[frame.find(r#""seq":"#)? + 6..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[derive(Default)]
pub struct SocketStats {
    /// Sockets that connected at least once.
    pub connected: AtomicUsize,
    /// Sockets open right now.
    pub open: AtomicUsize,
    pub failed_attempts: AtomicUsize,
    /// Reconnections after the server closed a socket (e.g. it fell too far behind).
    pub reconnects: AtomicUsize,
    /// Sockets that stopped trying.
    pub gave_up: AtomicUsize,
}

pub struct Sockets {
    pub stats: Arc<SocketStats>,
    pub full_view: usize,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Sockets {
    /// Opens `tokens.len()` sockets (`full_view` tells which see the whole company), spread over
    /// the server instances at `bases` in turn, and waits until they are all connected or 90 s
    /// have passed.
    pub async fn open(bases: &[String], tokens: Vec<(Arc<str>, bool)>, recorder: Arc<Recorder>) -> Self {
        let ws_bases: Vec<String> = bases.iter().map(|base| base.replacen("http://", "ws://", 1)).collect();
        let stats = Arc::new(SocketStats::default());
        let (stop, stopped) = watch::channel(false);
        let gate = Arc::new(Semaphore::new(16));
        let full_view = tokens.iter().filter(|(_, full)| *full).count();
        let total = tokens.len();
        let tasks = tokens
            .into_iter()
            .enumerate()
            .map(|(n, (token, full))| {
                let ws_base = ws_bases.get(n % ws_bases.len().max(1)).map_or("", String::as_str);
                let ctx = SocketContext {
                    url: format!("{ws_base}/api/v1/ws?token={token}"),
                    full_view: full,
                    recorder: recorder.clone(),
                    stats: stats.clone(),
                    gate: gate.clone(),
                };
                tokio::spawn(run_socket(ctx, stopped.clone()))
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(90);
        while stats.connected.load(Ordering::Relaxed) + stats.gave_up.load(Ordering::Relaxed) < total
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { stats, full_view, stop, tasks }
    }

    pub async fn close(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }
}

struct SocketContext {
    url: String,
    full_view: bool,
    recorder: Arc<Recorder>,
    stats: Arc<SocketStats>,
    gate: Arc<Semaphore>,
}

async fn run_socket(ctx: SocketContext, mut stop: watch::Receiver<bool>) {
    let mut since: Option<i64> = None;
    let mut ever_connected = false;
    for _ in 0..MAX_ATTEMPTS {
        if *stop.borrow() {
            return;
        }
        let url = match since {
            Some(seq) => format!("{}&since={seq}", ctx.url),
            None => ctx.url.clone(),
        };
        let connected = {
            let _permit = ctx.gate.acquire().await;
            tokio::time::timeout(Duration::from_secs(15), tokio_tungstenite::connect_async(url)).await
        };
        let Ok(Ok((mut socket, _))) = connected else {
            ctx.stats.failed_attempts.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        if ever_connected {
            ctx.stats.reconnects.fetch_add(1, Ordering::Relaxed);
        } else {
            ever_connected = true;
            ctx.stats.connected.fetch_add(1, Ordering::Relaxed);
        }
        ctx.stats.open.fetch_add(1, Ordering::Relaxed);
        let stopping = loop {
            tokio::select! {
                _ = stop.changed() => break true,
                frame = socket.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(seq) = seq_of(text.as_str()) {
                            since = Some(seq);
                        }
                        ctx.recorder.observe(text.as_str(), ctx.full_view);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => break false,
                },
            }
        };
        ctx.stats.open.fetch_sub(1, Ordering::Relaxed);
        if stopping {
            let _ = tokio::time::timeout(Duration::from_secs(2), socket.close(None)).await;
            let _ = tokio::time::timeout(Duration::from_secs(2), socket.flush()).await;
            return;
        }
    }
    ctx.stats.gave_up.fetch_add(1, Ordering::Relaxed);
}

pub struct PhaseResult {
    pub rate: u32,
    pub planned: usize,
    pub created: usize,
    pub duplicates: usize,
    pub errors: usize,
    pub skipped: usize,
    pub seconds: f64,
    pub http: Summary,
    pub first: Summary,
    pub all: Summary,
    /// Messages whose `message.created` reached at least one socket.
    pub seen: usize,
    pub full_view_deliveries: u64,
    pub agent_deliveries: u64,
    pub full_view_sockets: usize,
    pub open_sockets: usize,
    pub first_error: Option<String>,
    /// CPU used from the first request until the last event arrived (filled in by the caller).
    pub cpu: CpuUse,
}

impl PhaseResult {
    pub fn achieved(&self) -> f64 {
        if self.seconds > 0.0 { (self.created + self.duplicates) as f64 / self.seconds } else { 0.0 }
    }

    /// Server CPU milliseconds per stored message (its events' fan-out included).
    pub fn server_ms_per_message(&self) -> f64 {
        if self.created > 0 { self.cpu.server * 1000.0 / self.created as f64 } else { 0.0 }
    }

    /// Load-generator CPU milliseconds per stored message (sending, and reading every socket).
    pub fn client_ms_per_message(&self) -> f64 {
        if self.created > 0 { self.cpu.client * 1000.0 / self.created as f64 } else { 0.0 }
    }

    /// Deliveries to admin/supervisor sockets over what they should have received.
    pub fn full_view_completeness(&self) -> f64 {
        let expected = (self.created * self.full_view_sockets) as f64;
        if expected > 0.0 { self.full_view_deliveries as f64 / expected } else { 0.0 }
    }
}

#[derive(Default)]
struct Outcomes {
    http: Vec<u64>,
    created: usize,
    duplicates: usize,
    errors: usize,
    first_error: Option<String>,
    /// Microseconds after the phase started when the last answer came.
    last_answer: u64,
}

pub struct Inbound<'a> {
    pub client: &'a Client,
    pub base: &'a str,
    /// Other server instances (same database and Redis): the webhooks alternate over `base` and these.
    pub peers: &'a [String],
    pub admin: Arc<str>,
    pub dataset: &'a Dataset,
    pub recorder: Arc<Recorder>,
    pub nonce: u64,
    pub new_contacts: u64,
}

const BODIES: &[&str] = &[
    "Oi, alguma novidade sobre o meu pedido?",
    "Bom dia! Preciso de ajuda",
    "Ainda estou aguardando retorno",
    "Segue o comprovante",
    "Qual o prazo de entrega?",
    "Obrigado!",
    "Meu boleto venceu, podem gerar outro?",
    "O produto chegou com defeito",
];

impl Inbound<'_> {
    /// One phase: `rate` messages a second for `seconds`, then waits for the answers and events.
    pub async fn phase(&mut self, phase: usize, rate: u32, seconds: u64, sockets: &Sockets) -> Result<PhaseResult> {
        let planned = (u64::from(rate) * seconds) as usize;
        let urls: Vec<String> = std::iter::once(self.base)
            .chain(self.peers.iter().map(String::as_str))
            .map(|base| format!("{base}/api/v1/connections/{}/simulate", self.dataset.connection_id))
            .collect();
        let outcomes = Arc::new(Mutex::new(Outcomes::default()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let mut rng = Rng::new(0xB0B0 + phase as u64);
        let mut skipped = 0;
        let start = Instant::now();
        for index in 0..planned {
            let due = start + Duration::from_secs_f64(index as f64 / f64::from(rate.max(1)));
            tokio::time::sleep_until(due.into()).await;
            if in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
                skipped += 1;
                continue;
            }
            // Mostly customers whose ticket is open or pending, some returning ones, some new.
            let roll = rng.unit();
            let (from, name) = if roll < 0.85 && !self.dataset.active_contacts.is_empty() {
                let contact = self.dataset.active_contacts.get(rng.index(self.dataset.active_contacts.len())).copied();
                self.contact(contact.unwrap_or_default())
            } else if roll < 0.92 {
                self.contact(rng.index(self.dataset.numbers.len()))
            } else {
                self.new_contacts += 1;
                (seed::new_number(self.new_contacts), format!("Cliente Novo {}", self.new_contacts))
            };
            let payload = json!({
                "from": from,
                "name": name,
                "body": format!("{} [bm{phase}-{index}]", rng.pick(BODIES)),
                "external_id": format!("bench-{}-{phase}-{index}", self.nonce),
            });
            in_flight.fetch_add(1, Ordering::Relaxed);
            let (client, url, admin, recorder, outcomes, in_flight) = (
                self.client.clone(),
                urls.get(index % urls.len()).cloned().unwrap_or_default(),
                self.admin.clone(),
                self.recorder.clone(),
                outcomes.clone(),
                in_flight.clone(),
            );
            tokio::spawn(async move {
                let sent = Instant::now();
                recorder.mark_sent(phase, index);
                let answer = async {
                    let response = client.post(&url).bearer_auth(&*admin).json(&payload).send().await?;
                    let status = response.status();
                    let body = response.text().await?;
                    Ok::<_, reqwest::Error>((status, body))
                }
                .await;
                let took = micros(sent.elapsed());
                if let Ok(mut out) = outcomes.lock() {
                    match answer {
                        Ok((StatusCode::CREATED, _)) => {
                            out.created += 1;
                            out.http.push(took);
                        }
                        Ok((StatusCode::OK, _)) => {
                            out.duplicates += 1;
                            out.http.push(took);
                        }
                        Ok((status, body)) => {
                            out.errors += 1;
                            out.first_error.get_or_insert_with(|| {
                                format!("{status} {}", body.chars().take(200).collect::<String>())
                            });
                        }
                        Err(error) => {
                            out.errors += 1;
                            out.first_error.get_or_insert_with(|| error.to_string());
                        }
                    }
                    out.last_answer = out.last_answer.max(micros(start.elapsed()));
                }
                in_flight.fetch_sub(1, Ordering::Relaxed);
            });
        }
        // Wait for the answers (bounded), then for the last events to reach the sockets.
        let drain_deadline = Instant::now() + Duration::from_secs(60);
        while in_flight.load(Ordering::Relaxed) > 0 && Instant::now() < drain_deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Every admin and supervisor socket should get every stored message: while some are short
        // and frames still come, they are late, not lost; wait (up to 60 s) until none has come
        // for 2 s.
        let created = outcomes.lock().map_or(0, |out| out.created) as u64;
        let expected = created * sockets.full_view as u64;
        let full_view = |recorder: &Recorder| {
            recorder.phases.get(phase).map_or(0, |p| p.full_view_deliveries.load(Ordering::Relaxed))
        };
        let mut delivered = self.recorder.deliveries(phase);
        let mut quiet_since = Instant::now();
        let late_deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < late_deadline && quiet_since.elapsed() < Duration::from_secs(2) {
            if full_view(&self.recorder) >= expected && quiet_since.elapsed() >= Duration::from_millis(250) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            let now = self.recorder.deliveries(phase);
            if now != delivered {
                delivered = now;
                quiet_since = Instant::now();
            }
        }
        let Some(track) = self.recorder.phases.get(phase) else { bail!("no track for phase {phase}") };
        let mut out = match outcomes.lock() {
            Ok(mut out) => std::mem::take(&mut *out),
            Err(_) => bail!("the outcomes lock was poisoned"),
        };
        let mut first: Vec<u64> =
            track.first.iter().map(|f| f.load(Ordering::Relaxed)).filter(|&f| f != u64::MAX).collect();
        let mut all = match track.all.lock() {
            Ok(mut all) => std::mem::take(&mut *all),
            Err(_) => bail!("the deliveries lock was poisoned"),
        };
        Ok(PhaseResult {
            rate,
            planned,
            created: out.created,
            duplicates: out.duplicates,
            errors: out.errors + in_flight.load(Ordering::Relaxed),
            skipped,
            seconds: out.last_answer as f64 / 1e6,
            http: Summary::of(&mut out.http),
            seen: first.len(),
            first: Summary::of(&mut first),
            all: Summary::of(&mut all),
            full_view_deliveries: track.full_view_deliveries.load(Ordering::Relaxed),
            agent_deliveries: track.agent_deliveries.load(Ordering::Relaxed),
            full_view_sockets: sockets.full_view,
            open_sockets: sockets.stats.open.load(Ordering::Relaxed),
            first_error: out.first_error,
            cpu: CpuUse::default(),
        })
    }

    fn contact(&self, index: usize) -> (String, String) {
        (
            self.dataset.numbers.get(index).cloned().unwrap_or_else(|| seed::contact_number(index)),
            self.dataset.names.get(index).cloned().unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_matched_by_their_marker() {
        let frame = r#"{"data":{"body":"Oi [bm2-417]","id":9},"seq":1234,"type":"message.created"}"#;
        assert_eq!(marker(frame), Some((2, 417)));
        assert_eq!(seq_of(frame), Some(1234));
        assert_eq!(marker(r#"{"data":{"body":"[bm"}}"#), None);
    }
}
