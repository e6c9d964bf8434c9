//! Issue 13: every ticket tab (admin and agent), the search and the dashboard answered from an
//! index. The list's keyset order needs one index per shape the store asks for (see
//! `store::tickets::page_statements`); contact names get a folded copy (`name_folded`: lower case,
//! accents removed, kept by the store on every write) searched by prefix; the message text index
//! leaves out the agent's signature that opens every message they send.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement, TryGetable};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Tickets {
    Table,
    CompanyId,
    Status,
    QueueId,
    UserId,
    ContactId,
    QueuedAt,
    UpdatedAt,
    ClosedAt,
    CreatedAt,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    CompanyId,
    NameFolded,
}

/// Lower case without accents, so "João" and "JOAO" are both found by "joao". The store folds with
/// the same function on every write; this migration folds the existing rows with it.
pub fn fold_for_search(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        folded.push(match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
            'ý' | 'ÿ' => 'y',
            'ś' | 'š' => 's',
            'ź' | 'ż' | 'ž' => 'z',
            'ł' => 'l',
            other => other,
        });
    }
    folded
}

/// (name, columns) of the new ticket indexes; `id` last so PostgreSQL too reads the keyset order
/// straight from the index.
const TICKET_INDEXES: &[(&str, &[Tickets])] = &[
    // Pending tab, admin: who waited longest first.
    ("idx_tickets_company_status_queued", &[Tickets::CompanyId, Tickets::Status, Tickets::QueuedAt, Tickets::Id]),
    // Pending tab, agent: waiting in one of their queues (or in none).
    (
        "idx_tickets_company_status_queue_queued",
        &[Tickets::CompanyId, Tickets::Status, Tickets::QueueId, Tickets::QueuedAt, Tickets::Id],
    ),
    // Pending tab, agent: their own.
    (
        "idx_tickets_company_status_user_queued",
        &[Tickets::CompanyId, Tickets::Status, Tickets::UserId, Tickets::QueuedAt, Tickets::Id],
    ),
    // Open and closed tabs, agent: their own, most recently active first.
    (
        "idx_tickets_company_status_user_updated",
        &[Tickets::CompanyId, Tickets::Status, Tickets::UserId, Tickets::UpdatedAt, Tickets::Id],
    ),
    // Search: the tickets of the contacts found.
    ("idx_tickets_company_contact", &[Tickets::CompanyId, Tickets::ContactId, Tickets::Id]),
    // Dashboard: counts of open and pending tickets per queue and agent from the index alone.
    (
        "idx_tickets_company_status_counts",
        &[Tickets::CompanyId, Tickets::Status, Tickets::QueueId, Tickets::UserId, Tickets::CreatedAt],
    ),
    // Dashboard: the tickets closed today.
    ("idx_tickets_company_status_closed", &[Tickets::CompanyId, Tickets::Status, Tickets::ClosedAt]),
];

/// Message text without the signature (`*Name*:\n`) that `domain::messages::write_outgoing`
/// puts before what an agent writes, and without system messages ("Ana aceitou o ticket"):
/// searching a word of an agent's name must not find every ticket they wrote in or touched.
/// Same rule on both databases.
const SQLITE_SEARCH_BODY: &str = "CASE WHEN {p}.kind = 'system' THEN '' \
     WHEN {p}.from_me AND {p}.body LIKE '*%*:' || char(10) || '%' \
     THEN substr({p}.body, instr({p}.body, '*:' || char(10)) + 3) ELSE {p}.body END";

fn sqlite_search_body(prefix: &str) -> String {
    SQLITE_SEARCH_BODY.replace("{p}", prefix)
}

fn sqlite_up() -> Vec<String> {
    let (new, old) = (sqlite_search_body("new"), sqlite_search_body("old"));
    vec![
        "DROP TRIGGER IF EXISTS messages_fts_update".into(),
        "DROP TRIGGER IF EXISTS messages_fts_delete".into(),
        "DROP TRIGGER IF EXISTS messages_fts_insert".into(),
        "DROP TABLE IF EXISTS messages_fts".into(),
        // Contentless: what is indexed (the body without signature) is no column of `messages`;
        // a `'delete'` gives the indexed text again, computed from the old row.
        "CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2')"
            .into(),
        format!(
            "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
                INSERT INTO messages_fts(rowid, body) VALUES (new.id, {new});
             END"
        ),
        format!(
            "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
                INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, {old});
             END"
        ),
        format!(
            "CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
                INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, {old});
                INSERT INTO messages_fts(rowid, body) VALUES (new.id, {new});
             END"
        ),
        format!("INSERT INTO messages_fts(rowid, body) SELECT id, {} FROM messages", sqlite_search_body("messages")),
        "ALTER TABLE contacts ADD COLUMN name_folded TEXT NOT NULL DEFAULT ''".into(),
    ]
}

const POSTGRES_UP: &[&str] = &[
    r#"CREATE OR REPLACE FUNCTION atende_search_body(kind text, from_me boolean, body text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE
       AS $$ SELECT CASE WHEN kind = 'system' THEN '' WHEN from_me AND body LIKE E'*%*:\n%' THEN substr(body, strpos(body, E'*:\n') + 3) ELSE body END $$"#,
    "DROP INDEX IF EXISTS idx_messages_body_fts",
    "CREATE INDEX idx_messages_search_fts ON messages USING gin (to_tsvector('simple', atende_search_body(kind, from_me, body)))",
    // Byte order, so a prefix is a plain range whatever the database's locale.
    r#"ALTER TABLE contacts ADD COLUMN name_folded TEXT COLLATE "C" NOT NULL DEFAULT ''"#,
    r#"CREATE INDEX idx_contacts_company_number_c ON contacts (company_id, (number COLLATE "C"))"#,
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS idx_contacts_company_number_c",
    "DROP INDEX IF EXISTS idx_messages_search_fts",
    "CREATE INDEX idx_messages_body_fts ON messages USING gin (to_tsvector('simple', body))",
    "DROP FUNCTION IF EXISTS atende_search_body(text, boolean, text)",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS messages_fts_update",
    "DROP TRIGGER IF EXISTS messages_fts_delete",
    "DROP TRIGGER IF EXISTS messages_fts_insert",
    "DROP TABLE IF EXISTS messages_fts",
    "CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
     END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
     END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
        INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
     END",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
];

/// Folds the names of the contacts already there, a batch at a time.
async fn backfill_folded_names(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let mut after = 0i64;
    loop {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    DbBackend::Postgres => "SELECT id, name FROM contacts WHERE id > $1 ORDER BY id LIMIT 1000",
                    _ => "SELECT id, name FROM contacts WHERE id > ? ORDER BY id LIMIT 1000",
                },
                [after.into()],
            ))
            .await?;
        let Some(last) = rows.last() else { return Ok(()) };
        after = i64::try_get_by(last, "id").map_err(|e| DbErr::Custom(format!("{e:?}")))?;
        for row in &rows {
            let id = i64::try_get_by(row, "id").map_err(|e| DbErr::Custom(format!("{e:?}")))?;
            let name = String::try_get_by(row, "name").map_err(|e| DbErr::Custom(format!("{e:?}")))?;
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    DbBackend::Postgres => "UPDATE contacts SET name_folded = $1 WHERE id = $2",
                    _ => "UPDATE contacts SET name_folded = ? WHERE id = ?",
                },
                [fold_for_search(&name).into(), id.into()],
            ))
            .await?;
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too: one connection (a pooled one with a stale schema would not
    /// see the trigger just dropped), and all of it or nothing.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in TICKET_INDEXES {
            let mut index = Index::create();
            index.name(*name).table(Tickets::Table);
            for column in columns.iter() {
                index.col(*column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for statement in sqlite_up() {
                    db.execute_unprepared(&statement).await?;
                }
            }
            DbBackend::Postgres => {
                for statement in POSTGRES_UP {
                    db.execute_unprepared(statement).await?;
                }
            }
            _ => {}
        }
        backfill_folded_names(manager).await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_contacts_company_name_folded")
                    .table(Contacts::Table)
                    .col(Contacts::CompanyId)
                    .col(Contacts::NameFolded)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_contacts_company_name_folded").table(Contacts::Table).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Contacts::Table).drop_column(Contacts::NameFolded).to_owned()).await?;
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Sqlite => SQLITE_DOWN,
            DbBackend::Postgres => POSTGRES_DOWN,
            _ => &[],
        };
        for statement in statements {
            db.execute_unprepared(statement).await?;
        }
        for (name, _) in TICKET_INDEXES.iter().rev() {
            manager.drop_index(Index::drop().name(*name).table(Tickets::Table).to_owned()).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::fold_for_search;

    #[test]
    fn folding_lowers_and_drops_accents() {
        assert_eq!(fold_for_search("João Conceição"), "joao conceicao");
        assert_eq!(fold_for_search("ÁLVARO Ñandú"), "alvaro nandu");
        assert_eq!(fold_for_search("Zoë 42"), "zoe 42");
    }
}
