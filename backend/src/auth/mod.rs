//! Authentication: password hashing, access tokens, opaque secrets, and the `CurrentUser` extractor.

pub mod extractor;
pub mod jwt;
pub mod password;
pub mod secret;

pub use extractor::CurrentUser;
