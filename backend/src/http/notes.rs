use axum::extract::State;
use axum::http::StatusCode;
use shared::tickets::{NewNote, Note};
use shared::{ErrorBody, NoteId, Page, TicketId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, Created, PageQuery};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_notes, create_note)).routes(routes!(delete_note))
}

/// A ticket's internal notes, newest first (never sent to the contact).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/notes", tag = "notes", params(("id" = i64, Path), PageQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Page<Note>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn list_notes(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    AppQuery(page): AppQuery<PageQuery>,
) -> AppResult<AppJson<Page<Note>>> {
    domain::notes::list(&state, &caller, id, page.request()?).await.map(AppJson)
}

/// Write an internal note on a ticket (a `note_added` log row; `note.created` to its viewers).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/notes", tag = "notes", params(("id" = i64, Path)), request_body = NewNote,
    security(("bearer" = [])),
    responses((status = 201, body = Note), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_note(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    AppJson(new): AppJson<NewNote>,
) -> AppResult<Created<Note>> {
    domain::notes::create(&state, &caller, id, new).await.map(Created)
}

/// Delete a note: its author, or an administrator (`note.deleted` to the ticket's viewers).
#[utoipa::path(delete, path = "/api/v1/notes/{id}", tag = "notes", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn delete_note(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<NoteId>,
) -> AppResult<StatusCode> {
    domain::notes::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
