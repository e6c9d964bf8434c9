//! The Cloud API webhook body (`POST /webhooks/cloud/...`, after the signature check): any bytes.
//! Properties: no panic; every event has a non-blank id (and a message a non-blank sender, media only
//! on a media kind, a sender `inbound` can file); the per-number filter keeps a subsequence of
//! the whole and fails exactly when the whole fails.
#![no_main]

use atende::channels::cloud_api::{CloudEvent, parse_webhook, parse_webhook_for};
use atende::domain::inbound::{SenderId, sender_number};
use libfuzzer_sys::fuzz_target;

/// The phone number id of the seed payloads.
const PHONE_NUMBER_ID: &str = "106540352242922";

fn key(event: &CloudEvent) -> String {
    match event {
        CloudEvent::Message(m) => format!("m {} {} {:?}", m.external_id, m.kind, m.body),
        CloudEvent::Status(s) => format!("s {} {}", s.external_id, s.status),
        CloudEvent::NumberChanged(n) => format!("n {} {} {}", n.external_id, n.from, n.new_wa_id),
    }
}

fuzz_target!(|data: &[u8]| {
    let all = parse_webhook(data);
    let mine = parse_webhook_for(data, PHONE_NUMBER_ID);
    assert_eq!(all.is_ok(), mine.is_ok());
    let (Ok(all), Ok(mine)) = (all, mine) else { return };
    for event in &all {
        match event {
            CloudEvent::Message(m) => {
                assert!(!m.external_id.trim().is_empty(), "{m:?}");
                assert!(!m.from.trim().is_empty(), "{m:?}");
                assert!(m.media.is_none() || m.kind.is_media(), "{m:?}");
                if let Some(media) = &m.media {
                    assert!(!media.provider_id.trim().is_empty(), "{m:?}");
                }
                // Filing the sender never panics; a plain digits id is never refused.
                let filed = sender_number(&m.from, SenderId::WhatsappId);
                let digits = m.from.trim();
                if (1..=32).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                    assert!(filed.is_ok(), "{:?} dropped", m.from);
                }
            }
            CloudEvent::Status(s) => {
                assert!(!s.external_id.trim().is_empty(), "{s:?}");
                assert!(s.error.as_deref().is_none_or(|e| !e.is_empty()), "{s:?}");
            }
            CloudEvent::NumberChanged(n) => {
                assert!(!n.external_id.trim().is_empty(), "{n:?}");
                assert!(!n.from.trim().is_empty() && !n.new_wa_id.trim().is_empty(), "{n:?}");
            }
        }
    }
    // A subsequence, in order.
    let all: Vec<String> = all.iter().map(key).collect();
    let mut rest = all.iter();
    for event in &mine {
        let k = key(event);
        assert!(rest.any(|a| *a == k), "{k} is not in the unfiltered events");
    }
});
