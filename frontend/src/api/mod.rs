//! The JSON API under `/api/v1`: a client that carries and refreshes tokens, one module per resource.

pub mod auth;
pub mod client;
mod error;
pub mod me;
pub mod queues;
pub mod users;

pub use error::ApiError;

/// `?limit=..&cursor=..` for list endpoints; the cursor is opaque and gets URL-encoded.
pub(crate) fn page_query(limit: u32, cursor: Option<&str>) -> String {
    match cursor {
        Some(cursor) => format!("?limit={limit}&cursor={}", js_sys::encode_uri_component(cursor)),
        None => format!("?limit={limit}"),
    }
}
