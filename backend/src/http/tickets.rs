use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::tickets::{
    Message, NewMessage, NewTicket, ResolveTicket, Ticket, TicketDetail, TicketFilter, TicketKind, TicketLog,
    TicketStatus, TransferTicket,
};
use shared::{ConnectionId, ErrorBody, Page, QueueId, TagId, TicketId, UserId};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, Created, PageQuery};
use crate::auth::CurrentUser;
use crate::domain;
use crate::domain::tickets::{Action, ListQuery};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use shared::ErrorCode;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tickets, create_ticket))
        .routes(routes!(get_ticket))
        .routes(routes!(accept))
        .routes(routes!(transfer))
        .routes(routes!(return_to_queue))
        .routes(routes!(resolve))
        .routes(routes!(reopen))
        .routes(routes!(logs))
        .merge(
            // Uploads may be larger than the JSON bodies the rest of the API takes.
            OpenApiRouter::new()
                .routes(routes!(list_messages, send_message))
                .layer(DefaultBodyLimit::max(domain::media::UPLOAD_CEILING_BYTES + 64 * 1024)),
        )
        .routes(routes!(message_media))
        .routes(routes!(resend_message))
}

/// Send a failed message, or one whose fate is unknown, again (the agent decided): back to
/// `pending`, through the outbox. Only outbound messages of an open ticket the caller may see.
#[utoipa::path(post, path = "/api/v1/messages/{id}/resend", tag = "tickets", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Message), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn resend_message(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<shared::MessageId>,
) -> AppResult<AppJson<Message>> {
    domain::messages::resend(&state, &caller, id).await.map(AppJson)
}

/// The file of a message, to users who may see its ticket. Served as an attachment unless it is
/// a raster image, audio or video, and never sniffed by the browser.
#[utoipa::path(get, path = "/api/v1/messages/{id}/media", tag = "tickets", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, description = "the file, with its own media type", content_type = "*/*"), (status = 404, body = ErrorBody)))]
async fn message_media(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<shared::MessageId>,
) -> AppResult<axum::response::Response> {
    let (path, mime, name) = domain::messages::media_of(&state, &caller, id).await?;
    super::download::serve(&state, &path, &mime, &name, "media").await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketListQuery {
    #[serde(default, deserialize_with = "super::empty_as_none")]
    #[param(value_type = Option<TicketStatus>)]
    status: Option<TicketStatus>,
    #[serde(default, deserialize_with = "super::empty_as_none")]
    #[param(value_type = Option<TicketKind>)]
    kind: Option<TicketKind>,
    #[param(value_type = Option<i64>)]
    queue_id: Option<QueueId>,
    #[param(value_type = Option<i64>)]
    user_id: Option<UserId>,
    /// Tickets carrying any of these tags: one id or a comma-separated list (`tag_id=3,7`).
    tag_id: Option<String>,
    #[param(value_type = Option<i64>)]
    connection_id: Option<ConnectionId>,
    /// Only tickets with unread messages.
    unread: Option<bool>,
    /// `mine`: tickets of contacts in the caller's wallet.
    #[serde(default, deserialize_with = "super::empty_as_none")]
    #[param(value_type = Option<String>)]
    wallet: Option<Wallet>,
    /// Last activity at or after this time (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Last activity before this time (RFC 3339).
    to: Option<DateTime<Utc>>,
    /// Contact name (from its start, accents and case ignored), number (its first digits), ticket
    /// number (`42`, `#42`) or protocol number (exact), or words of message text (the newest 500
    /// messages containing them; an agent's signature is not searched).
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Wallet {
    Mine,
}

/// The ticket list of a tab, with filters and search, newest activity first (pending: longest waiting first).
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", params(TicketListQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Ticket>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "Not ready, or the database cannot be reached right now; try again (`unavailable`); or too many searches (`q`) are running: retry after `Retry-After` seconds (`search_busy`)")))]
async fn list_tickets(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<TicketListQuery>,
) -> AppResult<AppJson<Page<Ticket>>> {
    let filter = TicketFilter {
        status: query.status,
        kind: query.kind,
        queue_id: query.queue_id,
        user_id: query.user_id,
        connection_id: query.connection_id,
        tag_ids: tag_ids(query.tag_id.as_deref())?,
        unread_only: query.unread.unwrap_or(false),
        from: query.from,
        to: query.to,
        search: query.q,
        // Set by the domain from `wallet_mine` (it is the caller's).
        wallet_user_id: None,
    };
    let list =
        ListQuery { filter, wallet_mine: query.wallet == Some(Wallet::Mine), cursor: query.cursor, limit: query.limit };
    domain::tickets::list(&state, &caller, list).await.map(AppJson)
}

/// `tag_id=3,7` as tag ids; blanks are ignored, anything else is a 400.
fn tag_ids(raw: Option<&str>) -> AppResult<Vec<TagId>> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse()
                .map(TagId)
                .map_err(|_| AppError::bad_request(ErrorCode::InvalidQuery, "tag_id takes tag ids separated by commas"))
        })
        .collect()
}

/// Start a conversation: an open ticket for the caller with an existing contact.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = NewTicket, security(("bearer" = [])),
    responses((status = 201, body = Ticket), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_ticket(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewTicket>,
) -> AppResult<Created<Ticket>> {
    domain::tickets::create(&state, &caller, new).await.map(Created)
}

/// One ticket; opening it is written to its logs.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 404, body = ErrorBody)))]
async fn get_ticket(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
) -> AppResult<AppJson<TicketDetail>> {
    domain::tickets::get(&state, &caller, id).await.map(AppJson)
}

async fn act(state: AppState, caller: CurrentUser, id: TicketId, action: Action) -> AppResult<AppJson<Ticket>> {
    domain::tickets::transition(&state, &caller, id, action).await.map(AppJson)
}

/// pending → open, assigned to the caller.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/accept", tag = "tickets", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Ticket), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn accept(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
) -> AppResult<AppJson<Ticket>> {
    act(state, caller, id, Action::Accept).await
}

/// To a user (open, theirs) and/or a queue (pending there when no user is given).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/transfer", tag = "tickets", params(("id" = i64, Path)), request_body = TransferTicket,
    security(("bearer" = [])),
    responses((status = 200, body = Ticket), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn transfer(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    AppJson(body): AppJson<TransferTicket>,
) -> AppResult<AppJson<Ticket>> {
    act(state, caller, id, Action::Transfer(body)).await
}

/// open → pending, no agent, at the end of its queue.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/return-to-queue", tag = "tickets", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Ticket), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn return_to_queue(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
) -> AppResult<AppJson<Ticket>> {
    act(state, caller, id, Action::ReturnToQueue).await
}

/// open | pending → closed. `send_rating: true` sends the satisfaction survey too; with the
/// settings' `ratings.on_resolve` on, it is sent even without the flag (not to groups). With
/// ratings switched off nothing is sent and the ticket is resolved all the same.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/resolve", tag = "tickets", params(("id" = i64, Path)),
    request_body(content = Option<ResolveTicket>), security(("bearer" = [])),
    responses((status = 200, body = Ticket), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn resolve(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    request: Request,
) -> AppResult<AppJson<Ticket>> {
    // The body is optional: without one (no content type), nothing but the resolution.
    let send_rating = if request.headers().contains_key(axum::http::header::CONTENT_TYPE) {
        AppJson::<ResolveTicket>::from_request(request, &state).await?.0.send_rating
    } else {
        false
    };
    act(state, caller, id, Action::Resolve { send_rating }).await
}

/// closed → open, assigned to the caller.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/reopen", tag = "tickets", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Ticket), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn reopen(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
) -> AppResult<AppJson<Ticket>> {
    act(state, caller, id, Action::Reopen).await
}

/// Who opened the ticket and what they did, newest first.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/logs", tag = "tickets", params(("id" = i64, Path), PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<TicketLog>), (status = 404, body = ErrorBody)))]
async fn logs(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    AppQuery(page): AppQuery<PageQuery>,
) -> AppResult<AppJson<Page<TicketLog>>> {
    domain::tickets::logs(&state, &caller, id, page.request()?).await.map(AppJson)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessagesQuery {
    /// Messages older than this message id (the previous page's `next_cursor`).
    before: Option<String>,
    /// Messages per page: default 40, at most 500.
    limit: Option<u64>,
}

/// The thread, newest first. The assigned agent reading it clears the unread count.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/messages", tag = "tickets", params(("id" = i64, Path), MessagesQuery),
    security(("bearer" = [])), responses((status = 200, body = Page<Message>), (status = 404, body = ErrorBody)))]
async fn list_messages(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    AppQuery(query): AppQuery<MessagesQuery>,
) -> AppResult<AppJson<Page<Message>>> {
    let before = match query.before.as_deref().filter(|b| !b.is_empty()) {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .map_err(|_| AppError::bad_request(ErrorCode::InvalidCursor, "before must be a message id"))?,
        ),
    };
    domain::messages::list(&state, &caller, id, before, query.limit).await.map(AppJson)
}

/// Multipart form of `POST /tickets/{id}/messages`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct MessageUpload {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// Caption.
    body: Option<String>,
    /// `audio` (a voice note), `sticker` (WebP) or `file` (send as a document).
    kind: Option<String>,
}

/// Send a message to the contact: JSON text (or `sticker_id`: a sticker of the library), or a
/// multipart file (type sniffed from the bytes, at most the company's `general.max_upload_mb`, else
/// 413) with `body` as its caption. Stored as pending, then sent through the outbox, which keeps a
/// conversation's messages in the order written. A voice note (`kind=audio`) recorded as WebM/Opus
/// is stored and sent as Ogg/Opus (`audio/ogg; codecs=opus`, a `.ogg` name); Ogg/Opus is kept as it
/// is; a WebM with video or without Opus answers 422 (`kind`: `not_audio`).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", tag = "tickets", params(("id" = i64, Path)),
    request_body(content(
        (NewMessage = "application/json"),
        (MessageUpload = "multipart/form-data"),
    )),
    security(("bearer" = [])),
    responses((status = 201, body = Message), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn send_message(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    request: Request,
) -> AppResult<Created<Message>> {
    if !super::is_multipart(&request) {
        let AppJson(new) = AppJson::<NewMessage>::from_request(request, &state).await?;
        return domain::messages::send_text(&state, &caller, id, new).await.map(Created);
    }
    let mut form = Multipart::from_request(request, &state).await.map_err(multipart_error)?;
    let (mut body, mut kind, mut attachment) = (String::new(), None, None);
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let file_name = field.file_name().map(str::to_owned);
                let file = super::upload::spool_file(&state, caller.company_id, field).await?;
                attachment = Some((file, file_name));
            }
            "body" => body = field.text().await.map_err(multipart_error)?,
            "kind" => kind = Some(field.text().await.map_err(multipart_error)?),
            _ => {}
        }
    }
    let Some((file, file_name)) = attachment else {
        return Err(crate::error::FieldErrors::one("file", shared::validate::Invalid::FileRequired));
    };
    let body_file = domain::media::FileBody::Spooled(file);
    let attachment = domain::messages::Attachment { body: body_file, file_name, kind_hint: kind };
    domain::messages::send(&state, &caller, id, body, None, Some(attachment)).await.map(Created)
}

pub(super) fn multipart_error(error: impl Into<MultipartFailure>) -> AppError {
    match error.into().status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        _ => AppError::bad_request(ErrorCode::MalformedMultipart, "the multipart body could not be read"),
    }
}

/// Either kind of multipart failure, reduced to its status.
pub struct MultipartFailure(StatusCode);

impl MultipartFailure {
    fn status(&self) -> StatusCode {
        self.0
    }
}

impl From<MultipartError> for MultipartFailure {
    fn from(error: MultipartError) -> Self {
        Self(error.status())
    }
}

impl From<MultipartRejection> for MultipartFailure {
    fn from(rejection: MultipartRejection) -> Self {
        Self(rejection.status())
    }
}
