//! `/queues`: everyone may list them; only administrators change them.

use shared::Page;
use shared::ids::QueueId;
use shared::org::{NewQueue, Queue, UpdateQueue};

use super::client::{self, Method};
use super::{ApiError, page_query};

pub const PAGE_SIZE: u32 = 25;

pub async fn list(cursor: Option<&str>) -> Result<Page<Queue>, ApiError> {
    client::get(&format!("/queues{}", page_query(PAGE_SIZE, cursor))).await
}

/// Every queue.
pub async fn list_all() -> Result<Vec<Queue>, ApiError> {
    super::all_pages("/queues").await
}

pub async fn create(queue: &NewQueue) -> Result<Queue, ApiError> {
    client::send(Method::Post, "/queues", queue).await
}

pub async fn update(id: QueueId, changes: &UpdateQueue) -> Result<Queue, ApiError> {
    client::send(Method::Patch, &format!("/queues/{id}"), changes).await
}

pub async fn delete(id: QueueId) -> Result<(), ApiError> {
    client::delete(&format!("/queues/{id}")).await
}
