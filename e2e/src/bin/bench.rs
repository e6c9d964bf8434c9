//! `make bench`: seeds a realistic dataset into a fresh data dir, starts the release `atende`
//! server on loopback, and measures (a) the open-tab ticket list under concurrent requests and
//! (b) inbound messages through the simulated channel with 500 WebSockets connected, from the
//! inbound request to the `message.created` frame on a socket. It only measures: slow figures
//! never fail it; a server that dies or a scenario without data does. See docs/benchmarks.md.
//! The same scenarios then run on PostgreSQL (a cluster of the bench's own, see `services`), and
//! the inbound one with two server instances sharing that database and a Redis (`--no-postgres`
//! skips both). Beside them: a bare axum route as the ceiling (every list throughput is printed as
//! a share of it), (c) idle sockets and a reconnect storm.
//!
//! ```text
//! bench [--atende PATH] [--data-dir PATH] [--quick] [--list-seconds N] [--phase-seconds N]
//!       [--rates 100,250,500] [--sockets N] [--idle-sockets N] [--storm-sockets N]
//!       [--storm-messages N] [--no-postgres]
//! ```

#[path = "../bench/ceiling.rs"]
mod ceiling;
#[path = "../bench/http.rs"]
mod http;
#[path = "../bench/live.rs"]
mod live;
#[path = "../bench/seed.rs"]
mod seed;
#[path = "../bench/server.rs"]
mod server;
#[path = "../bench/services.rs"]
mod services;
#[path = "../bench/stats.rs"]
mod stats;
#[path = "../bench/storm.rs"]
mod storm;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::http::{LoadResult, Target};
use crate::live::{PhaseResult, Recorder, Sockets};
use crate::seed::{Dataset, Scale};
use crate::server::Server;
use crate::stats::{CpuMeter, Machine, encode_query, ms};

/// Marks a data dir as the bench's own, so it may be wiped on the next run.
const MARKER: &str = ".atende-bench";

struct Options {
    atende: PathBuf,
    data_dir: PathBuf,
    scale: Scale,
    list_seconds: u64,
    phase_seconds: u64,
    rates: Vec<u32>,
    sockets: usize,
    /// Sockets opened only to measure what an idle one costs the server.
    idle_sockets: usize,
    /// Sockets in the reconnect storm, and the messages written while they are away.
    storm_sockets: usize,
    storm_messages: usize,
    /// Also on PostgreSQL (one instance, then two with Redis).
    postgres: bool,
}

impl Options {
    fn parse() -> Result<Self> {
        let exe = std::env::current_exe().context("locating the bench binary")?;
        let mut options = Options {
            atende: exe.with_file_name("atende"),
            data_dir: PathBuf::from("target/bench-data"),
            scale: Scale::FULL,
            list_seconds: 20,
            phase_seconds: 15,
            rates: vec![100, 250, 500],
            sockets: 500,
            idle_sockets: 10_000,
            storm_sockets: 5_000,
            storm_messages: 100,
            postgres: true,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--atende" => options.atende = PathBuf::from(value()?),
                "--data-dir" => options.data_dir = PathBuf::from(value()?),
                "--quick" => {
                    options.scale = Scale::QUICK;
                    options.list_seconds = 4;
                    options.phase_seconds = 4;
                    options.rates = vec![50, 100];
                    options.sockets = 100;
                    options.idle_sockets = 1_000;
                    options.storm_sockets = 500;
                    options.storm_messages = 20;
                }
                "--idle-sockets" => options.idle_sockets = value()?.parse().context("--idle-sockets")?,
                "--storm-sockets" => options.storm_sockets = value()?.parse().context("--storm-sockets")?,
                "--storm-messages" => options.storm_messages = value()?.parse().context("--storm-messages")?,
                "--list-seconds" => options.list_seconds = value()?.parse().context("--list-seconds")?,
                "--phase-seconds" => options.phase_seconds = value()?.parse().context("--phase-seconds")?,
                "--sockets" => options.sockets = value()?.parse().context("--sockets")?,
                "--no-postgres" => options.postgres = false,
                "--rates" => {
                    options.rates = value()?
                        .split(',')
                        .map(|r| r.trim().parse::<u32>().context("--rates: whole numbers separated by commas"))
                        .collect::<Result<_>>()?;
                }
                "-h" | "--help" => {
                    println!(
                        "bench [--atende PATH] [--data-dir PATH] [--quick] [--list-seconds N] [--phase-seconds N] [--rates 100,250,500] [--sockets N] [--idle-sockets N] [--storm-sockets N] [--storm-messages N] [--no-postgres]"
                    );
                    std::process::exit(0);
                }
                other => bail!("unknown argument {other} (see --help)"),
            }
        }
        options.list_seconds = options.list_seconds.clamp(1, 600);
        options.phase_seconds = options.phase_seconds.clamp(1, 600);
        options.sockets = options.sockets.clamp(2, 5000);
        options.storm_messages = options.storm_messages.clamp(1, 10_000);
        // Each socket is a descriptor on both sides, plus what the server and the client keep open.
        let room = storm::raise_open_files().saturating_sub(200);
        for (what, count) in
            [("--idle-sockets", &mut options.idle_sockets), ("--storm-sockets", &mut options.storm_sockets)]
        {
            if *count > room {
                println!("==> {what} {count} lowered to {room}: the open-file limit (ulimit -Hn) allows no more");
                *count = room;
            }
        }
        if options.rates.is_empty() || options.rates.iter().any(|&r| r == 0 || r > 20_000) {
            bail!("--rates must list rates between 1 and 20000 messages a second");
        }
        Ok(options)
    }
}

/// Empties the data dir if it is the bench's own (or empty); refuses any other directory.
fn fresh_data_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        let ours = dir.join(MARKER).exists();
        let empty = std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !ours && !empty {
            bail!("{} exists and is not a bench data dir (no {MARKER}); pick another --data-dir", dir.display());
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("emptying {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join(MARKER), "atende bench data; removed by the next `make bench`\n")?;
    Ok(())
}

#[tokio::main]
async fn main() {
    if std::env::args().nth(1).as_deref() == Some(ceiling::SERVE_FLAG) {
        if let Err(error) = ceiling::serve().await {
            eprintln!("ceiling server: {error:#}");
            std::process::exit(2);
        }
        return;
    }
    match run().await {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(error) => {
            eprintln!("bench failed: {error:#}");
            std::process::exit(2);
        }
    }
}

/// `Ok(false)` when the run finished but something produced no data or the server died.
async fn run() -> Result<bool> {
    let options = Options::parse()?;
    if !options.atende.exists() {
        bail!(
            "{} not found: build it with `cargo build --release -p atende` or pass --atende",
            options.atende.display()
        );
    }
    let machine = Machine::describe();
    println!(
        "==> machine: {} CPUs ({}), {:.1} GiB, Linux {}, {}; load average {}",
        machine.cpus, machine.cpu_model, machine.memory_gib, machine.kernel, machine.date, machine.load_before
    );
    if options.postgres {
        services::check_installed()?;
    }
    let data_dir = std::path::absolute(&options.data_dir).unwrap_or_else(|_| options.data_dir.clone());
    services::stop_leftover(&data_dir);
    fresh_data_dir(&data_dir)?;
    println!("==> data dir {}", data_dir.display());

    let started = Instant::now();
    server::run(&options.atende, &data_dir, &["migrate"]).await?;
    server::run(
        &options.atende,
        &data_dir,
        &["create-admin", "--email", seed::ADMIN_EMAIL, "--password", seed::PASSWORD, "--name", "Admin Bench"],
    )
    .await?;
    let schema_seconds = started.elapsed().as_secs_f64();
    println!("==> seeding (schema and admin took {schema_seconds:.1} s)");
    let dataset = seed::seed(&seed::sqlite_url(&data_dir), options.scale).await?;
    let c = dataset.counts;
    println!(
        "    {} queues, {} users, {} contacts, {} tickets ({} open, {} pending, {} closed), {} messages, {} log rows",
        c.queues, c.users, c.contacts, c.tickets, c.open, c.pending, c.closed, c.messages, c.logs
    );
    println!("    seeded in {:.1} s; database {:.0} MiB", dataset.seconds, dataset.db_mib);

    let mut server = Server::start(&options.atende, &data_dir).await?;
    println!("==> server pid {} on {} (log: {})", server.pid, server.base, server.log.display());
    let ceiling = ceiling::CeilingServer::start().await?;
    println!("==> ceiling server pid {} on {}", ceiling.pid, ceiling.url);
    let outcome = scenarios(&mut server, &mut [], &ceiling, &dataset, &options, true).await;
    let died = server.exited();
    server.stop().await?;
    let mut report = outcome?;
    report.backend = "SQLite".into();
    report.print(&options, &machine, &dataset);
    let mut healthy = true;
    if let Some(status) = died {
        eprintln!("the server exited during the run ({status}); see {}", data_dir.join("server.log").display());
        healthy = false;
    }
    for problem in report.problems() {
        eprintln!("no data: {problem}");
        healthy = false;
    }
    if options.postgres {
        let outcome = postgres_runs(&options, &machine, &data_dir, &ceiling).await;
        healthy &= outcome.unwrap_or_else(|error| {
            eprintln!("the PostgreSQL runs failed: {error:#}");
            false
        });
    }
    ceiling.stop().await;
    Ok(healthy)
}

struct Report {
    /// The bare route at each concurrency the scenarios use.
    ceiling: Vec<LoadResult>,
    /// Where the figures come from: "SQLite", "PostgreSQL", …
    backend: String,
    list: Vec<LoadResult>,
    phases: Vec<PhaseResult>,
    sockets: usize,
    sockets_connected: usize,
    full_view_sockets: usize,
    reconnects: usize,
    logins: usize,
    rss_start: Option<f64>,
    rss_idle: Option<f64>,
    rss_after_list: Option<f64>,
    rss_sockets: Option<f64>,
    rss_after_load: Option<f64>,
    rss_sockets_closed: Option<f64>,
    page_sizes: String,
    idle: storm::IdleResult,
    storm: Option<storm::StormResult>,
}

/// `peers`: other instances on the same database and Redis, for (b) only; `with_list`: whether (a)
/// runs (its setup still does: a few requests).
async fn scenarios(
    server: &mut Server,
    peers: &mut [Server],
    ceiling: &ceiling::CeilingServer,
    dataset: &Dataset,
    options: &Options,
    with_list: bool,
) -> Result<Report> {
    let client = http::client()?;
    let base = server.base.clone();
    let rss_start = server.rss_mib();
    println!("==> logging in the admin, {} supervisors and {} agents", dataset.supervisors.len(), dataset.agents.len());
    let admin = http::login_all(&client, &base, &[seed::ADMIN_EMAIL.to_owned()], seed::PASSWORD)
        .await?
        .pop()
        .context("the admin's token")?;
    let emails = |users: &[seed::SeedUser]| users.iter().map(|u| u.email.clone()).collect::<Vec<_>>();
    let supervisors = http::login_all(&client, &base, &emails(&dataset.supervisors), seed::PASSWORD).await?;
    let agents = http::login_all(&client, &base, &emails(&dataset.agents), seed::PASSWORD).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_idle = server.rss_mib();

    // (a) The open tab, page one, as the admin and as the agents (each sees only their own).
    let open_tab = format!("{base}/api/v1/tickets?status=open&limit=40");
    let list_time = Duration::from_secs(options.list_seconds);
    let as_admin = vec![Target { url: open_tab.clone(), token: admin.clone() }];
    let as_agents: Vec<Target> = agents.iter().map(|t| Target { url: open_tab.clone(), token: t.clone() }).collect();

    // What a page holds, and the cursors of page two.
    let mut admin_page_two = Vec::new();
    let mut agents_page_two = Vec::new();
    let mut agent_items = 0usize;
    let first = http::get_json(&client, &open_tab, &admin).await?;
    let admin_items = first["items"].as_array().map_or(0, Vec::len);
    if let Some(cursor) = first["next_cursor"].as_str() {
        admin_page_two
            .push(Target { url: format!("{open_tab}&cursor={}", encode_query(cursor)), token: admin.clone() });
    }
    for token in &agents {
        let page = http::get_json(&client, &open_tab, token).await?;
        agent_items += page["items"].as_array().map_or(0, Vec::len);
        if let Some(cursor) = page["next_cursor"].as_str() {
            agents_page_two
                .push(Target { url: format!("{open_tab}&cursor={}", encode_query(cursor)), token: token.clone() });
        }
    }
    let page_sizes = format!(
        "admin page 1: {admin_items} items; agents' page 1: {:.1} items on average; {} of {} agents have a page 2",
        agent_items as f64 / agents.len().max(1) as f64,
        agents_page_two.len(),
        agents.len()
    );
    println!("    {page_sizes}");

    // A search on a contact's name: names of contacts with an open ticket, one per request.
    let names: Vec<&String> = dataset.active_contacts.iter().take(200).filter_map(|&c| dataset.names.get(c)).collect();
    let search = |token: &Arc<str>, name: &str| Target {
        url: format!("{open_tab}&q={}", encode_query(name)),
        token: token.clone(),
    };
    let search_admin: Vec<Target> = names.iter().map(|n| search(&admin, n)).collect();
    let search_agents: Vec<Target> =
        names.iter().zip(agents.iter().cycle()).map(|(n, token)| search(token, n)).collect();

    // Issue 13: the other tabs, a deep page (50), every search kind and the dashboard.
    let tab = |status: &str| format!("{base}/api/v1/tickets?status={status}&limit=40");
    let (pending_tab, closed_tab) = (tab("pending"), tab("closed"));
    let each = |url: &str, tokens: &[Arc<str>]| -> Vec<Target> {
        tokens.iter().map(|t| Target { url: url.to_owned(), token: t.clone() }).collect()
    };
    let admin_only = std::slice::from_ref(&admin);
    let deep = |url: String, token: Arc<str>| {
        let client = client.clone();
        async move {
            Ok::<_, anyhow::Error>(
                http::page_url(&client, &url, &token, 50).await?.map(|url| Target { url, token: token.clone() }),
            )
        }
    };
    let mut deep_admin = Vec::new();
    for url in [open_tab.clone(), closed_tab.clone(), pending_tab.clone()] {
        deep_admin.extend(deep(url, admin.clone()).await?);
    }
    let mut deep_agents = Vec::new();
    for token in agents.iter().take(20) {
        deep_agents.extend(deep(closed_tab.clone(), token.clone()).await?);
    }
    println!(
        "    deep pages: page 50 of {} of the admin's 3 tabs; the last page (at most 50) of {} of 20 agents' closed tab",
        deep_admin.len(),
        deep_agents.len()
    );
    let searches = |q: &str| each(&format!("{open_tab}&q={}", encode_query(q)), admin_only);
    let search_word = searches("pedido");
    let search_number: Vec<Target> = dataset
        .active_contacts
        .iter()
        .take(200)
        .filter_map(|&c| dataset.numbers.get(c))
        .map(|n| Target { url: format!("{open_tab}&q={}", encode_query(&n[2..9.min(n.len())])), token: admin.clone() })
        .collect();
    let search_ticket = searches("#42");
    // A protocol of a ticket of page one, generated now (the seed has none).
    let first_ticket = first["items"][0]["id"].as_i64().context("a ticket on page one")?;
    let protocol = http::post_json(
        &client,
        &format!("{base}/api/v1/tickets/{first_ticket}/protocols"),
        &admin,
        &serde_json::json!({}),
    )
    .await?;
    let search_protocol = searches(protocol["number"].as_str().context("a protocol number")?);
    let (pending_admin, pending_agents) = (each(&pending_tab, admin_only), each(&pending_tab, &agents));
    let (closed_admin, closed_agents) = (each(&closed_tab, admin_only), each(&closed_tab, &agents));
    let dashboard_admin = each(&format!("{base}/api/v1/dashboard"), admin_only);
    let dashboard_agents = each(&format!("{base}/api/v1/dashboard"), &agents);

    let ceiling_target = [Target { url: ceiling.url.clone(), token: admin.clone() }];
    let mut ceilings = Vec::new();
    // Measured with the list scenarios it is the yardstick of.
    let levels: &[usize] = if with_list { &[1, 8, 16, 32] } else { &[] };
    for &concurrency in levels {
        let result =
            http::closed_loop(&client, ceiling.pid, "ceiling", &ceiling_target, concurrency, list_time / 4, 2_000_000)
                .await;
        println!(
            "==> ceiling (bare axum route), {concurrency} in flight: {:.0} req/s, p50 {} ms, p99 {} ms",
            result.per_second(),
            ms(result.latency.p50, result.latency.count),
            ms(result.latency.p99, result.latency.count)
        );
        ceilings.push(result);
    }

    let mut list = Vec::new();
    let mut runs: Vec<(&str, &[Target], usize, Duration)> = vec![
        ("open tab p1, admin", &as_admin, 1, list_time / 4),
        ("open tab p1, agents", &as_agents, 1, list_time / 4),
        ("open tab p1, admin", &as_admin, 16, list_time),
        ("open tab p1, agents", &as_agents, 16, list_time),
        ("open tab p1, agents", &as_agents, 32, list_time / 2),
        ("open tab p2, admin", &admin_page_two, 16, list_time / 2),
        ("open tab p2, agents", &agents_page_two, 16, list_time / 2),
        ("search q=name, admin", &search_admin, 8, list_time / 2),
        ("search q=name, agents", &search_agents, 8, list_time / 2),
        ("pending tab p1, admin", &pending_admin, 1, list_time / 4),
        ("pending tab p1, admin", &pending_admin, 32, list_time / 2),
        ("pending tab p1, agents", &pending_agents, 32, list_time / 2),
        ("closed tab p1, admin", &closed_admin, 32, list_time / 2),
        ("closed tab p1, agents", &closed_agents, 32, list_time / 2),
        ("deep p50, admin tabs", &deep_admin, 32, list_time / 2),
        ("deep last, agents closed", &deep_agents, 32, list_time / 2),
        ("search q=word, admin", &search_word, 1, list_time / 4),
        ("search q=word, admin", &search_word, 8, list_time / 2),
        ("search q=number, admin", &search_number, 8, list_time / 2),
        ("search q=#42, admin", &search_ticket, 1, list_time / 4),
        ("search protocol, admin", &search_protocol, 1, list_time / 4),
        ("dashboard, admin", &dashboard_admin, 1, list_time / 4),
        ("dashboard, agents", &dashboard_agents, 8, list_time / 2),
    ];
    if !with_list {
        runs.clear();
    }
    for (name, targets, concurrency, duration) in runs {
        if targets.is_empty() {
            println!("==> (a) {name}: skipped (no such page in this dataset)");
            continue;
        }
        println!("==> (a) {name}: {concurrency} in flight for {} s", duration.as_secs());
        let result = http::closed_loop(&client, server.pid, name, targets, concurrency, duration, 2_000_000).await;
        println!(
            "    {} ok, {} errors, {:.0} req/s, p50 {} ms, p99 {} ms{}",
            result.ok,
            result.errors,
            result.per_second(),
            ms(result.latency.p50, result.latency.count),
            ms(result.latency.p99, result.latency.count),
            result.first_error.as_deref().map(|e| format!(" (first error: {e})")).unwrap_or_default()
        );
        list.push(result);
        if let Some(status) = server.exited() {
            bail!("the server exited during scenario (a) ({status}); see {}", server.log.display());
        }
    }
    let rss_after_list = server.rss_mib();

    // (b) Sockets: mostly agents, 6% admins and supervisors (who see every event).
    let full_view = (options.sockets * 6 / 100).max(1);
    let admins = (full_view / 6).max(1);
    let mut tokens: Vec<(Arc<str>, bool)> = Vec::with_capacity(options.sockets);
    for n in 0..full_view {
        let token = if n < admins || supervisors.is_empty() {
            admin.clone()
        } else {
            supervisors.get(n % supervisors.len()).cloned().unwrap_or_else(|| admin.clone())
        };
        tokens.push((token, true));
    }
    for n in 0..options.sockets - full_view {
        tokens.push((agents.get(n % agents.len().max(1)).cloned().unwrap_or_else(|| admin.clone()), false));
    }
    let phase_sizes: Vec<usize> =
        options.rates.iter().map(|&r| (u64::from(r) * options.phase_seconds) as usize).collect();
    let recorder = Arc::new(Recorder::new(&phase_sizes));
    println!(
        "==> (b) connecting {} WebSockets ({} admin/supervisor, {} agent)",
        tokens.len(),
        full_view,
        tokens.len() - full_view
    );
    let bases: Vec<String> = std::iter::once(base.clone()).chain(peers.iter().map(|p| p.base.clone())).collect();
    let pids: Vec<u32> = std::iter::once(server.pid).chain(peers.iter().map(|p| p.pid)).collect();
    if !peers.is_empty() {
        println!("    spread over {} instances; the webhooks alternate between them", bases.len());
    }
    let sockets = Sockets::open(&bases, tokens, recorder.clone()).await;
    let sockets_connected = sockets.stats.connected.load(Ordering::Relaxed);
    println!("    {sockets_connected} connected");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_sockets = server.rss_mib();

    let nonce = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or_default();
    let mut inbound = live::Inbound {
        client: &client,
        base: &base,
        peers: bases.get(1..).unwrap_or_default(),
        admin: admin.clone(),
        dataset,
        recorder,
        nonce,
        new_contacts: 0,
    };
    let mut phases = Vec::new();
    for (phase, &rate) in options.rates.iter().enumerate() {
        println!("==> (b) inbound at {rate} msg/s for {} s", options.phase_seconds);
        let meter = CpuMeter::start_all(&pids);
        let mut result = inbound.phase(phase, rate, options.phase_seconds, &sockets).await?;
        result.cpu = meter.stop();
        println!(
            "    {} stored, {} errors, {} skipped, {:.0} msg/s; request p99 {} ms; to socket p50 {} ms p99 {} ms; {} deliveries; {} sockets open",
            result.created,
            result.errors,
            result.skipped,
            result.achieved(),
            ms(result.http.p99, result.http.count),
            ms(result.first.p50, result.first.count),
            ms(result.first.p99, result.first.count),
            result.full_view_deliveries + result.agent_deliveries,
            result.open_sockets,
        );
        if let Some(error) = &result.first_error {
            println!("    first error: {error}");
        }
        phases.push(result);
        if let Some(status) = server.exited() {
            bail!("the server exited during scenario (b) ({status}); see {}", server.log.display());
        }
        for peer in peers.iter_mut() {
            if let Some(status) = peer.exited() {
                bail!("a server instance exited during scenario (b) ({status}); see {}", peer.log.display());
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let rss_after_load = server.rss_mib();
    let reconnects = sockets.stats.reconnects.load(Ordering::Relaxed);
    let full_view_sockets = sockets.full_view;
    sockets.close().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_sockets_closed = server.rss_mib();

    // (c) Idle sockets, then the reconnect storm (admin sockets: they see every event), on one
    // instance.
    let (idle, storm) = if with_list {
        idle_and_storm(&client, &base, &admin, server.pid, dataset, options).await
    } else {
        (storm::IdleResult { wanted: 0, connected: 0, rss_before: None, rss_after: None }, None)
    };

    Ok(Report {
        ceiling: ceilings,
        backend: String::new(),
        list,
        phases,
        sockets: options.sockets,
        sockets_connected,
        full_view_sockets,
        reconnects,
        logins: 1 + supervisors.len() + agents.len(),
        rss_start,
        rss_idle,
        rss_after_list,
        rss_sockets,
        rss_after_load,
        rss_sockets_closed,
        page_sizes,
        idle,
        storm,
    })
}

/// Scenario (c): what idle sockets cost, then the reconnect storm.
async fn idle_and_storm(
    client: &reqwest::Client,
    base: &str,
    admin: &Arc<str>,
    server_pid: u32,
    dataset: &Dataset,
    options: &Options,
) -> (storm::IdleResult, Option<storm::StormResult>) {
    println!("==> (c) {} idle WebSockets", options.idle_sockets);
    let idle = storm::idle_sockets(base, admin, options.idle_sockets, server_pid).await;
    println!(
        "    {} connected; server RSS {} -> {}: {} per socket",
        idle.connected,
        mib(idle.rss_before),
        mib(idle.rss_after),
        idle.per_socket()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "==> (c) reconnect storm: {} sockets drop, {} messages arrive, all resume with since",
        options.storm_sockets, options.storm_messages
    );
    let simulate_url = format!("{base}/api/v1/connections/{}/simulate", dataset.connection_id);
    let storm =
        match storm::reconnect_storm(client, base, admin, &simulate_url, options.storm_sockets, options.storm_messages)
            .await
        {
            Ok(storm) => {
                println!("    {}", storm.outcome());
                Some(storm)
            }
            Err(error) => {
                println!("    the storm failed: {error:#}");
                None
            }
        };

    (idle, storm)
}

fn mib(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.0} MiB")).unwrap_or_else(|| "?".into())
}

impl Report {
    /// A throughput over the bare route's at the same concurrency (0 when there is none).
    fn share_of_ceiling(&self, run: &LoadResult) -> f64 {
        self.ceiling
            .iter()
            .find(|c| c.concurrency == run.concurrency)
            .map(LoadResult::per_second)
            .filter(|&ceiling| ceiling > 0.0)
            .map_or(0.0, |ceiling| run.per_second() / ceiling)
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.idle.wanted > 0 && self.idle.connected == 0 {
            problems.push("(c) no idle socket connected".into());
        }
        if let Some(storm) = &self.storm
            && (storm.resumed < storm.connected || storm.gaps > 0)
        {
            problems.push(format!(
                "(c) storm: {} of {} sockets resumed, {} gaps",
                storm.resumed, storm.connected, storm.gaps
            ));
        }
        for run in &self.list {
            if run.ok == 0 {
                problems.push(format!("(a) {} answered no request successfully", run.name));
            }
        }
        if self.sockets_connected == 0 {
            problems.push("(b) no WebSocket connected".into());
        }
        for phase in &self.phases {
            if phase.created == 0 {
                problems.push(format!("(b) {} msg/s stored no message", phase.rate));
            } else if phase.seen == 0 {
                problems.push(format!("(b) {} msg/s: no message.created reached a socket", phase.rate));
            }
        }
        problems
    }

    fn print(&self, options: &Options, machine: &Machine, dataset: &Dataset) {
        let c = dataset.counts;
        println!();
        println!("================================================================ results: {}", self.backend);
        println!(
            "machine: {} CPUs ({}), {:.1} GiB RAM, Linux {}, {}",
            machine.cpus, machine.cpu_model, machine.memory_gib, machine.kernel, machine.date
        );
        println!(
            "dataset: {} tickets ({} open / {} pending / {} closed), {} messages, {} contacts, {} users, {} queues; seeded in {:.1} s ({:.0} MiB)",
            c.tickets,
            c.open,
            c.pending,
            c.closed,
            c.messages,
            c.contacts,
            c.users,
            c.queues,
            dataset.seconds,
            dataset.db_mib
        );
        println!("{}", self.page_sizes);
        println!(
            "load average (1, 5, 15 min) before the run: {}, at the end: {} (other work on the machine skews the figures)",
            machine.load_before,
            stats::load_average()
        );
        // The two-instance run measures (b) only.
        if !self.list.is_empty() {
            println!();
            println!(
                "(a) ticket list, GET /api/v1/tickets?status=open&limit=40 (closed loop; latencies in ms; CPU ms per request of the server and of this load generator)"
            );
            println!(
                "{:<24} {:>5} {:>8} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
                "scenario",
                "conc",
                "ok",
                "errors",
                "req/s",
                "ceiling",
                "p50",
                "p90",
                "p99",
                "max",
                "srv cpu",
                "cli cpu"
            );
            for run in self.ceiling.iter().chain(&self.list) {
                let l = run.latency;
                println!(
                    "{:<24} {:>5} {:>8} {:>6} {:>8.0} {:>7.2}% {:>8} {:>8} {:>8} {:>8} {:>8.2} {:>8.2}",
                    run.name,
                    run.concurrency,
                    run.ok,
                    run.errors,
                    run.per_second(),
                    self.share_of_ceiling(run) * 100.0,
                    ms(l.p50, l.count),
                    ms(l.p90, l.count),
                    ms(l.p99, l.count),
                    ms(l.max, l.count),
                    run.server_ms_per_request(),
                    run.client_ms_per_request()
                );
            }
        }
        println!();
        println!(
            "(b) inbound through POST /connections/{{id}}/simulate, {} of {} WebSockets connected ({} admin/supervisor), {} s per rate (latencies in ms)",
            self.sockets_connected, self.sockets, self.full_view_sockets, options.phase_seconds
        );
        println!(
            "{:>6} {:>7} {:>7} {:>6} {:>7} {:>7} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>10} {:>8} {:>8} {:>8}",
            "target",
            "sent",
            "stored",
            "errors",
            "skipped",
            "msg/s",
            "req p50",
            "req p99",
            "1st p50",
            "1st p99",
            "all p50",
            "all p99",
            "deliveries",
            "sup/adm",
            "srv cpu",
            "cli cpu"
        );
        for p in &self.phases {
            println!(
                "{:>6} {:>7} {:>7} {:>6} {:>7} {:>7.0} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>10} {:>7.1}% {:>8.2} {:>8.2}",
                p.rate,
                p.planned - p.skipped,
                p.created,
                p.errors,
                p.skipped,
                p.achieved(),
                ms(p.http.p50, p.http.count),
                ms(p.http.p99, p.http.count),
                ms(p.first.p50, p.first.count),
                ms(p.first.p99, p.first.count),
                ms(p.all.p50, p.all.count),
                ms(p.all.p99, p.all.count),
                p.full_view_deliveries + p.agent_deliveries,
                p.full_view_completeness() * 100.0,
                p.server_ms_per_message(),
                p.client_ms_per_message()
            );
        }
        println!(
            "1st = the first socket to get the message.created; all = every socket that got it; sup/adm = deliveries to admin/supervisor sockets over stored × their sockets; srv/cli cpu = CPU ms per stored message of the server / of this load generator"
        );
        println!("socket reconnections (server closed a socket, resumed with since): {}", self.reconnects);
        println!();
        if self.idle.wanted > 0 || self.storm.is_some() {
            println!(
                "(c) {} idle WebSockets: {} connected, server RSS {} -> {}: {} per socket",
                self.idle.wanted,
                self.idle.connected,
                mib(self.idle.rss_before),
                mib(self.idle.rss_after),
                self.idle.per_socket()
            );
            match &self.storm {
                Some(storm) => println!(
                    "(c) reconnect storm: {} sockets dropped at once, {} messages while away, all back with since: {}",
                    storm.sockets,
                    storm.messages_while_away,
                    storm.outcome()
                ),
                None => println!("(c) reconnect storm: did not run to the end (see above)"),
            }
        }
        println!(
            "server RSS: started {}, after the {} logins {}, after (a) {}, {} sockets {}, after the inbound load {}, sockets closed {}",
            mib(self.rss_start),
            self.logins,
            mib(self.rss_idle),
            mib(self.rss_after_list),
            self.sockets_connected,
            mib(self.rss_sockets),
            mib(self.rss_after_load),
            mib(self.rss_sockets_closed)
        );
        // One line for scripts.
        let backend = self
            .backend
            .to_ascii_lowercase()
            .split(|ch: char| !ch.is_ascii_alphanumeric())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        let mut line = format!(
            "BENCH backend={backend} tickets={} messages={} seed_s={:.1}",
            c.tickets, c.messages, dataset.seconds
        );
        for run in &self.list {
            let key: String = run
                .name
                .chars()
                .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
                .collect::<String>()
                .split('_')
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("_");
            line.push_str(&format!(
                " {key}_c{c}_p50={:.2} {key}_c{c}_p99={:.2} {key}_c{c}_rps={:.0} {key}_c{c}_ceiling_pct={:.2}",
                run.latency.p50,
                run.latency.p99,
                run.per_second(),
                self.share_of_ceiling(run) * 100.0,
                c = run.concurrency,
            ));
        }
        for p in &self.phases {
            line.push_str(&format!(
                " in{r}_rate={:.0} in{r}_req_p99={:.2} in{r}_sock_p50={:.2} in{r}_sock_p99={:.2} in{r}_deliveries={}",
                p.achieved(),
                p.http.p99,
                p.first.p50,
                p.first.p99,
                p.full_view_deliveries + p.agent_deliveries,
                r = p.rate
            ));
        }
        line.push_str(&format!(
            " rss_idle_mib={:.0} rss_after_list_mib={:.0} rss_sockets_mib={:.0} rss_after_load_mib={:.0} idle_socket_kib={:.1}",
            self.rss_idle.unwrap_or(0.0),
            self.rss_after_list.unwrap_or(0.0),
            self.rss_sockets.unwrap_or(0.0),
            self.rss_after_load.unwrap_or(0.0),
            self.idle.kib_per_socket().unwrap_or(0.0)
        ));
        if let Some(storm) = &self.storm {
            line.push_str(&format!(
                " storm_sockets={} storm_resumed={} storm_gaps={} storm_p99={:.2}",
                storm.connected, storm.resumed, storm.gaps, storm.resume.p99
            ));
        }
        println!();
        println!("{line}");
    }
}

/// The same scenarios on PostgreSQL: a fresh cluster of the bench's own (durable settings), one
/// server instance for every scenario, then two instances sharing it and a Redis for the inbound
/// one (sockets spread over both, webhooks alternating, so events cross instances through Redis).
/// `Ok(false)` as `run`.
async fn postgres_runs(
    options: &Options,
    machine: &Machine,
    data_dir: &Path,
    ceiling: &ceiling::CeilingServer,
) -> Result<bool> {
    // The instances' data dir (shared, as a volume would be: the same signing key).
    let atende_dir = data_dir.join("pg-instances");
    std::fs::create_dir_all(&atende_dir).with_context(|| format!("creating {}", atende_dir.display()))?;
    println!();
    println!("==> PostgreSQL: a new cluster");
    let mut postgres = services::Postgres::start(data_dir).await?;
    println!("    {}", postgres.describe().await?);
    println!("    {} (log: {})", postgres.url, postgres.dir.join("postgres.log").display());
    let mut env = vec![("ATENDE_DATABASE_URL", postgres.url.clone())];
    let started = Instant::now();
    server::run_with(&options.atende, &atende_dir, &["migrate"], &env).await?;
    server::run_with(
        &options.atende,
        &atende_dir,
        &["create-admin", "--email", seed::ADMIN_EMAIL, "--password", seed::PASSWORD, "--name", "Admin Bench"],
        &env,
    )
    .await?;
    println!("==> seeding PostgreSQL (schema and admin took {:.1} s)", started.elapsed().as_secs_f64());
    let dataset = seed::seed(&postgres.url, options.scale).await?;
    println!("    seeded in {:.1} s; database {:.0} MiB", dataset.seconds, dataset.db_mib);

    let mut healthy = true;
    let mut verdict = |report: &Report, died: Option<std::process::ExitStatus>, log: &Path| {
        if let Some(status) = died {
            eprintln!("a server exited during the run ({status}); see {}", log.display());
            healthy = false;
        }
        for problem in report.problems() {
            eprintln!("no data ({}): {problem}", report.backend);
            healthy = false;
        }
    };

    let mut server = Server::start_with(&options.atende, &atende_dir, "server.log", &env).await?;
    println!("==> server on PostgreSQL: pid {} on {} (log: {})", server.pid, server.base, server.log.display());
    let outcome = scenarios(&mut server, &mut [], ceiling, &dataset, options, true).await;
    let died = server.exited();
    let log = server.log.clone();
    server.stop().await?;
    let mut report = outcome?;
    report.backend = "PostgreSQL".into();
    report.print(options, machine, &dataset);
    verdict(&report, died, &log);

    let redis = services::Redis::start(data_dir).await?;
    env.push(("ATENDE_REDIS_URL", redis.url.clone()));
    println!();
    println!("==> two instances on PostgreSQL + Redis ({})", redis.url);
    let mut first = Server::start_with(&options.atende, &atende_dir, "server-1.log", &env).await?;
    let mut second = Server::start_with(&options.atende, &atende_dir, "server-2.log", &env).await?;
    println!("    pid {} on {}, pid {} on {}", first.pid, first.base, second.pid, second.base);
    let outcome = scenarios(&mut first, std::slice::from_mut(&mut second), ceiling, &dataset, options, false).await;
    let died = first.exited().or(second.exited());
    let log = if first.exited().is_some() { first.log.clone() } else { second.log.clone() };
    first.stop().await?;
    second.stop().await?;
    redis.stop().await;
    postgres.stop();
    let mut report = outcome?;
    report.backend = "PostgreSQL, 2 instances + Redis".into();
    report.print(options, machine, &dataset);
    verdict(&report, died, &log);
    Ok(healthy)
}
