use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::contacts::{Contact, NewContact, UpdateContact};
use shared::{ContactId, ErrorBody, Page, UserId};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, Created};
use crate::auth::CurrentUser;
use crate::domain;
use crate::domain::page::PageRequest;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts, create_contact))
        .routes(routes!(get_contact, update_contact, delete_contact))
        .routes(routes!(block))
        .routes(routes!(unblock))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Part of the name, number or e-mail.
    q: Option<String>,
    /// Only the contacts whose fixed agent (Carteira) is this user.
    #[param(value_type = Option<i64>)]
    wallet_user_id: Option<UserId>,
    cursor: Option<String>,
    limit: Option<u64>,
}

/// The company's contacts.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ContactQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Contact>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_contacts(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<ContactQuery>,
) -> AppResult<AppJson<Page<Contact>>> {
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit)?;
    domain::contacts::list(&state, &caller, query.q.as_deref(), query.wallet_user_id, page).await.map(AppJson)
}

/// Create a contact; the number is normalised (Brazilian mobiles get their ninth digit).
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = NewContact, security(("bearer" = [])),
    responses((status = 201, body = Contact), (status = 422, body = ErrorBody)))]
async fn create_contact(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(new): AppJson<NewContact>,
) -> AppResult<Created<Contact>> {
    domain::contacts::create(&state, &caller, new).await.map(Created)
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
async fn get_contact(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
) -> AppResult<AppJson<Contact>> {
    domain::contacts::get(&state, &caller, id).await.map(AppJson)
}

#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), request_body = UpdateContact,
    security(("bearer" = [])), responses((status = 200, body = Contact), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_contact(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
    AppJson(change): AppJson<UpdateContact>,
) -> AppResult<AppJson<Contact>> {
    domain::contacts::update(&state, &caller, id, change).await.map(AppJson)
}

/// Delete a contact and its tickets (admin or supervisor).
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_contact(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
) -> AppResult<StatusCode> {
    domain::contacts::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Block the contact: their messages are dropped from now on.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/block", tag = "contacts", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
async fn block(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
) -> AppResult<AppJson<Contact>> {
    domain::contacts::set_blocked(&state, &caller, id, true).await.map(AppJson)
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/unblock", tag = "contacts", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
async fn unblock(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<ContactId>,
) -> AppResult<AppJson<Contact>> {
    domain::contacts::set_blocked(&state, &caller, id, false).await.map(AppJson)
}
