//! `X-Hub-Signature-256` and the GET subscription handshake. Properties: `verify_signature` accepts
//! exactly the headers that spell the HMAC-SHA256 of the body (checked against a reference computed
//! here), always accepts the right one under a non-empty secret, never an empty secret, and never
//! the right header over a body with one bit changed; the handshake echoes only the challenge it was
//! given, only to the right token, and only a short plain one.
#![no_main]

use arbitrary::Arbitrary;
use atende::channels::cloud_api::{verify_signature, verify_subscription};
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

#[derive(Debug, Arbitrary)]
struct Input {
    secret: String,
    body: Vec<u8>,
    header: Option<String>,
    flip: usize,
    mode: Option<String>,
    token: Option<String>,
    challenge: Option<String>,
    verify_token: String,
}

fn hmac_hex(secret: &str, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(body);
    Some(hex::encode(mac.finalize().into_bytes()))
}

fuzz_target!(|input: Input| {
    let Input { secret, body, header, flip, mode, token, challenge, verify_token } = input;
    let expected = hmac_hex(&secret, &body).unwrap_or_default();

    // Any header: accepted exactly when it spells the digest (either case of hex, `sha256=` or
    // `SHA256=`, surrounding blanks).
    let reference = !secret.is_empty()
        && header.as_deref().is_some_and(|h| {
            let h = h.trim();
            h.strip_prefix("sha256=")
                .or_else(|| h.strip_prefix("SHA256="))
                .is_some_and(|digest| digest.trim().eq_ignore_ascii_case(&expected))
        });
    assert_eq!(verify_signature(&secret, &body, header.as_deref()), reference, "{header:?}");

    // The right header.
    let right = format!("sha256={expected}");
    assert_eq!(verify_signature(&secret, &body, Some(&right)), !secret.is_empty());
    // One bit changed anywhere in the body.
    if !body.is_empty() {
        let mut tampered = body.clone();
        let at = flip % tampered.len();
        tampered[at] ^= 1 << (flip % 8);
        assert!(!verify_signature(&secret, &tampered, Some(&right)));
    }

    let echoed = verify_subscription(mode.as_deref(), token.as_deref(), challenge.as_deref(), &verify_token);
    if let Some(echoed) = echoed {
        assert_eq!(mode.as_deref(), Some("subscribe"));
        assert!(!verify_token.is_empty() && token.as_deref() == Some(verify_token.as_str()));
        assert_eq!(Some(echoed.as_str()), challenge.as_deref());
        assert!(!echoed.is_empty() && echoed.len() <= 256);
        assert!(echoed.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "{echoed:?}");
    }
});
