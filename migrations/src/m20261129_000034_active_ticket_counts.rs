//! Issue 13: the dashboard's open and pending figures from counts the writes keep, not from a walk
//! of every active ticket (30,000 index entries a request at the bench's scale).
//!
//! `active_ticket_counts` holds, per company, status (open or pending), queue and agent, how many
//! tickets stand there; no queue and no agent are 0, so the key has no NULL and an upsert can find
//! its row. Triggers on `tickets` keep it exact on every insert, move and delete, whoever writes
//! (the server, a cascade, an operator's SQL). On PostgreSQL they run once per statement over its
//! transition tables and touch the counts in key order: two statements moving tickets in opposite
//! directions then wait for each other instead of deadlocking, and a statement that moves no
//! ticket (a new message, a read) touches no count. No foreign key to `companies`: a company's
//! deletion removes its tickets first, and their triggers must still find (or make) the row.
//!
//! `idx_tickets_company_created` gives the count of tickets created today from today's range.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ActiveTicketCounts {
    Table,
    CompanyId,
    Status,
    QueueId,
    UserId,
    Tickets,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    CompanyId,
    CreatedAt,
    Status,
    QueueId,
    UserId,
}

const CREATED_INDEX: &str = "idx_tickets_company_created";

const BACKFILL: &str = "INSERT INTO active_ticket_counts (company_id, status, queue_id, user_id, tickets)
    SELECT company_id, status, COALESCE(queue_id, 0), COALESCE(user_id, 0), COUNT(*) FROM tickets
    WHERE status <> 'closed' GROUP BY company_id, status, COALESCE(queue_id, 0), COALESCE(user_id, 0)";

/// SQLite has one writer at a time, so row triggers and their upserts cannot deadlock. The
/// `WHERE` before `ON CONFLICT` is required: without it SQLite's parser could read `ON` as a join.
const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER active_ticket_counts_insert AFTER INSERT ON tickets WHEN new.status <> 'closed' BEGIN
        INSERT INTO active_ticket_counts (company_id, status, queue_id, user_id, tickets)
        SELECT new.company_id, new.status, COALESCE(new.queue_id, 0), COALESCE(new.user_id, 0), 1 WHERE true
        ON CONFLICT (company_id, status, queue_id, user_id) DO UPDATE SET tickets = tickets + excluded.tickets;
     END",
    "CREATE TRIGGER active_ticket_counts_update AFTER UPDATE OF status, queue_id, user_id ON tickets
     WHEN old.status IS NOT new.status OR old.queue_id IS NOT new.queue_id OR old.user_id IS NOT new.user_id BEGIN
        INSERT INTO active_ticket_counts (company_id, status, queue_id, user_id, tickets)
        SELECT old.company_id, old.status, COALESCE(old.queue_id, 0), COALESCE(old.user_id, 0), -1
        WHERE old.status <> 'closed'
        ON CONFLICT (company_id, status, queue_id, user_id) DO UPDATE SET tickets = tickets + excluded.tickets;
        INSERT INTO active_ticket_counts (company_id, status, queue_id, user_id, tickets)
        SELECT new.company_id, new.status, COALESCE(new.queue_id, 0), COALESCE(new.user_id, 0), 1
        WHERE new.status <> 'closed'
        ON CONFLICT (company_id, status, queue_id, user_id) DO UPDATE SET tickets = tickets + excluded.tickets;
     END",
    "CREATE TRIGGER active_ticket_counts_delete AFTER DELETE ON tickets WHEN old.status <> 'closed' BEGIN
        INSERT INTO active_ticket_counts (company_id, status, queue_id, user_id, tickets)
        SELECT old.company_id, old.status, COALESCE(old.queue_id, 0), COALESCE(old.user_id, 0), -1 WHERE true
        ON CONFLICT (company_id, status, queue_id, user_id) DO UPDATE SET tickets = tickets + excluded.tickets;
     END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS active_ticket_counts_delete",
    "DROP TRIGGER IF EXISTS active_ticket_counts_update",
    "DROP TRIGGER IF EXISTS active_ticket_counts_insert",
];

/// The changes of one statement (`sides`: the rows leaving, -1, and arriving, +1), summed per key
/// and applied in key order. A sum of 0 (a statement that moved no ticket) takes no lock.
fn postgres_function(name: &str, sides: &[(&str, i64)]) -> String {
    let changes = sides
        .iter()
        .map(|(rows, delta)| {
            format!(
                "SELECT company_id, status, COALESCE(queue_id, 0) AS queue_id, COALESCE(user_id, 0) AS user_id, \
                 {delta}::bigint AS delta FROM {rows} WHERE status <> 'closed'"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    format!(
        "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         INSERT INTO active_ticket_counts (company_id, status, queue_id, user_id, tickets)
         SELECT company_id, status, queue_id, user_id, SUM(delta) FROM ({changes}) AS changes
         GROUP BY company_id, status, queue_id, user_id HAVING SUM(delta) <> 0
         ORDER BY company_id, status, queue_id, user_id
         ON CONFLICT (company_id, status, queue_id, user_id)
         DO UPDATE SET tickets = active_ticket_counts.tickets + excluded.tickets;
         RETURN NULL; END $$"
    )
}

fn postgres_up() -> Vec<String> {
    vec![
        postgres_function("active_ticket_counts_inserted", &[("new_rows", 1)]),
        postgres_function("active_ticket_counts_updated", &[("old_rows", -1), ("new_rows", 1)]),
        postgres_function("active_ticket_counts_deleted", &[("old_rows", -1)]),
        "CREATE TRIGGER active_ticket_counts_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION active_ticket_counts_inserted()"
            .to_owned(),
        "CREATE TRIGGER active_ticket_counts_update AFTER UPDATE ON tickets
         REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION active_ticket_counts_updated()"
            .to_owned(),
        "CREATE TRIGGER active_ticket_counts_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS old_rows
         FOR EACH STATEMENT EXECUTE FUNCTION active_ticket_counts_deleted()"
            .to_owned(),
    ]
}

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS active_ticket_counts_delete ON tickets",
    "DROP TRIGGER IF EXISTS active_ticket_counts_update ON tickets",
    "DROP TRIGGER IF EXISTS active_ticket_counts_insert ON tickets",
    "DROP FUNCTION IF EXISTS active_ticket_counts_deleted()",
    "DROP FUNCTION IF EXISTS active_ticket_counts_updated()",
    "DROP FUNCTION IF EXISTS active_ticket_counts_inserted()",
];

async fn run(manager: &SchemaManager<'_>, statements: &[impl AsRef<str>]) -> Result<(), DbErr> {
    for statement in statements {
        manager.get_connection().execute_unprepared(statement.as_ref()).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ActiveTicketCounts as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(big_integer(C::CompanyId))
                    .col(string_len(C::Status, 16))
                    .col(big_integer(C::QueueId))
                    .col(big_integer(C::UserId))
                    .col(big_integer(C::Tickets))
                    .primary_key(Index::create().col(C::CompanyId).col(C::Status).col(C::QueueId).col(C::UserId))
                    .to_owned(),
            )
            .await?;
        manager.get_connection().execute_unprepared(BACKFILL).await?;
        match manager.get_database_backend() {
            DbBackend::Sqlite => run(manager, SQLITE_UP).await?,
            DbBackend::Postgres => run(manager, &postgres_up()).await?,
            _ => {}
        }
        manager
            .create_index(
                Index::create()
                    .name(CREATED_INDEX)
                    .table(Tickets::Table)
                    .col(Tickets::CompanyId)
                    .col(Tickets::CreatedAt)
                    .col(Tickets::Status)
                    .col(Tickets::QueueId)
                    .col(Tickets::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(CREATED_INDEX).table(Tickets::Table).to_owned()).await?;
        match manager.get_database_backend() {
            DbBackend::Sqlite => run(manager, SQLITE_DOWN).await?,
            DbBackend::Postgres => run(manager, POSTGRES_DOWN).await?,
            _ => {}
        }
        manager.drop_table(Table::drop().table(ActiveTicketCounts::Table).to_owned()).await
    }
}
