//! The one server error type. Every failure becomes the wire body of `shared::ErrorBody`;
//! internal causes are logged, never sent.

use std::collections::BTreeMap;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::validate::Invalid;
use shared::{ErrorBody, ErrorDetail};

pub type AppResult<T, E = AppError> = Result<T, E>;

/// Field name → what is wrong with it; answered as 422 `invalid_field`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| message.into());
    }

    /// Keeps the parsed value, or records why it was refused.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, Invalid>) -> Option<T> {
        parsed.map_err(|invalid| self.add(field, invalid.0)).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was refused.
    pub fn into_result(self) -> AppResult<()> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Invalid(self)) }
    }

    pub fn one(field: &str, message: impl Into<String>) -> AppError {
        let mut errors = Self::new();
        errors.add(field, message);
        AppError::Invalid(errors)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("e-mail or password is wrong")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("some fields are invalid")]
    Invalid(FieldErrors),
    #[error("too many requests; try again in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("the service is not ready")]
    Unavailable,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
        AppError::Internal(error.into())
    }
}

impl<E> From<sea_orm::TransactionError<E>> for AppError
where
    E: Into<AppError> + std::error::Error,
{
    fn from(error: sea_orm::TransactionError<E>) -> Self {
        match error {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(inner) => inner.into(),
        }
    }
}

impl AppError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict { code, message: message.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated(_) | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. } | AppError::Conflict { code, .. } => code,
            AppError::Unauthenticated(_) => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Invalid(_) => "invalid_field",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> ErrorBody {
        let details = match self {
            AppError::Invalid(fields) => serde_json::to_value(&fields.0).ok(),
            AppError::TooManyRequests { retry_after_secs } => {
                Some(serde_json::json!({ "retry_after": retry_after_secs }))
            }
            _ => None,
        };
        ErrorBody { error: ErrorDetail { code: self.code().to_owned(), message: self.to_string(), details } }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        if let AppError::TooManyRequests { retry_after_secs } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                AppError::UnsupportedMediaType("expected a JSON body with Content-Type: application/json".into())
            }
            StatusCode::UNPROCESSABLE_ENTITY => {
                // serde's message names the field and what it expected; it never echoes secrets.
                let mut errors = FieldErrors::new();
                errors.add(
                    "body",
                    rejection.body_text().replace("Failed to deserialize the JSON body into the target type: ", ""),
                );
                AppError::Invalid(errors)
            }
            _ => AppError::BadRequest { code: "malformed_json", message: "the body is not valid JSON".into() },
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound("resource")
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::BadRequest { code: "invalid_query", message: rejection.body_text() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_the_first_message_per_field() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.check("email", Ok::<_, Invalid>(1)), Some(1));
        errors.add("email", "first");
        errors.add("email", "second");
        match errors.into_result() {
            Err(error) => {
                assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
                assert_eq!(error.body().error.details, Some(serde_json::json!({"email": "first"})));
            }
            Ok(()) => panic!("errors were recorded"),
        }
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let error = AppError::Internal(anyhow::anyhow!("password=hunter2 in connection string"));
        let body = error.body();
        assert_eq!((body.error.code.as_str(), body.error.message.as_str()), ("internal", "internal error"));
    }

    #[test]
    fn too_many_requests_carries_retry_after() {
        let response = AppError::TooManyRequests { retry_after_secs: 7 }.into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("7"));
    }
}
