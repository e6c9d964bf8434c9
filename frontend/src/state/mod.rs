//! Client-side state: the signed-in session and the browser storage it survives reloads in.

pub mod paged;
pub mod session;
pub mod storage;
