//! The one server error type. Every failure becomes the wire body of `shared::ErrorBody`;
//! internal causes are logged, never sent.

use std::collections::BTreeMap;

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::validate::Invalid;
use shared::{ErrorBody, ErrorCode, ErrorDetail, FieldProblem};

pub type AppResult<T, E = AppError> = Result<T, E>;

/// Field name → what is wrong with it; answered as 422 `invalid_field`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FieldErrors(BTreeMap<String, Invalid>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, problem: Invalid) {
        self.0.entry(field.to_owned()).or_insert(problem);
    }

    /// Keeps the parsed value, or records why it was refused.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, Invalid>) -> Option<T> {
        parsed.map_err(|invalid| self.add(field, invalid)).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds another check's problems (the first problem found for a field stays).
    pub fn extend(&mut self, other: FieldErrors) {
        for (field, problem) in other.0 {
            self.0.entry(field).or_insert(problem);
        }
    }

    /// `Ok(())` when nothing was refused.
    pub fn into_result(self) -> AppResult<()> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Invalid(self)) }
    }

    pub fn one(field: &str, problem: Invalid) -> AppError {
        let mut errors = Self::new();
        errors.add(field, problem);
        AppError::Invalid(errors)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    BadRequest { code: ErrorCode, message: String },
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("e-mail or password is wrong")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(&'static str),
    /// 403 with a code more precise than `forbidden`.
    #[error("{message}")]
    Denied { code: ErrorCode, message: &'static str },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
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
    /// 503 with `Retry-After`: the server is busy with this kind of request; nothing was done.
    #[error("{message}")]
    Busy { code: ErrorCode, message: &'static str, retry_after_secs: u64 },
    /// The disk is full (or the file may not grow that large): nothing was stored.
    #[error("the server has no room to store the file; nothing was stored, try again later")]
    InsufficientStorage,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
    /// 502: a provider this server called refused or failed (its words in the message).
    #[error("{message}")]
    BadGateway { code: ErrorCode, message: String },
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
        // A database that cannot be reached is a 503 the client may retry, not a bug (500).
        if crate::store::is_unavailable(&error) {
            tracing::warn!(%error, "the database is unavailable");
            return AppError::Unavailable;
        }
        AppError::Internal(error.into())
    }
}

/// Turns a write's unique violation on `key` into "`field` is already in use".
pub trait OnUnique<T> {
    fn on_unique(self, key: crate::store::UniqueKey, field: &str) -> AppResult<T>;
}

impl<T> OnUnique<T> for Result<T, sea_orm::DbErr> {
    fn on_unique(self, key: crate::store::UniqueKey, field: &str) -> AppResult<T> {
        self.map_err(|error| {
            if crate::store::UniqueKey::of(&error) == Some(key) {
                FieldErrors::one(field, Invalid::AlreadyInUse)
            } else {
                error.into()
            }
        })
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
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Conflict { code, message: message.into() }
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::BadRequest { code, message: message.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated(_) | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Denied { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable | AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::BadGateway { .. } => StatusCode::BAD_GATEWAY,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::BadRequest { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Denied { code, .. }
            | AppError::Busy { code, .. } => *code,
            AppError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            AppError::InvalidCredentials => ErrorCode::InvalidCredentials,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            AppError::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            AppError::Invalid(_) => ErrorCode::InvalidField,
            AppError::TooManyRequests { .. } => ErrorCode::TooManyRequests,
            AppError::Unavailable => ErrorCode::Unavailable,
            AppError::InsufficientStorage => ErrorCode::InsufficientStorage,
            AppError::Internal(_) => ErrorCode::Internal,
            AppError::BadGateway { code, .. } => *code,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let details = match self {
            AppError::Invalid(fields) => {
                let problems: BTreeMap<&String, FieldProblem> =
                    fields.0.iter().map(|(field, problem)| (field, FieldProblem::from(problem.clone()))).collect();
                serde_json::to_value(problems).ok()
            }
            AppError::TooManyRequests { retry_after_secs } | AppError::Busy { retry_after_secs, .. } => {
                Some(serde_json::json!({ "retry_after": retry_after_secs }))
            }
            _ => None,
        };
        ErrorBody { error: ErrorDetail { code: self.code(), message: self.to_string(), details } }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        if let AppError::InsufficientStorage = &self {
            tracing::error!("a file could not be written: the disk is full");
        }
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        if let AppError::TooManyRequests { retry_after_secs } | AppError::Busy { retry_after_secs, .. } = self
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
                let reason =
                    rejection.body_text().replace("Failed to deserialize the JSON body into the target type: ", "");
                FieldErrors::one("body", Invalid::Malformed { reason })
            }
            _ => AppError::bad_request(ErrorCode::MalformedJson, "the body is not valid JSON"),
        }
    }
}

impl From<BytesRejection> for AppError {
    fn from(rejection: BytesRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            _ => AppError::bad_request(ErrorCode::MalformedJson, "the body could not be read"),
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
        AppError::bad_request(ErrorCode::InvalidQuery, rejection.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_the_first_message_per_field() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.check("email", Ok::<_, Invalid>(1)), Some(1));
        errors.add("email", Invalid::NotEmail);
        errors.add("email", Invalid::Required);
        match errors.into_result() {
            Err(error) => {
                assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
                assert_eq!(
                    error.body().error.details,
                    Some(serde_json::json!({"email": {
                        "code": "not_email", "message": "must be an e-mail address like name@example.com"
                    }}))
                );
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
    fn parameters_travel_with_the_code() {
        let body = FieldErrors::one("name", Invalid::TooLong { max: 120 }).body();
        assert_eq!(
            body.error.details,
            Some(
                serde_json::json!({"name": {"code": "too_long", "max": 120, "message": "must be at most 120 characters"}})
            )
        );
        assert_eq!(body.error.field_problems()["name"], Invalid::TooLong { max: 120 });
    }

    #[test]
    fn an_unreachable_database_is_503_and_a_full_disk_507() {
        let gone = AppError::from(sea_orm::DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout));
        assert_eq!((gone.status(), gone.code()), (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable));
        let bug = AppError::from(sea_orm::DbErr::RecordNotUpdated);
        assert_eq!(bug.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let full = AppError::InsufficientStorage;
        assert_eq!(
            (full.status(), full.body().error.code.as_str()),
            (StatusCode::INSUFFICIENT_STORAGE, "insufficient_storage")
        );
    }

    #[test]
    fn too_many_requests_carries_retry_after() {
        let response = AppError::TooManyRequests { retry_after_secs: 7 }.into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("7"));
    }
}
