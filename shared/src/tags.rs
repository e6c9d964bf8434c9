//! Tags (Etiquetas): a company's labels for tickets, kept by administrators, put on and taken off
//! tickets from the contact panel.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::TagId;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tag {
    pub id: TagId,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// Where the tag comes in lists and pickers (ascending; ties by id).
    pub position: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTag {
    /// 1 to 120 characters, unique in the company.
    pub name: String,
    pub color: String,
    /// Left out: after the last tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
}

/// `PATCH /tags/{id}`: every field optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateTag {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
}
