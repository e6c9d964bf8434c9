//! Contacts import (a CSV file, as a background job) and export.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::FieldProblem;
use crate::ids::ContactImportId;
use crate::wire_enum;

wire_enum!(
    /// What a column of the file becomes.
    ImportColumn { Name = "name", Number = "number", Email = "email", Extra = "extra", Ignore = "ignore" }
);
wire_enum!(
    /// A row whose number is already a contact of the company: `update` its name, e-mail and extra
    /// fields from the row (empty cells keep what the contact has), or `skip` it.
    ImportExisting { Update = "update", Skip = "skip" }
);
wire_enum!(
    /// `running` until every row is read; `done`; `failed` (the file could not be read to the end,
    /// or the database refused); `interrupted` (its server stopped or died while it ran).
    ImportStatus { Running = "running", Done = "done", Failed = "failed", Interrupted = "interrupted" }
);

/// How many rejected rows a job keeps with their reasons (the count goes on).
pub const MAX_ROW_ERRORS: usize = 100;
/// The largest file `POST /contacts/import` takes.
pub const MAX_IMPORT_BYTES: usize = 50 * 1024 * 1024;
/// How much of the file the page sends for the preview.
pub const PREVIEW_BYTES: usize = 64 * 1024;

/// A contacts import: its progress, then its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactImport {
    pub id: ContactImportId,
    pub status: ImportStatus,
    pub file_name: String,
    pub existing: ImportExisting,
    /// Data rows in the file (the header and blank rows not counted).
    pub total: u32,
    pub processed: u32,
    pub created: u32,
    pub updated: u32,
    pub skipped: u32,
    pub rejected: u32,
    /// The first rejected rows with their reasons, at most [`MAX_ROW_ERRORS`].
    pub errors: Vec<ImportRowError>,
    /// Why the job failed or stopped.
    #[serde(default)]
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
}

/// A row left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRowError {
    /// The row as a spreadsheet numbers it: the header is row 1.
    pub row: u32,
    /// `name`, `number`, `email`, or an extra field's column title.
    pub field: String,
    pub problem: FieldProblem,
}

/// The start of a file as the server reads it, for the page's column mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportPreview {
    /// `utf-8` or `windows-1252`.
    pub encoding: String,
    /// `;`, `,` or a tab.
    pub delimiter: String,
    pub header: Vec<String>,
    /// The first data rows (at most 10).
    pub rows: Vec<Vec<String>>,
    /// A guess per column from its title (`Nome`, `Telefone`, `E-mail`…): what the import does
    /// when no mapping is sent.
    pub mapping: Vec<ImportColumn>,
}
