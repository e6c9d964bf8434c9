//! Everything that speaks SQL. Reads take any `ConnectionTrait` (the pool or a transaction);
//! writes take a [`WriteTx`], so none can skip SQLite's write turn. Ids arrive typed.

pub mod access;
pub mod api_tokens;
pub mod bots;
pub mod companies;
pub mod connections;
pub mod contact_imports;
pub mod contacts;
pub mod counters;
pub mod dashboard;
pub mod entities;
pub mod enums;
pub mod events;
pub mod kanban;
pub mod messages;
pub mod notes;
pub mod outbox;
pub mod outgoing_webhooks;
pub mod protocols;
pub mod queues;
pub mod quick_replies;
pub mod ratings;
pub mod schedules;
pub mod sessions;
pub mod settings;
pub mod stickers;
pub mod tags;
pub mod ticket_logs;
pub mod tickets;
pub mod users;
pub mod whatsapp_web;
pub mod write;

pub use write::{WriteTurn, WriteTx};

use std::time::Duration;

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

use crate::config::Config;

pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let memory = config.database_url.contains(":memory:");
    if config.is_sqlite() && !memory {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating the data dir {}", config.data_dir.display()))?;
    }
    let mut options = ConnectOptions::new(config.database_url.clone());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(pool_size(config, memory))
        .min_connections(1)
        // Each pooled connection keeps a page cache of its own (2 MiB by default): 1 MiB each
        // bounds the pool's at 8 MiB on SQLite; pages past it come from the OS's file cache.
        .map_sqlx_sqlite_opts(|sqlite| sqlite.pragma("cache_size", "-1024"));
    if config.is_sqlite() {
        // sqlx pings a connection on every checkout by default: on SQLite that is one more
        // round trip to the connection's thread for every statement (a third of a statement's
        // cost; issue 13), and an in-process database cannot have gone away.
        options.test_before_acquire(false);
    } else {
        // A PostgreSQL connection can die while idle (a restart, a proxy); one that was in use
        // a moment ago has just been checked on its release, so only idle ones are pinged.
        options.test_before_acquire_if_idle_for(Duration::from_secs(1));
    }
    let db = Database::connect(options)
        .await
        .with_context(|| format!("connecting to {}", crate::config::redact_url(&config.database_url)))?;
    if config.is_sqlite() && !memory {
        // WAL lets readers proceed while one writer commits; the setting is kept in the file.
        db.execute_unprepared("PRAGMA journal_mode=WAL").await.context("enabling WAL")?;
    }
    Ok(db)
}

/// Connections in the pool. An in-memory SQLite database exists once per connection, so it must
/// have only one. Otherwise `ATENDE_DATABASE_POOL`, else 8 for a SQLite file: each connection is a
/// thread of sqlx's with a page cache of its own, and under the bench's list load 16 of them held
/// about 27 MiB more than 8 (98 → 72 MiB; issue 13). PostgreSQL works in processes of its own: 16.
fn pool_size(config: &Config, memory: bool) -> u32 {
    match (memory, config.database_pool, config.is_sqlite()) {
        (true, _, _) => 1,
        (false, Some(size), _) => size,
        (false, None, true) => 8,
        (false, None, false) => 16,
    }
}

/// One connection for the several reads of a request, in a transaction that sees one state of the
/// database. Every statement on the pool checks a connection out and back in, and sqlx tests each
/// returned connection with a round trip (on SQLite, to the connection's thread): a list or the
/// dashboard, eight to twelve statements, paid that many times over (issue 13). Commit it at the
/// end; dropped, it rolls back, which for reads is the same.
pub async fn snapshot(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    db.begin().await
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("applying migrations")
}

pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

/// Whether `error` means the database cannot be reached right now (no connection, the connection
/// cut, the server shutting down or refusing connections) rather than a fault in the request or the
/// code: the request may succeed when tried again, so it is answered 503, not 500.
pub fn is_unavailable(error: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    let sqlx_error = match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx_error.as_ref() {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL: class 08 (connection exception), 57P01-03 (shutting down, crashed, not yet
        // accepting connections), 53300 (too many connections).
        sqlx::Error::Database(db) => {
            db.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P") || code == "53300")
        }
        _ => false,
    }
}

/// The unique constraints a write can hit that mean "taken" to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueKey {
    UserEmail,
    QueueName,
    ContactNumber,
    /// One open or pending ticket per contact and connection.
    ActiveTicket,
    /// One shortcut per company and scope (the company, or one queue).
    QuickReplyShortcut,
    TagName,
}

impl UniqueKey {
    const ALL: [UniqueKey; 6] = [
        UniqueKey::UserEmail,
        UniqueKey::QueueName,
        UniqueKey::ContactNumber,
        UniqueKey::ActiveTicket,
        UniqueKey::QuickReplyShortcut,
        UniqueKey::TagName,
    ];

    /// (PostgreSQL's constraint name, SQLite's column list) as the migrations create them.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            UniqueKey::UserEmail => ("users_email_key", "users.email"),
            UniqueKey::QueueName => ("uq_queues_company_name", "queues.company_id, queues.name"),
            UniqueKey::ContactNumber => ("uq_contacts_company_number", "contacts.company_id, contacts.number"),
            UniqueKey::ActiveTicket => ("uq_tickets_one_active", "tickets.contact_id, tickets.connection_id"),
            // An expression index: SQLite names the index instead of listing columns.
            UniqueKey::QuickReplyShortcut => ("uq_quick_replies_shortcut", "index 'uq_quick_replies_shortcut'"),
            UniqueKey::TagName => ("uq_tags_company_name", "tags.company_id, tags.name"),
        }
    }

    /// The constraint a write failed on: PostgreSQL names it (`… unique constraint "uq_x"`),
    /// SQLite lists its columns (`UNIQUE constraint failed: t.a, t.b`).
    pub fn of(error: &sea_orm::DbErr) -> Option<UniqueKey> {
        let Some(sea_orm::SqlErr::UniqueConstraintViolation(message)) = error.sql_err() else {
            return None;
        };
        Self::ALL.into_iter().find(|key| {
            let (constraint, columns) = key.names();
            message.contains(&format!("\"{constraint}\""))
                || message.trim_end().ends_with(&format!("failed: {columns}"))
        })
    }
}

/// `lower(column) LIKE '%term%'`, case-insensitive the same way on SQLite and PostgreSQL (whose
/// plain LIKE is case-sensitive). `%` and `_` in the term match themselves literally: they are dropped.
pub fn contains_ci(column: impl sea_orm::sea_query::IntoColumnRef, term: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    let pattern = format!("%{}%", term.to_lowercase().replace(['%', '_', '\\'], ""));
    Expr::expr(Func::lower(Expr::col(column))).like(pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Config {
        let vars: std::collections::HashMap<String, String> =
            vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_lookup(|name| vars.get(name).cloned()).expect("a valid configuration")
    }

    #[test]
    fn the_pool_is_8_for_a_sqlite_file_16_for_postgresql_1_in_memory_unless_configured() {
        let postgres = ("ATENDE_DATABASE_URL", "postgres://atende@127.0.0.1/atende");
        assert_eq!(pool_size(&config(&[]), false), 8);
        assert_eq!(pool_size(&config(&[postgres]), false), 16);
        assert_eq!(pool_size(&config(&[("ATENDE_DATABASE_POOL", "4")]), false), 4);
        assert_eq!(pool_size(&config(&[postgres, ("ATENDE_DATABASE_POOL", "40")]), false), 40);
        assert_eq!(pool_size(&config(&[("ATENDE_DATABASE_POOL", "4")]), true), 1);
    }
}
