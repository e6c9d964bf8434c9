//! Contacts import and export (Contatos → Importar / Exportar).
//!
//! An import is a background job: the upload is kept under `DATA_DIR/imports/` while it runs; a
//! blocking thread reads, validates and normalises the rows (the CPU work) and hands batches of
//! [`BATCH`] rows to the job, which writes each batch in its own short transaction (so other
//! requests, and SQLite's other writers, get their turn between batches), records the progress in
//! the job's row and sends `import.progress` to the person who started it. The file is removed when
//! the job ends, whatever the outcome.
//!
//! A job whose server stops is `interrupted`, never left `running`: a server that shuts down marks
//! its own jobs; one that dies leaves rows that stop being touched, and any instance's sweeper
//! marks a running job untouched for [`STALE_AFTER`] interrupted (at start and every
//! [`SWEEP_EVERY`]). The rows already written stay; importing the same file again with `skip`
//! (or `update`) completes it without duplicates.

mod csv_file;

use std::collections::{HashMap, HashSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::body::Bytes;
use chrono::Utc;
use futures_util::Stream;
use sea_orm::{IntoActiveModel, Set};
use shared::auth::Role;
use shared::contact_imports::{
    ContactImport, ImportColumn, ImportExisting, ImportPreview, ImportRowError, ImportStatus, MAX_IMPORT_BYTES,
    MAX_ROW_ERRORS,
};
use shared::events::Event;
use shared::validate::{Email, Invalid, Name};
use shared::visibility::Audience;
use shared::{CompanyId, ContactImportId, UserId};
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, watch};

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::phone::PhoneNumber;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::{contact_imports, contacts};

/// Rows written per transaction.
const BATCH: usize = 500;
/// A running job whose row was not touched this long has lost its server.
pub const STALE_AFTER: Duration = Duration::from_secs(120);
const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// Rows the preview shows.
const PREVIEW_ROWS: usize = 10;
/// Longest extra-field title and value taken from a file.
const MAX_EXTRA_KEY: usize = 60;
const MAX_EXTRA_VALUE: usize = 1000;
/// Contacts read per query while exporting.
const EXPORT_PAGE: u64 = 1000;

/// Import and export are for administrators and supervisors.
pub fn require_staff(caller: &CurrentUser) -> AppResult<()> {
    if caller.role == Role::Admin || caller.role == Role::Supervisor {
        Ok(())
    } else {
        Err(AppError::Forbidden("only administrators and supervisors may import or export contacts"))
    }
}

fn imports_dir(state: &AppState) -> PathBuf {
    state.config.data_dir.join("imports")
}

/// An uploaded file being written under the data dir; removed on drop unless a job took it.
pub struct Upload {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    size: usize,
    kept: bool,
}

impl Upload {
    pub async fn create(state: &AppState) -> AppResult<Self> {
        let dir = imports_dir(state);
        tokio::fs::create_dir_all(&dir).await.map_err(anyhow::Error::from)?;
        let path = dir.join(format!("{}.csv", uuid::Uuid::new_v4().simple()));
        let file = tokio::fs::File::create(&path).await.map_err(anyhow::Error::from)?;
        Ok(Self { path, file: Some(file), size: 0, kept: false })
    }

    /// Appends a chunk; past [`MAX_IMPORT_BYTES`] the upload is refused (413).
    pub async fn push(&mut self, chunk: &[u8]) -> AppResult<()> {
        self.size += chunk.len();
        if self.size > MAX_IMPORT_BYTES {
            return Err(AppError::PayloadTooLarge);
        }
        let file = self.file.as_mut().ok_or_else(|| anyhow::anyhow!("the upload was closed"))?;
        file.write_all(chunk).await.map_err(anyhow::Error::from)?;
        Ok(())
    }

    async fn close(&mut self) -> AppResult<()> {
        if let Some(mut file) = self.file.take() {
            file.flush().await.map_err(anyhow::Error::from)?;
        }
        Ok(())
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if !self.kept {
            // Small and rare (a refused upload): not worth a blocking-pool hop.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// What `POST /contacts/import` asks for.
pub struct ImportRequest {
    pub upload: Upload,
    pub file_name: Option<String>,
    pub mapping: Option<Vec<ImportColumn>>,
    pub existing: ImportExisting,
}

/// Which column holds what.
#[derive(Debug, Clone)]
struct Mapping {
    name: Option<usize>,
    number: usize,
    email: Option<usize>,
    /// Column and the extra field's key (its title).
    extra: Vec<(usize, String)>,
}

fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' => 'a',
            'é' | 'ê' => 'e',
            'í' => 'i',
            'ó' | 'ô' | 'õ' => 'o',
            'ú' | 'ü' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

/// What each column probably is, from its title; the first of each kind wins, the rest are extra
/// fields (so nothing in the file is lost unless the user says so).
pub fn guess_mapping(header: &[String]) -> Vec<ImportColumn> {
    let (mut name, mut number, mut email) = (false, false, false);
    header
        .iter()
        .map(|title| {
            let title = fold(title);
            let is = |words: &[&str]| words.iter().any(|w| title.contains(w));
            if !email && is(&["mail"]) {
                email = true;
                ImportColumn::Email
            } else if !number && is(&["fone", "celular", "whats", "numero", "phone", "number", "tel", "mobile"]) {
                number = true;
                ImportColumn::Number
            } else if !name && is(&["nome", "name", "cliente"]) {
                name = true;
                ImportColumn::Name
            } else if title.trim().is_empty() {
                ImportColumn::Ignore
            } else {
                ImportColumn::Extra
            }
        })
        .collect()
}

fn resolve_mapping(columns: &[ImportColumn], header: &[String]) -> Result<Mapping, Invalid> {
    if columns.len() > header.len() {
        return Err(Invalid::BadMapping);
    }
    let (mut name, mut number, mut email, mut extra) = (None, None, None, Vec::new());
    for (index, column) in columns.iter().enumerate() {
        let slot = match column {
            ImportColumn::Name => &mut name,
            ImportColumn::Number => &mut number,
            ImportColumn::Email => &mut email,
            ImportColumn::Extra => {
                let title = header[index].trim();
                let key = if title.is_empty() { format!("coluna {}", index + 1) } else { title.to_owned() };
                extra.push((index, key.chars().take(MAX_EXTRA_KEY).collect()));
                continue;
            }
            ImportColumn::Ignore => continue,
        };
        if slot.replace(index).is_some() {
            return Err(Invalid::BadMapping);
        }
    }
    let number = number.ok_or(Invalid::BadMapping)?;
    Ok(Mapping { name, number, email, extra })
}

/// A valid row, ready to be written.
struct Candidate {
    number: String,
    name: Option<String>,
    email: Option<String>,
    extra: serde_json::Map<String, serde_json::Value>,
}

enum Outcome {
    Candidate(Candidate),
    Rejected(ImportRowError),
}

fn rejected(row: u32, field: &str, problem: Invalid) -> Outcome {
    Outcome::Rejected(ImportRowError { row, field: field.to_owned(), problem: problem.into() })
}

fn cell(fields: &[String], index: Option<usize>) -> &str {
    index.and_then(|i| fields.get(i)).map(String::as_str).unwrap_or_default()
}

/// One data row, validated and normalised; `seen` holds the numbers of earlier rows.
fn check_row(row: u32, fields: &[String], mapping: &Mapping, seen: &mut HashMap<String, u32>) -> Outcome {
    let raw_number = cell(fields, Some(mapping.number));
    let number = match PhoneNumber::parse(raw_number) {
        Ok(number) => number.into_inner(),
        Err(_) if raw_number.is_empty() => return rejected(row, "number", Invalid::Required),
        Err(problem) => return rejected(row, "number", problem),
    };
    let name = match cell(fields, mapping.name) {
        "" => None,
        raw => match Name::parse(raw) {
            Ok(name) => Some(name.into_inner()),
            Err(problem) => return rejected(row, "name", problem),
        },
    };
    let email = match cell(fields, mapping.email) {
        "" => None,
        raw => match Email::parse(raw) {
            Ok(email) => Some(email.into_inner()),
            Err(problem) => return rejected(row, "email", problem),
        },
    };
    let mut extra = serde_json::Map::new();
    for (index, key) in &mapping.extra {
        let value = cell(fields, Some(*index));
        if value.is_empty() {
            continue;
        }
        if value.chars().count() > MAX_EXTRA_VALUE {
            return rejected(row, key, Invalid::TooLong { max: MAX_EXTRA_VALUE as u32 });
        }
        extra.insert(key.clone(), serde_json::Value::String(value.to_owned()));
    }
    if let Some(first) = seen.get(&number) {
        return rejected(row, "number", Invalid::DuplicateInFile { row: *first });
    }
    seen.insert(number.clone(), row);
    Outcome::Candidate(Candidate { number, name, email, extra })
}

/// What the first pass over a file learns.
struct Scan {
    encoding: csv_file::Encoding,
    delimiter: u8,
    header: Vec<String>,
    total: u32,
}

/// Reads the whole file once: its encoding, separator and header, and how many data rows it has.
fn scan(path: &Path) -> AppResult<Scan> {
    let io = |error: std::io::Error| AppError::Internal(error.into());
    let encoding = csv_file::detect_file(path).map_err(io)?;
    let mut start = Vec::with_capacity(8192);
    std::fs::File::open(path).map_err(io)?.take(64 * 1024).read_to_end(&mut start).map_err(io)?;
    if start.is_empty() {
        return Err(FieldErrors::one("file", Invalid::EmptyFile));
    }
    if start.contains(&0) {
        return Err(FieldErrors::one("file", Invalid::NotCsv));
    }
    let delimiter = csv_file::sniff_delimiter(&csv_file::decode_start(&start, encoding));
    let mut reader = csv_file::records(csv_file::open(path, encoding).map_err(io)?, delimiter);
    let mut record = csv::ByteRecord::new();
    let mut header = None;
    let mut total = 0u32;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let fields = csv_file::fields(&record);
                if csv_file::is_blank(&fields) {
                    continue;
                }
                if header.is_none() {
                    header = Some(fields);
                } else {
                    total = total.saturating_add(1);
                }
            }
            Err(_) => return Err(FieldErrors::one("file", Invalid::NotCsv)),
        }
    }
    let header = header.ok_or_else(|| FieldErrors::one("file", Invalid::NotCsv))?;
    Ok(Scan { encoding, delimiter, header, total })
}

/// The first rows of a file's start as they will be read, with the guessed mapping.
/// `truncated`: `bytes` are only the start of the file (the last line may be cut).
pub fn preview(caller: &CurrentUser, bytes: &[u8], truncated: bool) -> AppResult<ImportPreview> {
    require_staff(caller)?;
    if bytes.is_empty() {
        return Err(FieldErrors::one("file", Invalid::EmptyFile));
    }
    if bytes.contains(&0) {
        return Err(FieldErrors::one("file", Invalid::NotCsv));
    }
    let encoding = csv_file::detect(bytes, truncated);
    let text = csv_file::decode_start(bytes, encoding);
    let delimiter = csv_file::sniff_delimiter(&text);
    let mut reader = csv_file::records(text.as_bytes(), delimiter);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    // One more than shown: with a cut file, the last record read may be a cut line.
    while rows.len() < PREVIEW_ROWS + 2 {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let fields = csv_file::fields(&record);
                if !csv_file::is_blank(&fields) {
                    rows.push(fields);
                }
            }
            Ok(false) => break,
            Err(_) => return Err(FieldErrors::one("file", Invalid::NotCsv)),
        }
    }
    if truncated && rows.len() < PREVIEW_ROWS + 2 {
        rows.pop();
    }
    if rows.is_empty() {
        return Err(FieldErrors::one("file", Invalid::NotCsv));
    }
    let header = rows.remove(0);
    rows.truncate(PREVIEW_ROWS);
    let mapping = guess_mapping(&header);
    Ok(ImportPreview {
        encoding: encoding.label().to_owned(),
        delimiter: char::from(delimiter).to_string(),
        header,
        rows,
        mapping,
    })
}

/// The in-memory side of a running job.
struct Job {
    id: ContactImportId,
    company_id: CompanyId,
    user_id: UserId,
    path: PathBuf,
    encoding: csv_file::Encoding,
    delimiter: u8,
    mapping: Mapping,
    existing: ImportExisting,
    dto: ContactImport,
}

pub fn to_dto(row: &contact_imports::Model) -> ContactImport {
    let count = |value: i32| u32::try_from(value).unwrap_or_default();
    ContactImport {
        id: ContactImportId(row.id),
        status: row.status.into(),
        file_name: row.file_name.clone(),
        existing: row.existing.into(),
        total: count(row.total),
        processed: count(row.processed),
        created: count(row.created),
        updated: count(row.updated),
        skipped: count(row.skipped),
        rejected: count(row.rejected),
        errors: serde_json::from_str(&row.errors).unwrap_or_default(),
        error: row.error.clone(),
        created_at: row.created_at,
        finished_at: row.finished_at,
    }
}

/// Starts an import: the file is checked (a header, a number column) and counted, then read in
/// the background. Answers the job as it starts.
pub async fn start(state: &AppState, caller: &CurrentUser, mut request: ImportRequest) -> AppResult<ContactImport> {
    require_staff(caller)?;
    request.upload.close().await?;
    let path = request.upload.path.clone();
    let scanned = tokio::task::spawn_blocking(move || scan(&path)).await.map_err(anyhow::Error::from)??;
    let columns = request.mapping.unwrap_or_else(|| guess_mapping(&scanned.header));
    let mapping = resolve_mapping(&columns, &scanned.header).map_err(|problem| FieldErrors::one("mapping", problem))?;
    let file_name: String = request
        .file_name
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "contatos.csv".to_owned())
        .chars()
        .take(255)
        .collect();
    let file_path = request.upload.path.to_string_lossy().into_owned();
    let tx = state.begin().await?;
    let row = store::contact_imports::insert(
        &tx,
        store::contact_imports::NewImportRow {
            company_id: caller.company_id,
            user_id: caller.id,
            instance_id: &state.instance_id,
            existing: request.existing.into(),
            file_name: &file_name,
            file_path: &file_path,
            total: scanned.total,
        },
    )
    .await?;
    tx.commit().await?;
    request.upload.kept = true;
    let dto = to_dto(&row);
    let job = Job {
        id: dto.id,
        company_id: caller.company_id,
        user_id: caller.id,
        path: request.upload.path.clone(),
        encoding: scanned.encoding,
        delimiter: scanned.delimiter,
        mapping,
        existing: request.existing,
        dto: dto.clone(),
    };
    spawn(state.clone(), job);
    Ok(dto)
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: ContactImportId) -> AppResult<ContactImport> {
    let row = store::contact_imports::get_in_company(&state.db, caller.company_id, id)
        .await?
        .ok_or(AppError::NotFound("import"))?;
    require_staff(caller)?;
    Ok(to_dto(&row))
}

/// Runs the job; whatever happens, it ends (`done`, `failed`) and its file goes.
fn spawn(state: AppState, job: Job) {
    tokio::spawn(async move {
        let (id, company_id, user_id, path) = (job.id, job.company_id, job.user_id, job.path.clone());
        let outcome = tokio::spawn(run(state.clone(), job)).await;
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(error)) => {
                tracing::warn!(%error, import = id.0, "contacts import failed");
                Some(format!("the import stopped: {error}"))
            }
            Err(_) => Some("the import stopped unexpectedly".to_owned()),
        };
        if let Some(reason) = failure
            && let Err(error) = end(&state, company_id, user_id, id, ImportStatus::Failed, Some(&reason)).await
        {
            tracing::warn!(%error, import = id.0, "recording a failed contacts import");
        }
        let _ = tokio::fs::remove_file(&path).await;
    });
}

/// Reads the file on a blocking thread, batch by batch, into `batches`; stops when the job stops
/// listening.
fn read_rows(
    job_path: &Path,
    encoding: csv_file::Encoding,
    delimiter: u8,
    mapping: &Mapping,
    batches: &mpsc::Sender<Vec<Outcome>>,
) -> AppResult<()> {
    let io = |error: std::io::Error| AppError::Internal(error.into());
    let mut reader = csv_file::records(csv_file::open(job_path, encoding).map_err(io)?, delimiter);
    let mut record = csv::ByteRecord::new();
    let mut seen = HashMap::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut row = 0u32;
    let mut header_read = false;
    loop {
        let more =
            reader.read_byte_record(&mut record).map_err(|error| anyhow::anyhow!("reading the file: {error}"))?;
        if !more {
            break;
        }
        row = row.saturating_add(1);
        let fields = csv_file::fields(&record);
        if csv_file::is_blank(&fields) {
            continue;
        }
        if !header_read {
            header_read = true;
            continue;
        }
        batch.push(check_row(row, &fields, mapping, &mut seen));
        if batch.len() == BATCH
            && batches.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_err()
        {
            return Ok(());
        }
    }
    if !batch.is_empty() {
        let _ = batches.blocking_send(batch);
    }
    Ok(())
}

async fn run(state: AppState, mut job: Job) -> AppResult<()> {
    let (sender, mut batches) = mpsc::channel::<Vec<Outcome>>(2);
    let (path, encoding, delimiter, mapping) = (job.path.clone(), job.encoding, job.delimiter, job.mapping.clone());
    let reader = tokio::task::spawn_blocking(move || read_rows(&path, encoding, delimiter, &mapping, &sender));
    while let Some(batch) = batches.recv().await {
        if !write_batch(&state, &mut job, batch).await? {
            // Interrupted meanwhile: the reader stops at its next send.
            return Ok(());
        }
        // Other tasks (and other writers waiting for SQLite's turn) go first.
        tokio::task::yield_now().await;
    }
    reader.await.map_err(anyhow::Error::from)??;
    end(&state, job.company_id, job.user_id, job.id, ImportStatus::Done, None).await
}

/// Writes one batch and the job's progress in one transaction; false when the job is no longer
/// running (nothing written).
async fn write_batch(state: &AppState, job: &mut Job, batch: Vec<Outcome>) -> AppResult<bool> {
    let mut dto = job.dto.clone();
    let mut candidates = Vec::with_capacity(batch.len());
    let mut errors_changed = false;
    for outcome in batch {
        dto.processed += 1;
        match outcome {
            Outcome::Candidate(candidate) => candidates.push(candidate),
            Outcome::Rejected(error) => {
                dto.rejected += 1;
                if dto.errors.len() < MAX_ROW_ERRORS {
                    dto.errors.push(error);
                    errors_changed = true;
                }
            }
        }
    }
    let tx = state.begin().await?;
    // New numbers first, in one statement: the unique index (not a lookup whose plan depends on
    // the table's statistics, which lag behind a fast-growing table) tells which already exist.
    let new: Vec<store::contacts::ImportedContact> = candidates
        .iter()
        .map(|candidate| store::contacts::ImportedContact {
            name: candidate.name.clone().unwrap_or_else(|| candidate.number.clone()),
            number: candidate.number.clone(),
            email: candidate.email.clone(),
            extra: serde_json::Value::Object(candidate.extra.clone()).to_string(),
        })
        .collect();
    let inserted: HashSet<String> =
        store::contacts::insert_imported(&tx, job.company_id, new).await?.into_iter().collect();
    dto.created += inserted.len() as u32;
    let existing: Vec<Candidate> = candidates.into_iter().filter(|c| !inserted.contains(&c.number)).collect();
    match job.existing {
        ImportExisting::Skip => dto.skipped += existing.len() as u32,
        ImportExisting::Update => {
            let numbers: Vec<String> = existing.iter().map(|c| c.number.clone()).collect();
            let contacts: HashMap<String, contacts::Model> = store::contacts::by_numbers(&tx, job.company_id, &numbers)
                .await?
                .into_iter()
                .map(|contact| (contact.number.clone(), contact))
                .collect();
            for candidate in existing {
                let Some(contact) = contacts.get(&candidate.number) else {
                    // Deleted since the insert saw it: nothing to update.
                    dto.skipped += 1;
                    continue;
                };
                let mut extra = match serde_json::from_str::<serde_json::Value>(&contact.extra) {
                    Ok(serde_json::Value::Object(map)) => map,
                    _ => serde_json::Map::new(),
                };
                extra.extend(candidate.extra);
                let mut row = contact.clone().into_active_model();
                if let Some(name) = candidate.name {
                    row.name = Set(name);
                }
                if let Some(email) = candidate.email {
                    row.email = Set(Some(email));
                }
                row.extra = Set(serde_json::Value::Object(extra).to_string());
                store::contacts::update(&tx, row).await?;
                dto.updated += 1;
            }
        }
    }
    let errors_json =
        if errors_changed { Some(serde_json::to_string(&dto.errors).map_err(anyhow::Error::from)?) } else { None };
    let progress = store::contact_imports::Progress {
        processed: dto.processed,
        created: dto.created,
        updated: dto.updated,
        skipped: dto.skipped,
        rejected: dto.rejected,
        errors: errors_json.as_deref(),
    };
    if !store::contact_imports::record_progress(&tx, job.id, progress).await? {
        return Ok(false);
    }
    let mut outbox = Outbox::new();
    outbox.add(&tx, job.company_id, Audience::Person(job.user_id), Event::ImportProgress(dto.clone())).await?;
    tx.commit().await?;
    outbox.publish(state);
    job.dto = dto;
    Ok(true)
}

/// Ends a running job and tells its owner; nothing when it had ended already.
async fn end(
    state: &AppState,
    company_id: CompanyId,
    user_id: UserId,
    id: ContactImportId,
    status: ImportStatus,
    error: Option<&str>,
) -> AppResult<()> {
    let tx = state.begin().await?;
    if !store::contact_imports::finish(&tx, id, status.into(), error).await? {
        return Ok(());
    }
    let row = store::contact_imports::get_in_company(&tx, company_id, id).await?.ok_or(AppError::NotFound("import"))?;
    let mut outbox = Outbox::new();
    outbox.add(&tx, company_id, Audience::Person(user_id), Event::ImportProgress(to_dto(&row))).await?;
    tx.commit().await?;
    outbox.publish(state);
    Ok(())
}

async fn interrupt(state: &AppState, rows: Vec<contact_imports::Model>, reason: &str) -> AppResult<usize> {
    let count = rows.len();
    for row in rows {
        end(
            state,
            CompanyId(row.company_id),
            UserId(row.user_id),
            ContactImportId(row.id),
            ImportStatus::Interrupted,
            Some(reason),
        )
        .await?;
        let _ = tokio::fs::remove_file(&row.file_path).await;
    }
    Ok(count)
}

/// Marks running jobs untouched for `stale_after` interrupted (their server died); how many.
pub async fn sweep_stale(state: &AppState, stale_after: Duration) -> AppResult<usize> {
    let cutoff = Utc::now() - chrono::Duration::from_std(stale_after).unwrap_or(chrono::Duration::MAX);
    let rows = store::contact_imports::stale(&state.db, cutoff).await?;
    interrupt(state, rows, "the server running the import stopped").await
}

/// Marks this instance's running jobs interrupted (it is stopping).
pub async fn interrupt_own(state: &AppState) -> AppResult<usize> {
    let rows = store::contact_imports::running_of_instance(&state.db, &state.instance_id).await?;
    interrupt(state, rows, "the server was stopped during the import").await
}

/// Each instance's sweeper of jobs whose server died; on stop, it interrupts its own instance's.
pub struct ImportSweeper {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl ImportSweeper {
    pub fn start(state: AppState) -> Self {
        let (stop, mut stopping) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                if let Err(error) = sweep_stale(&state, STALE_AFTER).await {
                    tracing::warn!(%error, "sweeping abandoned contacts imports");
                }
                tokio::select! {
                    () = tokio::time::sleep(SWEEP_EVERY) => {}
                    _ = stopping.changed() => break,
                }
            }
            if let Err(error) = interrupt_own(&state).await {
                tracing::warn!(%error, "interrupting this instance's contacts imports");
            }
        });
        Self { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// The export's columns: the fixed ones, then every extra field's key in the order first met.
async fn export_columns(
    state: &AppState,
    company_id: CompanyId,
    search: Option<&str>,
    wallet_user: Option<UserId>,
) -> AppResult<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    let mut known = std::collections::HashSet::new();
    let mut after = None;
    loop {
        let rows = store::contacts::page(&state.db, company_id, search, wallet_user, after, EXPORT_PAGE).await?;
        let more = rows.len() as u64 > EXPORT_PAGE;
        for contact in rows.iter().take(EXPORT_PAGE as usize) {
            if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&contact.extra) {
                for key in map.keys() {
                    if known.insert(key.clone()) {
                        keys.push(key.clone());
                    }
                }
            }
            after = Some(contact.id);
        }
        if !more {
            return Ok(keys);
        }
    }
}

fn csv_bytes(rows: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> AppResult<Bytes> {
    let mut writer =
        csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    rows(&mut writer).map_err(anyhow::Error::from)?;
    let bytes = writer.into_inner().map_err(|error| anyhow::anyhow!("writing CSV: {error}"))?;
    Ok(Bytes::from(bytes))
}

fn export_row(contact: &contacts::Model, keys: &[String]) -> Vec<String> {
    let number =
        PhoneNumber::parse(&contact.number).map(|n| n.for_spreadsheet()).unwrap_or_else(|_| contact.number.clone());
    let extra = match serde_json::from_str::<serde_json::Value>(&contact.extra) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let mut cells =
        vec![csv_file::escape(&contact.name), number, csv_file::escape(contact.email.as_deref().unwrap_or_default())];
    cells.extend(keys.iter().map(|key| match extra.get(key) {
        Some(serde_json::Value::String(text)) => csv_file::escape(text),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => csv_file::escape(&other.to_string()),
    }));
    cells
}

/// The company's contacts matching `search` (the list's filter) as CSV for Excel pt-BR: UTF-8 with
/// a byte-order mark, `;` between fields, CRLF. Read and sent a page at a time.
pub async fn export(
    state: &AppState,
    caller: &CurrentUser,
    search: Option<&str>,
    wallet_user: Option<UserId>,
) -> AppResult<impl Stream<Item = AppResult<Bytes>> + Send + 'static> {
    require_staff(caller)?;
    let search: Option<String> = search.map(|q| q.chars().take(100).collect());
    let keys = export_columns(state, caller.company_id, search.as_deref(), wallet_user).await?;
    let mut header = vec!["Nome".to_owned(), "Número".to_owned(), "E-mail".to_owned()];
    header.extend(keys.iter().map(|key| csv_file::escape(key)));
    let mut first = b"\xEF\xBB\xBF".to_vec();
    first.extend_from_slice(&csv_bytes(|writer| writer.write_record(&header))?);
    struct Cursor {
        state: AppState,
        company_id: CompanyId,
        search: Option<String>,
        wallet_user: Option<UserId>,
        keys: Vec<String>,
        after: Option<i64>,
        done: bool,
        first: Option<Bytes>,
    }
    let cursor = Cursor {
        state: state.clone(),
        company_id: caller.company_id,
        search,
        wallet_user,
        keys,
        after: None,
        done: false,
        first: Some(Bytes::from(first)),
    };
    Ok(futures_util::stream::unfold(cursor, |mut cursor| async move {
        if let Some(first) = cursor.first.take() {
            return Some((Ok(first), cursor));
        }
        if cursor.done {
            return None;
        }
        let rows = match store::contacts::page(
            &cursor.state.db,
            cursor.company_id,
            cursor.search.as_deref(),
            cursor.wallet_user,
            cursor.after,
            EXPORT_PAGE,
        )
        .await
        {
            Ok(rows) => rows,
            Err(error) => {
                cursor.done = true;
                return Some((Err(error.into()), cursor));
            }
        };
        cursor.done = rows.len() as u64 <= EXPORT_PAGE;
        let rows = &rows[..rows.len().min(EXPORT_PAGE as usize)];
        cursor.after = rows.last().map(|contact| contact.id);
        if rows.is_empty() {
            return None;
        }
        let keys = &cursor.keys;
        let chunk =
            csv_bytes(|writer| rows.iter().try_for_each(|contact| writer.write_record(export_row(contact, keys))));
        Some((chunk, cursor))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(titles: &[&str]) -> Vec<String> {
        titles.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn columns_are_guessed_from_their_titles() {
        use ImportColumn::*;
        assert_eq!(guess_mapping(&header(&["Nome", "Telefone", "E-mail", "Cidade"])), vec![Name, Number, Email, Extra]);
        assert_eq!(guess_mapping(&header(&["name", "phone", "email"])), vec![Name, Number, Email]);
        assert_eq!(
            guess_mapping(&header(&["NÚMERO", "Nome completo", "WhatsApp", ""])),
            vec![Number, Name, Extra, Ignore]
        );
    }

    #[test]
    fn a_mapping_needs_one_number_column() {
        use ImportColumn::*;
        let titles = header(&["a", "b", "c"]);
        assert!(resolve_mapping(&[Name, Email, Extra], &titles).is_err());
        assert!(resolve_mapping(&[Number, Number], &titles).is_err());
        assert!(resolve_mapping(&[Number, Name, Name], &titles).is_err());
        assert!(resolve_mapping(&[Number, Name, Extra, Extra], &titles).is_err());
        let mapping = resolve_mapping(&[Extra, Number], &titles).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((mapping.number, mapping.name, mapping.extra), (1, None, vec![(0, "a".to_owned())]));
    }
}
