//! The simulated channel's JSON (`POST /connections/{id}/simulate`): any bytes, read as the handler
//! reads them, then checked like a provider's message. Properties: no panic; an accepted message has
//! a non-blank body or a file, at most `MAX_BODY_CHARS` characters, a file name that is one plain
//! name, and its sender is read without panicking.
#![no_main]

use atende::domain::inbound::{SenderId, sender_number, simulated};
use atende::domain::messages::MAX_BODY_CHARS;
use libfuzzer_sys::fuzz_target;
use shared::contacts::SimulatedMessage;

fuzz_target!(|data: &[u8]| {
    let Ok(message) = serde_json::from_slice::<SimulatedMessage>(data) else { return };
    let _ = sender_number(&message.from, SenderId::Typed);
    let Ok(inbound) = simulated(message) else { return };
    assert!(!inbound.body.trim().is_empty() || inbound.media.is_some());
    assert!(inbound.body.chars().count() <= MAX_BODY_CHARS);
    assert!(inbound.external_id.as_deref().is_none_or(|id| (1..=255).contains(&id.len())));
    if let Some(file) = &inbound.media {
        assert!(!file.bytes.is_empty());
        assert!(!file.mime.is_empty());
        if let Some(name) = &file.name {
            assert!(!name.is_empty() && name.chars().count() <= 120, "{name:?}");
            assert!(!name.contains(['/', '\\', '"']) && !name.chars().any(char::is_control), "{name:?}");
            assert!(name != "." && name != "..");
        }
    }
});
