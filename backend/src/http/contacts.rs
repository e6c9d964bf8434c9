use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::contact_imports::{ContactImport, ImportColumn, ImportExisting, ImportPreview, MAX_IMPORT_BYTES};
use shared::contacts::{Contact, NewContact, UpdateContact};
use shared::validate::Invalid;
use shared::{ContactId, ContactImportId, ErrorBody, Page, UserId};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::tickets::multipart_error;
use super::{AppJson, AppPath, AppQuery, Created};
use crate::auth::CurrentUser;
use crate::domain;
use crate::domain::page::PageRequest;
use crate::error::{AppResult, FieldErrors};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts, create_contact))
        .routes(routes!(get_contact, update_contact, delete_contact))
        .routes(routes!(block))
        .routes(routes!(unblock))
        .routes(routes!(export_contacts))
        .routes(routes!(preview_import))
        .routes(routes!(get_import))
        .merge(
            // The file may be far larger than the JSON bodies the rest of the API takes.
            OpenApiRouter::new()
                .routes(routes!(import_contacts))
                .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 64 * 1024)),
        )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Part of the name, number or e-mail.
    q: Option<String>,
    /// Only the contacts whose fixed agent (Carteira) is this user.
    #[param(value_type = Option<i64>)]
    wallet_user_id: Option<UserId>,
    cursor: Option<String>,
    limit: Option<u64>,
}

/// The company's contacts.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ContactQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Contact>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_contacts(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<ContactQuery>,
) -> AppResult<AppJson<Page<Contact>>> {
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit)?;
    domain::contacts::list(&state, &caller, query.q.as_deref(), query.wallet_user_id, page).await.map(AppJson)
}

/// Create a contact; the number is normalised (Brazilian mobiles get their ninth digit).
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = NewContact, security(("bearer" = [])),
    responses((status = 201, body = Contact), (status = 422, body = ErrorBody)))]
async fn create_contact(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewContact>,
) -> AppResult<Created<Contact>> {
    domain::contacts::create(&state, &caller, new).await.map(Created)
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
async fn get_contact(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
) -> AppResult<AppJson<Contact>> {
    domain::contacts::get(&state, &caller, id).await.map(AppJson)
}

#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), request_body = UpdateContact,
    security(("bearer" = [])), responses((status = 200, body = Contact), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_contact(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
    AppJson(change): AppJson<UpdateContact>,
) -> AppResult<AppJson<Contact>> {
    domain::contacts::update(&state, &caller, id, change).await.map(AppJson)
}

/// Delete a contact and its tickets (admin or supervisor).
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_contact(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
) -> AppResult<StatusCode> {
    domain::contacts::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Block the contact: their messages are dropped from now on.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/block", tag = "contacts", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
async fn block(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
) -> AppResult<AppJson<Contact>> {
    domain::contacts::set_blocked(&state, &caller, id, true).await.map(AppJson)
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/unblock", tag = "contacts", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
async fn unblock(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
) -> AppResult<AppJson<Contact>> {
    domain::contacts::set_blocked(&state, &caller, id, false).await.map(AppJson)
}

/// The list's filters, for the export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactFilterQuery {
    /// Part of the name, number or e-mail.
    q: Option<String>,
    /// Only the contacts whose fixed agent (Carteira) is this user.
    wallet_user_id: Option<UserId>,
}

/// The contacts the list shows with the same filters, as a CSV file for Excel pt-BR (admins and
/// supervisors): UTF-8 with a byte-order mark, `;` between fields, CRLF; columns `Nome`, `Número`
/// (`(+55) 11 98765-4321`), `E-mail`, then one per extra field. Cells that would start a formula get
/// a leading `'`. Streamed a page at a time; the import reads it back.
#[utoipa::path(get, path = "/api/v1/contacts/export", tag = "contacts", params(ContactFilterQuery), security(("bearer" = [])),
    responses((status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn export_contacts(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<ContactFilterQuery>,
) -> AppResult<Response> {
    let stream = domain::contacts_io::export(&state, &caller, query.q.as_deref(), query.wallet_user_id).await?;
    let headers = [
        (CONTENT_TYPE, "text/csv; charset=utf-8"),
        (CONTENT_DISPOSITION, "attachment; filename=\"contatos.csv\""),
        (CACHE_CONTROL, "no-store"),
    ];
    Ok((headers, Body::from_stream(stream)).into_response())
}

/// Multipart form of `POST /contacts/import`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ImportUpload {
    /// The CSV file: UTF-8 (with or without BOM) or Windows-1252/Latin-1; `;`, `,` or tab between
    /// fields (read from the header line); the first non-blank row is the header.
    #[schema(format = Binary, content_media_type = "text/csv")]
    file: String,
    /// JSON array, one entry per column: `name`, `number`, `email`, `extra` (an extra field named
    /// by the column's title) or `ignore`. Exactly one `number`. Absent: guessed from the titles
    /// (as the preview shows).
    mapping: Option<String>,
    /// `skip` (default) or `update`: what to do with a row whose number is already a contact.
    existing: Option<String>,
}

/// Import contacts from a CSV file (admins and supervisors), as a background job: answers 202 with
/// the job at once; `GET /contacts/imports/{id}` and the `import.progress` event follow it. Every
/// number is validated and normalised; a row whose number an earlier row has, or that is invalid,
/// is rejected with its row number and reason. At most 50 MB (413 above).
#[utoipa::path(post, path = "/api/v1/contacts/import", tag = "contacts",
    request_body(content((ImportUpload = "multipart/form-data"))), security(("bearer" = [])),
    responses((status = 202, body = ContactImport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn import_contacts(
    State(state): State<AppState>,
    caller: CurrentUser,
    form: Result<Multipart, MultipartRejection>,
) -> AppResult<(StatusCode, AppJson<ContactImport>)> {
    // Refused before the body is read: an agent's file never reaches the disk.
    domain::contacts_io::require_staff(&caller)?;
    let mut form = form.map_err(multipart_error)?;
    let (mut upload, mut file_name, mut mapping, mut existing) = (None, None, None, ImportExisting::Skip);
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" => {
                file_name = field.file_name().map(str::to_owned);
                let mut sink = domain::contacts_io::Upload::create(&state).await?;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    sink.push(&chunk).await?;
                }
                upload = Some(sink);
            }
            "mapping" => {
                let text = field.text().await.map_err(multipart_error)?;
                let columns = serde_json::from_str::<Vec<ImportColumn>>(&text)
                    .map_err(|error| FieldErrors::one("mapping", Invalid::Malformed { reason: error.to_string() }))?;
                mapping = Some(columns);
            }
            "existing" => {
                let text = field.text().await.map_err(multipart_error)?;
                existing = ImportExisting::parse(text.trim()).ok_or_else(|| {
                    FieldErrors::one("existing", Invalid::Malformed { reason: "must be update or skip".into() })
                })?;
            }
            _ => {}
        }
    }
    let upload = upload.ok_or_else(|| FieldErrors::one("file", Invalid::FileRequired))?;
    let request = domain::contacts_io::ImportRequest { upload, file_name, mapping, existing };
    let job = domain::contacts_io::start(&state, &caller, request).await?;
    Ok((StatusCode::ACCEPTED, AppJson(job)))
}

/// Multipart form of `POST /contacts/import/preview`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct PreviewUpload {
    /// The file, or its first 64 KB.
    #[schema(format = Binary, content_media_type = "text/csv")]
    file: String,
    /// `true` when `file` is only the start of the file (its last line may be cut).
    truncated: Option<String>,
}

/// How a CSV file will be read (admins and supervisors): its encoding and separator, the header,
/// the first rows and the guessed column mapping. Nothing is stored.
#[utoipa::path(post, path = "/api/v1/contacts/import/preview", tag = "contacts",
    request_body(content((PreviewUpload = "multipart/form-data"))), security(("bearer" = [])),
    responses((status = 200, body = ImportPreview), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn preview_import(
    caller: CurrentUser,
    form: Result<Multipart, MultipartRejection>,
) -> AppResult<AppJson<ImportPreview>> {
    domain::contacts_io::require_staff(&caller)?;
    let mut form = form.map_err(multipart_error)?;
    let (mut bytes, mut truncated) = (None, false);
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" => bytes = Some(field.bytes().await.map_err(multipart_error)?),
            "truncated" => truncated = field.text().await.map_err(multipart_error)?.trim() == "true",
            _ => {}
        }
    }
    let bytes = bytes.ok_or_else(|| FieldErrors::one("file", Invalid::FileRequired))?;
    domain::contacts_io::preview(&caller, &bytes, truncated).map(AppJson)
}

/// A contacts import: its progress while `running`, then its report (admins and supervisors).
#[utoipa::path(get, path = "/api/v1/contacts/imports/{id}", tag = "contacts", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ContactImport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_import(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactImportId>,
) -> AppResult<AppJson<ContactImport>> {
    domain::contacts_io::get(&state, &caller, id).await.map(AppJson)
}
