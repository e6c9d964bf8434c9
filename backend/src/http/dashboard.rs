use axum::extract::State;
use shared::ErrorBody;
use shared::tickets::Dashboard;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dashboard))
}

/// Tickets by status now and today's flow (UTC day), waiting and handling times, per queue and agent.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "tickets", security(("bearer" = [])),
    responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody)))]
async fn dashboard(State(state): State<AppState>, caller: CurrentUser) -> AppResult<AppJson<Dashboard>> {
    domain::dashboard::today(&state, &caller).await.map(AppJson)
}
