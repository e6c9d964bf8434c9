//! `/me`: the signed-in user's own profile.

use shared::auth::{Me, UpdateMe};

use super::ApiError;
use super::client::{self, Method};

pub async fn get() -> Result<Me, ApiError> {
    client::get("/me").await
}

pub async fn update(changes: &UpdateMe) -> Result<Me, ApiError> {
    client::send(Method::Patch, "/me", changes).await
}
