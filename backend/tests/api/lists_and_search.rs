//! Issue 13: the ticket tabs, the search and the dashboard read through indexes (their query plans,
//! taken from the statements the store really runs), and what the search finds and refuses.

use atende::store::tickets::{TicketFilter, TicketOrder, page_statements, search_statements};
use chrono::Utc;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::json;
use shared::auth::Role;
use shared::tickets::{TicketSearch, TicketStatus};
use shared::visibility::Viewer;
use shared::{CompanyId, QueueId, UserId};

use crate::helpers::{Desk, assert_error, desk};

/// What a plan must not do: read a whole table of tickets or messages, or sort in a temporary
/// structure where an index gives the order (`sort_allowed`: the statement sorts a bounded set).
async fn plan_problems(
    db: &impl ConnectionTrait,
    name: &str,
    statement: &Statement,
    sort_allowed: bool,
) -> Vec<String> {
    let backend = db.get_database_backend();
    let lines: Vec<String> = match backend {
        DbBackend::Sqlite => {
            let explain = Statement::from_sql_and_values(
                backend,
                format!("EXPLAIN QUERY PLAN {}", statement.sql),
                statement.values.clone().map(|v| v.0).unwrap_or_default(),
            );
            let rows = db.query_all_raw(explain).await.expect("explain");
            rows.iter().map(|row| row.try_get_by::<String, _>("detail").expect("detail")).collect()
        }
        _ => {
            let explain = Statement::from_sql_and_values(
                backend,
                format!("EXPLAIN {}", statement.sql),
                statement.values.clone().map(|v| v.0).unwrap_or_default(),
            );
            let rows = db.query_all_raw(explain).await.expect("explain");
            rows.iter().map(|row| row.try_get_by_index::<String>(0).expect("plan line")).collect()
        }
    };
    let full_scan = |line: &str| match backend {
        DbBackend::Sqlite => {
            let tables = ["tickets", "messages", "contacts", "ticket_logs"];
            tables.iter().any(|table| {
                line.strip_prefix(&format!("SCAN {table}"))
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(' ') && !rest.starts_with(" VIRTUAL"))
                    // An index read of the company's tickets or logs is a scan too (without
                    // statistics SQLite takes `company_id = ?` for a few rows). A later word of a
                    // contact's name is meant to walk their covering index of names, to a limit.
                    || *table != "contacts"
                        && line.starts_with(&format!("SEARCH {table} "))
                        && line.ends_with(" (company_id=?)")
            })
        }
        _ => ["Seq Scan on tickets", "Seq Scan on messages", "Seq Scan on contacts", "Seq Scan on ticket_logs"]
            .iter()
            .any(|s| line.contains(s)),
    };
    let sorts = |line: &str| match backend {
        DbBackend::Sqlite => line.contains("USE TEMP B-TREE"),
        _ => line.trim_start().trim_start_matches("->  ").starts_with("Sort") || line.contains("Incremental Sort"),
    };
    let mut problems: Vec<String> =
        lines.iter().filter(|line| full_scan(line) || !sort_allowed && sorts(line)).cloned().collect();
    // A search's page must start from its ids, not walk the tab's index testing each row (SQLite
    // has no statistics to tell it the list is short; PostgreSQL's are gathered by autovacuum).
    if name.starts_with("search page")
        && backend == DbBackend::Sqlite
        && !lines.iter().any(|line| line.contains("INTEGER PRIMARY KEY"))
    {
        problems.push("not led by the ids".into());
    }
    // The dashboard's today-only reads must start from today's range, not walk a whole index
    // (a `SEARCH` of every closed ticket or every log in another order is no scan, but as slow).
    // An agent's figures start from their own side instead: their closed tickets' range, their
    // tickets (or those queued today in their queues) and then each one's logs.
    let reads = |index: &str| lines.iter().any(|line| line.contains(index));
    let agent = name.contains(", agent");
    if backend == DbBackend::Sqlite {
        let closed_today =
            if agent { "idx_tickets_company_status_user_closed" } else { "idx_tickets_company_status_closed" };
        if name.starts_with("dashboard, closed today") && !reads(closed_today) {
            problems.push("closed today not read from today's range".into());
        }
        if name.starts_with("dashboard, created today") && !reads("idx_tickets_company_created") {
            problems.push("created today not read from today's range".into());
        }
        let agents_tickets = || {
            lines.iter().any(|line| {
                line.starts_with("SEARCH tickets USING INDEX")
                    && (line.contains("user_id=?") || line.contains("queued_at>?"))
            })
        };
        let logs_of_today = if agent {
            agents_tickets() && reads("idx_ticket_logs_ticket")
        } else {
            reads("idx_ticket_logs_company_created_kind")
        };
        if name.starts_with("dashboard logs of today") && !logs_of_today {
            problems.push("today's logs not read from today's range".into());
        }
    }
    if problems.is_empty() { problems } else { vec![format!("{}\n  plan: {}", statement.sql, lines.join(" | "))] }
}

/// Plans are taken as the planner would choose with every index available but with sequential
/// scans and sorts priced out (PostgreSQL's test tables are tiny: a scan is always cheapest
/// there, so the question is only whether an index *can* serve the shape).
async fn explain_all(
    app: &crate::helpers::TestApp,
    shapes: &[(String, Statement, bool)],
    statistics: Statistics,
) -> Vec<String> {
    let txn = app.state.db.begin().await.expect("begin");
    if txn.get_database_backend() == DbBackend::Sqlite {
        // EXPLAIN reads no table, so it would not notice a schema changed by another connection
        // of the pool; a read does.
        txn.execute_unprepared("SELECT count(*) FROM sqlite_master").await.expect("schema");
        if statistics == Statistics::OfTheBench {
            txn.execute_unprepared("ANALYZE").await.expect("analyze");
            txn.execute_unprepared("DELETE FROM sqlite_stat1").await.expect("clear statistics");
            for (table, index, stat) in BENCH_STATISTICS {
                let insert = Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)",
                    [(*table).into(), (*index).into(), (*stat).into()],
                );
                txn.execute_raw(insert).await.expect("a statistic");
            }
            // Makes the planner read the statistics again (SQLite's documented way).
            txn.execute_unprepared("ANALYZE sqlite_schema").await.expect("reload statistics");
        }
    }
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.expect("seqscan off");
        txn.execute_unprepared("SET LOCAL enable_sort = off").await.expect("sort off");
    }
    let mut problems = Vec::new();
    for (name, statement, sort_allowed) in shapes {
        for problem in plan_problems(&txn, name, statement, *sort_allowed).await {
            problems.push(format!("{name}: {problem}"));
        }
    }
    txn.rollback().await.expect("rollback");
    problems
}

/// Which statistics SQLite plans with: none (the server never runs ANALYZE) or those `ANALYZE`
/// gathered on the bench's database (one company of 100,000 tickets), so a plan that is right
/// only without statistics is noticed too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Statistics {
    None,
    OfTheBench,
}

/// `sqlite_stat1` after `make bench` seeded and analysed its database: (table, index, stat).
const BENCH_STATISTICS: &[(&str, Option<&str>, &str)] = &[
    ("contacts", Some("idx_contacts_company_name_folded"), "50000 50000 3"),
    ("contacts", Some("idx_contacts_wallet_user"), "50000 50000 50000"),
    ("contacts", Some("uq_contacts_company_number"), "50000 50000 1"),
    ("messages", Some("idx_messages_ticket"), "1000308 11 1"),
    ("messages", Some("uq_messages_connection_external"), "1000308 1000308 2"),
    ("ticket_logs", Some("idx_ticket_logs_company_created_kind"), "260164 260164 1 1 1"),
    ("ticket_logs", Some("idx_ticket_logs_ticket"), "260164 3 1"),
    ("tickets", Some("idx_tickets_company_contact"), "100294 100294 3 1"),
    ("tickets", Some("idx_tickets_company_created"), "100294 100294 1 1 1 1"),
    ("tickets", Some("idx_tickets_company_status_closed"), "100294 100294 33432 2"),
    ("tickets", Some("idx_tickets_company_status_queue_queued"), "100294 100294 33432 1672 1 1"),
    ("tickets", Some("idx_tickets_company_status_queued"), "100294 100294 33432 1 1"),
    ("tickets", Some("idx_tickets_company_status_user_closed"), "100294 100294 33432 251 2"),
    ("tickets", Some("idx_tickets_company_status_updated"), "100294 100294 33432 1 1"),
    ("tickets", Some("idx_tickets_company_status_user_queued"), "100294 100294 33432 251 1 1"),
    ("tickets", Some("idx_tickets_company_status_user_updated"), "100294 100294 33432 251 1 1"),
    ("tickets", Some("uq_tickets_company_number"), "100294 100294 1"),
    ("tickets", Some("uq_tickets_one_active"), "30189 1 1"),
];

fn shapes(backend: DbBackend, company: CompanyId, admin: &Viewer, agent: &Viewer) -> Vec<(String, Statement, bool)> {
    let mut shapes = Vec::new();
    let deep = Some((Utc::now(), 1_000_000));
    for status in [TicketStatus::Open, TicketStatus::Pending, TicketStatus::Closed] {
        let order = if status == TicketStatus::Pending { TicketOrder::QueuedAsc } else { TicketOrder::UpdatedDesc };
        let filter = TicketFilter { status: Some(status), ..Default::default() };
        for (who, viewer) in [("admin", admin), ("agent", agent)] {
            for (page, after) in [("page 1", None), ("deep page", deep)] {
                for (branch, statement) in
                    page_statements(backend, company, &filter, viewer, order, after, 40, None).into_iter().enumerate()
                {
                    shapes.push((format!("{status:?} tab, {who}, {page}, branch {branch}"), statement, false));
                }
            }
        }
    }
    for q in ["joao", "conceicao", "2198765", "#42", "42", "20261128-000042", "boleto atrasado"] {
        let search = TicketSearch::parse(q).expect("a search");
        for (n, statement) in search_statements(backend, company, &search).into_iter().enumerate() {
            shapes.push((format!("search {q:?}, statement {n}"), statement, false));
        }
    }
    // The page of what a search found: a bounded set of ids, sorted (at most a few thousand).
    for (status, order) in
        [(TicketStatus::Open, TicketOrder::UpdatedDesc), (TicketStatus::Pending, TicketOrder::QueuedAsc)]
    {
        let filter = TicketFilter { status: Some(status), ..Default::default() };
        for (who, viewer) in [("admin", admin), ("agent", agent)] {
            for statement in page_statements(backend, company, &filter, viewer, order, None, 40, Some(&[1, 2, 3])) {
                shapes.push((format!("search page, {status:?}, {who}"), statement, true));
            }
        }
    }
    let day_start = Utc::now();
    for (who, viewer) in [("admin", admin), ("agent", agent)] {
        // Closed today: a bounded range grouped by queue and agent; created today: a bounded range.
        for statement in atende::store::dashboard::closed_today_statements(backend, company, viewer, day_start) {
            shapes.push((format!("dashboard, closed today, {who}"), statement, true));
        }
        let created = atende::store::dashboard::created_today_statement(backend, company, viewer, day_start);
        shapes.push((format!("dashboard, created today, {who}"), created, false));
        for (branch, times) in
            atende::store::dashboard::times_statements(backend, company, viewer, day_start).into_iter().enumerate()
        {
            // One row per ticket: grouped in a temporary structure.
            shapes.push((format!("dashboard logs of today, {who}, branch {branch}"), times, true));
        }
    }
    shapes
}

#[tokio::test]
async fn every_tab_search_and_dashboard_query_reads_through_an_index() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (agent_id, _agent) = app.user(&admin, "agente@test.local", "agent", &[queue]).await;
    let (_, me) = app.get("/api/v1/me", &admin).await;
    let company = CompanyId(me["company_id"].as_i64().expect("company"));
    // A few rows, so the planner has tables to look at.
    for i in 0..5 {
        app.inbound(&admin, connection, &format!("1198765000{i}"), "boleto atrasado").await;
    }
    let backend = app.state.db.get_database_backend();
    // No ANALYZE: the server never runs one, so SQLite plans from its defaults, as in production.
    let admin_viewer = Viewer { user_id: UserId(1), role: Role::Admin, queue_ids: Vec::new() };
    let agent_viewer = Viewer { user_id: UserId(agent_id), role: Role::Agent, queue_ids: vec![QueueId(queue)] };
    let shapes = shapes(backend, company, &admin_viewer, &agent_viewer);
    assert!(shapes.len() > 30, "every shape is there: {}", shapes.len());
    let problems = explain_all(&app, &shapes, Statistics::None).await;
    assert!(problems.is_empty(), "plans that scan or sort:\n{}", problems.join("\n"));
    if backend == DbBackend::Sqlite {
        let problems = explain_all(&app, &shapes, Statistics::OfTheBench).await;
        assert!(problems.is_empty(), "with the bench's statistics, plans that scan or sort:\n{}", problems.join("\n"));
    }

    // The check can fail: without the pending tab's index, that tab sorts (or scans).
    app.state.db.execute_unprepared("DROP INDEX idx_tickets_company_status_queued").await.expect("drop index");
    let problems = explain_all(&app, &shapes, Statistics::None).await;
    assert!(problems.iter().any(|p| p.starts_with("Pending tab, admin")), "a dropped index is noticed: {problems:?}");
}

#[tokio::test]
async fn search_folds_accents_and_finds_numbers_protocols_and_words_but_not_signatures() {
    let Desk { app, admin, connection, .. } = desk().await;
    let joao = json!({"from": "21987650001", "name": "João Conceição", "body": "preciso da segunda via"});
    let (_, joao) = app.customer_writes(&admin, connection, joao).await;
    let joao = joao["ticket_id"].as_i64().expect("ticket");
    let maria = app.inbound(&admin, connection, "11912340002", "meu boleto venceu").await;
    let pedro = app.inbound(&admin, connection, "11912340003", "outro boleto, por favor").await;

    assert_eq!(app.ticket_ids(&admin, "q=joao").await, [joao], "accents and case folded");
    assert_eq!(app.ticket_ids(&admin, "q=JOÃO%20conc").await, [joao], "a prefix of the whole name");
    assert_eq!(app.ticket_ids(&admin, "q=conceicao").await, [joao], "a later word of the name");
    assert_eq!(app.ticket_ids(&admin, "q=ceicao").await, Vec::<i64>::new(), "words match from their start");
    assert_eq!(app.ticket_ids(&admin, "q=219876").await, [joao], "the first digits of the number");
    assert_eq!(app.ticket_ids(&admin, "q=(21)%2098765").await, [joao], "typed like a phone number");
    let number = app.ticket(&admin, pedro).await["number"].as_i64().expect("number");
    assert_eq!(app.ticket_ids(&admin, &format!("q=%23{number}")).await, [pedro], "#N is the ticket number");
    // A common word: the newest matches first, every one of them here.
    let mut found = app.ticket_ids(&admin, "q=boleto").await;
    found.sort_unstable();
    assert_eq!(found, [maria, pedro]);

    // A protocol number, exactly.
    let (status, protocol) = app.post(&format!("/api/v1/tickets/{maria}/protocols"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{protocol}");
    let protocol = protocol["number"].as_str().expect("protocol number").to_owned();
    assert_eq!(app.ticket_ids(&admin, &format!("q={protocol}")).await, [maria]);

    // The admin (signature on, by default) answers: their name opens the stored message, but a
    // search for it finds nothing; the words they wrote are found.
    let (status, _) = app.act(&admin, joao, "accept", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, sent) =
        app.post(&format!("/api/v1/tickets/{joao}/messages"), &admin, json!({"body": "segue o comprovante"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert!(sent["body"].as_str().is_some_and(|b| b.starts_with("*Admin*:")), "signed: {sent}");
    assert_eq!(app.ticket_ids(&admin, "status=open&q=admin").await, Vec::<i64>::new(), "the signature is not searched");
    assert_eq!(app.ticket_ids(&admin, "status=open&q=comprovante").await, [joao]);
}

#[tokio::test]
async fn searches_past_the_limit_are_refused_with_503_not_queued() {
    let Desk { app, admin, connection, .. } = desk().await;
    let ticket = app.inbound(&admin, connection, "11987650001", "boleto").await;
    // Every search slot taken, as by searches still running.
    let slots = app.state.config.search_concurrency as u32;
    let held = app.state.search_slots.clone().try_acquire_many_owned(slots).expect("the slots");

    let response = app.client.get(app.url("/api/v1/tickets?q=boleto")).bearer_auth(&admin).send().await.expect("get");
    assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
    let (status, body) = crate::helpers::read(response).await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "search_busy");
    // The lists themselves are not held back.
    assert_eq!(app.ticket_ids(&admin, "status=pending").await, [ticket]);

    drop(held);
    assert_eq!(app.ticket_ids(&admin, "q=boleto").await, [ticket], "a free slot searches again");
}

#[tokio::test]
async fn an_agent_pending_tab_merges_their_queues_no_queue_and_their_own() {
    let Desk { app, admin, queue, connection } = desk().await;
    let other_queue = app.queue(&admin, "Vendas").await;
    let (_, agent) = app.user(&admin, "agente@test.local", "agent", &[queue]).await;
    let in_queue = app.inbound(&admin, connection, "11987650001", "oi").await;
    let elsewhere = app.inbound(&admin, connection, "11987650002", "oi").await;
    let (status, _) = app.act(&admin, elsewhere, "transfer", json!({"queue_id": other_queue})).await;
    assert!(status.is_success(), "{status}");
    let later = app.inbound(&admin, connection, "11987650003", "oi").await;
    // Longest waiting first, across the branches, one page at a time.
    let mut seen = Vec::new();
    let mut path = "/api/v1/tickets?status=pending&limit=1".to_owned();
    loop {
        let (status, page) = app.get(&path, &agent).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(page["items"].as_array().expect("items").iter().map(|t| t["id"].as_i64().unwrap_or_default()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/tickets?status=pending&limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, [in_queue, later], "not the ticket of a queue that is not theirs");
}
