//! Checks on an incoming webhook, before anything in it is trusted: the GET subscription handshake,
//! and `X-Hub-Signature-256` over the raw body bytes (before any parsing), both in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Longest `hub.challenge` we echo back.
const MAX_CHALLENGE_LEN: usize = 256;

/// Whether `header` (`X-Hub-Signature-256: sha256=<hex>`) is the HMAC-SHA256 of `raw_body` keyed with
/// the app secret. The comparison takes the same time wherever the first difference is. An empty
/// secret, a missing or malformed header all give `false`.
pub fn verify_signature(app_secret: &str, raw_body: &[u8], header: Option<&str>) -> bool {
    if app_secret.is_empty() {
        return false;
    }
    let Some(header) = header else {
        return false;
    };
    let header = header.trim();
    let Some(hex_digest) = header.strip_prefix("sha256=").or_else(|| header.strip_prefix("SHA256=")) else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_digest.trim()) else {
        return false;
    };
    if expected.len() != 32 {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) else {
        return false;
    };
    mac.update(raw_body);
    mac.verify_slice(&expected).is_ok()
}

/// The GET handshake (`hub.mode`, `hub.verify_token`, `hub.challenge`): the challenge to echo back
/// (as `text/plain`) when the mode is `subscribe` and the token is the connection's verify token,
/// otherwise `None` (answer 403). The token is compared in constant time; an empty expected token
/// never matches, and only a short challenge of letters, digits, `-`, `_` and `.` is echoed.
pub fn verify_subscription(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
    expected_verify_token: &str,
) -> Option<String> {
    if mode != Some("subscribe") || expected_verify_token.is_empty() {
        return None;
    }
    let token = token?;
    if !bool::from(token.as_bytes().ct_eq(expected_verify_token.as_bytes())) {
        return None;
    }
    let challenge = challenge?;
    let printable = challenge.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    (!challenge.is_empty() && challenge.len() <= MAX_CHALLENGE_LEN && printable).then(|| challenge.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn signature_known_vector() {
        let body = b"The quick brown fox jumps over the lazy dog";
        let header = "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
        assert!(verify_signature("key", body, Some(header)));
        assert!(verify_signature("key", body, Some(&header.to_uppercase().replace("SHA256=", "sha256="))));
        assert!(verify_signature("key", body, Some(&format!("  {header}\t"))));
    }

    #[test]
    fn signature_accepts_the_raw_bytes_it_was_made_over() {
        // Not re-serialised: whitespace and escapes as Meta sent them.
        let body = "{\"entry\": [ {\"id\":\"1\", \"text\":\"ol\\u00e1 😀\"} ]}\n".as_bytes();
        let header = sign("app-secret", body);
        assert!(verify_signature("app-secret", body, Some(&header)));
        let reserialised = serde_json::to_vec(&serde_json::from_slice::<Value>(body).unwrap()).unwrap();
        assert!(!verify_signature("app-secret", &reserialised, Some(&header)));
    }

    #[test]
    fn signature_rejects() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let good = sign("app-secret", body);
        assert!(verify_signature("app-secret", body, Some(&good)));
        // Wrong secret.
        assert!(!verify_signature("other-secret", body, Some(&good)));
        assert!(!verify_signature("", body, Some(&sign("", body))));
        // Tampered body.
        let mut tampered = body.to_vec();
        tampered[10] ^= 1;
        assert!(!verify_signature("app-secret", &tampered, Some(&good)));
        assert!(!verify_signature("app-secret", &body[..body.len() - 1], Some(&good)));
        // Missing or malformed header.
        let hex_only = good.trim_start_matches("sha256=");
        for header in [
            None,
            Some(""),
            Some("sha256="),
            Some(hex_only),
            Some(&*format!("sha1={hex_only}")),
            Some(&*format!("sha256={}", &hex_only[..62])),
            Some(&*format!("sha256={hex_only}00")),
            Some(&*format!("sha256={}zz", &hex_only[..62])),
            Some(&*format!("sha256=={hex_only}")),
            Some("sha256=ünïcödé"),
        ] {
            assert!(!verify_signature("app-secret", body, header), "{header:?}");
        }
    }

    #[test]
    fn subscription_handshake() {
        let check = |mode, token, challenge| verify_subscription(mode, token, challenge, "s3cret-token");
        assert_eq!(check(Some("subscribe"), Some("s3cret-token"), Some("1158201444")), Some("1158201444".into()));
        assert_eq!(check(Some("subscribe"), Some("wrong"), Some("1158201444")), None);
        assert_eq!(check(Some("subscribe"), Some("s3cret-toke"), Some("1158201444")), None);
        assert_eq!(check(Some("subscribe"), None, Some("1158201444")), None);
        assert_eq!(check(Some("unsubscribe"), Some("s3cret-token"), Some("1158201444")), None);
        assert_eq!(check(None, Some("s3cret-token"), Some("1158201444")), None);
        assert_eq!(check(Some("subscribe"), Some("s3cret-token"), None), None);
        assert_eq!(check(Some("subscribe"), Some("s3cret-token"), Some("")), None);
        assert_eq!(check(Some("subscribe"), Some("s3cret-token"), Some("<script>alert(1)</script>")), None);
        assert_eq!(check(Some("subscribe"), Some("s3cret-token"), Some(&"1".repeat(300))), None);
        // A connection without a verify token accepts nobody.
        assert_eq!(verify_subscription(Some("subscribe"), Some(""), Some("1"), ""), None);
    }
}
