//! The Cloud API webhook payload as typed structs, and the events it carries.
//!
//! Meta's notification is `entry[].changes[]`; a change with `field: "messages"` has a `value` with the
//! phone number's `metadata`, the senders' `contacts`, and `messages` or `statuses`. Every field has a
//! default and every item is read on its own (`Lenient`), so one odd item never costs the others; only
//! a body that is not a JSON object (or whose `entry` is not a list) is an error. Never panics.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny};

use shared::message_meta::{
    ButtonPress, InteractiveReply, MessageMetadata, Order, OrderItem, Referral, SharedContact, SharedLocation,
    SharedPhone, UNSUPPORTED_BODY_PT, Unsupported,
};

use crate::channels::types::{DeliveryStatus, InboundMedia, InboundMessage, MessageKind, NumberChange, StatusUpdate};

/// One thing a webhook told us.
#[derive(Debug, Clone, PartialEq)]
pub enum CloudEvent {
    Message(InboundMessage),
    Status(StatusUpdate),
    NumberChanged(NumberChange),
}

/// A webhook body that is not a Cloud API notification at all.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("webhook body is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("webhook body is not a notification: {0}")]
    Shape(&'static str),
}

/// Every message and status in a notification, in the order they appear (entries, then changes,
/// messages before statuses within a change). A message WhatsApp did not deliver (`unsupported`,
/// `unknown`) is a placeholder; `system` `user_changed_number` is a `NumberChanged`. Changes other than
/// `messages`, other message types, unknown statuses and items without an id are skipped.
pub fn parse_webhook(raw: &[u8]) -> Result<Vec<CloudEvent>, ParseError> {
    parse_events(raw, None)
}

/// `parse_webhook`, keeping only the changes for `phone_number_id` (`value.metadata.phone_number_id`):
/// Meta sends every number of an app to the same callback, so a connection must ignore the others'.
/// A change without metadata is kept.
pub fn parse_webhook_for(raw: &[u8], phone_number_id: &str) -> Result<Vec<CloudEvent>, ParseError> {
    parse_events(raw, Some(phone_number_id))
}

fn parse_events(raw: &[u8], only_phone_number_id: Option<&str>) -> Result<Vec<CloudEvent>, ParseError> {
    // Parsed in two steps only to tell "not JSON" from "JSON of another shape".
    let root: serde_json::Value = serde_json::from_slice(raw)?;
    if !root.is_object() {
        return Err(ParseError::Shape("not a JSON object"));
    }
    let notification = Notification::deserialize(root).map_err(|_| ParseError::Shape("`entry` is not a list"))?;
    let mut events = Vec::new();
    for entry in notification.entry.iter().flatten().filter_map(|e| e.0.as_ref()) {
        for change in items(&entry.changes) {
            if change.field.get().is_some_and(|field| field != "messages") {
                continue;
            }
            let Some(value) = &change.value.0 else {
                continue;
            };
            if let Some(wanted) = only_phone_number_id
                && let Some(got) = value.metadata.0.as_ref().and_then(|m| m.phone_number_id.get())
                && got != wanted
            {
                continue;
            }
            let contacts: Vec<&Contact> = items(&value.contacts).collect();
            events.extend(items(&value.messages).filter_map(|m| m.to_event(&contacts)));
            events.extend(items(&value.statuses).filter_map(Status::to_update).map(CloudEvent::Status));
        }
    }
    Ok(events)
}

// ---------------------------------------------------------------------------------------------------
// Lenient building blocks (also used for the Graph API's answers)

/// `T` when the JSON has its shape, otherwise nothing: an odd item is skipped rather than failing
/// the whole payload.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Lenient<T>(pub(super) Option<T>);

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Lenient(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape<T> {
            Fits(T),
            Other(IgnoredAny),
        }
        Ok(Lenient(match Shape::<T>::deserialize(deserializer)? {
            Shape::Fits(value) => Some(value),
            Shape::Other(_) => None,
        }))
    }
}

/// A list whose items are each kept only when they have their shape.
pub(super) type List<T> = Lenient<Vec<Lenient<T>>>;

/// The well-formed items of a list.
pub(super) fn items<T>(list: &List<T>) -> impl Iterator<Item = &T> {
    list.0.iter().flatten().filter_map(|item| item.0.as_ref())
}

/// A string, or a number written as one (Meta sends ids and timestamps as strings, but be lenient);
/// anything else reads as absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Text(Option<String>);

impl Text {
    /// The text as sent, possibly empty.
    pub(super) fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The text, when it is not blank.
    pub(super) fn field(&self) -> Option<String> {
        self.0.clone().filter(|s| !s.trim().is_empty())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Scalar {
            Text(String),
            Number(serde_json::Number),
            Other(IgnoredAny),
        }
        Ok(Text(match Scalar::deserialize(deserializer)? {
            Scalar::Text(text) => Some(text),
            Scalar::Number(number) => Some(number.to_string()),
            Scalar::Other(_) => None,
        }))
    }
}

/// Unix seconds (string or number) as a time; now when absent or absurd.
fn timestamp(raw: &Text) -> DateTime<Utc> {
    raw.get()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(Utc::now)
}

// ---------------------------------------------------------------------------------------------------
// The payload

#[derive(Debug, Deserialize)]
struct Notification {
    #[serde(default)]
    entry: Option<Vec<Lenient<Entry>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Entry {
    changes: List<Change>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Change {
    field: Text,
    value: Lenient<ChangeValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChangeValue {
    metadata: Lenient<Metadata>,
    contacts: List<Contact>,
    messages: List<Message>,
    statuses: List<Status>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Metadata {
    phone_number_id: Text,
}

/// A sender's profile, next to the messages.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Contact {
    wa_id: Text,
    profile: Lenient<Profile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Profile {
    name: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Message {
    id: Text,
    from: Text,
    #[serde(rename = "type")]
    kind: Text,
    timestamp: Text,
    context: Lenient<Context>,
    text: Lenient<TextPayload>,
    image: Lenient<MediaPayload>,
    audio: Lenient<MediaPayload>,
    video: Lenient<MediaPayload>,
    document: Lenient<MediaPayload>,
    sticker: Lenient<MediaPayload>,
    location: Lenient<Location>,
    reaction: Lenient<Reaction>,
    interactive: Lenient<Interactive>,
    button: Lenient<Button>,
    contacts: List<Card>,
    order: Lenient<OrderPayload>,
    system: Lenient<SystemPayload>,
    referral: Lenient<ReferralPayload>,
    unsupported: Lenient<UnsupportedPayload>,
    errors: List<ErrorDetail>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OrderPayload {
    catalog_id: Text,
    text: Text,
    product_items: List<OrderItemPayload>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OrderItemPayload {
    product_retailer_id: Text,
    quantity: Text,
    item_price: Text,
    currency: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SystemPayload {
    #[serde(rename = "type")]
    kind: Text,
    /// The new number; older versions call it `new_wa_id`.
    wa_id: Text,
    new_wa_id: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReferralPayload {
    source_url: Text,
    source_id: Text,
    source_type: Text,
    headline: Text,
    body: Text,
    media_type: Text,
    image_url: Text,
    video_url: Text,
    thumbnail_url: Text,
    ctwa_clid: Text,
}

/// Newer versions say what was not delivered (`poll`, `edit`…).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UnsupportedPayload {
    #[serde(rename = "type")]
    kind: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Context {
    id: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TextPayload {
    body: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MediaPayload {
    id: Text,
    mime_type: Text,
    filename: Text,
    sha256: Text,
    caption: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Location {
    latitude: Text,
    longitude: Text,
    name: Text,
    address: Text,
    url: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Reaction {
    message_id: Text,
    emoji: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Interactive {
    #[serde(rename = "type")]
    kind: Text,
    button_reply: Lenient<Choice>,
    list_reply: Lenient<Choice>,
    nfm_reply: Lenient<FlowReply>,
}

/// A chosen button or list row.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Choice {
    id: Text,
    title: Text,
    description: Text,
}

/// A WhatsApp Flow's answer.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FlowReply {
    body: Text,
    response_json: Text,
}

/// A quick-reply button of a template.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Button {
    text: Text,
    payload: Text,
}

/// A shared contact card.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Card {
    name: Lenient<CardName>,
    phones: List<CardPhone>,
    emails: List<CardEmail>,
    org: Lenient<CardOrg>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CardName {
    formatted_name: Text,
    first_name: Text,
    last_name: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CardPhone {
    phone: Text,
    wa_id: Text,
    #[serde(rename = "type")]
    kind: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CardEmail {
    email: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CardOrg {
    company: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Status {
    id: Text,
    status: Text,
    timestamp: Text,
    errors: List<ErrorDetail>,
}

/// An error as Graph describes it, in a status or in an answer.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ErrorDetail {
    pub(super) code: Text,
    pub(super) title: Text,
    pub(super) message: Text,
    pub(super) error_user_msg: Text,
    pub(super) is_transient: Lenient<bool>,
    pub(super) error_data: Lenient<ErrorData>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ErrorData {
    pub(super) details: Text,
}

impl ErrorDetail {
    pub(super) fn details(&self) -> Option<String> {
        self.error_data.0.as_ref().and_then(|d| d.details.field())
    }

    /// `"Title: message (details) [#code]"`, leaving out repeats and what is missing.
    fn describe(&self) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        for candidate in [self.title.field(), self.message.field(), self.details()].into_iter().flatten() {
            if !parts.contains(&candidate) {
                parts.push(candidate);
            }
        }
        let code = self.code.get();
        let mut out = match parts.as_slice() {
            [] => return code.map(|c| format!("error #{c}")),
            [one] => one.clone(),
            [first, second] => format!("{first}: {second}"),
            [first, second, rest @ ..] => format!("{first}: {second} ({})", rest.join("; ")),
        };
        if let Some(code) = code {
            out.push_str(&format!(" [#{code}]"));
        }
        Some(out)
    }
}

impl Message {
    fn to_event(&self, contacts: &[&Contact]) -> Option<CloudEvent> {
        if self.kind.get() == Some("system") {
            let system = self.system.0.as_ref()?;
            if system.kind.get() != Some("user_changed_number") {
                return None;
            }
            return Some(CloudEvent::NumberChanged(NumberChange {
                external_id: self.id.field()?,
                from: self.from.field()?,
                new_wa_id: system.new_wa_id.field().or_else(|| system.wa_id.field())?,
                timestamp: timestamp(&self.timestamp),
            }));
        }
        self.to_inbound(contacts).map(CloudEvent::Message)
    }

    fn to_inbound(&self, contacts: &[&Contact]) -> Option<InboundMessage> {
        let external_id = self.id.field()?;
        let from = self.from.field()?;
        let kind_name = self.kind.get()?;
        let mut quoted_external_id = self.context.0.as_ref().and_then(|c| c.id.field());
        let mut media = None;
        let mut meta = MessageMetadata {
            referral: self.referral.0.as_ref().map(ReferralPayload::to_meta),
            ..MessageMetadata::default()
        };
        let (kind, body) = match kind_name {
            "text" => (MessageKind::Text, self.text.0.as_ref()?.body.get()?.to_owned()),
            "image" | "audio" | "video" | "document" | "sticker" => {
                let kind = MessageKind::parse(kind_name)?;
                let payload = match kind {
                    MessageKind::Image => &self.image,
                    MessageKind::Audio => &self.audio,
                    MessageKind::Video => &self.video,
                    MessageKind::Document => &self.document,
                    _ => &self.sticker,
                };
                let payload = payload.0.as_ref();
                media = payload.and_then(|p| {
                    Some(InboundMedia {
                        provider_id: p.id.field()?,
                        mime_type: p.mime_type.field(),
                        filename: p.filename.field(),
                        sha256: p.sha256.field(),
                    })
                });
                (kind, payload.and_then(|p| p.caption.field()).unwrap_or_default())
            }
            "location" => {
                let location = self.location.0.as_ref()?;
                meta.location = location.to_meta();
                (MessageKind::Location, location.body()?)
            }
            "reaction" => {
                let reaction = self.reaction.0.as_ref();
                quoted_external_id = reaction.and_then(|r| r.message_id.field());
                (MessageKind::Reaction, reaction.and_then(|r| r.emoji.field()).unwrap_or_default())
            }
            "interactive" => {
                let interactive = self.interactive.0.as_ref()?;
                meta.reply = interactive.to_meta();
                (MessageKind::Text, interactive.body()?)
            }
            "button" => {
                let button = self.button.0.as_ref()?;
                meta.button = Some(ButtonPress { text: button.text.field(), payload: button.payload.field() });
                (MessageKind::Text, button.text.field().or_else(|| button.payload.field())?)
            }
            "contacts" => {
                meta.contacts = items(&self.contacts).filter_map(Card::to_meta).collect();
                (MessageKind::Text, shared_contacts_body(&self.contacts)?)
            }
            "order" => {
                let order = self.order.0.as_ref()?.to_meta();
                let body = order_body(&order);
                meta.order = Some(order);
                (MessageKind::Text, body)
            }
            // WhatsApp received something it does not hand to the API (a poll, an edit, a view-once
            // message…): the agent still learns that the customer wrote.
            "unsupported" | "unknown" => {
                meta.unsupported = Some(self.unsupported_reason());
                (MessageKind::Text, UNSUPPORTED_BODY_PT.to_owned())
            }
            _ if self.errors.0.is_some() => {
                meta.unsupported = Some(self.unsupported_reason());
                (MessageKind::Text, UNSUPPORTED_BODY_PT.to_owned())
            }
            _ => return None,
        };
        let contact_name = contacts
            .iter()
            .find(|c| c.wa_id.get() == Some(from.as_str()))
            .or(match contacts {
                [only] => Some(only),
                _ => None,
            })
            .and_then(|c| c.profile.0.as_ref())
            .and_then(|p| p.name.field());
        Some(InboundMessage {
            external_id,
            from,
            contact_name,
            kind,
            body,
            media,
            quoted_external_id,
            metadata: (!meta.is_empty()).then(|| Box::new(meta)),
            timestamp: timestamp(&self.timestamp),
        })
    }

    /// The provider's code and words for a message it did not deliver.
    fn unsupported_reason(&self) -> Unsupported {
        let first = items(&self.errors).next();
        let what = self.unsupported.0.as_ref().and_then(|u| u.kind.field());
        let said = first.and_then(ErrorDetail::describe);
        let reason = match (what, said) {
            (Some(what), Some(said)) => Some(format!("{what}: {said}")),
            (what, said) => what.or(said),
        };
        Unsupported { code: first.and_then(|e| e.code.get()).and_then(|c| c.trim().parse().ok()), reason }
    }
}

impl ReferralPayload {
    fn to_meta(&self) -> Referral {
        Referral {
            source_url: self.source_url.field(),
            source_id: self.source_id.field(),
            source_type: self.source_type.field(),
            headline: self.headline.field(),
            body: self.body.field(),
            media_type: self.media_type.field(),
            image_url: self.image_url.field(),
            video_url: self.video_url.field(),
            thumbnail_url: self.thumbnail_url.field(),
            ctwa_clid: self.ctwa_clid.field(),
        }
    }
}

impl OrderPayload {
    fn to_meta(&self) -> Order {
        let items = items(&self.product_items)
            .filter_map(|item| {
                Some(OrderItem {
                    product_retailer_id: item.product_retailer_id.field()?,
                    quantity: item.quantity.get().and_then(|q| q.trim().parse().ok()).unwrap_or(1),
                    item_price: item.item_price.get().and_then(|p| p.trim().parse().ok()).unwrap_or(0.0),
                    currency: item.currency.field().unwrap_or_default(),
                })
            })
            .collect();
        Order { catalog_id: self.catalog_id.field(), text: self.text.field(), items, ..Order::default() }.with_total()
    }
}

/// An order's body, for the list's preview and search: `"Pedido: 3 itens, BRL 129.70"` and the
/// customer's note on the next line.
fn order_body(order: &Order) -> String {
    let count: u32 = order.items.iter().map(|item| item.quantity).sum();
    let mut body = format!("Pedido: {count} {}", if count == 1 { "item" } else { "itens" });
    if let (Some(total), Some(currency)) = (order.total, &order.currency) {
        body.push_str(&format!(", {currency} {total:.2}"));
    }
    if let Some(text) = &order.text {
        body.push('\n');
        body.push_str(text);
    }
    body
}

impl Card {
    fn to_meta(&self) -> Option<SharedContact> {
        let name = self.name.0.as_ref().and_then(|n| {
            n.formatted_name.field().or_else(|| {
                let parts: Vec<String> = [n.first_name.field(), n.last_name.field()].into_iter().flatten().collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            })
        });
        let phones: Vec<SharedPhone> = items(&self.phones)
            .filter_map(|p| {
                Some(SharedPhone { phone: p.phone.field()?, wa_id: p.wa_id.field(), label: p.kind.field() })
            })
            .collect();
        let emails: Vec<String> = items(&self.emails).filter_map(|e| e.email.field()).collect();
        let name = name.or_else(|| phones.first().map(|p| p.phone.clone()))?;
        Some(SharedContact { name, phones, emails, organization: self.org.0.as_ref().and_then(|o| o.company.field()) })
    }
}

impl Location {
    fn to_meta(&self) -> Option<SharedLocation> {
        let number = |t: &Text| t.get().and_then(|v| v.trim().parse::<f64>().ok());
        Some(SharedLocation {
            latitude: number(&self.latitude)?,
            longitude: number(&self.longitude)?,
            name: self.name.field(),
            address: self.address.field(),
            url: self.url.field(),
        })
    }

    /// `"lat,long name address"`, leaving out what is missing.
    fn body(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let (Some(lat), Some(long)) = (self.latitude.get(), self.longitude.get()) {
            parts.push(format!("{lat},{long}"));
        }
        parts.extend(self.name.field());
        parts.extend(self.address.field());
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

impl Interactive {
    fn to_meta(&self) -> Option<InteractiveReply> {
        let kind = self.kind.field()?;
        let choice = match kind.as_str() {
            "button_reply" => self.button_reply.0.as_ref()?,
            "list_reply" => self.list_reply.0.as_ref()?,
            _ => return None,
        };
        Some(InteractiveReply {
            id: choice.id.field()?,
            title: choice.title.field(),
            description: choice.description.field(),
            kind,
        })
    }

    /// The chosen button or list row's title (a Flow's `body`), as the customer saw it.
    fn body(&self) -> Option<String> {
        let choice = |reply: &Lenient<Choice>| reply.0.as_ref().and_then(|c| c.title.field().or_else(|| c.id.field()));
        match self.kind.get()? {
            "button_reply" => choice(&self.button_reply),
            "list_reply" => choice(&self.list_reply),
            "nfm_reply" => self.nfm_reply.0.as_ref().and_then(|r| r.body.field().or_else(|| r.response_json.field())),
            _ => None,
        }
    }
}

/// Shared contact cards as lines of `name: phone, phone`.
fn shared_contacts_body(cards: &List<Card>) -> Option<String> {
    let lines: Vec<String> = items(cards)
        .filter_map(|card| {
            let name = card.name.0.as_ref().and_then(|n| n.formatted_name.field());
            let phones: Vec<String> = items(&card.phones).filter_map(|p| p.phone.field()).collect();
            match (name, phones.is_empty()) {
                (Some(name), true) => Some(name),
                (Some(name), false) => Some(format!("{name}: {}", phones.join(", "))),
                (None, false) => Some(phones.join(", ")),
                (None, true) => None,
            }
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

impl Status {
    fn to_update(&self) -> Option<StatusUpdate> {
        let external_id = self.id.field()?;
        let status = DeliveryStatus::parse(self.status.get()?)?;
        let errors: Vec<String> = items(&self.errors).filter_map(ErrorDetail::describe).collect();
        let error = (!errors.is_empty()).then(|| errors.join("; "));
        Some(StatusUpdate { external_id, status, error, timestamp: timestamp(&self.timestamp) })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    const WINDOW_CLOSED: &str = "Message failed to send because more than 24 hours have passed since the customer last \
                                 replied to this number.";

    fn events(payload: &Value) -> Vec<CloudEvent> {
        parse_webhook(payload.to_string().as_bytes()).unwrap()
    }

    fn messages(payload: &Value) -> Vec<InboundMessage> {
        events(payload)
            .into_iter()
            .filter_map(|e| match e {
                CloudEvent::Message(m) => Some(m),
                CloudEvent::Status(_) | CloudEvent::NumberChanged(_) => None,
            })
            .collect()
    }

    fn only_message(payload: &Value) -> InboundMessage {
        let mut all = messages(payload);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    /// Meta's envelope around one change's `messages`, with the sender's profile.
    fn envelope(messages: Value) -> Value {
        json!({
            "object": "whatsapp_business_account",
            "entry": [{
                "id": "102290129340398",
                "changes": [{
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": { "display_phone_number": "15550783881", "phone_number_id": "106540352242922" },
                        "contacts": [{ "profile": { "name": "Sheena Nelson" }, "wa_id": "5511987654321" }],
                        "messages": messages
                    },
                    "field": "messages"
                }]
            }]
        })
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn text_message() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321",
            "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
            "timestamp": "1749416383",
            "type": "text",
            "text": { "body": "Olá, preciso de ajuda" }
        }])));
        assert_eq!(
            m,
            InboundMessage {
                external_id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=".into(),
                from: "5511987654321".into(),
                contact_name: Some("Sheena Nelson".into()),
                kind: MessageKind::Text,
                body: "Olá, preciso de ajuda".into(),
                media: None,
                quoted_external_id: None,
                metadata: None,
                timestamp: at(1749416383),
            }
        );
    }

    #[test]
    fn quoted_reply_keeps_the_context_id() {
        let m = only_message(&envelope(json!([{
            "context": { "from": "15550783881", "id": "wamid.QUOTED" },
            "from": "5511987654321",
            "id": "wamid.REPLY",
            "timestamp": "1749416383",
            "type": "text",
            "text": { "body": "Sim, esse mesmo" }
        }])));
        assert_eq!(m.quoted_external_id.as_deref(), Some("wamid.QUOTED"));
        assert_eq!(m.body, "Sim, esse mesmo");
    }

    #[test]
    fn forwarded_message_has_no_quote() {
        let m = only_message(&envelope(json!([{
            "context": { "forwarded": true },
            "from": "5511987654321", "id": "wamid.FWD", "timestamp": "1749416383",
            "type": "text", "text": { "body": "encaminhada" }
        }])));
        assert_eq!(m.quoted_external_id, None);
    }

    #[test]
    fn image_with_caption() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321",
            "id": "wamid.IMAGE",
            "timestamp": "1744344496",
            "type": "image",
            "image": {
                "caption": "Nota fiscal",
                "mime_type": "image/jpeg",
                "sha256": "SfInY0gHMk7kdFxNm7Pp2GeMA6Mpu8CMnE+Ox8Dtm6w=",
                "id": "1003383421387256"
            }
        }])));
        assert_eq!(m.kind, MessageKind::Image);
        assert_eq!(m.body, "Nota fiscal");
        assert_eq!(
            m.media,
            Some(InboundMedia {
                provider_id: "1003383421387256".into(),
                mime_type: Some("image/jpeg".into()),
                filename: None,
                sha256: Some("SfInY0gHMk7kdFxNm7Pp2GeMA6Mpu8CMnE+Ox8Dtm6w=".into()),
            })
        );
        assert_eq!(m.timestamp, at(1744344496));
    }

    #[test]
    fn document_with_filename() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321",
            "id": "wamid.DOC",
            "timestamp": "1744344496",
            "type": "document",
            "document": {
                "caption": "Segue o contrato",
                "filename": "contrato.pdf",
                "mime_type": "application/pdf",
                "sha256": "0c1d2e3f",
                "id": "2003383421387256"
            }
        }])));
        assert_eq!(m.kind, MessageKind::Document);
        assert_eq!(m.body, "Segue o contrato");
        let media = m.media.unwrap();
        assert_eq!(media.filename.as_deref(), Some("contrato.pdf"));
        assert_eq!(media.mime_type.as_deref(), Some("application/pdf"));
        assert_eq!(media.provider_id, "2003383421387256");
    }

    #[test]
    fn voice_audio_video_and_sticker() {
        let all = messages(&envelope(json!([
            {
                "from": "5511987654321", "id": "wamid.VOICE", "timestamp": "1744344496", "type": "audio",
                "audio": { "mime_type": "audio/ogg; codecs=opus", "sha256": "abc", "id": "301", "voice": true }
            },
            {
                "from": "5511987654321", "id": "wamid.VIDEO", "timestamp": "1744344497", "type": "video",
                "video": { "caption": "olha isso", "mime_type": "video/mp4", "sha256": "def", "id": "302" }
            },
            {
                "from": "5511987654321", "id": "wamid.STICKER", "timestamp": "1744344498", "type": "sticker",
                "sticker": { "mime_type": "image/webp", "sha256": "ghi", "id": "303", "animated": false }
            }
        ])));
        let kinds: Vec<_> = all.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, [MessageKind::Audio, MessageKind::Video, MessageKind::Sticker]);
        assert_eq!(all[0].body, "");
        assert_eq!(all[0].media.as_ref().unwrap().mime_type.as_deref(), Some("audio/ogg; codecs=opus"));
        assert_eq!(all[1].body, "olha isso");
        assert_eq!(all[2].media.as_ref().unwrap().provider_id, "303");
        assert!(all.iter().all(|m| m.contact_name.as_deref() == Some("Sheena Nelson")));
    }

    #[test]
    fn location() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321", "id": "wamid.LOC", "timestamp": "1744344496", "type": "location",
            "location": {
                "address": "Av. Paulista, 1578 - Bela Vista, São Paulo",
                "latitude": -23.561414,
                "longitude": -46.655881,
                "name": "MASP",
                "url": "https://masp.org.br"
            }
        }])));
        assert_eq!(m.kind, MessageKind::Location);
        assert_eq!(m.body, "-23.561414,-46.655881 MASP Av. Paulista, 1578 - Bela Vista, São Paulo");
        assert!(m.media.is_none());

        // A pin dropped without a name.
        let m = only_message(&envelope(json!([{
            "from": "5511987654321", "id": "wamid.PIN", "timestamp": "1744344496", "type": "location",
            "location": { "latitude": 38.9, "longitude": -77.04 }
        }])));
        assert_eq!(m.body, "38.9,-77.04");
    }

    #[test]
    fn reaction_points_at_the_reacted_message() {
        let all = messages(&envelope(json!([
            {
                "from": "5511987654321", "id": "wamid.REACT", "timestamp": "1744344496", "type": "reaction",
                "reaction": { "message_id": "wamid.OURS", "emoji": "👍" }
            },
            {
                "from": "5511987654321", "id": "wamid.UNREACT", "timestamp": "1744344497", "type": "reaction",
                "reaction": { "message_id": "wamid.OURS" }
            }
        ])));
        assert_eq!(all[0].kind, MessageKind::Reaction);
        assert_eq!(all[0].body, "👍");
        assert_eq!(all[0].quoted_external_id.as_deref(), Some("wamid.OURS"));
        // Removing a reaction: empty emoji.
        assert_eq!(all[1].body, "");
        assert_eq!(all[1].quoted_external_id.as_deref(), Some("wamid.OURS"));
    }

    #[test]
    fn interactive_and_button_replies_are_text() {
        let all = messages(&envelope(json!([
            {
                "context": { "from": "15550783881", "id": "wamid.MENU" },
                "from": "5511987654321", "id": "wamid.BTN", "timestamp": "1744344496", "type": "interactive",
                "interactive": { "type": "button_reply", "button_reply": { "id": "opt-2", "title": "Financeiro" } }
            },
            {
                "from": "5511987654321", "id": "wamid.LIST", "timestamp": "1744344497", "type": "interactive",
                "interactive": {
                    "type": "list_reply",
                    "list_reply": { "id": "row-1", "title": "Segunda via", "description": "Boleto" }
                }
            },
            {
                "context": { "from": "15550783881", "id": "wamid.TEMPLATE" },
                "from": "5511987654321", "id": "wamid.QUICK", "timestamp": "1744344498", "type": "button",
                "button": { "text": "Quero falar com atendente", "payload": "HUMAN" }
            }
        ])));
        assert_eq!(all.len(), 3);
        assert!(all.iter().all(|m| m.kind == MessageKind::Text));
        assert_eq!(all[0].body, "Financeiro");
        assert_eq!(all[0].quoted_external_id.as_deref(), Some("wamid.MENU"));
        assert_eq!(all[1].body, "Segunda via");
        assert_eq!(all[2].body, "Quero falar com atendente");
    }

    #[test]
    fn shared_contacts_are_text() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321", "id": "wamid.CARD", "timestamp": "1744344496", "type": "contacts",
            "contacts": [{
                "name": { "first_name": "Maria", "formatted_name": "Maria Souza" },
                "phones": [{ "phone": "+55 21 99876-5432", "type": "CELL", "wa_id": "5521998765432" }]
            }]
        }])));
        assert_eq!(m.kind, MessageKind::Text);
        assert_eq!(m.body, "Maria Souza: +55 21 99876-5432");
    }

    #[test]
    fn unknown_types_and_broken_items_are_skipped() {
        let all = messages(&envelope(json!([
            { "from": "5511987654321", "id": "wamid.WELCOME", "timestamp": "1744344496", "type": "request_welcome" },
            {
                "from": "5511987654321", "id": "wamid.SYS2", "timestamp": "1744344496", "type": "system",
                "system": { "body": "changed", "identity": "x", "type": "customer_identity_changed" }
            },
            { "from": "5511987654321", "timestamp": "1744344496", "type": "text", "text": { "body": "no id" } },
            { "id": "wamid.NOFROM", "timestamp": "1744344496", "type": "text", "text": { "body": "no from" } },
            { "from": "5511987654321", "id": "wamid.NOBODY", "timestamp": "1744344496", "type": "text" },
            { "from": "5511987654321", "id": "wamid.NOTYPE", "timestamp": "1744344496" },
            "not an object",
            42,
            {
                "from": "5511987654321", "id": "wamid.GOOD", "timestamp": "1744344496", "type": "text",
                "text": { "body": "still here" }
            }
        ])));
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].external_id, "wamid.GOOD");
    }

    #[test]
    fn unsupported_messages_are_placeholders() {
        let all = messages(&envelope(json!([
            {
                "from": "5511987654321", "id": "wamid.UNSUP", "timestamp": "1744344496", "type": "unsupported",
                "errors": [{
                    "code": 131051, "title": "Message type unknown", "message": "Message type unknown",
                    "error_data": { "details": "Message type is currently not supported." }
                }],
                "unsupported": { "type": "poll" }
            },
            {
                "from": "5511987654321", "id": "wamid.UNKNOWN", "timestamp": "1744344497", "type": "unknown",
                "errors": [{ "code": 131051, "details": "Message type is not currently supported", "title": "Unsupported message type" }]
            }
        ])));
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(|m| m.kind == MessageKind::Text && m.body == UNSUPPORTED_BODY_PT));
        let first = all[0].metadata.as_ref().unwrap().unsupported.as_ref().unwrap();
        assert_eq!(first.code, Some(131051));
        assert!(first.reason.as_deref().unwrap().starts_with("poll: Message type unknown"), "{first:?}");
        assert_eq!(all[1].metadata.as_ref().unwrap().unsupported.as_ref().unwrap().code, Some(131051));
    }

    #[test]
    fn an_order_keeps_its_items_and_total() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321", "id": "wamid.ORDER", "timestamp": "1744344496", "type": "order",
            "order": {
                "catalog_id": "CAT1",
                "text": "Entrega à tarde",
                "product_items": [
                    { "product_retailer_id": "SKU-1", "quantity": "3", "item_price": "9.90", "currency": "BRL" },
                    { "product_retailer_id": "SKU-2", "quantity": 1, "item_price": 100, "currency": "BRL" }
                ]
            }
        }])));
        let order = m.metadata.unwrap().order.unwrap();
        assert_eq!(order.catalog_id.as_deref(), Some("CAT1"));
        assert_eq!(order.items.len(), 2);
        assert_eq!((order.items[0].quantity, order.items[0].item_price), (3, 9.9));
        assert_eq!(order.total, Some(129.7));
        assert_eq!(m.body, "Pedido: 4 itens, BRL 129.70\nEntrega à tarde");
    }

    #[test]
    fn a_number_change_is_its_own_event() {
        let all = events(&envelope(json!([{
            "from": "5511987654321", "id": "wamid.SYS", "timestamp": "1744344496", "type": "system",
            "system": {
                "body": "Ana changed from 5511987654321 to 5511912345678",
                "wa_id": "5511912345678", "type": "user_changed_number"
            }
        }])));
        assert_eq!(
            all,
            [CloudEvent::NumberChanged(NumberChange {
                external_id: "wamid.SYS".into(),
                from: "5511987654321".into(),
                new_wa_id: "5511912345678".into(),
                timestamp: at(1744344496),
            })]
        );
    }

    #[test]
    fn metadata_keeps_payloads_ids_links_cards_and_the_ad() {
        let all = messages(&envelope(json!([
            {
                "from": "5511987654321", "id": "wamid.QUICK", "timestamp": "1", "type": "button",
                "button": { "text": "Falar com atendente", "payload": "HUMAN" }
            },
            {
                "from": "5511987654321", "id": "wamid.LIST", "timestamp": "2", "type": "interactive",
                "interactive": {
                    "type": "list_reply",
                    "list_reply": { "id": "row-1", "title": "Segunda via", "description": "Boleto" }
                }
            },
            {
                "from": "5511987654321", "id": "wamid.LOC", "timestamp": "3", "type": "location",
                "location": { "latitude": -23.56, "longitude": -46.65, "name": "MASP", "url": "https://masp.org.br" }
            },
            {
                "from": "5511987654321", "id": "wamid.CARD", "timestamp": "4", "type": "contacts",
                "contacts": [{
                    "name": { "first_name": "Maria", "last_name": "Souza" },
                    "phones": [{ "phone": "+55 21 99876-5432", "type": "CELL", "wa_id": "5521998765432" }],
                    "emails": [{ "email": "maria@example.com", "type": "WORK" }],
                    "org": { "company": "Padaria" }
                }]
            },
            {
                "from": "5511987654321", "id": "wamid.AD", "timestamp": "5", "type": "text",
                "text": { "body": "Vi o anúncio" },
                "referral": {
                    "source_url": "https://fb.me/abc", "source_id": "123", "source_type": "ad",
                    "headline": "Promoção", "body": "50% off", "media_type": "image",
                    "image_url": "https://example.com/i.jpg", "ctwa_clid": "CLID"
                }
            }
        ])));
        let meta: Vec<MessageMetadata> = all.into_iter().map(|m| *m.metadata.unwrap()).collect();
        assert_eq!(meta[0].button.as_ref().unwrap().payload.as_deref(), Some("HUMAN"));
        let reply = meta[1].reply.as_ref().unwrap();
        assert_eq!((reply.kind.as_str(), reply.id.as_str()), ("list_reply", "row-1"));
        assert_eq!(reply.description.as_deref(), Some("Boleto"));
        assert_eq!(meta[2].location.as_ref().unwrap().url.as_deref(), Some("https://masp.org.br"));
        let card = &meta[3].contacts[0];
        assert_eq!(card.name, "Maria Souza");
        assert_eq!(card.phones[0].wa_id.as_deref(), Some("5521998765432"));
        assert_eq!(card.emails, ["maria@example.com"]);
        assert_eq!(card.organization.as_deref(), Some("Padaria"));
        let ad = meta[4].referral.as_ref().unwrap();
        assert_eq!((ad.source_type.as_deref(), ad.ctwa_clid.as_deref()), (Some("ad"), Some("CLID")));
        assert_eq!(ad.headline.as_deref(), Some("Promoção"));
    }

    #[test]
    fn status_batch_with_a_failure() {
        let payload = json!({
            "object": "whatsapp_business_account",
            "entry": [{
                "id": "102290129340398",
                "changes": [{
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": { "display_phone_number": "15550783881", "phone_number_id": "106540352242922" },
                        "statuses": [
                            {
                                "id": "wamid.SENT", "status": "sent", "timestamp": "1750263773",
                                "recipient_id": "5511987654321",
                                "conversation": { "id": "abc", "origin": { "type": "service" } },
                                "pricing": { "billable": true, "pricing_model": "PMP", "category": "service" }
                            },
                            {
                                "id": "wamid.SENT", "status": "delivered", "timestamp": "1750263774",
                                "recipient_id": "5511987654321"
                            },
                            {
                                "id": "wamid.SENT", "status": "read", "timestamp": 1750263780,
                                "recipient_id": "5511987654321"
                            },
                            {
                                "id": "wamid.FAILED", "status": "failed", "timestamp": "1750263790",
                                "recipient_id": "5511987654321",
                                "errors": [{
                                    "code": 131047,
                                    "title": "Re-engagement message",
                                    "message": "Re-engagement message",
                                    "error_data": {
                                        "details": WINDOW_CLOSED
                                    },
                                    "href": "https://developers.facebook.com/docs/whatsapp/"
                                }]
                            },
                            { "id": "wamid.X", "status": "deleted", "timestamp": "1750263791" },
                            { "status": "sent", "timestamp": "1750263792" }
                        ]
                    }
                }]
            }]
        });
        let all: Vec<StatusUpdate> = events(&payload)
            .into_iter()
            .map(|e| match e {
                CloudEvent::Status(s) => s,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(all.len(), 4);
        let statuses: Vec<_> = all.iter().map(|s| s.status).collect();
        assert_eq!(
            statuses,
            [DeliveryStatus::Sent, DeliveryStatus::Delivered, DeliveryStatus::Read, DeliveryStatus::Failed]
        );
        assert_eq!(all[0].external_id, "wamid.SENT");
        assert_eq!(all[0].error, None);
        assert_eq!(all[0].timestamp, at(1750263773));
        assert_eq!(all[2].timestamp, at(1750263780));
        assert_eq!(all[3].external_id, "wamid.FAILED");
        assert_eq!(
            all[3].error.as_deref(),
            Some(
                "Re-engagement message: Message failed to send because more than 24 hours have passed since the \
                 customer last replied to this number. [#131047]"
            )
        );
    }

    #[test]
    fn two_entries_in_one_payload() {
        let payload = json!({
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA1",
                    "changes": [{
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": { "display_phone_number": "15550783881", "phone_number_id": "111" },
                            "contacts": [
                                { "profile": { "name": "Ana" }, "wa_id": "5511987654321" },
                                { "profile": { "name": "Bruno" }, "wa_id": "551187654322" }
                            ],
                            "messages": [
                                {
                                    "from": "551187654322", "id": "wamid.B", "timestamp": "1700000001",
                                    "type": "text", "text": { "body": "oi" }
                                },
                                {
                                    "from": "5511987654321", "id": "wamid.A", "timestamp": "1700000002",
                                    "type": "text", "text": { "body": "olá" }
                                }
                            ]
                        }
                    }]
                },
                {
                    "id": "WABA2",
                    "changes": [
                        { "field": "account_update", "value": { "event": "VERIFIED_ACCOUNT" } },
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": { "display_phone_number": "15550000000", "phone_number_id": "222" },
                                "statuses": [{
                                    "id": "wamid.OUT", "status": "delivered", "timestamp": "1700000003",
                                    "recipient_id": "1"
                                }]
                            }
                        }
                    ]
                }
            ]
        });
        let all = events(&payload);
        assert_eq!(all.len(), 3);
        match (&all[0], &all[1], &all[2]) {
            (CloudEvent::Message(b), CloudEvent::Message(a), CloudEvent::Status(s)) => {
                assert_eq!((b.external_id.as_str(), b.contact_name.as_deref()), ("wamid.B", Some("Bruno")));
                assert_eq!(b.from, "551187654322");
                assert_eq!((a.external_id.as_str(), a.contact_name.as_deref()), ("wamid.A", Some("Ana")));
                assert_eq!(s.external_id, "wamid.OUT");
            }
            other => panic!("unexpected {other:?}"),
        }

        // Only one phone number's events.
        let bytes = payload.to_string();
        let first = parse_webhook_for(bytes.as_bytes(), "111").unwrap();
        assert_eq!(first.len(), 2);
        assert!(first.iter().all(|e| matches!(e, CloudEvent::Message(_))));
        let second = parse_webhook_for(bytes.as_bytes(), "222").unwrap();
        assert!(matches!(second.as_slice(), [CloudEvent::Status(_)]));
        assert!(parse_webhook_for(bytes.as_bytes(), "333").unwrap().is_empty());
    }

    #[test]
    fn missing_timestamp_is_now_and_name_is_optional() {
        let payload = json!({
            "entry": [{ "changes": [{ "field": "messages", "value": {
                "messages": [{
                    "from": "16505551234", "id": "wamid.T", "type": "text", "text": { "body": "hi" },
                    "timestamp": "soon"
                }]
            } }] }]
        });
        let before = Utc::now();
        let m = only_message(&payload);
        assert!(m.timestamp >= before);
        assert_eq!(m.contact_name, None);
    }

    #[test]
    fn malformed_bodies() {
        for bad in [&b""[..], b"{", b"not json", b"\xff\xfe", b"{\"entry\": [}"] {
            assert!(matches!(parse_webhook(bad), Err(ParseError::Json(_))), "{bad:?}");
        }
        for bad in [&b"[]"[..], b"42", b"\"entry\"", b"null", b"{\"entry\": {}}", b"{\"entry\": 1}"] {
            assert!(matches!(parse_webhook(bad), Err(ParseError::Shape(_))), "{bad:?}");
        }
        // JSON objects of the wrong shape are simply empty.
        for odd in [
            json!({}),
            json!({ "object": "page" }),
            json!({ "entry": [] }),
            json!({ "entry": [1, "x", null, {}] }),
            json!({ "entry": [{ "changes": "x" }] }),
            json!({ "entry": [{ "changes": [null, 1, { "value": 3 }, { "value": { "messages": {} } }] }] }),
            json!({ "entry": [{ "changes": [{ "value": { "messages": [{ "id": 1, "from": [], "type": {} }] } }] }] }),
            json!({ "entry": [{ "changes": [{ "value": { "statuses": [{ "id": "w", "status": 1 }] } }] }] }),
            json!({ "entry": [{ "changes": [{ "value": {
                "messages": [{ "id": "w", "from": "1", "type": "image", "image": 5 }]
            } }] }] }),
        ] {
            let _ = parse_webhook(odd.to_string().as_bytes()).unwrap();
        }
        // Deep nesting is refused by the JSON parser, not a stack overflow.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_webhook(deep.as_bytes()).is_err());
    }

    #[test]
    fn image_without_media_id_keeps_the_caption() {
        let m = only_message(&envelope(json!([{
            "from": "5511987654321", "id": "wamid.IMG", "timestamp": "1", "type": "image",
            "image": { "caption": "sem id" }
        }])));
        assert_eq!(m.kind, MessageKind::Image);
        assert_eq!(m.media, None);
        assert_eq!(m.body, "sem id");
    }
}
