use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use shared::contacts::{
    Connection, ConnectionTest, NewConnection, SimulatedGroup, SimulatedMedia, SimulatedMessage, SimulatedResult,
    UpdateConnection,
};
use shared::validate::Invalid;
use shared::{ConnectionId, ErrorBody, Page};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, Created, PageQuery};
use crate::auth::CurrentUser;
use crate::domain;
use crate::domain::inbound::Received;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use shared::ErrorCode;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_connections, create_connection))
        .routes(routes!(get_connection, update_connection, delete_connection))
        .merge(
            // A simulated customer's file may be larger than the JSON bodies the rest of the API takes.
            OpenApiRouter::new()
                .routes(routes!(simulate))
                .layer(DefaultBodyLimit::max(domain::media::MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .routes(routes!(test_connection))
}

#[utoipa::path(get, path = "/api/v1/connections", tag = "connections", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Connection>)))]
async fn list_connections(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(page): AppQuery<PageQuery>,
) -> AppResult<AppJson<Page<Connection>>> {
    domain::connections::list(&state, &caller, page.request()?).await.map(AppJson)
}

/// Add a connection (admin): the simulator, a Cloud API number (with its ids and secrets), or WhatsApp Web.
#[utoipa::path(post, path = "/api/v1/connections", tag = "connections", request_body = NewConnection, security(("bearer" = [])),
    responses((status = 201, body = Connection), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_connection(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewConnection>,
) -> AppResult<Created<Connection>> {
    domain::connections::create(&state, &caller, new).await.map(Created)
}

#[utoipa::path(get, path = "/api/v1/connections/{id}", tag = "connections", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Connection), (status = 404, body = ErrorBody)))]
async fn get_connection(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ConnectionId>,
) -> AppResult<AppJson<Connection>> {
    domain::connections::get(&state, &caller, id).await.map(AppJson)
}

#[utoipa::path(patch, path = "/api/v1/connections/{id}", tag = "connections", params(("id" = i64, Path)), request_body = UpdateConnection,
    security(("bearer" = [])), responses((status = 200, body = Connection), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_connection(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ConnectionId>,
    AppJson(change): AppJson<UpdateConnection>,
) -> AppResult<AppJson<Connection>> {
    domain::connections::update(&state, &caller, id, change).await.map(AppJson)
}

/// What happens to a deleted connection's conversations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionHistory {
    /// Delete its tickets, messages and media files with it.
    Delete,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteConnectionQuery {
    /// Required when the connection has tickets: `delete` removes them, their messages and files
    /// with it. Without it such a connection is kept (409 `connection_in_use`).
    #[param(inline)]
    history: Option<ConnectionHistory>,
}

/// Remove a connection (admin). One with conversations is removed only when asked to delete them
/// too (`history=delete`); history never goes silently.
#[utoipa::path(delete, path = "/api/v1/connections/{id}", tag = "connections", params(("id" = i64, Path), DeleteConnectionQuery),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_connection(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ConnectionId>,
    AppQuery(query): AppQuery<DeleteConnectionQuery>,
) -> AppResult<StatusCode> {
    let with_history = query.history == Some(ConnectionHistory::Delete);
    domain::connections::delete(&state, &caller, id, with_history).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Multipart form of `POST /connections/{id}/simulate`: the customer's file with the message's fields.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct SimulatedUpload {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: Option<String>,
    from: String,
    name: Option<String>,
    /// The file's caption, or the text.
    body: Option<String>,
    external_id: Option<String>,
    /// Sent inside this WhatsApp group (with `group_name`).
    group_id: Option<String>,
    group_name: Option<String>,
}

/// The multipart form as the JSON message it stands for.
async fn simulated_from_form(mut form: Multipart) -> AppResult<SimulatedMessage> {
    use base64::Engine;
    let mut text = std::collections::HashMap::<String, String>::new();
    let mut media = None;
    while let Some(field) = form.next_field().await.map_err(super::tickets::multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(super::tickets::multipart_error)?;
            if !bytes.is_empty() {
                // The inbound path of simulated messages takes the file as the JSON form does.
                let base64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
                media = Some(SimulatedMedia { base64, file_name });
            }
        } else {
            text.insert(name, field.text().await.map_err(super::tickets::multipart_error)?);
        }
    }
    let mut take = |key: &str| text.remove(key).filter(|v| !v.trim().is_empty());
    let group = match (take("group_id"), take("group_name")) {
        (Some(id), Some(name)) => Some(SimulatedGroup { id, name }),
        (None, None) => None,
        (Some(_), None) => return Err(FieldErrors::one("group_name", Invalid::Required)),
        (None, Some(_)) => return Err(FieldErrors::one("group_id", Invalid::Required)),
    };
    let Some(from) = take("from") else {
        return Err(FieldErrors::one("from", Invalid::Required));
    };
    Ok(SimulatedMessage {
        from,
        name: take("name"),
        body: take("body"),
        external_id: take("external_id"),
        group,
        media,
    })
}

/// A message from a simulated customer (admin or API token), through the same inbound path as a
/// real channel: JSON (a file as base64 in `media`), or a multipart form with the file as `file`
/// (up to 16 MiB). 201 when stored, 200 when the external id was seen before.
#[utoipa::path(post, path = "/api/v1/connections/{id}/simulate", tag = "connections", params(("id" = i64, Path)),
    request_body(content(
        (SimulatedMessage = "application/json"),
        (SimulatedUpload = "multipart/form-data"),
    )),
    security(("bearer" = [])),
    responses((status = 201, body = SimulatedResult), (status = 200, body = SimulatedResult),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn simulate(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ConnectionId>,
    request: Request,
) -> AppResult<(StatusCode, AppJson<SimulatedResult>)> {
    let message = if super::is_multipart(&request) {
        let form = Multipart::from_request(request, &state).await.map_err(super::tickets::multipart_error)?;
        simulated_from_form(form).await?
    } else {
        AppJson::<SimulatedMessage>::from_request(request, &state).await?.0
    };
    let result = |ticket_id, message_id, created| SimulatedResult { ticket_id, message_id, created };
    match domain::inbound::simulate(&state, &caller, id, message).await? {
        Received::Stored { ticket_id, message_id } => {
            Ok((StatusCode::CREATED, AppJson(result(ticket_id, message_id, true))))
        }
        Received::Duplicate { ticket_id, message_id } => {
            Ok((StatusCode::OK, AppJson(result(ticket_id, message_id, false))))
        }
        Received::Blocked => {
            Err(AppError::conflict(ErrorCode::ContactBlocked, "the contact is blocked; the message was dropped"))
        }
    }
}

/// Try the stored credentials (admin): a Cloud API number is looked up on the Graph API with its
/// token. `ok: false` carries the provider's refusal in its own words (never the token).
#[utoipa::path(post, path = "/api/v1/connections/{id}/test", tag = "connections", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = ConnectionTest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn test_connection(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ConnectionId>,
) -> AppResult<AppJson<ConnectionTest>> {
    domain::connections::test(&state, &caller, id).await.map(AppJson)
}
