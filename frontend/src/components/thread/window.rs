//! Which rows of a long thread are in the DOM: a window of rows around the first one on screen, with
//! a spacer above and one below standing for the others (their measured heights, or an estimate for
//! rows never shown). A conversation of thousands of messages then lays out about 65 rows.
//!
//! The arithmetic lives here (tested on the host); the thread measures the rows and moves the window.

use std::collections::HashMap;

use crate::state::messages::Item;

/// Rows kept above the first row on screen.
pub const ABOVE: usize = 20;
/// Rows kept from the first row on screen downwards (more than a tall screen shows). A jump far
/// away renders the whole window anew in one frame: 65 rows keep that frame under 50 ms where 90
/// did not always (`make bench`, the SPA's figures).
pub const BELOW: usize = 45;
/// Height assumed for a row never measured (a one-line bubble and its gap).
pub const ESTIMATE: f64 = 56.0;

/// The rows in the DOM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// The newest `ABOVE + BELOW` rows: a new message joins them (the reader is at the bottom).
    Tail,
    /// From the row with the first key to the row with the second, both included.
    Keys(i64, i64),
}

/// The indices `[start, end)` of `items` that `span` covers.
pub fn resolve(items: &[Item], span: Span) -> (usize, usize) {
    let len = items.len();
    let tail = (len.saturating_sub(ABOVE + BELOW), len);
    match span {
        Span::Tail => tail,
        Span::Keys(first, last) => {
            let start = items.iter().position(|item| item.key() == first);
            let end = items.iter().rposition(|item| item.key() == last).map(|at| at + 1);
            match (start, end) {
                (Some(start), Some(end)) if start < end => (start, end),
                (Some(start), _) => (start, (start + ABOVE + BELOW).min(len)),
                (None, Some(end)) => (end.saturating_sub(ABOVE + BELOW), end),
                // Both rows are gone (a note deleted at each end): the newest rows.
                (None, None) => tail,
            }
        }
    }
}

/// The span of rows `[start, end)`, keyed by its first and last messages or notes: not by a day
/// separator, which moves up when older messages of its day arrive (the window would grow with it).
pub fn keys(items: &[Item], start: usize, end: usize) -> Option<Span> {
    let rows = items.get(start..end)?;
    let keyed = |item: &&Item| !matches!(item, Item::Day(..));
    let first = rows.iter().find(keyed)?;
    let last = rows.iter().rev().find(keyed)?;
    Some(Span::Keys(first.key(), last.key()))
}

/// A row's height: measured, or the estimate.
pub fn height(heights: &HashMap<i64, f64>, item: &Item) -> f64 {
    heights.get(&item.key()).copied().unwrap_or(ESTIMATE)
}

/// The sum of the heights of `items`.
pub fn total(heights: &HashMap<i64, f64>, items: &[Item]) -> f64 {
    items.iter().map(|item| height(heights, item)).sum()
}

/// The row at offset `y`, knowing that row `start` begins at `start_y`.
pub fn row_at(heights: &HashMap<i64, f64>, items: &[Item], start: usize, start_y: f64, y: f64) -> usize {
    let start = start.min(items.len());
    let mut top = start_y;
    if y >= start_y {
        for (index, item) in items.iter().enumerate().skip(start) {
            let bottom = top + height(heights, item);
            if bottom > y {
                return index;
            }
            top = bottom;
        }
        items.len().saturating_sub(1)
    } else {
        for index in (0..start).rev() {
            top -= height(heights, &items[index]);
            if top <= y {
                return index;
            }
        }
        0
    }
}

/// Where row `index` begins, knowing that row `start` begins at `start_y`.
pub fn top_of(heights: &HashMap<i64, f64>, items: &[Item], start: usize, start_y: f64, index: usize) -> f64 {
    if index >= start {
        start_y + total(heights, &items[start..index.min(items.len())])
    } else {
        start_y - total(heights, &items[index..start])
    }
}

/// The rows to show when row `at` is the first on screen and `[start, end)` are shown, or `None`
/// while these still leave room on both sides (the window moves by tens of rows, not every frame).
pub fn next_range(len: usize, (start, end): (usize, usize), at: usize) -> Option<(usize, usize)> {
    let short_above = start > 0 && at < start + ABOVE / 3;
    let short_below = end < len && at + BELOW * 2 / 3 > end;
    if !short_above && !short_below {
        return None;
    }
    let range = (at.saturating_sub(ABOVE), (at + BELOW).min(len));
    (range != (start, end)).then_some(range)
}

#[cfg(test)]
mod tests {
    use shared::ids::MessageId;

    use super::*;

    fn rows(count: i64) -> Vec<Item> {
        (1..=count).map(|id| Item::Message(MessageId(id))).collect()
    }

    #[test]
    fn the_tail_is_the_newest_rows_and_keys_follow_their_rows() {
        let items = rows(500);
        assert_eq!(resolve(&items, Span::Tail), (500 - ABOVE - BELOW, 500));
        assert_eq!(resolve(&rows(10), Span::Tail), (0, 10));
        assert_eq!(resolve(&items, Span::Keys(101, 150)), (100, 150));
        // Older rows added in front: the same rows stay shown.
        let mut longer: Vec<Item> = (-99..=0).map(|id| Item::Message(MessageId(id))).collect();
        longer.extend(rows(500));
        assert_eq!(resolve(&longer, Span::Keys(101, 150)), (200, 250));
        // A row that is gone: the window keeps its other end.
        assert_eq!(resolve(&items, Span::Keys(101, 9999)), (100, 100 + ABOVE + BELOW));
        assert_eq!(resolve(&items, Span::Keys(9999, 150)), (150 - ABOVE - BELOW, 150));
    }

    #[test]
    fn a_span_is_keyed_by_messages_not_by_the_day_separators_that_move() {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let mut items = vec![Item::Day(20250101, at)];
        items.extend(rows(5));
        items.push(Item::Day(20250102, at));
        assert_eq!(keys(&items, 0, items.len()), Some(Span::Keys(1, 5)));
        assert_eq!(keys(&items, 0, 1), None, "a separator alone");
        // Older messages of the same day: the separator moves to the front, the span stays.
        let mut older = vec![Item::Day(20250101, at), Item::Message(MessageId(-1))];
        older.extend(items[1..].iter().copied());
        assert_eq!(resolve(&older, Span::Keys(1, 5)), (2, 7));
    }

    #[test]
    fn rows_are_found_by_offset_with_measured_and_estimated_heights() {
        let items = rows(10);
        let heights: HashMap<i64, f64> = [(5, 100.0), (6, 10.0)].into_iter().collect();
        // Row index 4 (key 5) begins at 1000 and is 100 high; index 5 is 10 high.
        assert_eq!(row_at(&heights, &items, 4, 1000.0, 1000.0), 4);
        assert_eq!(row_at(&heights, &items, 4, 1000.0, 1099.0), 4);
        assert_eq!(row_at(&heights, &items, 4, 1000.0, 1105.0), 5);
        assert_eq!(row_at(&heights, &items, 4, 1000.0, 1110.0 + ESTIMATE), 7);
        assert_eq!(row_at(&heights, &items, 4, 1000.0, 1000.0 - 1.0), 3);
        assert_eq!(row_at(&heights, &items, 4, 1000.0, 1000.0 - ESTIMATE - 1.0), 2);
        assert_eq!(row_at(&heights, &items, 4, 1000.0, -1e9), 0);
        assert_eq!(row_at(&heights, &items, 4, 1000.0, 1e9), 9);
        assert_eq!(top_of(&heights, &items, 4, 1000.0, 6), 1110.0);
        assert_eq!(top_of(&heights, &items, 4, 1000.0, 2), 1000.0 - 2.0 * ESTIMATE);
        assert_eq!(total(&heights, &items), 110.0 + 8.0 * ESTIMATE);
    }

    #[test]
    fn the_window_moves_only_near_its_edges() {
        let len = 1000;
        let shown = (400, 400 + ABOVE + BELOW);
        assert_eq!(next_range(len, shown, 400 + ABOVE), None, "the first row on screen well inside");
        assert_eq!(next_range(len, shown, 401), Some((401 - ABOVE, 401 + BELOW)), "near the top edge");
        assert_eq!(next_range(len, shown, 470), Some((470 - ABOVE, 470 + BELOW)), "near the bottom edge");
        assert_eq!(next_range(len, (0, 90), 0), None, "the start of the thread is shown");
        assert_eq!(next_range(len, (910, 1000), 990), None, "the end of the thread is shown");
        // A jump far away (the scrollbar dragged): the rows there.
        assert_eq!(next_range(len, shown, 5), Some((0, 5 + BELOW)));
    }
}
