//! The one error body every endpoint answers with, and the codes it can carry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::validate::Invalid;

/// `{"error": {"code", "message", "details"}}`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// A stable snake_case code such as `not_found` or `invalid_field`.
    pub code: ErrorCode,
    /// A sentence for humans (English; clients translate by `code`).
    pub message: String,
    /// `invalid_field`: each field mapped to its problem (`{"code": "too_long", "max": 120, "message": …}`);
    /// `too_many_requests`: `{"retry_after": seconds}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub details: Option<serde_json::Value>,
}

impl ErrorDetail {
    /// The per-field problems of an `invalid_field` answer; fields whose problem this client does
    /// not know keep the server's sentence as [`Invalid::Other`].
    pub fn field_problems(&self) -> BTreeMap<String, Invalid> {
        let Some(serde_json::Value::Object(fields)) = &self.details else {
            return BTreeMap::new();
        };
        if self.code != ErrorCode::InvalidField {
            return BTreeMap::new();
        }
        fields
            .iter()
            .map(|(field, value)| {
                let problem =
                    serde_json::from_value::<FieldProblem>(value.clone()).map(|p| p.problem).unwrap_or_else(|_| {
                        match value {
                            serde_json::Value::Object(map) => Invalid::Other {
                                message: map.get("message").and_then(|m| m.as_str()).unwrap_or_default().to_owned(),
                            },
                            serde_json::Value::String(text) => Invalid::Other { message: text.clone() },
                            other => Invalid::Other { message: other.to_string() },
                        }
                    });
                (field.clone(), problem)
            })
            .collect()
    }
}

/// One field's problem on the wire: the code with its parameters, and the English sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldProblem {
    #[serde(flatten)]
    pub problem: Invalid,
    pub message: String,
}

/// Described as an object with `code`, `message` and the code's parameters: the derived schema
/// (`allOf` of the `Invalid` union and an object) is more than client generators can read.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for FieldProblem {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        let text = |description: &str| ObjectBuilder::new().schema_type(Type::String).description(Some(description));
        ObjectBuilder::new()
            .description(Some("One field's problem: its code, the English sentence, and the code's parameters."))
            .property("code", text("What is wrong: `required`, `too_long`, `not_email`, …"))
            .property("message", text("A sentence for humans (English; clients translate by `code`)."))
            .required("code")
            .required("message")
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for FieldProblem {}

impl From<Invalid> for FieldProblem {
    fn from(problem: Invalid) -> Self {
        let message = problem.to_string();
        Self { problem, message }
    }
}

macro_rules! error_codes {
    ($($(#[$meta:meta])* $variant:ident = $text:literal),* $(,)?) => {
        /// Every `code` an error body can carry. Clients match on these, never on sentences.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum ErrorCode {
            $($(#[$meta])* $variant,)*
            /// A code this client does not know yet (a newer server).
            #[serde(skip_serializing)]
            Unknown,
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $text,)* ErrorCode::Unknown => "unknown" }
            }

            pub fn parse(raw: &str) -> Self {
                match raw { $($text => ErrorCode::$variant,)* _ => ErrorCode::Unknown }
            }
        }
    };
}

error_codes! {
    /// 400: the body is not JSON.
    MalformedJson = "malformed_json",
    /// 400: a query parameter has the wrong form.
    InvalidQuery = "invalid_query",
    /// 400: a cursor this server did not give out.
    InvalidCursor = "invalid_cursor",
    MalformedMultipart = "malformed_multipart",
    MalformedWebhook = "malformed_webhook",
    /// 400: `GET /api/v1/ws` without a WebSocket upgrade.
    WebsocketRequired = "websocket_required",
    Unauthenticated = "unauthenticated",
    InvalidCredentials = "invalid_credentials",
    Forbidden = "forbidden",
    NotFound = "not_found",
    MethodNotAllowed = "method_not_allowed",
    /// 409: the ticket's status does not allow this action.
    InvalidTransition = "invalid_transition",
    /// 409: the contact already has an open or pending ticket on that connection.
    TicketAlreadyActive = "ticket_already_active",
    /// 409: writing in a ticket that is not open.
    TicketNotOpen = "ticket_not_open",
    /// 409: only a failed outbound message, or one of unknown fate, can be sent again.
    NotResendable = "not_resendable",
    /// 409: a scheduled message already sent, failed or canceled cannot be changed.
    ScheduleNotPending = "schedule_not_pending",
    /// 409: the company has no connection to send through.
    NoConnection = "no_connection",
    NotASimulator = "not_a_simulator",
    /// 409: the satisfaction survey is switched off in the settings.
    RatingsDisabled = "ratings_disabled",
    ContactBlocked = "contact_blocked",
    CannotDemoteSelf = "cannot_demote_self",
    CannotDeleteSelf = "cannot_delete_self",
    /// 409: a queue with open or pending tickets cannot be deleted (they would become everyone's).
    QueueInUse = "queue_in_use",
    /// 409: a connection with tickets is deleted only with `history=delete`.
    ConnectionInUse = "connection_in_use",
    /// 403: only the platform administrator may change the platform administrator.
    PlatformAdminProtected = "platform_admin_protected",
    PayloadTooLarge = "payload_too_large",
    UnsupportedMediaType = "unsupported_media_type",
    /// 422: `details` maps each refused field to its problem.
    InvalidField = "invalid_field",
    TooManyRequests = "too_many_requests",
    Unavailable = "unavailable",
    /// 507: the server's disk is full; nothing was stored. Try again later.
    InsufficientStorage = "insufficient_storage",
    /// 409: SMS by Comtele is switched off (or has no API key) in the settings.
    SmsDisabled = "sms_disabled",
    /// 502: the provider (Comtele, …) refused or could not be reached; the message says why.
    ProviderError = "provider_error",
    /// 403: the caller's company is suspended by the platform administrator.
    CompanySuspended = "company_suspended",
    /// 409: the platform administrator's own company cannot be suspended or deleted.
    CompanyProtected = "company_protected",
    /// 409: switching on a bot whose integration is off in the settings.
    BotDisabled = "bot_disabled",
    /// 503: too many searches are running; try again after `Retry-After` seconds.
    SearchBusy = "search_busy",
    Internal = "internal",
    /// 409: the action needs a WhatsApp Web connection (pairing, logout, history sync).
    NotWhatsappWeb = "not_whatsapp_web",
    /// 409: the WhatsApp Web connection is not linked to a phone right now.
    NotConnected = "not_connected",
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Ok(ErrorCode::parse(&raw))
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_kept_apart() {
        for code in ErrorCode::ALL {
            let text = serde_json::to_string(code).unwrap();
            assert_eq!(text, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&text).unwrap(), *code);
        }
        assert_eq!(serde_json::from_str::<ErrorCode>("\"brand_new\"").unwrap(), ErrorCode::Unknown);
    }

    #[test]
    fn field_problems_decode_codes_and_keep_unknown_sentences() {
        let detail = ErrorDetail {
            code: ErrorCode::InvalidField,
            message: "some fields are invalid".into(),
            details: Some(serde_json::json!({
                "name": FieldProblem::from(Invalid::TooLong { max: 120 }),
                "color": {"code": "from_the_future", "message": "is odd"},
                "old": "a plain sentence",
            })),
        };
        let problems = detail.field_problems();
        assert_eq!(problems["name"], Invalid::TooLong { max: 120 });
        assert_eq!(problems["color"], Invalid::Other { message: "is odd".into() });
        assert_eq!(problems["old"], Invalid::Other { message: "a plain sentence".into() });
    }
}
