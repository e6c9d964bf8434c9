//! The JSON API under `/api/v1`: a client that carries and refreshes tokens, one module per resource.

pub mod api_tokens;
pub mod auth;
pub mod client;
pub mod companies;
pub mod connections;
pub mod contacts;
pub mod dashboard;
mod error;
pub mod kanban;
pub mod me;
pub mod media;
pub mod notes;
pub mod protocols;
pub mod queues;
pub mod quick_replies;
pub mod ratings;
pub mod resource;
pub mod schedules;
pub mod settings;
pub mod stickers;
pub mod tags;
pub mod tickets;
pub mod upload;
pub mod users;
pub mod webhooks;
pub mod whatsapp_web;

pub use error::ApiError;
pub use resource::{HasId, Resource};

/// `?limit=..&cursor=..` for list endpoints; the cursor is opaque and gets URL-encoded.
pub(crate) fn page_query(limit: u32, cursor: Option<&str>) -> String {
    match cursor {
        Some(cursor) => format!("?limit={limit}&cursor={}", encode(cursor)),
        None => format!("?limit={limit}"),
    }
}

/// A query-string value, percent-encoded (pure Rust, so it also runs in host unit tests).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Every item of a list endpoint, following cursors (bounded, to survive a misbehaving server).
pub(crate) async fn all_pages<T: serde::de::DeserializeOwned>(path: &str) -> Result<Vec<T>, ApiError> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let page: shared::Page<T> = client::get(&format!("{path}{}", page_query(100, cursor.as_deref()))).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    #[test]
    fn encode_escapes_everything_but_unreserved() {
        assert_eq!(super::encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(super::encode("Maria-1_2.3~"), "Maria-1_2.3~");
    }
}
