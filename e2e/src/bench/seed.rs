//! The dataset, written straight into the database that `atende migrate` created (SQLite or
//! PostgreSQL, by its URL): one company, its queues, agents and supervisors, one simulator
//! connection, contacts with Brazilian mobile numbers, tickets over the last 90 days with their
//! messages and log rows, and the per-company counters matching what was inserted. Multi-row
//! INSERTs of literals (valid on both) in large transactions, with explicit ids. While seeding,
//! SQLite runs with synchronous=OFF and no rollback journal, PostgreSQL's session with
//! synchronous_commit off, foreign-key triggers off and its secondary indexes built after the load
//! (the database is thrown away if it fails); then the sequences continue after the ids used, and
//! both collect planner statistics.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration as Span, SecondsFormat, Utc};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};

use crate::stats::Rng;

/// The admin `atende create-admin` makes; every seeded user has the same password.
pub const ADMIN_EMAIL: &str = "admin@bench.local";
pub const PASSWORD: &str = "bench-secret-123";

#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub queues: usize,
    pub agents: usize,
    pub supervisors: usize,
    pub contacts: usize,
    pub tickets: usize,
    /// Messages per ticket, uniformly in this range (inclusive).
    pub messages_per_ticket: (u64, u64),
}

impl Scale {
    /// Issue 3's dataset: 20 queues, 200 agents, 50k contacts, 100k tickets, ~1M messages.
    pub const FULL: Scale = Scale {
        queues: 20,
        agents: 200,
        supervisors: 5,
        contacts: 50_000,
        tickets: 100_000,
        messages_per_ticket: (5, 15),
    };
    /// A tenth of it, to try the bench itself quickly.
    pub const QUICK: Scale = Scale {
        queues: 20,
        agents: 40,
        supervisors: 3,
        contacts: 5_000,
        tickets: 10_000,
        messages_per_ticket: (5, 15),
    };
}

pub struct SeedUser {
    pub id: i64,
    pub email: String,
    pub queue_ids: Vec<i64>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub queues: usize,
    pub users: usize,
    pub contacts: usize,
    pub tickets: usize,
    pub open: usize,
    pub pending: usize,
    pub closed: usize,
    pub messages: usize,
    pub logs: usize,
}

pub struct Dataset {
    pub connection_id: i64,
    pub agents: Vec<SeedUser>,
    pub supervisors: Vec<SeedUser>,
    /// Every contact's number, by contact index.
    pub numbers: Vec<String>,
    /// Every contact's name, by contact index.
    pub names: Vec<String>,
    /// Indexes of the contacts that have an open or pending ticket.
    pub active_contacts: Vec<usize>,
    pub counts: Counts,
    pub seconds: f64,
    pub db_mib: f64,
}

/// The number of seeded contact `index`: `55119` and eight digits, already normalised.
pub fn contact_number(index: usize) -> String {
    format!("55119{:08}", 80_000_000 + index)
}

/// A number no seeded contact has (the `n`-th new one).
pub fn new_number(n: u64) -> String {
    format!("55119{:08}", 90_000_000 + n % 10_000_000)
}

const FIRST_NAMES: &[&str] = &[
    "Ana",
    "Bruno",
    "Carla",
    "Daniel",
    "Eduarda",
    "Felipe",
    "Gabriela",
    "Henrique",
    "Isabela",
    "João",
    "Juliana",
    "Lucas",
    "Mariana",
    "Mateus",
    "Natália",
    "Otávio",
    "Patrícia",
    "Rafael",
    "Renata",
    "Rodrigo",
    "Sabrina",
    "Thiago",
    "Vanessa",
    "Vinícius",
    "Larissa",
    "Gustavo",
    "Camila",
    "Diego",
    "Fernanda",
    "Leonardo",
    "Letícia",
    "Marcelo",
    "Priscila",
    "Ricardo",
    "Tatiane",
    "André",
    "Beatriz",
    "Caio",
    "Débora",
    "Fábio",
    "Giovana",
    "Igor",
    "Jéssica",
    "Kléber",
    "Lívia",
    "Márcio",
    "Nathalia",
    "Paulo",
    "Raquel",
    "Sérgio",
    "Talita",
    "Wagner",
    "Yasmin",
    "Antônio",
    "Francisca",
    "Raimundo",
    "Sebastião",
    "Luzia",
    "Cícero",
    "Rosângela",
];

const LAST_NAMES: &[&str] = &[
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Gonçalves",
    "Santana",
    "Teixeira",
    "Araújo",
    "Monteiro",
    "Moura",
    "Cavalcanti",
    "Pinto",
    "Correia",
    "Batista",
    "Campos",
    "Farias",
    "Nogueira",
    "Albuquerque",
    "Brandão",
    "Queiroz",
    "Xavier",
    "Bezerra",
];

const QUEUE_NAMES: &[&str] = &[
    "Vendas",
    "Suporte",
    "Financeiro",
    "Cobrança",
    "Trocas e Devoluções",
    "Logística",
    "Pós-venda",
    "Atacado",
    "Assistência Técnica",
    "Ouvidoria",
    "Marketplace",
    "Agendamentos",
    "Cadastro",
    "Retenção",
    "Parcerias",
    "Onboarding",
    "Frota",
    "Recursos Humanos",
    "Jurídico",
    "Clientes VIP",
];

const COLORS: &[&str] = &["#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#e53935", "#00897b", "#6d4c41", "#3949ab"];

const INBOUND: &[&str] = &[
    "Olá, boa tarde!",
    "Oi, tudo bem? Preciso de ajuda com meu pedido {n}",
    "Meu boleto venceu, vocês podem gerar outro?",
    "Qual o prazo de entrega para o CEP 04{n}?",
    "O produto chegou com defeito, o que eu faço?",
    "Quero trocar o tamanho da camiseta, comprei M e preciso de G",
    "Obrigado!",
    "Vocês abrem no sábado?",
    "Não recebi o código de rastreio do pedido {n}",
    "Consigo parcelar em 10x no cartão?",
    "Pode me mandar a segunda via da fatura?",
    "Ainda estou aguardando retorno...",
    "Bom dia, gostaria de cancelar a assinatura",
    "O pagamento do pedido {n} foi aprovado?",
    "Segue o comprovante do Pix",
    "Perfeito, muito obrigado pela atenção",
    "Qual o valor do frete para Campinas?",
    "Tem esse modelo na cor azul?",
    "Meu pedido {n} está atrasado faz uma semana",
    "Preciso falar com um atendente, por favor",
];

const OUTBOUND: &[&str] = &[
    "Olá! Vou te ajudar com isso.",
    "Pode me informar o número do pedido, por favor?",
    "Um momento, estou verificando no sistema.",
    "Seu pedido {n} foi enviado e chega em até 3 dias úteis.",
    "Gerei a segunda via, segue o link: https://pag.exemplo.com.br/b/{n}",
    "Já abri a solicitação de troca, protocolo {n}.",
    "Posso ajudar em algo mais?",
    "O frete para sua região fica em R$ 19,90.",
    "Sim, parcelamos em até 10x sem juros.",
    "Obrigado pelo contato! Tenha um ótimo dia.",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    Pending,
    Closed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Pending => "pending",
            Status::Closed => "closed",
        }
    }
}

/// A timestamp exactly as the server stores it (sqlx's RFC 3339 with automatic sub-seconds).
fn ts(at: DateTime<Utc>) -> String {
    format!("'{}'", at.to_rfc3339_opts(SecondsFormat::AutoSi, false))
}

fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// `TRUE`/`FALSE`: PostgreSQL's booleans, and SQLite's keywords for 1 and 0.
fn boolean(value: bool) -> &'static str {
    if value { "TRUE" } else { "FALSE" }
}

fn opt_text(value: Option<&str>) -> String {
    value.map(text).unwrap_or_else(|| "NULL".into())
}

fn opt_id(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "NULL".into())
}

/// Rows for one multi-row INSERT, sent when enough have accumulated.
struct Batch {
    head: &'static str,
    sql: String,
    rows: usize,
}

const ROWS_PER_INSERT: usize = 500;

impl Batch {
    fn new(head: &'static str) -> Self {
        Self { head, sql: String::with_capacity(256 * 1024), rows: 0 }
    }

    fn row(&mut self, values: std::fmt::Arguments<'_>) {
        if self.rows == 0 {
            self.sql.push_str(self.head);
            self.sql.push_str(" VALUES ");
        } else {
            self.sql.push(',');
        }
        self.sql.push('(');
        let _ = self.sql.write_fmt(values);
        self.sql.push(')');
        self.rows += 1;
    }

    async fn flush_if_full(&mut self, db: &DatabaseConnection) -> Result<()> {
        if self.rows >= ROWS_PER_INSERT { self.flush(db).await } else { Ok(()) }
    }

    async fn flush(&mut self, db: &DatabaseConnection) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        db.execute_unprepared(&self.sql).await.with_context(|| format!("inserting: {}", self.head))?;
        self.sql.clear();
        self.rows = 0;
        Ok(())
    }
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .with_context(|| sql.to_owned())?
        .with_context(|| format!("no row: {sql}"))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

async fn next_id(db: &DatabaseConnection, table: &str) -> Result<i64> {
    scalar(db, &format!("SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM {table}")).await
}

struct PlannedMessage {
    from_me: bool,
    system: bool,
    kind: &'static str,
    body: String,
    at: DateTime<Utc>,
}

/// The URL of the SQLite database `atende` keeps in `data_dir` (no ATENDE_DATABASE_URL).
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rw", data_dir.join("atende.db").display())
}

/// The tables seeded with explicit ids, whose PostgreSQL sequences must continue after them.
const SEEDED_TABLES: &[&str] = &["queues", "users", "connections", "contacts", "tickets", "messages", "ticket_logs"];

/// Fills the database at `url` (`sqlite://…` or `postgres://…`; already migrated, with the admin
/// created).
pub async fn seed(url: &str, scale: Scale) -> Result<Dataset> {
    let started = Instant::now();
    let mut options = ConnectOptions::new(url.to_owned());
    // One connection, so the session settings and BEGIN/COMMIT below all apply to it.
    options.max_connections(1).min_connections(1).sqlx_logging(false);
    let db = Database::connect(options).await.context("opening the database to seed")?;
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let session: &[&str] = if postgres {
        &[
            // This session only: the server keeps PostgreSQL's durable defaults.
            "SET synchronous_commit = off",
            // No foreign-key triggers (as SQLite's foreign_keys=OFF): contacts come after their tickets.
            "SET session_replication_role = replica",
            "SET maintenance_work_mem = '512MB'",
        ]
    } else {
        &[
            "PRAGMA foreign_keys=OFF",
            "PRAGMA journal_mode=OFF",
            "PRAGMA synchronous=OFF",
            "PRAGMA cache_size=-262144",
            "PRAGMA temp_store=MEMORY",
        ]
    };
    for statement in session {
        db.execute_unprepared(statement).await.with_context(|| (*statement).to_owned())?;
    }
    let deferred = if postgres { defer_indexes(&db).await? } else { Vec::new() };
    let result = fill(&db, scale).await;
    if postgres {
        for (name, definition) in &deferred {
            db.execute_unprepared(definition).await.with_context(|| format!("rebuilding index {name}"))?;
        }
        // The server's inserts continue after the explicit ids.
        for table in SEEDED_TABLES {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .await
            .with_context(|| format!("the sequence of {table}"))?;
        }
        // Statistics for the planner, and the visibility map (index-only scans) a loaded table lacks.
        db.execute_unprepared("VACUUM (ANALYZE)").await.context("VACUUM ANALYZE")?;
    } else {
        // No ANALYZE: the server never runs one, so a company's database plans without
        // statistics, and the bench measures those plans (with the bench's statistics the
        // dashboard's logs were read by ticket id; without, through every ticket of the
        // company: 250 ms). The EXPLAIN test checks the plans both ways.
        // The server runs in WAL mode (the setting lives in the file).
        db.execute_unprepared("PRAGMA journal_mode=WAL").await.context("back to WAL")?;
    }
    let size = if postgres {
        "SELECT CAST(pg_database_size(current_database()) AS BIGINT)"
    } else {
        "SELECT CAST(page_count * page_size AS BIGINT) FROM pragma_page_count(), pragma_page_size()"
    };
    let bytes = scalar(&db, size).await.unwrap_or(0);
    db.close().await.context("closing the seeded database")?;
    let mut dataset = result?;
    dataset.seconds = started.elapsed().as_secs_f64();
    dataset.db_mib = bytes as f64 / 1024.0 / 1024.0;
    Ok(dataset)
}

/// Drops PostgreSQL's secondary indexes of the big tables (those that back no constraint) and
/// returns their definitions: building them once after the load is much faster than keeping them
/// up to date row by row (the full-text GIN index above all).
async fn defer_indexes(db: &DatabaseConnection) -> Result<Vec<(String, String)>> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT i.relname::text, pg_get_indexdef(x.indexrelid) FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
             WHERE t.relname IN ('contacts', 'tickets', 'messages', 'ticket_logs') AND t.relkind = 'r' \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) \
             AND pg_table_is_visible(t.oid)",
        ))
        .await
        .context("listing the indexes to defer")?;
    let mut deferred = Vec::new();
    for row in rows {
        let (name, definition) = (row.try_get_by_index::<String>(0)?, row.try_get_by_index::<String>(1)?);
        db.execute_unprepared(&format!("DROP INDEX \"{name}\"")).await.with_context(|| format!("dropping {name}"))?;
        deferred.push((name, definition));
    }
    Ok(deferred)
}

async fn fill(db: &DatabaseConnection, scale: Scale) -> Result<Dataset> {
    let mut rng = Rng::new(0x00A7_E4DE);
    let mut counts = Counts::default();
    let company_id = scalar(db, "SELECT id FROM companies ORDER BY id LIMIT 1").await.context("the company")?;
    let backend = db.get_database_backend();
    let admin_hash = {
        let row = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT password_hash FROM users WHERE email = {}", text(ADMIN_EMAIL)),
            ))
            .await?
            .context("the admin created by `atende create-admin`")?;
        row.try_get_by_index::<String>(0)?
    };
    if scalar(db, "SELECT COUNT(*) FROM tickets").await? > 0 {
        bail!("the database already has tickets: seed only a fresh data dir");
    }
    // Everything seeded happened before now, so the server's own writes come after it.
    let now = Utc::now() - Span::minutes(1);
    let window_start = now - Span::days(90);
    let window_ms = (now - window_start).num_milliseconds().max(1) as f64;
    let at_fraction = |fraction: f64, rng: &mut Rng| {
        window_start
            + Span::milliseconds((window_ms * fraction.clamp(0.0, 1.0)) as i64)
            + Span::nanoseconds(rng.between(1, 999_999) as i64)
    };
    let name_of = |rng: &mut Rng| {
        let first = rng.pick(FIRST_NAMES);
        let last = rng.pick(LAST_NAMES);
        if rng.chance(0.4) { format!("{first} {} {last}", rng.pick(LAST_NAMES)) } else { format!("{first} {last}") }
    };

    db.execute_unprepared("BEGIN").await?;

    // Queues, agents (each in one to three queues), supervisors (all queues), the connection.
    let mut queue_ids = Vec::new();
    let mut id = next_id(db, "queues").await?;
    let mut batch = Batch::new("INSERT INTO queues (id, company_id, name, color, created_at)");
    for q in 0..scale.queues {
        let name = match QUEUE_NAMES.get(q) {
            Some(name) => (*name).to_owned(),
            None => format!("Fila {}", q + 1),
        };
        let color = COLORS.get(q % COLORS.len()).copied().unwrap_or("#1e88e5");
        batch.row(format_args!("{id}, {company_id}, {}, {}, {}", text(&name), text(color), ts(window_start)));
        queue_ids.push(id);
        id += 1;
    }
    batch.flush(db).await?;
    counts.queues = queue_ids.len();
    if queue_ids.is_empty() {
        bail!("the bench needs at least one queue");
    }

    let mut id = next_id(db, "users").await?;
    let mut users = Batch::new(
        "INSERT INTO users (id, company_id, name, email, password_hash, role, platform_admin, signature_enabled, created_at, updated_at)",
    );
    let mut memberships = Batch::new("INSERT INTO user_queues (user_id, queue_id)");
    let mut agents = Vec::new();
    let mut supervisors = Vec::new();
    for n in 0..scale.agents + scale.supervisors {
        let supervisor = n >= scale.agents;
        let (email, role) = if supervisor {
            (format!("supervisor{:02}@bench.local", n - scale.agents + 1), "supervisor")
        } else {
            (format!("agente{:03}@bench.local", n + 1), "agent")
        };
        let name = name_of(&mut rng);
        let created = ts(window_start - Span::days(30));
        users.row(format_args!(
            "{id}, {company_id}, {}, {}, {}, {}, FALSE, TRUE, {created}, {created}",
            text(&name),
            text(&email),
            text(&admin_hash),
            text(role)
        ));
        let mut mine: Vec<i64> = if supervisor {
            queue_ids.clone()
        } else {
            let wanted = rng.between(1, 3).min(queue_ids.len() as u64) as usize;
            let mut picked = Vec::new();
            while picked.len() < wanted {
                let queue = queue_ids.get(rng.index(queue_ids.len())).copied().unwrap_or_default();
                if !picked.contains(&queue) {
                    picked.push(queue);
                }
            }
            picked
        };
        mine.sort_unstable();
        for queue in &mine {
            memberships.row(format_args!("{id}, {queue}"));
        }
        let user = SeedUser { id, email, queue_ids: mine };
        if supervisor {
            supervisors.push(user)
        } else {
            agents.push(user)
        }
        id += 1;
        users.flush_if_full(db).await?;
        memberships.flush_if_full(db).await?;
    }
    users.flush(db).await?;
    memberships.flush(db).await?;
    counts.users = agents.len() + supervisors.len();
    if agents.is_empty() {
        bail!("the bench needs agents");
    }
    let agent_names: Vec<String> = {
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT name FROM users WHERE role = 'agent' AND company_id = {company_id} ORDER BY id"),
            ))
            .await?;
        rows.iter().map(|r| r.try_get_by_index::<String>(0)).collect::<Result<_, _>>()?
    };

    let connection_id = next_id(db, "connections").await?;
    let default_queue = queue_ids.first().copied().unwrap_or_default();
    db.execute_unprepared(&format!(
        "INSERT INTO connections (id, company_id, name, kind, status, default_queue_id, settings, created_at, updated_at) \
         VALUES ({connection_id}, {company_id}, 'WhatsApp Simulado', 'simulator', 'connected', {default_queue}, '{{}}', {t}, {t})",
        t = ts(window_start)
    ))
    .await?;

    // Contacts: numbers and names now, rows after the tickets (their creation time is their first ticket's).
    let numbers: Vec<String> = (0..scale.contacts).map(contact_number).collect();
    let names: Vec<String> = (0..scale.contacts).map(|_| name_of(&mut rng)).collect();
    let mut first_seen: Vec<Option<DateTime<Utc>>> = vec![None; scale.contacts];
    // Contacts that get an open or pending ticket, each at most one: a shuffled order of all contacts.
    let mut free: Vec<usize> = (0..scale.contacts).collect();
    for i in (1..free.len()).rev() {
        let j = rng.index(i + 1);
        free.swap(i, j);
    }
    let mut next_free = free.into_iter();
    let mut active_contacts = Vec::new();

    let first_ticket = next_id(db, "tickets").await?;
    let mut message_id = next_id(db, "messages").await?;
    let mut log_id = next_id(db, "ticket_logs").await?;
    let mut tickets = Batch::new(
        "INSERT INTO tickets (id, company_id, number, status, kind, contact_id, connection_id, queue_id, user_id, unread_count, \
         last_message_body, last_message_at, last_message_from_me, queued_at, closed_at, created_at, updated_at)",
    );
    let mut messages = Batch::new(
        "INSERT INTO messages (id, company_id, ticket_id, connection_id, contact_id, user_id, from_me, kind, body, \
         media_path, media_mime, media_name, status, error, external_id, quoted_id, created_at, updated_at)",
    );
    let mut logs =
        Batch::new("INSERT INTO ticket_logs (id, company_id, ticket_id, user_id, kind, details, created_at)");
    let first_contact = next_id(db, "contacts").await?;
    let contact_id = |index: usize| first_contact + index as i64;
    let total = scale.tickets;
    let mut planned: Vec<PlannedMessage> = Vec::with_capacity(32);
    for t in 0..total {
        let ticket_id = first_ticket + t as i64;
        let created = at_fraction((t as f64 + rng.unit()) / total as f64, &mut rng);
        // Older tickets are resolved; of the most recent 45%, two in three are still being worked.
        let mut status = if t * 100 >= total * 55 && rng.below(3) < 2 {
            if rng.below(3) == 0 { Status::Pending } else { Status::Open }
        } else {
            Status::Closed
        };
        let contact = if status == Status::Closed {
            rng.index(scale.contacts)
        } else {
            match next_free.next() {
                Some(contact) => {
                    active_contacts.push(contact);
                    contact
                }
                None => {
                    status = Status::Closed;
                    rng.index(scale.contacts)
                }
            }
        };
        if let Some(seen) = first_seen.get_mut(contact)
            && seen.is_none_or(|at| created < at)
        {
            *seen = Some(created);
        }
        let agent = (status != Status::Pending).then(|| rng.index(agents.len()));
        let (queue, user) = match agent.and_then(|a| agents.get(a)) {
            Some(user) => {
                (user.queue_ids.get(rng.index(user.queue_ids.len())).copied().unwrap_or(default_queue), Some(user.id))
            }
            None => (queue_ids.get(rng.index(queue_ids.len())).copied().unwrap_or(default_queue), None),
        };
        let agent_name = agent.and_then(|a| agent_names.get(a)).map(String::as_str).unwrap_or("Agente");

        // When its last message was written.
        let available = (now - created).num_milliseconds().max(60_000) as f64;
        let span_ms = match status {
            // Resolved within five minutes to two days.
            Status::Closed => (300_000.0 + rng.unit().powi(2) * 172_800_000.0).min(available * 0.9),
            // Still going: its latest message lies anywhere between its start and now, recent more often.
            Status::Open | Status::Pending => available * rng.unit().sqrt(),
        };
        let count = rng.between(scale.messages_per_ticket.0, scale.messages_per_ticket.1).max(2) as usize;
        planned.clear();
        for m in 0..count {
            let at = created
                + Span::milliseconds((span_ms * m as f64 / (count - 1).max(1) as f64) as i64)
                + Span::nanoseconds(rng.between(1, 999_999) as i64);
            let order = rng.between(100_000, 999_999);
            let (from_me, system, body) = if m == 1 && status != Status::Pending {
                (true, true, format!("Atendimento aceito por {agent_name}"))
            } else if m + 1 == count && status == Status::Closed {
                (true, true, format!("Atendimento resolvido por {agent_name}"))
            } else if m == 0 || status == Status::Pending || rng.chance(0.5) {
                (false, false, rng.pick(INBOUND).replace("{n}", &order.to_string()))
            } else {
                let phrase = rng.pick(OUTBOUND).replace("{n}", &order.to_string());
                (true, false, format!("*{agent_name}*:\n{phrase}"))
            };
            let kind = if system {
                "system"
            } else {
                match rng.below(100) {
                    0..88 => "text",
                    88..92 => "image",
                    92..96 => "audio",
                    96..98 => "document",
                    98 => "sticker",
                    _ => "location",
                }
            };
            let body = match kind {
                "audio" | "sticker" => String::new(),
                "location" => format!("-23.{:04},-46.{:04}", rng.below(10_000), rng.below(10_000)),
                "document" => format!("boleto-{order}.pdf"),
                _ => body,
            };
            planned.push(PlannedMessage { from_me, system, kind, body, at });
        }
        let last = planned.iter().rev().find(|m| !m.system);
        let trailing_inbound = planned.iter().rev().filter(|m| !m.system).take_while(|m| !m.from_me).count();
        let unread = match status {
            Status::Pending => trailing_inbound,
            Status::Open if rng.chance(0.4) => trailing_inbound,
            _ => 0,
        };
        let last_at = planned.last().map(|m| m.at).unwrap_or(created);
        let closed_at = (status == Status::Closed).then_some(last_at);
        let updated = last_at;
        tickets.row(format_args!(
            "{ticket_id}, {company_id}, {number}, '{status}', 'private', {contact}, {connection_id}, {queue}, {user}, {unread}, \
             {last_body}, {last_at}, {last_from_me}, {queued}, {closed}, {created}, {updated}",
            number = t + 1,
            status = status.as_str(),
            contact = contact_id(contact),
            user = opt_id(user),
            last_body = opt_text(last.map(|m| m.body.as_str())),
            last_at = last.map(|m| ts(m.at)).unwrap_or_else(|| "NULL".into()),
            last_from_me = boolean(last.is_some_and(|m| m.from_me)),
            queued = ts(created),
            closed = closed_at.map(ts).unwrap_or_else(|| "NULL".into()),
            created = ts(created),
            updated = ts(updated),
        ));
        match status {
            Status::Open => counts.open += 1,
            Status::Pending => counts.pending += 1,
            Status::Closed => counts.closed += 1,
        }
        for (m, message) in planned.iter().enumerate() {
            let media = match message.kind {
                "image" => Some(("image/jpeg", "jpg")),
                "audio" => Some(("audio/ogg", "ogg")),
                "document" => Some(("application/pdf", "pdf")),
                "sticker" => Some(("image/webp", "webp")),
                _ => None,
            };
            let (path, mime, name) = match media {
                Some((mime, ext)) => (
                    text(&format!("media/{company_id}/seed/{message_id}.{ext}")),
                    text(mime),
                    text(&format!("{}.{ext}", message.kind)),
                ),
                None => ("NULL".into(), "NULL".into(), "NULL".into()),
            };
            let status_text = if !message.from_me || message.system {
                "received"
            } else if status == Status::Closed || m + 3 < planned.len() {
                "read"
            } else {
                "delivered"
            };
            let external = if message.system { "NULL".into() } else { format!("'wamid.SEED{message_id:010}'") };
            let author = if message.from_me && !message.system { user } else { None };
            messages.row(format_args!(
                "{message_id}, {company_id}, {ticket_id}, {connection_id}, {contact}, {author}, {from_me}, '{kind}', {body}, \
                 {path}, {mime}, {name}, '{status_text}', NULL, {external}, NULL, {at}, {at}",
                contact = contact_id(contact),
                author = opt_id(author),
                from_me = boolean(message.from_me),
                kind = message.kind,
                body = text(&message.body),
                at = ts(message.at),
            ));
            message_id += 1;
            counts.messages += 1;
            messages.flush_if_full(db).await?;
        }
        let mut log = |user: Option<i64>, kind: &str, details: &str, at: DateTime<Utc>| {
            logs.row(format_args!(
                "{log_id}, {company_id}, {ticket_id}, {}, '{kind}', '{details}', {}",
                opt_id(user),
                ts(at)
            ));
            log_id += 1;
            counts.logs += 1;
        };
        log(None, "created", r#"{"by":"contact"}"#, created);
        if let Some(accepted) = planned.get(1).filter(|_| status != Status::Pending) {
            log(user, "accepted", "{}", accepted.at);
        }
        if let Some(closed) = closed_at {
            log(user, "resolved", "{}", closed);
        }
        tickets.flush_if_full(db).await?;
        logs.flush_if_full(db).await?;
        if t % 5000 == 4999 {
            tickets.flush(db).await?;
            messages.flush(db).await?;
            logs.flush(db).await?;
            db.execute_unprepared("COMMIT").await?;
            db.execute_unprepared("BEGIN").await?;
        }
    }
    tickets.flush(db).await?;
    messages.flush(db).await?;
    logs.flush(db).await?;
    counts.tickets = total;

    let mut contacts = Batch::new(
        "INSERT INTO contacts (id, company_id, name, name_folded, number, email, photo_url, extra, is_group, blocked, created_at, updated_at)",
    );
    for (index, (number, name)) in numbers.iter().zip(&names).enumerate() {
        let created = match first_seen.get(index).copied().flatten() {
            Some(at) => at,
            None => at_fraction(rng.unit(), &mut rng),
        };
        let email = rng.chance(0.3).then(|| format!("cliente{index}@exemplo.com.br"));
        contacts.row(format_args!(
            "{}, {company_id}, {}, {}, {}, {}, NULL, '{{}}', FALSE, FALSE, {t}, {t}",
            contact_id(index),
            text(name),
            text(&migrations::fold_for_search(name)),
            text(number),
            opt_text(email.as_deref()),
            t = ts(created)
        ));
        contacts.flush_if_full(db).await?;
    }
    contacts.flush(db).await?;
    counts.contacts = numbers.len();

    // The counters the server continues from: ticket numbers 1..N are taken, no event yet.
    let events = scalar(
        db,
        &format!("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM events WHERE company_id = {company_id}"),
    )
    .await?;
    db.execute_unprepared(&format!(
        "INSERT INTO company_counters (company_id, name, value) VALUES ({company_id}, 'ticket_number', {total}), \
         ({company_id}, 'event_seq', {events}) ON CONFLICT (company_id, name) DO UPDATE SET value = excluded.value"
    ))
    .await?;
    db.execute_unprepared("COMMIT").await?;

    Ok(Dataset {
        connection_id,
        agents,
        supervisors,
        numbers,
        names,
        active_contacts,
        counts,
        seconds: 0.0,
        db_mib: 0.0,
    })
}
