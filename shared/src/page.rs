//! The list envelope: `{"items": [...], "next_cursor": "opaque" | null}`.

use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: u64 = 40;
pub const MAX_LIMIT: u64 = 100;
/// A conversation's messages come in larger pages when asked: a reader going back through a long
/// history (or straight to its start) needs few round trips, and a message row is small.
pub const MAX_MESSAGE_LIMIT: u64 = 500;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
