//! The one error body every endpoint answers with.

use serde::{Deserialize, Serialize};

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
    pub code: String,
    /// A sentence for humans.
    pub message: String,
    /// Per-field messages for `invalid_field`, other context elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub details: Option<serde_json::Value>,
}
