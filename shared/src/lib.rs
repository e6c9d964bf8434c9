//! Types that travel between the server and its clients: ids, DTOs, the wire error, validated values.
//! The `openapi` feature adds utoipa schemas; the browser client builds without it.

pub mod auth;
pub mod contact_imports;
pub mod contacts;
pub mod error;
pub mod events;
pub mod ids;
pub mod kanban;
pub mod lifecycle;
pub mod message_meta;
pub mod org;
pub mod page;
pub mod protocols;
pub mod quick_replies;
pub mod ratings;
pub mod schedules;
pub mod settings;
pub mod stickers;
pub mod tags;
pub mod tickets;
pub mod validate;
pub mod visibility;
pub mod webhooks;
pub mod whatsapp_web;

pub use error::{ErrorBody, ErrorCode, ErrorDetail, FieldProblem};
pub use ids::*;
pub use page::Page;
