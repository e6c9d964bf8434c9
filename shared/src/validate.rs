//! Validated values: each has a `parse` constructor that is the only way to build it, so the
//! server and the browser refuse the same input with the same problem.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a value was refused: a code with its parameters, so each client words it in its own
/// language; `Display` gives the English sentence the API's `message` carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Invalid {
    Required,
    TooShort {
        min: u32,
    },
    TooLong {
        max: u32,
    },
    LengthBetween {
        min: u32,
        max: u32,
    },
    NotEmail,
    ControlCharacters,
    NotColor,
    NotPhone,
    GroupNotPhone,
    AlreadyInUse,
    /// An id that is not one of the caller's company (a queue, a user, a connection).
    NotInCompany,
    NotInTicket,
    NotAnObject,
    NotBase64,
    NotUrl,
    /// A URL that must be public `https` but points at a private, loopback or link-local address.
    NotPublicUrl,
    WrongPassword,
    CurrentPasswordRequired,
    RequiredForCloudApi,
    NoConnection,
    QueueOrUser,
    EmptyFile,
    FileRequired,
    NotAudio,
    StickerNotWebp,
    /// A sticker over WhatsApp's size limit (100 KB still, 500 KB animated).
    StickerTooLarge {
        max_kb: u32,
    },
    /// A sticker whose canvas is not 512×512 pixels.
    StickerDimensions {
        width: u32,
        height: u32,
    },
    /// A message that is not a sticker with its file.
    NotASticker,
    /// A message that sends a sticker carries no text.
    StickerNoText,
    UnknownFileKind,
    /// Not an IANA time zone name such as `America/Sao_Paulo`.
    UnknownTimeZone,
    /// A time that has already passed.
    NotInFuture,
    TooFarAhead {
        days: u32,
    },
    /// A word that must be one (a quick reply's shortcut).
    ContainsSpaces,
    NumberBetween {
        min: u32,
        max: u32,
    },
    OneOf {
        choices: Vec<u32>,
    },
    /// A row of an imported file whose number an earlier row (`row`) already has.
    DuplicateInFile {
        row: u32,
    },
    /// A file that cannot be read as CSV (no header, or not text).
    NotCsv,
    /// A column mapping without exactly one number column, or with two name or e-mail columns.
    BadMapping,
    /// Not a Google service-account key (JSON with `client_email` and an RSA `private_key`).
    NotServiceAccount,
    /// An event type a webhook cannot subscribe to (not one of `webhooks::WEBHOOK_EVENTS`).
    UnknownEventType,
    /// More than one bot switched on for one ticket (it runs at most one).
    OneBotAtATime,
    /// The body could not be read as the expected JSON; `reason` is serde's description.
    Malformed {
        reason: String,
    },
    /// A problem this client does not know (a newer server): its sentence as sent.
    Other {
        message: String,
    },
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Required => f.write_str("must not be empty"),
            Invalid::TooShort { min } => write!(f, "must have at least {min} characters"),
            Invalid::TooLong { max } => write!(f, "must be at most {max} characters"),
            Invalid::LengthBetween { min, max } => write!(f, "must be {min} to {max} characters"),
            Invalid::NotEmail => f.write_str("must be an e-mail address like name@example.com"),
            Invalid::ControlCharacters => f.write_str("must not contain control characters"),
            Invalid::NotColor => f.write_str("must be a colour like #1e88e5"),
            Invalid::NotPhone => f.write_str("must be a phone number like +55 11 98765-4321"),
            Invalid::GroupNotPhone => f.write_str("must be a phone number, not a group, list or channel id"),
            Invalid::AlreadyInUse => f.write_str("is already in use"),
            Invalid::NotInCompany => f.write_str("must exist in your company"),
            Invalid::NotInTicket => f.write_str("must be a message of this ticket"),
            Invalid::NotAnObject => f.write_str("must be an object of extra fields"),
            Invalid::NotBase64 => f.write_str("is not valid base64"),
            Invalid::NotUrl => f.write_str("must be an http(s) URL"),
            Invalid::NotPublicUrl => f.write_str("must be a public https URL"),
            Invalid::WrongPassword => f.write_str("is wrong"),
            Invalid::CurrentPasswordRequired => f.write_str("is required to change the e-mail or the password"),
            Invalid::RequiredForCloudApi => f.write_str("is required for a cloud_api connection"),
            Invalid::NoConnection => f.write_str("the company has no connection yet"),
            Invalid::QueueOrUser => f.write_str("give a queue, a user, or both"),
            Invalid::EmptyFile => f.write_str("is empty"),
            Invalid::FileRequired => f.write_str("is required in a multipart message"),
            Invalid::NotAudio => f.write_str("the file is not audio"),
            Invalid::StickerNotWebp => f.write_str("stickers must be WebP images"),
            Invalid::StickerTooLarge { max_kb } => write!(f, "this sticker may be at most {max_kb} KB"),
            Invalid::StickerDimensions { width, height } => {
                write!(f, "stickers must be 512×512 pixels; this one is {width}×{height}")
            }
            Invalid::NotASticker => f.write_str("must be a sticker message with its file"),
            Invalid::StickerNoText => f.write_str("must be empty when sending a sticker"),
            Invalid::UnknownFileKind => f.write_str("must be audio, sticker or file"),
            Invalid::UnknownTimeZone => f.write_str("must be a time zone name like America/Sao_Paulo"),
            Invalid::NotInFuture => f.write_str("must be in the future"),
            Invalid::TooFarAhead { days } => write!(f, "must be within {days} days from now"),
            Invalid::ContainsSpaces => f.write_str("must not contain spaces"),
            Invalid::NumberBetween { min, max } => write!(f, "must be a number from {min} to {max}"),
            Invalid::OneOf { choices } => {
                let choices: Vec<String> = choices.iter().map(u32::to_string).collect();
                write!(f, "must be one of {}", choices.join(", "))
            }
            Invalid::NotServiceAccount => {
                f.write_str("must be a Google service-account key (JSON with client_email and private_key)")
            }
            Invalid::UnknownEventType => f.write_str("must be event types like message.created"),
            Invalid::OneBotAtATime => f.write_str("only one bot can answer a ticket at a time"),
            Invalid::DuplicateInFile { row } => write!(f, "repeats the number of row {row}"),
            Invalid::NotCsv => f.write_str("must be a CSV file with a header row"),
            Invalid::BadMapping => {
                f.write_str("must map exactly one column to the number, and at most one to the name and to the e-mail")
            }
            Invalid::Malformed { reason } => f.write_str(reason),
            Invalid::Other { message } => f.write_str(message),
        }
    }
}

macro_rules! string_value {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_inner(self) -> String {
                self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// A lower-cased e-mail address with one `@`, a local part and a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);
string_value!(Email);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_lowercase();
        let Some((local, domain)) = value.split_once('@') else {
            return Err(Invalid::NotEmail);
        };
        let domain_ok =
            domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains("..");
        if local.is_empty() || !domain_ok || domain.contains('@') || value.chars().any(char::is_whitespace) {
            return Err(Invalid::NotEmail);
        }
        if value.len() > 254 {
            return Err(Invalid::TooLong { max: 254 });
        }
        Ok(Self(value))
    }
}

/// A display name: trimmed, 1 to 120 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);
string_value!(Name);

impl Name {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Invalid::Required);
        }
        if value.chars().count() > 120 {
            return Err(Invalid::TooLong { max: 120 });
        }
        if value.chars().any(char::is_control) {
            return Err(Invalid::ControlCharacters);
        }
        Ok(Self(value.to_owned()))
    }
}

/// A password: 8 to 128 characters. Kept as typed (no trimming).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let count = raw.chars().count();
        if count < 8 {
            return Err(Invalid::TooShort { min: 8 });
        }
        if count > 128 {
            return Err(Invalid::TooLong { max: 128 });
        }
        Ok(Self(raw.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A colour as `#rrggbb`, stored lower-case. The short form CSS accepts (`#0a0`) is stored long
/// (`#00aa00`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexColor(String);
string_value!(HexColor);

impl HexColor {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_lowercase();
        let digits = value.strip_prefix('#').unwrap_or("");
        if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Invalid::NotColor);
        }
        match digits.len() {
            6 => Ok(Self(value)),
            3 => Ok(Self(digits.chars().fold(String::from("#"), |mut long, c| {
                long.push(c);
                long.push(c);
                long
            }))),
            _ => Err(Invalid::NotColor),
        }
    }
}

/// A quick reply's shortcut: what is typed after `/`. One word of 1 to 32 characters, a leading
/// `/` dropped, stored lower-case so `/Oi` and `/oi` are the same shortcut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortcut(String);
string_value!(Shortcut);

impl Shortcut {
    pub const MAX_CHARS: u32 = 32;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        let value = trimmed.strip_prefix('/').unwrap_or(trimmed);
        if value.is_empty() {
            return Err(Invalid::Required);
        }
        if value.chars().any(char::is_whitespace) {
            return Err(Invalid::ContainsSpaces);
        }
        if value.chars().any(char::is_control) {
            return Err(Invalid::ControlCharacters);
        }
        if value.chars().count() > Self::MAX_CHARS as usize {
            return Err(Invalid::TooLong { max: Self::MAX_CHARS });
        }
        Ok(Self(value.to_lowercase()))
    }
}

/// The text of a message an agent writes ahead (a quick reply): not blank, at most 4096
/// characters (what one message may carry), kept as typed apart from trailing blanks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);
string_value!(MessageText);

impl MessageText {
    pub const MAX_CHARS: u32 = 4096;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim_end();
        if value.trim().is_empty() {
            return Err(Invalid::Required);
        }
        if value.chars().count() > Self::MAX_CHARS as usize {
            return Err(Invalid::TooLong { max: Self::MAX_CHARS });
        }
        Ok(Self(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_are_one_bounded_lower_case_word() {
        assert_eq!(Shortcut::parse(" /BomDia ").map(|s| s.into_inner()), Ok("bomdia".into()));
        assert_eq!(Shortcut::parse("preço-2").map(|s| s.into_inner()), Ok("preço-2".into()));
        assert_eq!(Shortcut::parse("/"), Err(Invalid::Required));
        assert_eq!(Shortcut::parse("   "), Err(Invalid::Required));
        assert_eq!(Shortcut::parse("bom dia"), Err(Invalid::ContainsSpaces));
        assert_eq!(Shortcut::parse("a\u{7}b"), Err(Invalid::ControlCharacters));
        assert!(Shortcut::parse(&"ç".repeat(32)).is_ok());
        assert_eq!(Shortcut::parse(&"x".repeat(33)), Err(Invalid::TooLong { max: 32 }));
    }

    #[test]
    fn message_text_is_not_blank_and_bounded() {
        assert_eq!(MessageText::parse("  Olá!\n\n ").map(|t| t.into_inner()), Ok("  Olá!".into()));
        assert_eq!(MessageText::parse(" \n "), Err(Invalid::Required));
        assert!(MessageText::parse(&"x".repeat(4096)).is_ok());
        assert_eq!(MessageText::parse(&"x".repeat(4097)), Err(Invalid::TooLong { max: 4096 }));
    }

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        assert_eq!(Email::parse("  Ana@Example.COM ").map(|e| e.into_inner()), Ok("ana@example.com".into()));
    }

    #[test]
    fn email_refuses_malformed_addresses() {
        for bad in
            ["", "ana", "@example.com", "ana@", "ana@example", "ana@.com", "ana@ex..com", "a b@x.com", "a@b@c.com"]
        {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn name_is_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Ana  ").map(|n| n.into_inner()), Ok("Ana".into()));
        assert!(Name::parse("   ").is_err());
        assert!(Name::parse(&"x".repeat(121)).is_err());
        assert!(Name::parse("a\u{0}b").is_err());
    }

    #[test]
    fn password_length_is_checked_in_characters() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("ççççççç").is_err());
        assert!(Password::parse("çççççççç").is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert_eq!(format!("{:?}", Password::parse("secret-pass").ok()), "Some(Password(***))");
    }

    #[test]
    fn color_must_be_six_hex_digits() {
        assert_eq!(HexColor::parse("#1E88E5").map(|c| c.into_inner()), Ok("#1e88e5".into()));
        for bad in ["1e88e5", "#1e88e", "#1e88e5f", "#gggggg", "", "#", "0a0", "#0a", "#0a0a", "#ggg", "#0a0 0"] {
            assert!(HexColor::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn short_colour_is_stored_long_and_lower_case() {
        assert_eq!(HexColor::parse("#0a0").map(|c| c.into_inner()), Ok("#00aa00".into()));
        assert_eq!(HexColor::parse(" #F0c ").map(|c| c.into_inner()), Ok("#ff00cc".into()));
        assert_eq!(HexColor::parse("#000").map(|c| c.into_inner()), Ok("#000000".into()));
    }
}
