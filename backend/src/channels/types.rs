//! What every channel hands to the inbound path, whatever its wire format: a message from a contact,
//! or a delivery status for a message we sent.

use std::fmt;

use chrono::{DateTime, Utc};

/// The kind of a message, as stored in `messages.kind`. Interactive replies (buttons, lists) and shared
/// contacts arrive as `Text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Text,
    Image,
    Audio,
    Video,
    Document,
    Sticker,
    Location,
    Reaction,
}

impl MessageKind {
    pub const ALL: [MessageKind; 8] = [
        MessageKind::Text,
        MessageKind::Image,
        MessageKind::Audio,
        MessageKind::Video,
        MessageKind::Document,
        MessageKind::Sticker,
        MessageKind::Location,
        MessageKind::Reaction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Image => "image",
            MessageKind::Audio => "audio",
            MessageKind::Video => "video",
            MessageKind::Document => "document",
            MessageKind::Sticker => "sticker",
            MessageKind::Location => "location",
            MessageKind::Reaction => "reaction",
        }
    }

    /// The kind named by `as_str`, or `None` for any other word.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    /// Whether a message of this kind carries a file (image, audio, video, document, sticker).
    pub fn is_media(self) -> bool {
        matches!(
            self,
            MessageKind::Image | MessageKind::Audio | MessageKind::Video | MessageKind::Document | MessageKind::Sticker
        )
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message a contact sent us.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// The provider's id for the message (`wamid.…` on the Cloud API): the idempotency key.
    pub external_id: String,
    /// The sender as the provider spells it (WhatsApp's `wa_id`: digits, no `+`, Brazilian mobiles
    /// possibly without the ninth digit). Normalise with `domain::phone::PhoneNumber`.
    pub from: String,
    /// The sender's profile name, when the provider gave one.
    pub contact_name: Option<String>,
    pub kind: MessageKind,
    /// Text, media caption, `"lat,long name address"` for a location, the emoji for a reaction (empty
    /// when a reaction is removed).
    pub body: String,
    pub media: Option<InboundMedia>,
    /// The message this one replies to (`context.id`), or the message reacted to for a reaction.
    pub quoted_external_id: Option<String>,
    /// What the message carries beside its text (button payload, reply id, order, shared contacts,
    /// the ad it came from, why its content was not delivered).
    pub metadata: Option<Box<shared::message_meta::MessageMetadata>>,
    pub timestamp: DateTime<Utc>,
}

/// A contact now uses another number (WhatsApp's `user_changed_number`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberChange {
    /// The notice's id: the same notice twice is applied once.
    pub external_id: String,
    /// The old number (`wa_id`).
    pub from: String,
    pub new_wa_id: String,
    pub timestamp: DateTime<Utc>,
}

/// A file attached to an inbound message, still at the provider: fetch it with the channel's download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMedia {
    pub provider_id: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    /// Hex or base64 digest as the provider gave it.
    pub sha256: Option<String>,
}

/// How far a message we sent has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeliveryStatus {
    Sent,
    Delivered,
    Read,
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] =
        [DeliveryStatus::Sent, DeliveryStatus::Delivered, DeliveryStatus::Read, DeliveryStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Read => "read",
            DeliveryStatus::Failed => "failed",
        }
    }

    /// The status named by `as_str`, or `None` for any other word.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == raw)
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A delivery status for a message we sent. Statuses can arrive out of order (read before delivered):
/// the caller should never move a message backwards, except to `Failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The provider's id of the message we sent.
    pub external_id: String,
    pub status: DeliveryStatus,
    /// The provider's reason, for `Failed`.
    pub error: Option<String>,
    pub timestamp: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_kind_round_trips_through_its_name() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert_eq!(MessageKind::parse("Text"), None);
        assert_eq!(MessageKind::parse("unsupported"), None);
        assert!(MessageKind::Sticker.is_media());
        assert!(!MessageKind::Location.is_media());
    }

    #[test]
    fn delivery_status_round_trips_through_its_name() {
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(DeliveryStatus::parse("deleted"), None);
        assert!(DeliveryStatus::Sent < DeliveryStatus::Read);
    }
}
