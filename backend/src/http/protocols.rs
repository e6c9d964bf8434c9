//! Protocol numbers (Protocolo) of a ticket and of a contact.

use axum::extract::State;
use shared::protocols::{NewProtocol, Protocol};
use shared::{ContactId, ErrorBody, TicketId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, Created};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(generate)).routes(routes!(of_contact))
}

/// Generate the ticket's next protocol number (`YYYYMMDD-NNNNNN`, the company's local date and that
/// day's sequence); with `send_to_contact` it also goes to the contact (the ticket must be open).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/protocols", tag = "tickets", params(("id" = i64, Path)),
    request_body = NewProtocol, security(("bearer" = [])),
    responses((status = 201, body = Protocol), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn generate(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    AppJson(new): AppJson<NewProtocol>,
) -> AppResult<Created<Protocol>> {
    domain::protocols::generate(&state, &caller, id, new).await.map(Created)
}

/// The contact's protocols, newest first (agents: those of tickets they may see).
#[utoipa::path(get, path = "/api/v1/contacts/{id}/protocols", tag = "contacts", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Protocol>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn of_contact(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
) -> AppResult<AppJson<Vec<Protocol>>> {
    domain::protocols::of_contact(&state, &caller, id).await.map(AppJson)
}
