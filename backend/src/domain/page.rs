//! Keyset pagination: an opaque cursor naming the last id seen, and a bounded page size.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use shared::Page;
use shared::page::{DEFAULT_LIMIT, MAX_LIMIT};

use crate::error::{AppError, AppResult};
use shared::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub after_id: Option<i64>,
    pub limit: u64,
}

impl PageRequest {
    pub fn parse(cursor: Option<&str>, limit: Option<u64>) -> AppResult<Self> {
        Self::parse_up_to(cursor, limit, MAX_LIMIT)
    }

    /// [`PageRequest::parse`] for a list whose pages may be larger than most (`max`).
    pub fn parse_up_to(cursor: Option<&str>, limit: Option<u64>, max: u64) -> AppResult<Self> {
        let after_id = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(raw) => Some(decode_cursor(raw).ok_or(AppError::BadRequest {
                code: ErrorCode::InvalidCursor,
                message: "the cursor is not one this server gave out".into(),
            })?),
        };
        let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, max);
        Ok(Self { after_id, limit })
    }

    /// Turns `limit + 1` fetched rows into a page, with a cursor when more rows exist.
    pub fn finish<Row, Item>(
        self,
        mut rows: Vec<Row>,
        id_of: impl Fn(&Row) -> i64,
        map: impl FnMut(Row) -> Item,
    ) -> Page<Item> {
        let has_more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if has_more { rows.last().map(|row| encode_cursor(id_of(row))) } else { None };
        Page { items: rows.into_iter().map(map).collect(), next_cursor }
    }
}

pub fn encode_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

/// The id a cursor of `encode_cursor` names. Only the exact spelling `encode_cursor` gives is taken
/// (not `id:+5`, `id:05` or `id:-0`), so one position has one cursor.
pub fn decode_cursor(raw: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    let id: i64 = std::str::from_utf8(&bytes).ok()?.strip_prefix("id:")?.parse().ok()?;
    (encode_cursor(id) == raw).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(PageRequest::parse(Some(&encode_cursor(42)), None).ok().map(|p| p.after_id), Some(Some(42)));
        assert!(PageRequest::parse(Some("!!"), None).is_err());
        assert!(PageRequest::parse(Some(&URL_SAFE_NO_PAD.encode("id:x")), None).is_err());
        for id in [0, 1, -1, i64::MAX, i64::MIN] {
            assert_eq!(decode_cursor(&encode_cursor(id)), Some(id));
        }
    }

    #[test]
    fn only_the_spelling_encode_gives_is_a_cursor() {
        for other in ["id:+5", "id:05", "id:-0", "id: 5", "id:5\n"] {
            assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode(other)), None, "{other:?}");
        }
    }

    #[test]
    fn limits_are_bounded() {
        let limit = |l| PageRequest::parse(None, l).map(|p| p.limit).unwrap_or(0);
        assert_eq!((limit(None), limit(Some(0)), limit(Some(7)), limit(Some(5000))), (40, 1, 7, 100));
        let larger = |l| PageRequest::parse_up_to(None, l, 500).map(|p| p.limit).unwrap_or(0);
        assert_eq!((larger(None), larger(Some(300)), larger(Some(5000))), (40, 300, 500));
    }

    #[test]
    fn finish_gives_a_cursor_only_when_more_rows_exist() {
        let request = PageRequest { after_id: None, limit: 2 };
        let page = request.finish(vec![1, 2, 3], |r| *r, |r| r * 10);
        assert_eq!((page.items, page.next_cursor), (vec![10, 20], Some(encode_cursor(2))));
        let page = request.finish(vec![1, 2], |r| *r, |r| r);
        assert_eq!(page.next_cursor, None);
    }
}
