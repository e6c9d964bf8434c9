//! Client-side state: the signed-in session (and the browser storage it survives reloads in), the
//! live event stream, and the ticket list.

pub mod paged;
pub mod realtime;
pub mod session;
pub mod storage;
pub mod tickets;
