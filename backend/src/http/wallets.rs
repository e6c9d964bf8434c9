//! Wallets (Carteira): a contact's fixed agent, who gets their new tickets directly.

use axum::extract::State;
use serde::Deserialize;
use shared::contacts::{Contact, SetWallet};
use shared::{ContactId, ErrorBody, TicketId};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(set_wallet, clear_wallet))
}

/// Make a user the contact's fixed agent (admins and supervisors): the contact's new tickets go
/// straight to them, open and assigned, while they are signed in (else they wait in the queue).
#[utoipa::path(put, path = "/api/v1/contacts/{id}/wallet", tag = "contacts", params(("id" = i64, Path)),
    request_body = SetWallet, security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_wallet(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
    AppJson(change): AppJson<SetWallet>,
) -> AppResult<AppJson<Contact>> {
    domain::contacts::set_wallet(&state, &caller, id, change).await.map(AppJson)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClearWalletQuery {
    /// Removed from this ticket's panel: the change is written in its logs.
    #[param(value_type = Option<i64>)]
    ticket_id: Option<TicketId>,
}

/// Remove the contact's fixed agent (admins and supervisors): new tickets wait in the queue again.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}/wallet", tag = "contacts",
    params(("id" = i64, Path), ClearWalletQuery), security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn clear_wallet(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
    AppQuery(query): AppQuery<ClearWalletQuery>,
) -> AppResult<AppJson<Contact>> {
    domain::contacts::clear_wallet(&state, &caller, id, query.ticket_id).await.map(AppJson)
}
