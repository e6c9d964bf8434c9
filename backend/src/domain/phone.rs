//! Phone numbers: the one spelling of a contact's number, so that every way of writing it (typed by an
//! agent, imported, or delivered by WhatsApp) finds the same contact.
//!
//! The stored form is E.164 without the `+`: `"5511987654321"`. Numbers written without a country code
//! are Brazilian. Brazilian mobiles always get their ninth digit: WhatsApp often delivers them without
//! it (`wa_id` `"551187654321"` for `+55 11 98765-4321`), and both spellings must give one contact.
//! Brazilian landlines (subscriber numbers starting 2 to 5) keep their 8 digits.
//!
//! Group ids (`120363012345678901@g.us`), broadcast lists, channels (`@newsletter`) and WhatsApp's
//! private ids (`@lid`) are not phone numbers: `parse` refuses them, and the caller keeps them as the
//! raw provider id.

use std::fmt;

use phonenumber::Mode;
use phonenumber::country::Id;
use shared::validate::Invalid;

const NOT_A_PHONE: Invalid = Invalid::NotPhone;
const NOT_A_GROUP: Invalid = Invalid::GroupNotPhone;

/// E.164 allows 15 digits; a Brazilian number dialled with trunk prefix and carrier code has 14.
const MAX_DIGITS: usize = 17;
/// E.164's limit, country code included: the metadata calls some longer numbers valid (German ones of
/// 17 digits), but WhatsApp ids and the Cloud API's `to` stop at 15.
const MAX_E164_DIGITS: usize = 15;
/// The shortest national numbers in the metadata are shorter, but nobody chats from them.
const MIN_DIGITS: usize = 7;
/// Longer than any phone number however it is decorated; keeps the parser's work bounded.
const MAX_INPUT: usize = 64;

/// WhatsApp's suffixes for a person's chat id; any other `@…` names a group, a list or a channel.
const USER_JID_SUFFIXES: [&str; 2] = ["@s.whatsapp.net", "@c.us"];

/// A valid phone number in E.164 without the `+` (`"5511987654321"`); built only by `parse` or
/// `from_whatsapp_id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Reads a number as a person writes it: `+55 (11) 98765-4321`, `11 98765-4321`, `011987654321`,
    /// `5511987654321`, `+1 650-253-0000`. Spaces, dashes, dots, slashes and parentheses are ignored.
    ///
    /// Without a `+`, a number of up to 11 digits (or starting with the trunk prefix `0`) is read as
    /// Brazilian first, and a longer one as international (a WhatsApp id) first; the other reading is
    /// tried when the first does not give a valid number. A WhatsApp user chat id
    /// (`5511987654321@s.whatsapp.net`, `…@c.us`) is accepted; groups (`…@g.us`) and other `@` ids are
    /// refused, as are letters, extensions and numbers that are not valid for their country.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let (digits, plus) = clean(raw)?;
        let brazilian_first = !plus && (digits.len() <= 11 || digits.starts_with('0'));
        let readings: &[bool] = if plus {
            &[true]
        } else if brazilian_first {
            &[false, true]
        } else {
            &[true, false]
        };
        readings.iter().find_map(|&international| interpret(&digits, international)).map(Self).ok_or(NOT_A_PHONE)
    }

    /// Reads a WhatsApp id (`wa_id`, or a user chat id `…@s.whatsapp.net`): always international, never
    /// Brazilian-national, so a short foreign id (`49913112345`, a German landline) is not mistaken for
    /// a Brazilian mobile. WhatsApp has checked the number already, so an id that the phone metadata
    /// does not know yet is still accepted as it is (ninth digit added for Brazil) when it has 7 to 15
    /// digits and its country code exists; groups and other `@` ids are refused.
    pub fn from_whatsapp_id(raw: &str) -> Result<Self, Invalid> {
        let (digits, _) = clean(raw)?;
        if !(MIN_DIGITS..=MAX_E164_DIGITS).contains(&digits.len()) || digits.starts_with('0') {
            return Err(NOT_A_PHONE);
        }
        if let Some(valid) = interpret(&digits, true) {
            return Ok(Self(valid));
        }
        let parsed = phonenumber::parse(None, format!("+{digits}")).map_err(|_| NOT_A_PHONE)?;
        // As it is: a national prefix the library would strip means it is no WhatsApp id.
        if parsed.extension().is_some()
            || parsed.country().id().is_none()
            || e164_digits(&parsed).as_deref() != Some(digits.as_str())
        {
            return Err(NOT_A_PHONE);
        }
        Ok(Self(with_brazilian_ninth_digit(&digits)))
    }

    /// The digits, E.164 without `+`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    /// The `to` of a WhatsApp send (the Cloud API takes the digits without `+`).
    pub fn whatsapp_id(&self) -> &str {
        &self.0
    }

    /// `+5511987654321`.
    pub fn e164(&self) -> String {
        format!("+{}", self.0)
    }

    /// The international form with the country code in parentheses (`(+55) 11 98765-4321`):
    /// what the contacts export writes. A spreadsheet keeps it as text (a bare `+55…` would start a
    /// formula, bare digits become `5,51E+12`), and `parse` reads it back as it was.
    pub fn for_spreadsheet(&self) -> String {
        let Ok(parsed) = phonenumber::parse(None, self.e164()) else { return self.e164() };
        let formatted = parsed.format().mode(Mode::International).to_string();
        match formatted.split_once(' ') {
            Some((country, rest)) => format!("({country}) {rest}"),
            None => formatted,
        }
    }

    /// Whether the number is Brazilian (country code 55).
    pub fn is_brazilian(&self) -> bool {
        self.0.starts_with("55")
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The digits of `raw` and whether it started with `+`, or why it is no phone number.
fn clean(raw: &str) -> Result<(String, bool), Invalid> {
    let mut text = raw.trim();
    if text.is_empty() || text.len() > MAX_INPUT {
        return Err(NOT_A_PHONE);
    }
    if let Some(at) = text.find('@') {
        let suffix = &text[at..];
        if !USER_JID_SUFFIXES.iter().any(|s| suffix.eq_ignore_ascii_case(s)) {
            return Err(NOT_A_GROUP);
        }
        text = &text[..at];
        // WhatsApp Web ids may carry a device (`5511987654321:12@s.whatsapp.net`).
        if let Some((user, device)) = text.split_once(':')
            && !device.is_empty()
            && device.bytes().all(|b| b.is_ascii_digit())
        {
            text = user;
        }
    }
    let mut digits = String::with_capacity(text.len());
    let mut plus = false;
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if digits.is_empty() && !plus => plus = true,
            ' ' | '-' | '.' | '/' | '(' | ')' | '\u{a0}' | '\t' => {}
            _ => return Err(NOT_A_PHONE),
        }
    }
    if digits.len() < MIN_DIGITS || digits.len() > MAX_DIGITS {
        return Err(NOT_A_PHONE);
    }
    Ok((digits, plus))
}

/// One reading of `digits`: as `+digits` (international) or as a Brazilian national number. `Some`
/// only when the result, with the ninth digit added, is a valid number.
fn interpret(digits: &str, international: bool) -> Option<String> {
    let parsed = if international {
        if digits.starts_with('0') {
            return None;
        }
        phonenumber::parse(None, format!("+{digits}")).ok()?
    } else if digits.starts_with('0') {
        // Trunk prefix, maybe with a carrier code (`0 15 11 …`): the library knows Brazil's rules.
        phonenumber::parse(Some(Id::BR), digits).ok()?
    } else {
        // Area code and subscriber. Not through the library's default-region path, which reads a
        // leading 55 as the country code even when it is the area code (Santa Maria, RS).
        phonenumber::parse(None, format!("+55{digits}")).ok()?
    };
    if parsed.extension().is_some() {
        return None;
    }
    let normalised = with_brazilian_ninth_digit(&e164_digits(&parsed)?);
    let check = phonenumber::parse(None, format!("+{normalised}")).ok()?;
    (check.is_valid() && normalised.len() <= MAX_E164_DIGITS).then_some(normalised)
}

/// E.164 digits of a parsed number, without `+`.
fn e164_digits(number: &phonenumber::PhoneNumber) -> Option<String> {
    let formatted = number.format().mode(Mode::E164).to_string();
    let digits = formatted.strip_prefix('+')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.to_owned())
}

/// `55` + area code + an 8-digit subscriber number starting 6 to 9 is a mobile without its ninth
/// digit: put the 9 back. Anything else is returned as it is.
fn with_brazilian_ninth_digit(e164: &str) -> String {
    if let Some(national) = e164.strip_prefix("55")
        && national.len() == 10
        && national.bytes().all(|b| b.is_ascii_digit())
        && matches!(national.as_bytes(), [b'1'..=b'9', b'1'..=b'9', b'6'..=b'9', ..])
    {
        let (area, subscriber) = national.split_at(2);
        return format!("55{area}9{subscriber}");
    }
    e164.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> String {
        match PhoneNumber::parse(raw) {
            Ok(p) => p.into_inner(),
            Err(e) => panic!("{raw:?} refused: {e}"),
        }
    }

    fn refused(raw: &str) {
        assert!(PhoneNumber::parse(raw).is_err(), "{raw:?} accepted as {:?}", PhoneNumber::parse(raw));
    }

    #[test]
    fn brazilian_mobile_in_every_spelling() {
        for raw in [
            "5511987654321",
            "+5511987654321",
            "+55 11 98765-4321",
            "+55 (11) 98765-4321",
            "+55 (11) 9 8765-4321",
            "(11) 98765-4321",
            "11 98765-4321",
            "11987654321",
            "011 98765-4321",
            "0 15 11 98765-4321",
            "55 11 98765.4321",
            "  +55-11-98765-4321  ",
            "+55\u{a0}11\u{a0}98765\u{a0}4321",
            "(+55) 11 98765 4321",
        ] {
            assert_eq!(ok(raw), "5511987654321", "{raw:?}");
        }
    }

    #[test]
    fn the_spreadsheet_spelling_reads_back() {
        for raw in ["11 98765-4321", "+1 650-253-0000", "21 3333-4444", "+351 912 345 678"] {
            let number = PhoneNumber::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            let spelled = number.for_spreadsheet();
            assert!(spelled.starts_with("(+"), "{spelled}");
            assert_eq!(PhoneNumber::parse(&spelled), Ok(number), "{spelled}");
        }
        assert_eq!(ok("11 98765-4321"), "5511987654321");
        assert_eq!(PhoneNumber::parse("11987654321").map(|n| n.for_spreadsheet()), Ok("(+55) 11 98765-4321".into()));
    }

    #[test]
    fn brazilian_mobile_without_the_ninth_digit_gets_it() {
        for raw in ["551187654321", "+551187654321", "+55 11 8765-4321", "(11) 8765-4321", "1187654321"] {
            assert_eq!(ok(raw), "5511987654321", "{raw:?}");
        }
        // Every old mobile prefix (6 to 9), and other area codes.
        assert_eq!(ok("552196543210"), "5521996543210");
        assert_eq!(ok("558179998888"), "5581979998888");
        assert_eq!(ok("554799112233"), "5547999112233");
        assert_eq!(ok("556166554433"), "5561966554433");
        assert_eq!(PhoneNumber::parse("551187654321"), PhoneNumber::parse("+55 11 98765-4321"));
    }

    #[test]
    fn brazilian_landline_keeps_eight_digits() {
        assert_eq!(ok("+55 11 3456-7890"), "551134567890");
        assert_eq!(ok("(11) 3456-7890"), "551134567890");
        assert_eq!(ok("551134567890"), "551134567890");
        assert_eq!(ok("(21) 2345-6789"), "552123456789");
        assert_eq!(ok("554132101234"), "554132101234");
        assert_eq!(ok("(51) 5555-1234"), "555155551234");
    }

    #[test]
    fn area_code_55_is_not_confused_with_the_country_code() {
        // Santa Maria (RS) has area code 55.
        assert_eq!(ok("(55) 99876-5432"), "5555998765432");
        assert_eq!(ok("55998765432"), "5555998765432");
        assert_eq!(ok("5555998765432"), "5555998765432");
        assert_eq!(ok("555598765432"), "5555998765432");
        assert_eq!(ok("(55) 3222-1234"), "555532221234");
        assert_eq!(ok("055 99876-5432"), "5555998765432");
        assert_eq!(ok("(55) 9876-5432"), "5555998765432");
    }

    #[test]
    fn foreign_numbers_stay_as_they_are() {
        assert_eq!(ok("+1 650-253-0000"), "16502530000");
        assert_eq!(ok("+1 (650) 253-0000"), "16502530000");
        assert_eq!(ok("16502530000"), "16502530000");
        assert_eq!(ok("+351 912 345 678"), "351912345678");
        assert_eq!(ok("351912345678"), "351912345678");
        assert_eq!(ok("+351 21 123 4567"), "351211234567");
        assert_eq!(ok("+44 7400 123456"), "447400123456");
        assert_eq!(ok("+54 9 11 2345-6789"), "5491123456789");
        // Italian numbers keep their leading zero after the country code.
        assert_eq!(ok("+39 06 1234 5678"), "390612345678");
        // A foreign landline shaped like an 8-digit subscriber starting 9 keeps its digits.
        assert_eq!(ok("+49 30 901820"), "4930901820");
    }

    #[test]
    fn whatsapp_ids_are_read_as_international() {
        let p = |raw: &str| PhoneNumber::from_whatsapp_id(raw).map(PhoneNumber::into_inner);
        assert_eq!(p("551187654321").as_deref(), Ok("5511987654321"));
        assert_eq!(p("5511987654321").as_deref(), Ok("5511987654321"));
        assert_eq!(p("5511987654321@s.whatsapp.net").as_deref(), Ok("5511987654321"));
        assert_eq!(p("551187654321@c.us").as_deref(), Ok("5511987654321"));
        assert_eq!(p("5511987654321:17@s.whatsapp.net").as_deref(), Ok("5511987654321"));
        assert_eq!(p("551134567890").as_deref(), Ok("551134567890"));
        assert_eq!(p("16502530000").as_deref(), Ok("16502530000"));
        assert_eq!(p("351912345678").as_deref(), Ok("351912345678"));
        // A German landline that `parse` (Brazilian first, for up to 11 digits) would read as a mobile
        // in area code 49.
        assert_eq!(p("49913112345").as_deref(), Ok("49913112345"));
        assert!(p("120363012345678901@g.us").is_err());
        assert!(p("120363012345678901").is_err());
        assert!(p("hello").is_err());
        assert!(p("").is_err());
        assert!(p("011987654321").is_err());
    }

    #[test]
    fn user_chat_ids_are_phone_numbers() {
        assert_eq!(ok("5511987654321@s.whatsapp.net"), "5511987654321");
        assert_eq!(ok("551187654321@C.US"), "5511987654321");
    }

    #[test]
    fn groups_lists_and_channels_are_refused() {
        for raw in [
            "120363012345678901@g.us",
            "5511987654321-1600000000@g.us",
            "5511987654321-1600000000",
            "120363012345678901",
            "status@broadcast",
            "1600000000@broadcast",
            "120363123456789012@newsletter",
            "123456789012345@lid",
            "5511987654321@",
            "@s.whatsapp.net",
        ] {
            refused(raw);
        }
        assert_eq!(PhoneNumber::parse("120363012345678901@g.us"), Err(NOT_A_GROUP));
    }

    #[test]
    fn garbage_is_refused() {
        for raw in [
            "",
            "   ",
            "+",
            "abc",
            "call me",
            "1-800-FLOWERS",
            "+55 11 98765-4321 ext. 12",
            "+55 11 98765-4321;ext=12",
            "tel:+5511987654321",
            "12345",
            "999999",
            "+55 00 98765-4321",
            "(11) 1234-5678",
            "+55 11 0876-54321",
            "++5511987654321",
            "55+11987654321",
            "+999 123456789",
            "0000000000000",
            "1234567890123456789012345",
            "5511987654321\u{0}",
            "٥٥١١٩٨٧٦٥٤٣٢١",
            "５５１１９８７６５４３２１",
            &"9".repeat(100),
            &"1 ".repeat(40),
        ] {
            refused(raw);
        }
    }

    /// Found by the `phone_number` fuzz target: the metadata takes this 17-digit German number as
    /// valid, but no WhatsApp id is longer than 15 digits, so the contact could never be reached nor
    /// matched to its WhatsApp id.
    #[test]
    fn numbers_longer_than_e164_are_refused() {
        refused("499100 0 151 0 151545");
        refused("+49 9100 0151 0151545");
        assert!(PhoneNumber::from_whatsapp_id("49910001510151545").is_err());
    }

    #[test]
    fn no_panic_on_odd_input() {
        for raw in ["+0", "+00000000", "0", "00", "+1", "+55", "+5", "((((((((", "----5511987654321", "+\u{a0}"] {
            let _ = PhoneNumber::parse(raw);
            let _ = PhoneNumber::from_whatsapp_id(raw);
        }
        for n in 0..200u32 {
            let raw = format!("{}{}", n, "7".repeat((n % 15) as usize));
            let _ = PhoneNumber::parse(&raw);
            let _ = PhoneNumber::from_whatsapp_id(&raw);
        }
    }

    /// Random digit strings, decorated or not: no panic, and whatever is accepted is E.164 digits that
    /// read back as themselves.
    #[test]
    fn accepted_numbers_are_stable() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut accepted = 0;
        for _ in 0..2000 {
            let len = 6 + (next() % 12) as usize;
            let mut raw: String = (0..len).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            match next() % 4 {
                0 => raw.insert(0, '+'),
                1 => raw.insert(len / 2, '-'),
                2 => raw = format!("+55 {raw}"),
                _ => {}
            }
            let e164 = |p: &PhoneNumber| {
                let digits = p.as_str();
                assert!(
                    (MIN_DIGITS..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()),
                    "{raw}"
                );
            };
            if let Ok(parsed) = PhoneNumber::parse(&raw) {
                accepted += 1;
                e164(&parsed);
                assert_eq!(PhoneNumber::parse(&parsed.e164()).as_ref(), Ok(&parsed), "{raw}");
                assert_eq!(PhoneNumber::from_whatsapp_id(parsed.as_str()).as_ref(), Ok(&parsed), "{raw}");
            }
            if let Ok(parsed) = PhoneNumber::from_whatsapp_id(&raw) {
                accepted += 1;
                e164(&parsed);
                assert_eq!(PhoneNumber::from_whatsapp_id(parsed.as_str()).as_ref(), Ok(&parsed), "{raw}");
            }
        }
        assert!(accepted > 100, "only {accepted} accepted");
    }

    #[test]
    fn accessors() {
        let p = PhoneNumber::parse("+55 (11) 98765-4321").unwrap();
        assert_eq!(p.as_str(), "5511987654321");
        assert_eq!(p.whatsapp_id(), "5511987654321");
        assert_eq!(p.e164(), "+5511987654321");
        assert_eq!(p.to_string(), "5511987654321");
        assert!(p.is_brazilian());
        assert!(!PhoneNumber::parse("+1 650 253 0000").unwrap().is_brazilian());
    }
}
