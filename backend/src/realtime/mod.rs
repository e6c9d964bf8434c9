//! Transport of live events. The database's events table is the truth (it assigns `seq` and lets
//! clients resume); the bus only rings the bell for sockets connected to this process.

pub mod bus;
pub mod redis;
pub mod replay;
pub mod slots;
pub mod socket;

pub use bus::{Bus, StoredEvent};
pub use shared::visibility::Audience;
