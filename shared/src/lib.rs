//! Types that travel between the server and its clients: ids, DTOs, the wire error, validated values.
//! The `openapi` feature adds utoipa schemas; the browser client builds without it.

pub mod auth;
pub mod contacts;
pub mod error;
pub mod events;
pub mod ids;
pub mod org;
pub mod page;
pub mod tickets;
pub mod validate;

pub use error::{ErrorBody, ErrorDetail};
pub use ids::*;
pub use page::Page;
