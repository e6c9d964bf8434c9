//! `/users` (administrators only).

use shared::Page;
use shared::ids::UserId;
use shared::org::{NewUser, UpdateUser, User};

use super::client::{self, Method};
use super::{ApiError, page_query};

pub const PAGE_SIZE: u32 = 25;

pub async fn list(cursor: Option<&str>) -> Result<Page<User>, ApiError> {
    client::get(&format!("/users{}", page_query(PAGE_SIZE, cursor))).await
}

/// Every user (everyone may list them: the transfer dialog and the filters need them).
pub async fn list_all() -> Result<Vec<User>, ApiError> {
    super::all_pages("/users").await
}

pub async fn create(user: &NewUser) -> Result<User, ApiError> {
    client::send(Method::Post, "/users", user).await
}

pub async fn update(id: UserId, changes: &UpdateUser) -> Result<User, ApiError> {
    client::send(Method::Patch, &format!("/users/{id}"), changes).await
}

pub async fn delete(id: UserId) -> Result<(), ApiError> {
    client::delete(&format!("/users/{id}")).await
}
