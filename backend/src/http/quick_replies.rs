use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shared::quick_replies::{NewQuickReply, QuickReply, UpdateQuickReply};
use shared::validate::Invalid;
use shared::{ErrorBody, Page, QuickReplyId};
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
        .routes(routes!(list_quick_replies, create_quick_reply))
        .routes(routes!(get_quick_reply, update_quick_reply, delete_quick_reply))
        .merge(
            // Files may be larger than the JSON bodies the rest of the API takes.
            OpenApiRouter::new()
                .routes(routes!(get_file, put_file, delete_file))
                .layer(DefaultBodyLimit::max(domain::media::UPLOAD_CEILING_BYTES + 64 * 1024)),
        )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuickReplyQuery {
    /// The start of the shortcut (a leading `/` is ignored) or part of the text, any case.
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<u64>,
}

/// The quick replies the caller may use, by id: agents get the company-wide ones and their
/// queues'; admins and supervisors all.
#[utoipa::path(get, path = "/api/v1/quick-replies", tag = "quick replies", params(QuickReplyQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<QuickReply>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_quick_replies(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<QuickReplyQuery>,
) -> AppResult<AppJson<Page<QuickReply>>> {
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit)?;
    domain::quick_replies::list(&state, &caller, query.q.as_deref(), page).await.map(AppJson)
}

/// Create a quick reply (admin). The shortcut is unique in its scope (the company, or the queue).
#[utoipa::path(post, path = "/api/v1/quick-replies", tag = "quick replies", request_body = NewQuickReply,
    security(("bearer" = [])),
    responses((status = 201, body = QuickReply), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_quick_reply(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewQuickReply>,
) -> AppResult<Created<QuickReply>> {
    domain::quick_replies::create(&state, &caller, new).await.map(Created)
}

#[utoipa::path(get, path = "/api/v1/quick-replies/{id}", tag = "quick replies", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = QuickReply), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_quick_reply(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<QuickReplyId>,
) -> AppResult<AppJson<QuickReply>> {
    domain::quick_replies::get(&state, &caller, id).await.map(AppJson)
}

/// Change a quick reply (admin); `queue_id: null` makes it company-wide.
#[utoipa::path(patch, path = "/api/v1/quick-replies/{id}", tag = "quick replies", params(("id" = i64, Path)),
    request_body = UpdateQuickReply, security(("bearer" = [])),
    responses((status = 200, body = QuickReply), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_quick_reply(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<QuickReplyId>,
    AppJson(change): AppJson<UpdateQuickReply>,
) -> AppResult<AppJson<QuickReply>> {
    domain::quick_replies::update(&state, &caller, id, change).await.map(AppJson)
}

/// Delete a quick reply and its file (admin). Messages sent with it keep their copy.
#[utoipa::path(delete, path = "/api/v1/quick-replies/{id}", tag = "quick replies", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_quick_reply(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<QuickReplyId>,
) -> AppResult<StatusCode> {
    domain::quick_replies::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The file of a quick reply, to users who may use the reply. Served like message media: an
/// attachment unless it is a raster image, audio or video, and never sniffed by the browser.
#[utoipa::path(get, path = "/api/v1/quick-replies/{id}/file", tag = "quick replies", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, description = "the file, with its own media type", content_type = "*/*"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_file(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<QuickReplyId>,
) -> AppResult<Response> {
    let (path, mime, name) = domain::quick_replies::file_of(&state, &caller, id).await?;
    super::download::serve(&state, &path, &mime, &name, "file").await
}

/// Multipart form of `PUT /quick-replies/{id}/file`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct QuickReplyUpload {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Attach a file to a quick reply, replacing any it had (admin): type sniffed from the bytes,
/// executables refused, at most the company's upload limit.
#[utoipa::path(put, path = "/api/v1/quick-replies/{id}/file", tag = "quick replies", params(("id" = i64, Path)),
    request_body(content((QuickReplyUpload = "multipart/form-data"))), security(("bearer" = [])),
    responses((status = 200, body = QuickReply), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_file(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<QuickReplyId>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> AppResult<AppJson<QuickReply>> {
    // Refused before the body is read: an agent's upload never reaches the disk.
    caller.require_admin()?;
    let mut form = form.map_err(multipart_error)?;
    let mut upload = None;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        if field.name() == Some("file") {
            let file_name = field.file_name().map(str::to_owned);
            let file = super::upload::spool_file(&state, caller.company_id, field).await?;
            upload = Some(domain::quick_replies::Upload { body: domain::media::FileBody::Spooled(file), file_name });
        }
    }
    let upload = upload.ok_or_else(|| FieldErrors::one("file", Invalid::FileRequired))?;
    domain::quick_replies::set_file(&state, &caller, id, upload).await.map(AppJson)
}

/// Remove a quick reply's file (admin); the text stays.
#[utoipa::path(delete, path = "/api/v1/quick-replies/{id}/file", tag = "quick replies", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = QuickReply), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn delete_file(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<QuickReplyId>,
) -> AppResult<AppJson<QuickReply>> {
    domain::quick_replies::remove_file(&state, &caller, id).await.map(AppJson)
}
