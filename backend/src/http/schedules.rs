use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::schedules::{NewSchedule, Schedule, ScheduleStatus, UpdateSchedule};
use shared::validate::Invalid;
use shared::{ContactId, ErrorBody, Page, ScheduleId, TicketId, UserId};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::tickets::multipart_error;
use super::{AppJson, AppPath, AppQuery, Created};
use crate::auth::CurrentUser;
use crate::domain;
use crate::domain::messages::Attachment;
use crate::domain::schedules::ListQuery;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(
            OpenApiRouter::new()
                .routes(routes!(list_schedules, create_schedule))
                .layer(DefaultBodyLimit::max(domain::media::UPLOAD_CEILING_BYTES + 64 * 1024)),
        )
        .routes(routes!(get_schedule, update_schedule, cancel_schedule))
        .routes(routes!(schedule_media))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ScheduleListQuery {
    contact_id: Option<i64>,
    /// A ticket's schedules (the contact panel): whoever may see the ticket sees them.
    ticket_id: Option<i64>,
    /// `scheduled`, `sent`, `failed` or `canceled`.
    status: Option<String>,
    /// The author (admins and supervisors; an agent sees their own).
    user_id: Option<i64>,
    cursor: Option<String>,
    limit: Option<u64>,
}

/// Scheduled messages, newest first: admins and supervisors all, agents their own (or a ticket's
/// they may see, with `ticket_id`).
#[utoipa::path(get, path = "/api/v1/schedules", tag = "schedules", params(ScheduleListQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Schedule>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn list_schedules(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<ScheduleListQuery>,
) -> AppResult<AppJson<Page<Schedule>>> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(ScheduleStatus::parse(raw).ok_or_else(|| {
            AppError::bad_request(shared::ErrorCode::InvalidQuery, "status must be scheduled, sent, failed or canceled")
        })?),
    };
    let list = ListQuery {
        contact_id: query.contact_id.map(ContactId),
        ticket_id: query.ticket_id.map(TicketId),
        status,
        user_id: query.user_id.map(UserId),
        page: domain::page::PageRequest::parse(query.cursor.as_deref(), query.limit)?,
    };
    domain::schedules::list(&state, &caller, list).await.map(AppJson)
}

/// Multipart form of `POST /schedules`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ScheduleUpload {
    contact_id: i64,
    ticket_id: Option<i64>,
    body: Option<String>,
    /// RFC 3339.
    send_at: String,
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: Option<String>,
    /// `audio` (a voice note), `sticker` or `file`.
    kind: Option<String>,
}

/// Schedule a message to a contact (JSON, or multipart with a file). It goes out at `send_at`
/// through the ticket it was written from, the contact's open one, or a new one.
#[utoipa::path(post, path = "/api/v1/schedules", tag = "schedules",
    request_body(content((NewSchedule = "application/json"), (ScheduleUpload = "multipart/form-data"))),
    security(("bearer" = [])),
    responses((status = 201, body = Schedule), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_schedule(
    State(state): State<AppState>,
    caller: CurrentUser,
    request: Request,
) -> AppResult<Created<Schedule>> {
    if !super::is_multipart(&request) {
        let AppJson(new) = AppJson::<NewSchedule>::from_request(request, &state).await?;
        return domain::schedules::create(&state, &caller, new, None).await.map(Created);
    }
    let mut form = Multipart::from_request(request, &state).await.map_err(multipart_error)?;
    let (mut contact, mut ticket, mut body, mut send_at, mut kind, mut file) =
        (None, None, String::new(), None, None, None);
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().map(str::to_owned);
                file = Some((super::upload::spool_file(&state, caller.company_id, field).await?, file_name));
            }
            _ => {
                let text = field.text().await.map_err(multipart_error)?;
                match name.as_str() {
                    "contact_id" => contact = Some(id_field("contact_id", &text)?),
                    "ticket_id" if !text.trim().is_empty() => ticket = Some(id_field("ticket_id", &text)?),
                    "body" => body = text,
                    "send_at" => send_at = Some(time_field(&text)?),
                    "kind" => kind = Some(text),
                    _ => {}
                }
            }
        }
    }
    let contact_id = contact.ok_or_else(|| FieldErrors::one("contact_id", Invalid::Required))?;
    let send_at = send_at.ok_or_else(|| FieldErrors::one("send_at", Invalid::Required))?;
    let new = NewSchedule { contact_id: ContactId(contact_id), ticket_id: ticket.map(TicketId), body, send_at };
    let attachment = file.map(|(file, file_name)| Attachment {
        body: domain::media::FileBody::Spooled(file),
        file_name,
        kind_hint: kind,
    });
    domain::schedules::create(&state, &caller, new, attachment).await.map(Created)
}

fn id_field(field: &str, text: &str) -> AppResult<i64> {
    text.trim().parse().map_err(|_| FieldErrors::one(field, Invalid::Malformed { reason: "must be a number".into() }))
}

fn time_field(text: &str) -> AppResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        FieldErrors::one(
            "send_at",
            Invalid::Malformed { reason: "must be a time like 2026-11-28T14:30:00-03:00".into() },
        )
    })
}

#[utoipa::path(get, path = "/api/v1/schedules/{id}", tag = "schedules", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Schedule), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_schedule(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ScheduleId>,
) -> AppResult<AppJson<Schedule>> {
    domain::schedules::get(&state, &caller, id).await.map(AppJson)
}

/// Change the text or the time of a message still waiting (409 once sent, failed or canceled).
#[utoipa::path(patch, path = "/api/v1/schedules/{id}", tag = "schedules", params(("id" = i64, Path)), request_body = UpdateSchedule,
    security(("bearer" = [])),
    responses((status = 200, body = Schedule), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_schedule(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ScheduleId>,
    AppJson(change): AppJson<UpdateSchedule>,
) -> AppResult<AppJson<Schedule>> {
    domain::schedules::update(&state, &caller, id, change).await.map(AppJson)
}

/// Cancel a message still waiting: it stays listed, `canceled` (409 once sent, failed or canceled).
#[utoipa::path(delete, path = "/api/v1/schedules/{id}", tag = "schedules", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Schedule), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn cancel_schedule(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ScheduleId>,
) -> AppResult<AppJson<Schedule>> {
    domain::schedules::cancel(&state, &caller, id).await.map(AppJson)
}

/// The file attached to a scheduled message.
#[utoipa::path(get, path = "/api/v1/schedules/{id}/media", tag = "schedules", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, description = "the file, with its own media type", content_type = "*/*"), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn schedule_media(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ScheduleId>,
) -> AppResult<axum::response::Response> {
    let (path, mime, name) = domain::schedules::media_of(&state, &caller, id).await?;
    super::download::serve(&state, &path, &mime, &name, "media").await
}
