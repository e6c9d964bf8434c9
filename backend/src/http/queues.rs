use axum::extract::State;
use axum::http::StatusCode;
use shared::org::{NewQueue, Queue, UpdateQueue};
use shared::{ErrorBody, Page, QueueId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, Created, PageQuery};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_queues, create_queue)).routes(routes!(
        get_queue,
        update_queue,
        delete_queue
    ))
}

/// The company's queues, by id.
#[utoipa::path(get, path = "/api/v1/queues", tag = "queues", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Queue>), (status = 401, body = ErrorBody)))]
async fn list_queues(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<PageQuery>,
) -> AppResult<AppJson<Page<Queue>>> {
    domain::queues::list(&state, &caller, query.request()?).await.map(AppJson)
}

/// Create a queue (admin).
#[utoipa::path(post, path = "/api/v1/queues", tag = "queues", request_body = NewQueue, security(("bearer" = [])),
    responses((status = 201, body = Queue), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_queue(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewQueue>,
) -> AppResult<Created<Queue>> {
    domain::queues::create(&state, &caller, new).await.map(Created)
}

#[utoipa::path(get, path = "/api/v1/queues/{id}", tag = "queues", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Queue), (status = 404, body = ErrorBody)))]
async fn get_queue(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<QueueId>,
) -> AppResult<AppJson<Queue>> {
    domain::queues::get(&state, &caller, id).await.map(AppJson)
}

/// Change a queue (admin).
#[utoipa::path(patch, path = "/api/v1/queues/{id}", tag = "queues", params(("id" = i64, Path)), request_body = UpdateQueue,
    security(("bearer" = [])),
    responses((status = 200, body = Queue), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_queue(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<QueueId>,
    AppJson(change): AppJson<UpdateQueue>,
) -> AppResult<AppJson<Queue>> {
    domain::queues::update(&state, &caller, id, change).await.map(AppJson)
}

/// Delete a queue (admin).
#[utoipa::path(delete, path = "/api/v1/queues/{id}", tag = "queues", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_queue(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<QueueId>,
) -> AppResult<StatusCode> {
    domain::queues::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
