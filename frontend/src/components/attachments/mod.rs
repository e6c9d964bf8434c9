//! Files in the composer: picked (several at once), pasted or dropped onto the conversation, they
//! wait in a tray with a preview and a caption each, are checked against the company's size limit
//! before any upload, and go one message each, in order, when the agent sends.

mod drop;
mod model;
mod tray;

pub use drop::DropOverlay;
pub use tray::{AttachmentTray, Tray};
