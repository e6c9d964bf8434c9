//! What can go wrong with a call, and how to say it to the person using the app.

use std::collections::BTreeMap;

use shared::ErrorCode;
use shared::validate::Invalid;

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
        code: ErrorCode,
        message: String,
        details: Option<serde_json::Value>,
        /// Seconds from a `Retry-After` header (429).
        retry_after: Option<u64>,
    },
}

impl ApiError {
    /// The per-field problems of a 422 `invalid_field` (word them with [`i18n::validation_text`]).
    pub fn field_errors(&self) -> BTreeMap<String, Invalid> {
        match self {
            ApiError::Api { code, message, details, .. } => {
                shared::ErrorDetail { code: *code, message: message.clone(), details: details.clone() }.field_problems()
            }
            _ => BTreeMap::new(),
        }
    }

    /// One sentence for a banner or toast.
    pub fn user_message(&self, locale: Locale) -> String {
        let key = match self {
            ApiError::Network => Key::NetworkError,
            ApiError::SessionEnded => Key::SessionExpired,
            ApiError::Decode => Key::UnexpectedError,
            ApiError::Aborted => Key::UploadCancelled,
            ApiError::Api { status, code, message, retry_after, .. } => match (code, *status) {
                (ErrorCode::TooManyRequests, _) | (_, 429) => {
                    return match retry_after {
                        Some(seconds) => i18n::retry_in(locale, *seconds),
                        None => Key::TooManyRequests.text(locale).to_owned(),
                    };
                }
                (ErrorCode::Unknown, 403) => Key::Forbidden,
                (ErrorCode::Unknown, 404) => Key::NotFound,
                (ErrorCode::Unknown, 413) => Key::FileTooLarge,
                (ErrorCode::Unknown, 415) => Key::FileTypeNotAllowed,
                (ErrorCode::Unknown, 422) => Key::CheckFields,
                (ErrorCode::Unknown, 500..) => Key::UnexpectedError,
                // A code this build does not know: the server's sentence is better than nothing.
                (ErrorCode::Unknown, _) if !message.is_empty() => return message.clone(),
                (ErrorCode::Unknown, _) => Key::UnexpectedError,
                (code, _) => error_key(*code),
            },
        };
        key.text(locale).to_owned()
    }
}

/// What to tell a person for each error code the server can send.
pub fn error_key(code: ErrorCode) -> Key {
    match code {
        ErrorCode::InvalidCredentials => Key::InvalidCredentials,
        ErrorCode::Unauthenticated => Key::SessionExpired,
        ErrorCode::Forbidden | ErrorCode::PlatformAdminProtected => Key::Forbidden,
        ErrorCode::NotFound => Key::NotFound,
        ErrorCode::InvalidTransition => Key::InvalidTransition,
        ErrorCode::TicketNotOpen => Key::TicketNotOpen,
        ErrorCode::NotResendable => Key::NotResendable,
        ErrorCode::ScheduleNotPending => Key::ScheduleNotPending,
        ErrorCode::NoConnection => Key::NoConnection,
        ErrorCode::TicketAlreadyActive => Key::TicketAlreadyActive,
        ErrorCode::NotASimulator => Key::NotASimulator,
        ErrorCode::NotWhatsappWeb => Key::NotWhatsappWeb,
        ErrorCode::NotConnected => Key::NotConnected,
        ErrorCode::RatingsDisabled => Key::RatingsDisabled,
        ErrorCode::ContactBlocked => Key::ContactBlocked,
        ErrorCode::CannotDemoteSelf => Key::CannotDemoteSelf,
        ErrorCode::CannotDeleteSelf => Key::CannotDeleteSelf,
        ErrorCode::QueueInUse => Key::QueueInUse,
        ErrorCode::ConnectionInUse => Key::ConnectionInUse,
        ErrorCode::PayloadTooLarge => Key::FileTooLarge,
        ErrorCode::UnsupportedMediaType => Key::FileTypeNotAllowed,
        ErrorCode::InvalidField => Key::CheckFields,
        // Too many searches at once: the same advice, wait a moment and try again.
        ErrorCode::TooManyRequests | ErrorCode::SearchBusy => Key::TooManyRequests,
        ErrorCode::SmsDisabled => Key::SmsDisabled,
        ErrorCode::ProviderError => Key::ProviderRefused,
        ErrorCode::CompanySuspended => Key::CompanySuspended,
        ErrorCode::CompanyProtected => Key::CompanyProtected,
        ErrorCode::BotDisabled => Key::BotDisabled,
        // A full disk on the server: nothing the person can fix; trying again later may work.
        ErrorCode::Unavailable | ErrorCode::InsufficientStorage => Key::ServerUnavailable,
        // The client's own mistakes, never the user's: there is nothing better to say.
        ErrorCode::MalformedJson
        | ErrorCode::InvalidQuery
        | ErrorCode::InvalidCursor
        | ErrorCode::MalformedMultipart
        | ErrorCode::MalformedWebhook
        | ErrorCode::WebsocketRequired
        | ErrorCode::MethodNotAllowed
        | ErrorCode::Internal
        | ErrorCode::Unknown => Key::UnexpectedError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str, retry_after: Option<u64>) -> ApiError {
        ApiError::Api {
            status,
            code: ErrorCode::parse(code),
            message: "server sentence".into(),
            details: None,
            retry_after,
        }
    }

    #[test]
    fn every_error_code_is_worded_in_both_languages() {
        for code in ErrorCode::ALL {
            let key = error_key(*code);
            assert!(!key.text(Locale::Pt).is_empty() && !key.text(Locale::En).is_empty(), "{code:?}");
        }
        assert_eq!(api(409, "contact_blocked", None).user_message(Locale::Pt), Key::ContactBlocked.text(Locale::Pt));
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
            code: ErrorCode::InvalidField,
            message: "invalid".into(),
            details: Some(serde_json::json!({
                "current_password": {"code": "wrong_password", "message": "is wrong"},
                "email": {"code": "required", "message": "must not be empty"},
            })),
            retry_after: None,
        };
        let fields = err.field_errors();
        assert_eq!(fields.get("current_password"), Some(&Invalid::WrongPassword));
        assert_eq!(i18n::validation_text(Locale::Pt, &fields["email"]), "Obrigatório.");
        assert!(api(400, "bad_request", None).field_errors().is_empty());
    }
}
