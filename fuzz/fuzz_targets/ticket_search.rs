//! The ticket list's search box (`q`). Properties: no panic; blank is no search; the words sent to the
//! full-text index (FTS5 on SQLite, `to_tsquery` on PostgreSQL) are at most 8, non-empty, and carry no
//! character of either query syntax; a ticket number is positive and is what `#n` reads back as; a
//! protocol number has its shape.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::tickets::TicketSearch;

fuzz_target!(|q: &str| {
    let Some(search) = TicketSearch::parse(q) else {
        assert!(q.trim().is_empty(), "{q:?} read as no search");
        return;
    };
    assert_eq!(search.text, q.trim());
    assert!(search.words.len() <= TicketSearch::MAX_WORDS);
    for word in &search.words {
        assert!(!word.is_empty());
        assert!(
            !word.chars().any(|c| c.is_ascii_punctuation() || c.is_whitespace() || c.is_control()),
            "{q:?} gave the word {word:?}"
        );
    }
    if let Some(n) = search.ticket_number {
        assert!(n > 0, "{q:?}");
        let again = TicketSearch::parse(&format!("#{n}")).and_then(|s| s.ticket_number);
        assert_eq!(again, Some(n));
        assert!(search.text.trim_start_matches('#').bytes().all(|b| b.is_ascii_digit()), "{q:?}");
    }
    if search.protocol {
        let (date, seq) = search.text.split_once('-').unwrap_or_default();
        assert!(date.len() == 8 && !seq.is_empty() && (date.to_owned() + seq).bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(search.ticket_number, None);
    }
});
