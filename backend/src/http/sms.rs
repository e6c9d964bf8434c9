use axum::extract::State;
use shared::tickets::{Message, SendSms};
use shared::{ErrorBody, TicketId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, Created};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(send_sms))
}

/// Send an SMS by Comtele to the ticket's contact. The SMS joins the thread as a message with
/// `channel: "sms"` and its delivery result. 409 `sms_disabled` when the integration is off; 502
/// `provider_error` when Comtele refuses (the failed SMS is still in the thread, with the reason).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/sms", tag = "tickets", params(("id" = i64, Path)),
    request_body = SendSms, security(("bearer" = [])),
    responses((status = 201, body = Message), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 502, body = ErrorBody)))]
async fn send_sms(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<TicketId>,
    AppJson(sms): AppJson<SendSms>,
) -> AppResult<Created<Message>> {
    domain::sms::send(&state, &caller, id, sms).await.map(Created)
}
