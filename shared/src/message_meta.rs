//! What an inbound message carries beside its text, kept so the agent sees it (and integrators can
//! read it): the payload of a template button, the id of a chosen reply, a location's link, shared
//! contact cards, an order, the ad that brought the customer, or why WhatsApp did not deliver the
//! content. Every part is optional; a message has the parts its provider sent.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageMetadata {
    /// A template's quick-reply button was pressed: its text and the payload the business set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<ButtonPress>,
    /// A button or list row of an interactive message was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<InteractiveReply>,
    /// A shared location, with its link when the customer shared a place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SharedLocation>,
    /// Contact cards the customer shared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<SharedContact>,
    /// An order placed from the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
    /// The click-to-WhatsApp ad (or post) the customer came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    /// WhatsApp did not deliver the content to the API (a poll, an edit, a view-once…): the
    /// message is a placeholder saying so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsupported: Option<Unsupported>,
}

impl MessageMetadata {
    /// Whether no part is set (then nothing is stored).
    pub fn is_empty(&self) -> bool {
        self == &MessageMetadata::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ButtonPress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InteractiveReply {
    /// `button_reply` or `list_reply`.
    pub kind: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedLocation {
    pub latitude: f64,
    pub longitude: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedContact {
    /// The card's formatted name.
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<SharedPhone>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedPhone {
    pub phone: String,
    /// The number's WhatsApp id, when it has WhatsApp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// `CELL`, `HOME`, `WORK`… as the card says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_id: Option<String>,
    /// What the customer wrote with the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub items: Vec<OrderItem>,
    /// Sum of quantity × price over the items (when they share one currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderItem {
    pub product_retailer_id: String,
    pub quantity: u32,
    pub item_price: f64,
    pub currency: String,
}

impl Order {
    /// The total of `items` when they all share one currency.
    pub fn with_total(mut self) -> Self {
        let first = self.items.first().map(|item| item.currency.clone());
        if let Some(currency) = first
            && self.items.iter().all(|item| item.currency == currency)
        {
            let total: f64 = self.items.iter().map(|item| item.item_price * f64::from(item.quantity)).sum();
            // Cents, so 3 × 9.9 is 29.7 and not 29.700000000000003.
            self.total = Some((total * 100.0).round() / 100.0);
            self.currency = Some(currency);
        }
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// `ad` or `post`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    /// The click id Meta gives for conversions tracking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctwa_clid: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unsupported {
    /// The provider's error code (131051 on the Cloud API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// The provider's explanation, as it gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Who wrote a message in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participant {
    /// Their profile name; their number when they have none.
    pub name: String,
    pub number: String,
}

/// The body an unsupported message is stored with (Portuguese, like the system sentences: the
/// reader's language comes from `metadata.unsupported`).
pub const UNSUPPORTED_BODY_PT: &str = "O cliente enviou um tipo de mensagem que o WhatsApp não entrega à API";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_sums_its_items_in_one_currency() {
        let item = |price, quantity, currency: &str| OrderItem {
            product_retailer_id: "sku".into(),
            quantity,
            item_price: price,
            currency: currency.into(),
        };
        let order = Order { items: vec![item(9.9, 3, "BRL"), item(100.0, 1, "BRL")], ..Order::default() }.with_total();
        assert_eq!(order.total, Some(129.7));
        assert_eq!(order.currency.as_deref(), Some("BRL"));
        let mixed = Order { items: vec![item(1.0, 1, "BRL"), item(1.0, 1, "USD")], ..Order::default() }.with_total();
        assert_eq!(mixed.total, None);
        assert!(MessageMetadata::default().is_empty());
    }
}
