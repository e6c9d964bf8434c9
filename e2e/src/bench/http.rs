//! Scenario (a): the ticket list under a closed-loop load (N requests always in flight), plus the
//! logins every scenario needs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures_util::StreamExt;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::stats::{CpuMeter, CpuUse, Summary, micros};

pub fn client() -> Result<Client> {
    Client::builder()
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(30))
        .build()
        .context("building the HTTP client")
}

/// Logs each e-mail in (four at a time: password hashing is slow on purpose); access tokens in order.
pub async fn login_all(client: &Client, base: &str, emails: &[String], password: &str) -> Result<Vec<Arc<str>>> {
    let results: Vec<Result<Arc<str>>> = futures_util::stream::iter(emails.iter().cloned())
        .map(|email| async move {
            let response = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"email": email, "password": password}))
                .send()
                .await
                .with_context(|| format!("logging in {email}"))?;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            if status != StatusCode::OK {
                bail!("login of {email}: {status} {body}");
            }
            let token = body["access_token"].as_str().with_context(|| format!("no access token for {email}"))?;
            Ok(Arc::from(token))
        })
        .buffered(4)
        .collect()
        .await;
    results.into_iter().collect()
}

/// GETs a JSON document.
pub async fn get_json(client: &Client, url: &str, token: &str) -> Result<Value> {
    let response = client.get(url).bearer_auth(token).send().await.with_context(|| format!("GET {url}"))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status != StatusCode::OK {
        bail!("GET {url}: {status} {body}");
    }
    Ok(body)
}

/// POSTs `body` and reads the JSON answer (any 2xx).
pub async fn post_json(client: &Client, url: &str, token: &str, body: &Value) -> Result<Value> {
    let response =
        client.post(url).bearer_auth(token).json(body).send().await.with_context(|| format!("POST {url}"))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("POST {url}: {status} {body}");
    }
    Ok(body)
}

/// The URL of page `page` (1-based) of `url`, following `next_cursor`, or of its last page when
/// it is shorter (`None` when it has only one).
pub async fn page_url(client: &Client, url: &str, token: &str, page: usize) -> Result<Option<String>> {
    let mut current = url.to_owned();
    for reached in 1..page {
        let body = get_json(client, &current, token).await?;
        let Some(cursor) = body["next_cursor"].as_str() else {
            return Ok((reached > 1).then_some(current));
        };
        current = format!("{url}&cursor={cursor}");
    }
    Ok(Some(current))
}

#[derive(Clone)]
pub struct Target {
    pub url: String,
    pub token: Arc<str>,
}

pub struct LoadResult {
    pub name: String,
    pub concurrency: usize,
    pub ok: usize,
    pub errors: usize,
    pub seconds: f64,
    pub latency: Summary,
    pub first_error: Option<String>,
    /// CPU the server and the load generator used during the measured part.
    pub cpu: CpuUse,
}

impl LoadResult {
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 { self.ok as f64 / self.seconds } else { 0.0 }
    }

    /// Server CPU milliseconds per answered request.
    pub fn server_ms_per_request(&self) -> f64 {
        if self.ok > 0 { self.cpu.server * 1000.0 / self.ok as f64 } else { 0.0 }
    }

    pub fn client_ms_per_request(&self) -> f64 {
        if self.ok > 0 { self.cpu.client * 1000.0 / self.ok as f64 } else { 0.0 }
    }
}

struct Worker {
    samples: Vec<u64>,
    ok: usize,
    errors: usize,
    first_error: Option<String>,
}

/// `concurrency` workers, each sending its next request when the previous one is answered, over
/// `targets` in turn, until `duration` has passed or `max_requests` were sent. Each scenario is
/// preceded by a short unmeasured warm-up.
pub async fn closed_loop(
    client: &Client,
    server_pid: u32,
    name: &str,
    targets: &[Target],
    concurrency: usize,
    duration: Duration,
    max_requests: usize,
) -> LoadResult {
    let warm_up = (duration / 10).min(Duration::from_secs(2));
    let _ = run_workers(client, targets, concurrency, warm_up, max_requests / 10).await;
    let started = Instant::now();
    let meter = CpuMeter::start(server_pid);
    let workers = run_workers(client, targets, concurrency, duration, max_requests).await;
    let cpu = meter.stop();
    let seconds = started.elapsed().as_secs_f64();
    let mut samples = Vec::new();
    let (mut ok, mut errors, mut first_error) = (0, 0, None);
    for worker in workers {
        samples.extend(worker.samples);
        ok += worker.ok;
        errors += worker.errors;
        first_error = first_error.or(worker.first_error);
    }
    LoadResult {
        name: name.to_owned(),
        concurrency,
        ok,
        errors,
        seconds,
        latency: Summary::of(&mut samples),
        first_error,
        cpu,
    }
}

async fn run_workers(
    client: &Client,
    targets: &[Target],
    concurrency: usize,
    duration: Duration,
    max_requests: usize,
) -> Vec<Worker> {
    if targets.is_empty() {
        return Vec::new();
    }
    let targets: Arc<[Target]> = Arc::from(targets);
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + duration;
    let mut handles = Vec::new();
    for _ in 0..concurrency {
        let (client, targets, next) = (client.clone(), targets.clone(), next.clone());
        handles.push(tokio::spawn(async move {
            let mut worker = Worker { samples: Vec::new(), ok: 0, errors: 0, first_error: None };
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= max_requests || Instant::now() >= deadline {
                    break;
                }
                let Some(target) = targets.get(n % targets.len()) else { break };
                let sent = Instant::now();
                let outcome = async {
                    let response = client.get(&target.url).bearer_auth(&*target.token).send().await?;
                    let status = response.status();
                    let body = response.bytes().await?;
                    Ok::<_, reqwest::Error>((status, body))
                }
                .await;
                let took = micros(sent.elapsed());
                match outcome {
                    Ok((StatusCode::OK, _)) => {
                        worker.ok += 1;
                        worker.samples.push(took);
                    }
                    Ok((status, body)) => {
                        worker.errors += 1;
                        worker.first_error.get_or_insert_with(|| {
                            format!("{status} {}", String::from_utf8_lossy(&body).chars().take(200).collect::<String>())
                        });
                    }
                    Err(error) => {
                        worker.errors += 1;
                        worker.first_error.get_or_insert_with(|| error.to_string());
                    }
                }
            }
            worker
        }));
    }
    let mut workers = Vec::new();
    for handle in handles {
        if let Ok(worker) = handle.await {
            workers.push(worker);
        }
    }
    workers
}
