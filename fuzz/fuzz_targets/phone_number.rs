//! The phone-number normaliser: any text, read as a person types a number (`parse`) and as a
//! WhatsApp id (`from_whatsapp_id`). Properties: no panic; a number either way is 7 to 15 digits
//! without a leading zero; normalising a normalised number gives it back (`+digits`, the bare digits
//! as a WhatsApp id, the spreadsheet spelling of the contacts export); a WhatsApp id of plain digits
//! is never dropped by the inbound path.
#![no_main]

use atende::domain::inbound::{SenderId, sender_number};
use atende::domain::phone::PhoneNumber;
use libfuzzer_sys::fuzz_target;

fn well_formed(number: &PhoneNumber, raw: &str) {
    let digits = number.as_str();
    assert!((7..=15).contains(&digits.len()), "{raw:?} -> {digits}");
    assert!(digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0'), "{raw:?} -> {digits}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else { return };
    if let Ok(number) = PhoneNumber::parse(raw) {
        well_formed(&number, raw);
        assert_eq!(PhoneNumber::parse(&number.e164()).as_ref(), Ok(&number), "{raw:?}");
        assert_eq!(PhoneNumber::from_whatsapp_id(number.as_str()).as_ref(), Ok(&number), "{raw:?}");
        assert_eq!(PhoneNumber::parse(&number.for_spreadsheet()).as_ref(), Ok(&number), "{raw:?}");
    }
    if let Ok(number) = PhoneNumber::from_whatsapp_id(raw) {
        well_formed(&number, raw);
        assert_eq!(PhoneNumber::from_whatsapp_id(number.as_str()).as_ref(), Ok(&number), "{raw:?}");
        assert_eq!(PhoneNumber::from_whatsapp_id(&number.e164()).as_ref(), Ok(&number), "{raw:?}");
    }
    match sender_number(raw, SenderId::WhatsappId) {
        Ok(filed) => assert!(!filed.is_empty() && filed.bytes().all(|b| b.is_ascii_digit()), "{raw:?} -> {filed}"),
        Err(_) => {
            let digits = raw.trim();
            assert!(!((1..=32).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())), "{raw:?}");
        }
    }
});
