use axum::extract::State;
use axum::http::StatusCode;
use shared::tags::{NewTag, Tag, UpdateTag};
use shared::tickets::Ticket;
use shared::{ErrorBody, Page, TagId, TicketId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, Created, PageQuery};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tags, create_tag))
        .routes(routes!(get_tag, update_tag, delete_tag))
        .routes(routes!(tag_ticket, untag_ticket))
}

/// The company's tags, by position (everyone signed in).
#[utoipa::path(get, path = "/api/v1/tags", tag = "tags", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Tag>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_tags(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<PageQuery>,
) -> AppResult<AppJson<Page<Tag>>> {
    domain::tags::list(&state, &caller, query.request()?).await.map(AppJson)
}

/// Create a tag (admin). Without `position` it goes after the last one.
#[utoipa::path(post, path = "/api/v1/tags", tag = "tags", request_body = NewTag, security(("bearer" = [])),
    responses((status = 201, body = Tag), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_tag(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewTag>,
) -> AppResult<Created<Tag>> {
    domain::tags::create(&state, &caller, new).await.map(Created)
}

#[utoipa::path(get, path = "/api/v1/tags/{id}", tag = "tags", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Tag), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_tag(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TagId>,
) -> AppResult<AppJson<Tag>> {
    domain::tags::get(&state, &caller, id).await.map(AppJson)
}

/// Change a tag (admin); the tickets carrying it are announced (`ticket.updated`).
#[utoipa::path(patch, path = "/api/v1/tags/{id}", tag = "tags", params(("id" = i64, Path)), request_body = UpdateTag,
    security(("bearer" = [])),
    responses((status = 200, body = Tag), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_tag(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TagId>,
    AppJson(change): AppJson<UpdateTag>,
) -> AppResult<AppJson<Tag>> {
    domain::tags::update(&state, &caller, id, change).await.map(AppJson)
}

/// Delete a tag (admin): it comes off every ticket.
#[utoipa::path(delete, path = "/api/v1/tags/{id}", tag = "tags", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_tag(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TagId>,
) -> AppResult<StatusCode> {
    domain::tags::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Put a tag on a ticket; idempotent (a repeat changes nothing and logs nothing). Answers the ticket.
#[utoipa::path(put, path = "/api/v1/tickets/{id}/tags/{tag_id}", tag = "tags",
    params(("id" = i64, Path), ("tag_id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Ticket), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn tag_ticket(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath((id, tag_id)): AppPath<(TicketId, TagId)>,
) -> AppResult<AppJson<Ticket>> {
    domain::tags::set_on_ticket(&state, &caller, id, tag_id, true).await.map(AppJson)
}

/// Take a tag off a ticket; idempotent. Answers the ticket.
#[utoipa::path(delete, path = "/api/v1/tickets/{id}/tags/{tag_id}", tag = "tags",
    params(("id" = i64, Path), ("tag_id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Ticket), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn untag_ticket(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath((id, tag_id)): AppPath<(TicketId, TagId)>,
) -> AppResult<AppJson<Ticket>> {
    domain::tags::set_on_ticket(&state, &caller, id, tag_id, false).await.map(AppJson)
}
