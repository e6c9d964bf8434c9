use axum::extract::State;
use shared::tickets::{SetTicketBots, TicketBots};
use shared::{ErrorBody, TicketId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(set_bots))
}

/// Switch the ticket's bots. A ticket runs at most one bot: switching one on switches the others
/// off (two at once is 422). 409 `bot_disabled` when that integration is off in the settings, 409
/// `ticket_not_open` for a closed ticket. The bot answers from the contact's next message on.
#[utoipa::path(put, path = "/api/v1/tickets/{id}/bots", tag = "tickets", params(("id" = i64, Path)),
    request_body = SetTicketBots, security(("bearer" = [])),
    responses((status = 200, body = TicketBots), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_bots(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    AppJson(change): AppJson<SetTicketBots>,
) -> AppResult<AppJson<TicketBots>> {
    domain::bots::switches::set(&state, &caller, id, change).await.map(AppJson)
}
