//! What can go wrong with a call, and how to say it to the person using the app.

use std::collections::BTreeMap;

use crate::i18n::{self, Key, Locale};

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server could not be reached (offline, server down, CORS, ...).
    Network,
    /// The session is over and could not be refreshed: the app returns to the login page.
    SessionEnded,
    /// A successful answer whose body was not what we expected.
    Decode,
    /// The user cancelled the request (an upload).
    Aborted,
    /// The server's `{"error": {...}}` answer.
    Api {
        status: u16,
        code: String,
        message: String,
        details: Option<serde_json::Value>,
        /// Seconds from a `Retry-After` header (429).
        retry_after: Option<u64>,
    },
}

impl ApiError {
    /// Per-field messages of a 422 `invalid_field`, as the server wrote them (translate with
    /// [`i18n::validation_text`] when shown).
    pub fn field_errors(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let ApiError::Api { details: Some(serde_json::Value::Object(map)), status: 422, .. } = self {
            for (field, value) in map {
                let text = match value {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                out.insert(field.clone(), text);
            }
        }
        out
    }

    /// One sentence for a banner or toast.
    pub fn user_message(&self, locale: Locale) -> String {
        let key = match self {
            ApiError::Network => Key::NetworkError,
            ApiError::SessionEnded => Key::SessionExpired,
            ApiError::Decode => Key::UnexpectedError,
            ApiError::Aborted => Key::UploadCancelled,
            ApiError::Api { status, code, message, retry_after, .. } => match (code.as_str(), *status) {
                ("invalid_credentials", _) => Key::InvalidCredentials,
                ("too_many_requests", _) | (_, 429) => {
                    return match retry_after {
                        Some(seconds) => i18n::retry_in(locale, *seconds),
                        None => Key::TooManyRequests.text(locale).to_owned(),
                    };
                }
                ("forbidden", _) | (_, 403) => Key::Forbidden,
                ("not_found", _) | (_, 404) => Key::NotFound,
                ("invalid_transition", _) => Key::InvalidTransition,
                ("ticket_not_open", _) => Key::TicketNotOpen,
                ("ticket_already_active", _) => Key::TicketAlreadyActive,
                (_, 413) => Key::FileTooLarge,
                (_, 415) => Key::FileTypeNotAllowed,
                ("invalid_field", _) | (_, 422) => Key::CheckFields,
                (_, 500..) => Key::UnexpectedError,
                _ if !message.is_empty() => return message.clone(),
                _ => Key::UnexpectedError,
            },
        };
        key.text(locale).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str, retry_after: Option<u64>) -> ApiError {
        ApiError::Api { status, code: code.into(), message: "server sentence".into(), details: None, retry_after }
    }

    #[test]
    fn too_many_requests_tells_when_to_retry() {
        let err = api(429, "too_many_requests", Some(30));
        assert_eq!(err.user_message(Locale::Pt), "Muitas tentativas. Tente novamente em 30 s.");
        assert_eq!(err.user_message(Locale::En), "Too many attempts. Try again in 30 s.");
        assert_eq!(api(429, "", None).user_message(Locale::Pt), Key::TooManyRequests.text(Locale::Pt));
    }

    #[test]
    fn known_codes_are_translated_and_unknown_ones_keep_the_server_sentence() {
        assert_eq!(api(401, "invalid_credentials", None).user_message(Locale::Pt), "E-mail ou senha incorretos.");
        assert_eq!(api(403, "forbidden", None).user_message(Locale::En), Key::Forbidden.text(Locale::En));
        assert_eq!(api(409, "invalid_state", None).user_message(Locale::Pt), "server sentence");
        assert_eq!(api(500, "internal", None).user_message(Locale::Pt), Key::UnexpectedError.text(Locale::Pt));
        assert_eq!(ApiError::Network.user_message(Locale::En), Key::NetworkError.text(Locale::En));
    }

    #[test]
    fn field_errors_come_from_422_details() {
        let err = ApiError::Api {
            status: 422,
            code: "invalid_field".into(),
            message: "invalid".into(),
            details: Some(serde_json::json!({"current_password": "is wrong", "email": "must not be empty"})),
            retry_after: None,
        };
        let fields = err.field_errors();
        assert_eq!(fields.get("current_password").map(String::as_str), Some("is wrong"));
        assert_eq!(i18n::validation_text(Locale::Pt, &fields["email"]), "Obrigatório.");
        assert!(api(400, "bad_request", None).field_errors().is_empty());
    }
}
