//! `/settings`: the company's settings (Configurações).

use shared::settings::{ConnectionTest, Settings, SettingsPatch};

use super::ApiError;
use super::client::{self, Method};

pub async fn get() -> Result<Settings, ApiError> {
    client::get("/settings").await
}

pub async fn update(patch: &SettingsPatch) -> Result<Settings, ApiError> {
    client::send(Method::Patch, "/settings", patch).await
}

/// `POST /settings/{section}/test`: the provider's answer to the saved settings.
pub async fn test(section: &str) -> Result<ConnectionTest, ApiError> {
    client::send(Method::Post, &format!("/settings/{section}/test"), &serde_json::json!({})).await
}
