//! Video-call links: a fresh room on the company's Jitsi-style server (any path there is a room),
//! named by 128 random bits from the browser's CSPRNG so nobody can guess it.

/// RFC 4648 base32, lower case: letters and digits that are safe in a URL path and easy to read.
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// `atende-` and the bytes in base32 without padding (16 bytes: 26 characters).
pub fn room_name(bytes: &[u8; 16]) -> String {
    let mut out = String::from("atende-");
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The room's address on the server at `base` (with or without a trailing `/`).
pub fn link(base: &str, room: &str) -> String {
    format!("{}/{room}", base.trim_end_matches('/'))
}

/// A new, unguessable room link; `None` if the browser has no CSPRNG (then no link is better than
/// a guessable one).
pub fn new_link(base: &str) -> Option<String> {
    let mut bytes = [0u8; 16];
    web_sys::window()?.crypto().ok()?.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(link(base, &room_name(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_are_base32_of_all_128_bits() {
        assert_eq!(room_name(&[0; 16]), format!("atende-{}", "a".repeat(26)));
        // 25 characters of five 1-bits, then the last three bits padded with zeros: 11100.
        assert_eq!(room_name(&[0xff; 16]), format!("atende-{}4", "7".repeat(25)));
        // RFC 4648's test vector "foobar", padded out with zeros: MZXW6YTBOI...
        let mut bytes = [0u8; 16];
        bytes[..6].copy_from_slice(b"foobar");
        assert!(room_name(&bytes).starts_with("atende-mzxw6ytboi"), "{}", room_name(&bytes));
        let mut last = [0u8; 16];
        last[15] = 1;
        assert_eq!(room_name(&last), format!("atende-{}e", "a".repeat(25)), "the last bits count too");
    }

    #[test]
    fn rooms_are_url_safe_and_differ_with_any_bit() {
        let base = room_name(&[0x5a; 16]);
        assert_eq!(base.len(), "atende-".len() + 26);
        assert!(base.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{base}");
        for byte in 0..16 {
            for bit in 0..8 {
                let mut bytes = [0x5a; 16];
                bytes[byte] ^= 1 << bit;
                assert_ne!(room_name(&bytes), base, "byte {byte} bit {bit}");
            }
        }
    }

    #[test]
    fn links_join_base_and_room() {
        assert_eq!(link("https://meet.jit.si", "atende-x"), "https://meet.jit.si/atende-x");
        assert_eq!(link("https://meet.example.com/salas/", "atende-x"), "https://meet.example.com/salas/atende-x");
    }
}
