use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::ErrorBody;
use shared::tickets::Dashboard;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppQuery};
use crate::auth::CurrentUser;
use crate::domain;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dashboard))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// Start of the ratings' period (RFC 3339); by default 30 days ago.
    from: Option<DateTime<Utc>>,
    /// End of the ratings' period (RFC 3339, exclusive); by default now.
    to: Option<DateTime<Utc>>,
}

/// Tickets by status now and today's flow (UTC day), waiting and handling times, per queue and
/// agent; and the ratings received in the period `from`–`to` (count, average, distribution;
/// per agent and per queue; an agent sees their own).
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "tickets", params(DashboardQuery), security(("bearer" = [])),
    responses((status = 200, body = Dashboard), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn dashboard(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<DashboardQuery>,
) -> AppResult<AppJson<Dashboard>> {
    domain::dashboard::today(&state, &caller, query.from, query.to).await.map(AppJson)
}
