//! The rules. Handlers call these; these call `store`, inside a transaction when more than one
//! row changes.

pub mod api_tokens;
pub mod auth;
pub mod bootstrap;
pub mod companies;
pub mod connections;
pub mod contacts;
pub mod contacts_io;
pub mod dashboard;
pub mod events;
pub mod inbound;
pub mod me;
pub mod media;
pub mod messages;
pub mod ops;
pub mod outbound_url;
pub mod outbox;
pub mod page;
pub mod phone;
pub mod queues;
pub mod quick_replies;
pub mod schedules;
pub mod settings;
pub mod stickers;
pub mod tickets;
pub mod users;
