//! The list cursor (`?cursor=`). Properties: no panic; any id encodes to a cursor that decodes to it;
//! a cursor that decodes is exactly the one `encode_cursor` gives for its id (one spelling per
//! position); the page request built from any cursor and limit has a limit of 1 to 100.
#![no_main]

use atende::domain::page::{PageRequest, decode_cursor, encode_cursor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(bytes) = data.get(..8) {
        let id = i64::from_le_bytes(bytes.try_into().unwrap_or_default());
        assert_eq!(decode_cursor(&encode_cursor(id)), Some(id));
    }
    let Ok(raw) = std::str::from_utf8(data) else { return };
    if let Some(id) = decode_cursor(raw) {
        assert_eq!(encode_cursor(id), raw);
    }
    let limit = data.first().map(|b| u64::from(*b) * 3);
    if let Ok(page) = PageRequest::parse(Some(raw), limit) {
        assert!((1..=100).contains(&page.limit));
        assert_eq!(page.after_id, if raw.is_empty() { None } else { decode_cursor(raw) });
    }
});
