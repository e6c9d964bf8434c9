//! Protocol numbers (Protocolo): a readable reference for a conversation, unique per company,
//! that a customer can quote later and an agent can search for.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ProtocolId, TicketId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Protocol {
    pub id: ProtocolId,
    /// The company's local date and that day's sequence: `20261128-000042`.
    pub number: String,
    pub ticket_id: TicketId,
    pub created_at: DateTime<Utc>,
}

/// `POST /tickets/{id}/protocols`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewProtocol {
    /// Also send the number to the contact (the settings' `general.protocol_message`); the ticket
    /// must then be open.
    #[serde(default)]
    pub send_to_contact: bool,
}

/// The placeholders of `general.protocol_message` replaced by the number.
pub const PROTOCOL_PLACEHOLDERS: [&str; 2] = ["{{protocol}}", "{{protocolo}}"];

/// The message sent to the contact: the template with the number in place of its placeholders.
pub fn protocol_message(template: &str, number: &str) -> String {
    PROTOCOL_PLACEHOLDERS.iter().fold(template.to_owned(), |text, placeholder| text.replace(placeholder, number))
}

/// Whether `term` is written like a protocol number (eight digits, a dash, digits), so a search
/// can look it up exactly.
pub fn looks_like_protocol(term: &str) -> bool {
    let Some((date, seq)) = term.split_once('-') else { return false };
    date.len() == 8
        && date.bytes().all(|b| b.is_ascii_digit())
        && (1..=18).contains(&seq.len())
        && seq.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_gets_the_number_in_either_language() {
        assert_eq!(protocol_message("Protocolo: {{protocol}}.", "20261128-000042"), "Protocolo: 20261128-000042.");
        assert_eq!(protocol_message("{{protocolo}} / {{protocol}}", "1-2"), "1-2 / 1-2");
        assert_eq!(protocol_message("sem número", "1-2"), "sem número");
    }

    #[test]
    fn protocol_numbers_are_recognised() {
        assert!(looks_like_protocol("20261128-000042"));
        assert!(looks_like_protocol("20261128-1234567"));
        assert!(!looks_like_protocol("2026112-000042"));
        assert!(!looks_like_protocol("20261128-"));
        assert!(!looks_like_protocol("#42"));
        assert!(!looks_like_protocol("maria-silva"));
    }
}
