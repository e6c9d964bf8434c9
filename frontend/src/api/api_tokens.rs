//! `/api-tokens`: tokens for integrators (administrators). The token itself is shown once.

use shared::auth::{ApiToken, CreatedApiToken, NewApiToken};
use shared::ids::ApiTokenId;

use super::ApiError;
use super::client::{self, Method};

pub async fn list() -> Result<Vec<ApiToken>, ApiError> {
    client::get("/api-tokens").await
}

pub async fn create(name: &str) -> Result<CreatedApiToken, ApiError> {
    client::send(Method::Post, "/api-tokens", &NewApiToken { name: name.to_owned() }).await
}

pub async fn revoke(id: ApiTokenId) -> Result<(), ApiError> {
    client::delete(&format!("/api-tokens/{id}")).await
}
