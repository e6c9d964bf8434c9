//! Client-side state: the signed-in session (and the browser storage it survives reloads in), the
//! live event stream, the ticket list, a conversation's messages, and the admin tables.

pub mod crud;
pub mod messages;
pub mod notes;
pub mod paged;
pub mod realtime;
pub mod session;
pub mod settings;
pub mod storage;
pub mod tickets;
