//! `/companies` (platform administrator): tenants, each created with its first admin.

use shared::CompanyId;
use shared::org::{Company, CreatedCompany, NewCompany, UpdateCompany};

use super::ApiError;
use super::client::{self, Method};

pub async fn list() -> Result<Vec<Company>, ApiError> {
    client::get("/companies").await
}

pub async fn create(new: &NewCompany) -> Result<CreatedCompany, ApiError> {
    client::send(Method::Post, "/companies", new).await
}

pub async fn update(id: CompanyId, change: &UpdateCompany) -> Result<Company, ApiError> {
    client::send(Method::Patch, &format!("/companies/{id}"), change).await
}

pub async fn delete(id: CompanyId) -> Result<(), ApiError> {
    client::delete(&format!("/companies/{id}")).await
}
