//! WhatsApp Web's messages in our terms and back: what a `wa::Message` says (kind, text, quote,
//! file), and the `wa::Message` an agent's message becomes.

use whatsapp_rust::proto_helpers::MessageExt;

use super::{Jid, MediaKind, Server, Uploaded, wa};
use crate::channels::types::MessageKind;
use shared::message_meta::{MessageMetadata, SharedContact, SharedPhone, UNSUPPORTED_BODY_PT, Unsupported};

/// A message's content, ready for the inbound path.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub kind: MessageKind,
    /// Text, caption, `"lat,long name address"` for a location, the emoji of a reaction.
    pub body: String,
    /// The message replied to (or reacted to).
    pub quoted_external_id: Option<String>,
    /// A file to download: what WhatsApp says of it.
    pub media: Option<AnnouncedFile>,
    /// Shared contact cards, or why the content is a placeholder.
    pub metadata: Option<MessageMetadata>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncedFile {
    pub mime: Option<String>,
    pub name: Option<String>,
}

fn quoted(context: Option<&wa::ContextInfo>) -> Option<String> {
    context.and_then(|c| c.stanza_id.clone()).filter(|id| !id.is_empty())
}

fn file(mime: &Option<String>, name: Option<&String>) -> Option<AnnouncedFile> {
    Some(AnnouncedFile { mime: mime.clone(), name: name.cloned() })
}

/// What a message says, or `None` for one that carries nothing for an agent (protocol messages:
/// key distribution, revokes, history notifications).
pub fn parse(message: &wa::Message) -> Option<Parsed> {
    let message = message.get_base_message();
    // A document with a caption comes wrapped once more.
    let message = match message.document_with_caption_message.as_option().and_then(|m| m.message.as_option()) {
        Some(inner) => inner,
        None => message,
    };
    let text = |kind, body: Option<&String>, context, media| Parsed {
        kind,
        body: body.cloned().unwrap_or_default(),
        quoted_external_id: quoted(context),
        media,
        metadata: None,
    };
    if let Some(reaction) = message.reaction_message.as_option() {
        return Some(Parsed {
            kind: MessageKind::Reaction,
            body: reaction.text.clone().unwrap_or_default(),
            quoted_external_id: reaction.key.as_option().and_then(|k| k.id.clone()),
            media: None,
            metadata: None,
        });
    }
    if let Some(image) = message.image_message.as_option() {
        let media = file(&image.mimetype, None);
        return Some(text(MessageKind::Image, image.caption.as_ref(), image.context_info.as_option(), media));
    }
    if let Some(video) = message.video_message.as_option().or(message.ptv_message.as_option()) {
        let media = file(&video.mimetype, None);
        return Some(text(MessageKind::Video, video.caption.as_ref(), video.context_info.as_option(), media));
    }
    if let Some(audio) = message.audio_message.as_option() {
        let media = file(&audio.mimetype, None);
        return Some(text(MessageKind::Audio, None, audio.context_info.as_option(), media));
    }
    if let Some(document) = message.document_message.as_option() {
        let media = file(&document.mimetype, document.file_name.as_ref().or(document.title.as_ref()));
        return Some(text(MessageKind::Document, document.caption.as_ref(), document.context_info.as_option(), media));
    }
    if let Some(sticker) = message.sticker_message.as_option() {
        let media = file(&sticker.mimetype, None);
        return Some(text(MessageKind::Sticker, None, sticker.context_info.as_option(), media));
    }
    if let Some(location) = message.location_message.as_option() {
        let (lat, long) =
            (location.degrees_latitude.unwrap_or_default(), location.degrees_longitude.unwrap_or_default());
        let mut body = format!("{lat},{long}");
        for part in [&location.name, &location.address].into_iter().flatten().filter(|p| !p.is_empty()) {
            body.push(' ');
            body.push_str(part);
        }
        return Some(Parsed {
            kind: MessageKind::Location,
            body,
            quoted_external_id: quoted(location.context_info.as_option()),
            media: None,
            metadata: None,
        });
    }
    if let Some(extended) = message.extended_text_message.as_option() {
        return Some(text(MessageKind::Text, extended.text.as_ref(), extended.context_info.as_option(), None));
    }
    let cards: Vec<&wa::message::ContactMessage> = match message.contacts_array_message.as_option() {
        Some(array) => array.contacts.iter().collect(),
        None => message.contact_message.as_option().into_iter().collect(),
    };
    if !cards.is_empty() {
        return Some(contact_cards(&cards));
    }
    if let Some(conversation) = message.conversation.as_ref().filter(|c| !c.is_empty()) {
        return Some(text(MessageKind::Text, Some(conversation), None, None));
    }
    not_shown(message).map(|what| Parsed {
        kind: MessageKind::Text,
        body: UNSUPPORTED_BODY_PT.to_owned(),
        quoted_external_id: None,
        media: None,
        metadata: Some(MessageMetadata {
            unsupported: Some(Unsupported { code: None, reason: Some(what.to_owned()) }),
            ..Default::default()
        }),
    })
}

/// What a customer sent that this adapter does not render (the agent still learns they wrote);
/// `None` for protocol messages, which carry nothing for an agent.
fn not_shown(message: &wa::Message) -> Option<&'static str> {
    let present = [
        (message.poll_creation_message.is_set(), "poll"),
        (message.poll_creation_message_v2.is_set(), "poll"),
        (message.poll_creation_message_v3.is_set(), "poll"),
        (message.poll_creation_message_v5.is_set(), "poll"),
        (message.poll_creation_message_v6.is_set(), "poll"),
        (message.poll_update_message.is_set(), "poll vote"),
        (message.edited_message.is_set(), "edited message"),
        (message.live_location_message.is_set(), "live location"),
        (message.event_message.is_set(), "event"),
        (message.group_invite_message.is_set(), "group invite"),
        (message.order_message.is_set(), "order"),
        (message.list_message.is_set(), "list"),
        (message.list_response_message.is_set(), "list reply"),
        (message.buttons_response_message.is_set(), "button reply"),
        (message.interactive_response_message.is_set(), "interactive reply"),
    ];
    present.into_iter().find(|(set, _)| *set).map(|(_, what)| what)
}

/// Shared contact cards: name and numbers as the text (as the Cloud API's are), the cards as data.
fn contact_cards(cards: &[&wa::message::ContactMessage]) -> Parsed {
    let shared: Vec<SharedContact> = cards
        .iter()
        .map(|card| {
            let vcard = card.vcard.as_deref().unwrap_or_default();
            SharedContact {
                name: card.display_name.clone().unwrap_or_default(),
                phones: vcard_phones(vcard),
                ..Default::default()
            }
        })
        .collect();
    let lines: Vec<String> = shared
        .iter()
        .map(|card| {
            let phones: Vec<&str> = card.phones.iter().map(|p| p.phone.as_str()).collect();
            if card.name.is_empty() || phones.is_empty() {
                format!("{}{}", card.name, phones.join(", "))
            } else {
                format!("{}: {}", card.name, phones.join(", "))
            }
        })
        .collect();
    let context = cards.first().and_then(|card| card.context_info.as_option());
    Parsed {
        kind: MessageKind::Text,
        body: lines.join("\n"),
        quoted_external_id: quoted(context),
        media: None,
        metadata: Some(MessageMetadata { contacts: shared, ..Default::default() }),
    }
}

/// The numbers of a vCard's `TEL` lines (`TEL;type=CELL;waid=5511…:+55 11 9…`).
fn vcard_phones(vcard: &str) -> Vec<SharedPhone> {
    vcard
        .lines()
        .filter(|line| line.to_ascii_uppercase().starts_with("TEL") || line.contains(".TEL"))
        .filter_map(|line| {
            let (params, number) = line.split_once(':')?;
            let wa_id = params.split(';').find_map(|p| p.strip_prefix("waid=")).map(str::to_owned);
            let label = params
                .split(';')
                .find_map(|p| p.strip_prefix("type=").or_else(|| p.strip_prefix("TYPE=")))
                .map(str::to_owned);
            Some(SharedPhone { phone: number.trim().to_owned(), wa_id, label })
        })
        .collect()
}

/// The number of a person's JID (`5511987654321@s.whatsapp.net` → `5511987654321`): the phone
/// number JID when WhatsApp gave one beside a LID.
pub fn number_of(jid: &Jid, alternative: Option<&Jid>) -> String {
    match (jid.server, alternative) {
        (Server::Lid, Some(alt)) if alt.server == Server::Pn => alt.user.to_string(),
        _ => jid.user.to_string(),
    }
}

/// Where a contact is written to: a group's JID for a group contact, else the number's.
pub fn chat_of(number: &str, is_group: bool) -> Jid {
    if is_group { Jid::group(number.to_owned()) } else { Jid::pn(number.to_owned()) }
}

/// The context of a reply (`stanza_id` is the quoted message's id).
fn reply_context(reply_to: Option<&str>) -> wa::ContextInfo {
    wa::ContextInfo { stanza_id: reply_to.map(str::to_owned), ..Default::default() }
}

fn context(reply_to: Option<&str>) -> whatsapp_rust::buffa::MessageField<wa::ContextInfo> {
    match reply_to {
        Some(_) => whatsapp_rust::buffa::MessageField::some(reply_context(reply_to)),
        None => whatsapp_rust::buffa::MessageField::none(),
    }
}

/// A text, as a plain conversation or, when it replies, an extended text with its quote.
pub fn text(body: &str, reply_to: Option<&str>) -> wa::Message {
    match reply_to {
        None => wa::Message { conversation: Some(body.to_owned()), ..Default::default() },
        Some(_) => wa::Message {
            extended_text_message: whatsapp_rust::buffa::MessageField::some(wa::message::ExtendedTextMessage {
                text: Some(body.to_owned()),
                context_info: context(reply_to),
                ..Default::default()
            }),
            ..Default::default()
        },
    }
}

/// A reaction (`emoji` empty removes it) to the message `to_id` of `chat`.
pub fn reaction(chat: &Jid, to_id: &str, emoji: &str) -> wa::Message {
    wa::Message {
        reaction_message: whatsapp_rust::buffa::MessageField::some(wa::message::ReactionMessage {
            key: whatsapp_rust::buffa::MessageField::some(wa::MessageKey {
                remote_jid: Some(chat.to_string()),
                from_me: Some(false),
                id: Some(to_id.to_owned()),
                participant: None,
            }),
            text: Some(emoji.to_owned()),
            sender_timestamp_ms: Some(chrono::Utc::now().timestamp_millis()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A location from our body `"lat,long name"`; `None` when it does not start with two numbers.
pub fn location(body: &str) -> Option<wa::Message> {
    let (coordinates, name) = body.trim().split_once(' ').unwrap_or((body.trim(), ""));
    let (lat, long) = coordinates.split_once(',')?;
    let (lat, long) = (lat.trim().parse::<f64>().ok()?, long.trim().parse::<f64>().ok()?);
    Some(wa::Message {
        location_message: whatsapp_rust::buffa::MessageField::some(wa::message::LocationMessage {
            degrees_latitude: Some(lat),
            degrees_longitude: Some(long),
            name: (!name.trim().is_empty()).then(|| name.trim().to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Which upload a stored kind needs.
pub fn media_kind(kind: MessageKind) -> MediaKind {
    match kind {
        MessageKind::Image => MediaKind::Image,
        MessageKind::Audio => MediaKind::Audio,
        MessageKind::Video => MediaKind::Video,
        MessageKind::Sticker => MediaKind::Sticker,
        _ => MediaKind::Document,
    }
}

/// A media message for an uploaded file.
pub fn media(
    kind: MediaKind,
    up: Uploaded,
    mime: &str,
    name: &str,
    caption: Option<&str>,
    reply_to: Option<&str>,
) -> wa::Message {
    use whatsapp_rust::buffa::MessageField;
    let caption = caption.filter(|c| !c.is_empty()).map(str::to_owned);
    let mut message = wa::Message::default();
    match kind {
        MediaKind::Image => {
            message.image_message = MessageField::some(wa::message::ImageMessage {
                url: Some(up.url),
                direct_path: Some(up.direct_path),
                media_key: Some(up.media_key),
                file_enc_sha256: Some(up.file_enc_sha256),
                file_sha256: Some(up.file_sha256),
                file_length: Some(up.file_length),
                media_key_timestamp: Some(up.media_key_timestamp),
                mimetype: Some(mime.to_owned()),
                caption,
                context_info: context(reply_to),
                ..Default::default()
            })
        }
        MediaKind::Video => {
            message.video_message = MessageField::some(wa::message::VideoMessage {
                url: Some(up.url),
                direct_path: Some(up.direct_path),
                media_key: Some(up.media_key),
                file_enc_sha256: Some(up.file_enc_sha256),
                file_sha256: Some(up.file_sha256),
                file_length: Some(up.file_length),
                media_key_timestamp: Some(up.media_key_timestamp),
                mimetype: Some(mime.to_owned()),
                caption,
                context_info: context(reply_to),
                ..Default::default()
            })
        }
        MediaKind::Audio => {
            message.audio_message = MessageField::some(wa::message::AudioMessage {
                url: Some(up.url),
                direct_path: Some(up.direct_path),
                media_key: Some(up.media_key),
                file_enc_sha256: Some(up.file_enc_sha256),
                file_sha256: Some(up.file_sha256),
                file_length: Some(up.file_length),
                media_key_timestamp: Some(up.media_key_timestamp),
                mimetype: Some(mime.to_owned()),
                // Opus in Ogg is what the phone plays as a voice note.
                ptt: Some(mime.starts_with("audio/ogg")),
                context_info: context(reply_to),
                ..Default::default()
            })
        }
        MediaKind::Sticker => {
            message.sticker_message = MessageField::some(wa::message::StickerMessage {
                url: Some(up.url),
                direct_path: Some(up.direct_path),
                media_key: Some(up.media_key),
                file_enc_sha256: Some(up.file_enc_sha256),
                file_sha256: Some(up.file_sha256),
                file_length: Some(up.file_length),
                media_key_timestamp: Some(up.media_key_timestamp),
                mimetype: Some(mime.to_owned()),
                context_info: context(reply_to),
                ..Default::default()
            })
        }
        MediaKind::Document => {
            message.document_message = MessageField::some(wa::message::DocumentMessage {
                url: Some(up.url),
                direct_path: Some(up.direct_path),
                media_key: Some(up.media_key),
                file_enc_sha256: Some(up.file_enc_sha256),
                file_sha256: Some(up.file_sha256),
                file_length: Some(up.file_length),
                media_key_timestamp: Some(up.media_key_timestamp),
                mimetype: Some(mime.to_owned()),
                file_name: Some(name.to_owned()),
                title: Some(name.to_owned()),
                caption,
                context_info: context(reply_to),
                ..Default::default()
            })
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_what_we_send() {
        let chat = Jid::pn("5511987654321");
        let parsed = parse(&text("oi", None)).unwrap();
        assert_eq!((parsed.kind, parsed.body.as_str(), parsed.quoted_external_id), (MessageKind::Text, "oi", None));
        let parsed = parse(&text("sim", Some("ABC"))).unwrap();
        assert_eq!(parsed.quoted_external_id.as_deref(), Some("ABC"));
        let parsed = parse(&reaction(&chat, "XYZ", "👍")).unwrap();
        assert_eq!((parsed.kind, parsed.body.as_str()), (MessageKind::Reaction, "👍"));
        assert_eq!(parsed.quoted_external_id.as_deref(), Some("XYZ"));
        let parsed = parse(&location("-23.5,-46.6 Loja Centro").unwrap()).unwrap();
        assert_eq!((parsed.kind, parsed.body.as_str()), (MessageKind::Location, "-23.5,-46.6 Loja Centro"));
        assert!(location("not a place").is_none());
        for (kind, stored) in [
            (MediaKind::Image, MessageKind::Image),
            (MediaKind::Video, MessageKind::Video),
            (MediaKind::Audio, MessageKind::Audio),
            (MediaKind::Sticker, MessageKind::Sticker),
            (MediaKind::Document, MessageKind::Document),
        ] {
            let sent = media(kind, Uploaded::default(), "application/pdf", "nota.pdf", Some("segue"), Some("Q1"));
            let parsed = parse(&sent).unwrap();
            assert_eq!(parsed.kind, stored);
            assert_eq!(parsed.quoted_external_id.as_deref(), Some("Q1"));
            assert_eq!(parsed.media.as_ref().and_then(|m| m.mime.as_deref()), Some("application/pdf"));
            assert_eq!(media_kind(stored), kind);
        }
        // Protocol messages carry nothing for an agent.
        assert_eq!(parse(&wa::Message::default()), None);
    }

    #[test]
    fn numbers_prefer_the_phone_number_beside_a_lid() {
        let lid = Jid::lid("123456789");
        assert_eq!(number_of(&lid, Some(&Jid::pn("5511987654321"))), "5511987654321");
        assert_eq!(number_of(&Jid::pn("5511987654321"), None), "5511987654321");
        assert_eq!(chat_of("120363000000000001", true).server, Server::Group);
        assert_eq!(chat_of("5511987654321", false).to_string(), "5511987654321@s.whatsapp.net");
    }
}
