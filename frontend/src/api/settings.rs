//! `/settings`: the company's settings (Configurações).

use shared::settings::{Settings, SettingsPatch};

use super::ApiError;
use super::client::{self, Method};

pub async fn get() -> Result<Settings, ApiError> {
    client::get("/settings").await
}

pub async fn update(patch: &SettingsPatch) -> Result<Settings, ApiError> {
    client::send(Method::Patch, "/settings", patch).await
}
