//! Quick replies (Mensagens rápidas): saved messages an agent inserts by typing `/` and a shortcut
//! in the composer, optionally with a file that goes out with them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{QueueId, QuickReplyId};

/// The variables a quick reply's text may hold, filled in by the composer when it is inserted.
pub const VARIABLES: [&str; 5] = ["{{nome}}", "{{primeiro_nome}}", "{{protocolo}}", "{{atendente}}", "{{saudacao}}"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuickReply {
    pub id: QuickReplyId,
    /// Typed after `/` in the composer; stored lower-case, without the `/`.
    pub shortcut: String,
    /// The text, with variables such as `{{primeiro_nome}}` left for the composer to fill.
    pub body: String,
    /// `null`: every agent of the company sees it; else only that queue's agents (admins and
    /// supervisors see all).
    pub queue_id: Option<QueueId>,
    /// A file sent along when an agent picks this reply.
    pub file: Option<QuickReplyFile>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuickReplyFile {
    /// `GET` it with the bearer token (`/api/v1/quick-replies/{id}/file`).
    pub url: String,
    pub name: String,
    /// Sniffed from the bytes when uploaded.
    pub mime: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewQuickReply {
    /// 1 to 32 characters, no spaces; a leading `/` is dropped.
    pub shortcut: String,
    pub body: String,
    #[serde(default)]
    pub queue_id: Option<QueueId>,
}

/// `PATCH /quick-replies/{id}`: every field optional; `queue_id: null` makes it company-wide.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateQuickReply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortcut: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `null` clears it (the whole company); absent leaves it.
    #[serde(default, with = "crate::contacts::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub queue_id: Option<Option<QueueId>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_tells_null_from_absent() {
        let clear: UpdateQuickReply = serde_json::from_str(r#"{"queue_id": null}"#).unwrap_or_default();
        assert_eq!(clear.queue_id, Some(None));
        let keep: UpdateQuickReply = serde_json::from_str(r#"{"body": "x"}"#).unwrap_or_default();
        assert_eq!(keep.queue_id, None);
        assert!(serde_json::from_str::<UpdateQuickReply>(r#"{"text": "x"}"#).is_err());
        let change = UpdateQuickReply { queue_id: Some(None), ..Default::default() };
        assert_eq!(serde_json::to_string(&change).ok().as_deref(), Some(r#"{"queue_id":null}"#));
    }
}
