//! `/dashboard`: today's figures for the home page.

use serde::Deserialize;
use shared::tickets::{QueueRef, UserRef};

use super::ApiError;
use super::client;

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Dashboard {
    pub open: u64,
    pub pending: u64,
    pub closed_today: u64,
    pub created_today: u64,
    pub avg_wait_secs: Option<f64>,
    pub avg_handle_secs: Option<f64>,
    #[serde(default)]
    pub by_queue: Vec<QueueFigures>,
    #[serde(default)]
    pub by_agent: Vec<AgentFigures>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct QueueFigures {
    pub queue: Option<QueueRef>,
    pub open: u64,
    pub pending: u64,
    pub closed_today: u64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct AgentFigures {
    pub user: UserRef,
    pub open: u64,
    pub closed_today: u64,
}

/// `Ok(None)` when this server has no dashboard yet (404).
pub async fn get() -> Result<Option<Dashboard>, ApiError> {
    match client::get("/dashboard").await {
        Ok(dashboard) => Ok(Some(dashboard)),
        Err(ApiError::Api { status: 404, .. }) => Ok(None),
        Err(err) => Err(err),
    }
}
