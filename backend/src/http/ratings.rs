use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::ratings::{RatingList, TicketRating};
use shared::{ErrorBody, QueueId, TicketId, UserId};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, Created};
use crate::auth::CurrentUser;
use crate::domain;
use crate::domain::ratings::RatingQuery;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(request_rating)).routes(routes!(ticket_rating)).routes(routes!(list_ratings))
}

/// Send the satisfaction survey to the ticket's contact now (the settings' question and scale,
/// through the outbox). Their next message within `window_minutes` is read as the score; a reply
/// that is not one is asked once more, then treated as an ordinary message. A survey still
/// awaiting this contact's answer is replaced. 409 `ratings_disabled` when ratings are off.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/rating-request", tag = "ratings", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 201, body = TicketRating), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn request_rating(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
) -> AppResult<Created<TicketRating>> {
    domain::ratings::request(&state, &caller, id).await.map(Created)
}

/// The ticket's newest survey and where it stands (`null` when none was sent).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/rating", tag = "ratings", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Option<TicketRating>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn ticket_rating(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
) -> AppResult<AppJson<Option<TicketRating>>> {
    domain::ratings::of_ticket(&state, &caller, id).await.map(AppJson)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RatingsQuery {
    /// Answered at or after this time (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Answered before this time (RFC 3339).
    to: Option<DateTime<Utc>>,
    /// The rated agent (the ticket's agent when the survey was sent).
    #[param(value_type = Option<i64>)]
    user_id: Option<UserId>,
    /// The ticket's queue when the survey was sent.
    #[param(value_type = Option<i64>)]
    queue_id: Option<QueueId>,
    /// How many items (newest first; 100 by default, at most 1000). The summary covers all.
    limit: Option<u64>,
}

/// Received ratings with their count, average and distribution. Admins and supervisors see the
/// company's; an agent sees only their own (another agent's `user_id` is 403).
#[utoipa::path(get, path = "/api/v1/ratings", tag = "ratings", params(RatingsQuery), security(("bearer" = [])),
    responses((status = 200, body = RatingList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn list_ratings(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<RatingsQuery>,
) -> AppResult<AppJson<RatingList>> {
    let query = RatingQuery {
        from: query.from,
        to: query.to,
        user_id: query.user_id,
        queue_id: query.queue_id,
        limit: query.limit,
    };
    domain::ratings::list(&state, &caller, query).await.map(AppJson)
}
