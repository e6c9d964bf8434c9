//! `/dashboard`: today's figures for the home page.

use shared::tickets::Dashboard;

use super::ApiError;
use super::client;

pub async fn get() -> Result<Dashboard, ApiError> {
    client::get("/dashboard").await
}
