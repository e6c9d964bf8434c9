//! Validated values: each has a `parse` constructor that is the only way to build it, so the
//! server and the browser refuse the same input with the same message.

use std::fmt;

/// Why a value was refused, as a sentence for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
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
            return Err(Invalid("must be an e-mail address like name@example.com"));
        };
        let domain_ok =
            domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains("..");
        if local.is_empty() || !domain_ok || domain.contains('@') || value.chars().any(char::is_whitespace) {
            return Err(Invalid("must be an e-mail address like name@example.com"));
        }
        if value.len() > 254 {
            return Err(Invalid("must be at most 254 characters"));
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
            return Err(Invalid("must not be empty"));
        }
        if value.chars().count() > 120 {
            return Err(Invalid("must be at most 120 characters"));
        }
        if value.chars().any(char::is_control) {
            return Err(Invalid("must not contain control characters"));
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
            return Err(Invalid("must have at least 8 characters"));
        }
        if count > 128 {
            return Err(Invalid("must be at most 128 characters"));
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
            return Err(Invalid("must be a colour like #1e88e5"));
        }
        match digits.len() {
            6 => Ok(Self(value)),
            3 => Ok(Self(digits.chars().fold(String::from("#"), |mut long, c| {
                long.push(c);
                long.push(c);
                long
            }))),
            _ => Err(Invalid("must be a colour like #1e88e5")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
