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

/// Every queue, following cursors (bounded, to survive a misbehaving server).
pub async fn list_all() -> Result<Vec<Queue>, ApiError> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let page: Page<Queue> = client::get(&format!("/queues{}", page_query(100, cursor.as_deref()))).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(all)
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
