//! The rules. Handlers call these; these call `store`, inside a transaction when more than one
//! row changes.

pub mod api_tokens;
pub mod auth;
pub mod bootstrap;
pub mod companies;
pub mod me;
pub mod page;
pub mod queues;
pub mod users;
