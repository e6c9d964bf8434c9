//! Contacts (customers) and connections (the numbers a company receives messages on).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ConnectionId, ContactId, QueueId, TicketId, UserId};
use crate::tickets::UserRef;
use crate::validate::Invalid;
use crate::wire_enum;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    pub number: String,
    pub email: Option<String>,
    pub photo_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub extra: serde_json::Value,
    pub is_group: bool,
    pub blocked: bool,
    /// The contact's fixed agent (Carteira): their new tickets go straight to this user.
    #[serde(default)]
    pub wallet_user: Option<UserRef>,
    pub created_at: DateTime<Utc>,
}

/// `PUT /contacts/{id}/wallet`: who becomes the contact's fixed agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetWallet {
    pub user_id: UserId,
    /// Set from this ticket's panel: the change is written in its logs (`wallet_set`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<TicketId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewContact {
    pub name: String,
    pub number: String,
    pub email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub extra: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateContact {
    pub name: Option<String>,
    pub number: Option<String>,
    pub email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub extra: Option<serde_json::Value>,
}

/// The longest name and value of a contact's extra field.
pub const EXTRA_KEY_MAX: u32 = 60;
pub const EXTRA_VALUE_MAX: u32 = 500;

/// A contact's extra fields are an object of text values with short, non-blank names (what the
/// contact card shows and edits as name/value pairs).
pub fn check_extra(extra: &serde_json::Value) -> Result<(), Invalid> {
    let fields = extra.as_object().ok_or(Invalid::NotAnObject)?;
    for (key, value) in fields {
        let value = value.as_str().ok_or(Invalid::NotAnObject)?;
        let key_len = key.trim().chars().count();
        if key_len == 0 || key_len > EXTRA_KEY_MAX as usize {
            return Err(Invalid::LengthBetween { min: 1, max: EXTRA_KEY_MAX });
        }
        if value.chars().count() > EXTRA_VALUE_MAX as usize {
            return Err(Invalid::LengthBetween { min: 0, max: EXTRA_VALUE_MAX });
        }
    }
    Ok(())
}

wire_enum!(ConnectionKind { Simulator = "simulator", CloudApi = "cloud_api", WhatsappWeb = "whatsapp_web" });
wire_enum!(
    /// Whether a connection can send and receive now.
    ConnectionStatus { Connected = "connected", Pairing = "pairing", Disconnected = "disconnected", Error = "error" }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Connection {
    pub id: ConnectionId,
    pub name: String,
    pub kind: ConnectionKind,
    pub status: ConnectionStatus,
    /// Why it is in error or disconnected, in the provider's words.
    pub status_reason: Option<String>,
    /// WhatsApp Web, while pairing: the QR code's text to scan, refreshed through
    /// `connection.updated` events as WhatsApp rotates it. Only admins receive it.
    pub qr: Option<String>,
    pub default_queue_id: Option<QueueId>,
    /// Cloud API: the phone number id (the secrets are never returned).
    pub phone_number_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Cloud API: whether an access token is stored (it is write-only).
    #[serde(default)]
    pub access_token_set: bool,
    /// Cloud API: whether an app secret is stored (it is write-only).
    #[serde(default)]
    pub app_secret_set: bool,
    /// Cloud API, for admins: the token Meta's webhook subscription must show (pasted into Meta's
    /// dashboard beside `webhook_url`).
    #[serde(default)]
    pub verify_token: Option<String>,
    /// Cloud API: the Graph API base URL when it is not Meta's.
    #[serde(default)]
    pub graph_base_url: Option<String>,
    /// Cloud API: the callback URL to paste into Meta's dashboard (from `ATENDE_PUBLIC_URL`).
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// The bot its new tickets start with (when that integration is on), before their queue's.
    #[serde(default)]
    pub default_bot: Option<crate::tickets::BotKind>,
}

/// `POST /connections/{id}/test`: whether the provider accepted the stored credentials, in its
/// own words (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionTest {
    pub ok: bool,
    pub detail: String,
}

/// `connection.deleted`: the connection is gone (its tickets too, when its history was deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionDeleted {
    pub id: ConnectionId,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewConnection {
    pub name: String,
    pub kind: ConnectionKind,
    pub default_queue_id: Option<QueueId>,
    pub phone_number_id: Option<String>,
    pub access_token: Option<String>,
    pub app_secret: Option<String>,
    pub verify_token: Option<String>,
    /// Lets a test point the real client at a local stand-in; defaults to Meta's.
    pub graph_base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_bot: Option<crate::tickets::BotKind>,
}

/// `PATCH /connections/{id}`: every field optional. The Cloud API secrets are write-only: sent to
/// rotate them, never returned. Unknown fields are refused, so a misspelt secret is not silently
/// ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateConnection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `null` clears it; absent leaves it.
    #[serde(default, with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub default_queue_id: Option<Option<QueueId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_token: Option<String>,
    /// An empty string goes back to Meta's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_base_url: Option<String>,
    /// `null` clears it; absent leaves it.
    #[serde(default, with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::tickets::BotKind>))]
    pub default_bot: Option<Option<crate::tickets::BotKind>>,
}

/// A message "from a customer" through the simulated channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimulatedMessage {
    /// The customer's number, any common spelling.
    pub from: String,
    pub name: Option<String>,
    pub body: Option<String>,
    /// The provider's message id; the same id twice is stored once.
    pub external_id: Option<String>,
    /// Sent inside this WhatsApp group.
    pub group: Option<SimulatedGroup>,
    /// A file sent by the customer (the body, if any, is its caption).
    #[serde(default)]
    pub media: Option<SimulatedMedia>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimulatedMedia {
    /// The file's bytes, standard base64. Its type is sniffed from them.
    pub base64: String,
    pub file_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimulatedGroup {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimulatedResult {
    pub ticket_id: crate::ids::TicketId,
    pub message_id: crate::ids::MessageId,
    /// False when the external id had been seen before.
    pub created: bool,
}

/// `null` → `Some(None)`, absent → `None` (with `#[serde(default)]`): a field that can be cleared.
pub(crate) mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }

    pub fn serialize<T: serde::Serialize, S: serde::Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => serde::Serialize::serialize(inner, s),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod extra_tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn extra_fields_are_short_named_text_values() {
        assert_eq!(check_extra(&json!({"CPF": "123", "Plano": ""})), Ok(()));
        assert_eq!(check_extra(&json!([])), Err(Invalid::NotAnObject));
        assert_eq!(check_extra(&json!({"idade": 42})), Err(Invalid::NotAnObject));
        assert_eq!(check_extra(&json!({" ": "x"})), Err(Invalid::LengthBetween { min: 1, max: EXTRA_KEY_MAX }));
        let long = "x".repeat(EXTRA_VALUE_MAX as usize + 1);
        assert_eq!(check_extra(&json!({"nota": long})), Err(Invalid::LengthBetween { min: 0, max: EXTRA_VALUE_MAX }));
    }
}
