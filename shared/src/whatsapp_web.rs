//! WhatsApp Web pairing and history sync on the wire.

use serde::{Deserialize, Serialize};

use crate::JobId;

/// `POST /connections/{id}/pair-code`: the phone number to link (digits, with country code).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairCodeRequest {
    pub phone_number: String,
}

/// The code to type on the phone (WhatsApp > Linked devices > Link with phone number).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairCode {
    pub code: String,
}

/// `POST /tickets/{id}/sync-history`: how many older messages to ask the phone for (1 to 500).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncHistory {
    pub limit: u32,
}

/// A history sync started: its progress arrives as `sync.progress` events with this `job_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncStarted {
    pub job_id: JobId,
}
