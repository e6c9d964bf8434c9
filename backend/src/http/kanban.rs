use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::kanban::{Board, BoardTickets, NewBoard, PlaceTicket, UpdateBoard};
use shared::tickets::Ticket;
use shared::{BoardId, ErrorBody, Page, QueueId, TicketId, UserId};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, Created, PageQuery};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_boards, create_board))
        .routes(routes!(get_board, update_board, delete_board))
        .routes(routes!(board_tickets))
        .routes(routes!(place_ticket))
}

/// The company's kanban boards with their lanes in order (everyone of the company reads them).
#[utoipa::path(get, path = "/api/v1/kanban/boards", tag = "kanban", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Board>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_boards(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<PageQuery>,
) -> AppResult<AppJson<Page<Board>>> {
    domain::kanban::list(&state, &caller, query.request()?).await.map(AppJson)
}

/// Create a board (admin); its lanes are ordered as given.
#[utoipa::path(post, path = "/api/v1/kanban/boards", tag = "kanban", request_body = NewBoard, security(("bearer" = [])),
    responses((status = 201, body = Board), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_board(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewBoard>,
) -> AppResult<Created<Board>> {
    domain::kanban::create(&state, &caller, new).await.map(Created)
}

#[utoipa::path(get, path = "/api/v1/kanban/boards/{id}", tag = "kanban", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Board), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_board(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<BoardId>,
) -> AppResult<AppJson<Board>> {
    domain::kanban::get(&state, &caller, id).await.map(AppJson)
}

/// Change a board (admin). `lanes` replaces the list: lanes with an `id` are kept (renamed,
/// recoloured, reordered), lanes without one are created, and lanes left out are deleted — their
/// tickets leave the board.
#[utoipa::path(patch, path = "/api/v1/kanban/boards/{id}", tag = "kanban", params(("id" = i64, Path)),
    request_body = UpdateBoard, security(("bearer" = [])),
    responses((status = 200, body = Board), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_board(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<BoardId>,
    AppJson(change): AppJson<UpdateBoard>,
) -> AppResult<AppJson<Board>> {
    domain::kanban::update(&state, &caller, id, change).await.map(AppJson)
}

/// Delete a board and its lanes (admin); its tickets leave it.
#[utoipa::path(delete, path = "/api/v1/kanban/boards/{id}", tag = "kanban", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_board(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<BoardId>,
) -> AppResult<StatusCode> {
    domain::kanban::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardTicketsQuery {
    /// Only the tickets of this queue.
    queue_id: Option<QueueId>,
    /// Only the tickets assigned to this agent.
    user_id: Option<UserId>,
    /// At most this many tickets (1 to 500, the default).
    limit: Option<u64>,
}

/// The tickets on a board that the caller may see (agents: the same rule as the ticket list),
/// the most recently active first; `truncated` when there were more than `limit`.
#[utoipa::path(get, path = "/api/v1/kanban/boards/{id}/tickets", tag = "kanban",
    params(("id" = i64, Path), BoardTicketsQuery), security(("bearer" = [])),
    responses((status = 200, body = BoardTickets), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn board_tickets(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<BoardId>,
    AppQuery(query): AppQuery<BoardTicketsQuery>,
) -> AppResult<AppJson<BoardTickets>> {
    domain::kanban::board_tickets(&state, &caller, id, query.queue_id, query.user_id, query.limit).await.map(AppJson)
}

/// Place the ticket in a lane of any of the company's boards (it leaves the lane it was in), or
/// take it off its board with `lane_id: null`. Writes a `kanban_moved` log row; whoever may see the
/// ticket gets `ticket.updated` with its new `kanban_lane_id`.
#[utoipa::path(put, path = "/api/v1/tickets/{id}/kanban", tag = "kanban", params(("id" = i64, Path)),
    request_body = PlaceTicket, security(("bearer" = [])),
    responses((status = 200, body = Ticket), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn place_ticket(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    AppJson(to): AppJson<PlaceTicket>,
) -> AppResult<AppJson<Ticket>> {
    domain::kanban::place(&state, &caller, id, to).await.map(AppJson)
}
