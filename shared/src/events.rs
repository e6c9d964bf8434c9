//! Live events pushed over `GET /api/v1/ws`.

use serde::{Deserialize, Serialize};

/// `{"seq": 123, "type": "ticket.updated", "data": {...}}`; `seq` rises by one per company event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub seq: i64,
    #[serde(rename = "type")]
    pub kind: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}
