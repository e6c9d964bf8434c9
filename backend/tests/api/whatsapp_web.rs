//! WhatsApp Web: the real adapter (supervisor, event handling, outbound) driven through a double of
//! the crate's link, fed the crate's own event types. Nothing reaches WhatsApp.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use atende::channels::whatsapp_web::session::Backoff;
use atende::channels::whatsapp_web::{Anchor, Event, Jid, Link, LinkError, MediaKind, Transport, Uploaded, wa};
use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use whatsapp_rust::buffa::{Message as _, MessageField};
use whatsapp_rust::types::events::{
    BatchOrigin, Connected, InboundMessage, LazyHistorySync, LoggedOut, MessageBatch, PairSuccess, PairingQrCode,
    Receipt,
};
use whatsapp_rust::types::message::{MessageInfo, MessageSource};
use whatsapp_rust::types::presence::ReceiptType;

use crate::helpers::{TestApp, assert_error};
use crate::ws_client::EventStream;

/// What the adapter asked of the "crate", and the way to push events at it.
#[derive(Default)]
struct Phone {
    events: Mutex<Option<mpsc::UnboundedSender<Event>>>,
    opened: Mutex<Vec<Option<Vec<u8>>>>,
    sent: Mutex<Vec<(String, wa::Message)>>,
    history: Mutex<Vec<(String, Anchor, u32)>>,
    logged_out: Mutex<bool>,
    /// Opening fails this many times first (a transport that fails).
    failures: Mutex<u32>,
}

impl Phone {
    fn emit(&self, event: Event) {
        let events = self.events.lock().unwrap();
        events.as_ref().expect("a link is open").send(event).expect("the adapter listens");
    }

    /// Drops the link as a network cut would.
    fn cut(&self) {
        self.events.lock().unwrap().take();
    }

    fn opens(&self) -> usize {
        self.opened.lock().unwrap().len()
    }
}

struct Double(Arc<Phone>);

#[async_trait]
impl Transport for Double {
    async fn open(
        &self,
        session: Option<Vec<u8>>,
        events: mpsc::UnboundedSender<Event>,
    ) -> Result<Arc<dyn Link>, LinkError> {
        self.0.opened.lock().unwrap().push(session);
        {
            let mut failures = self.0.failures.lock().unwrap();
            if *failures > 0 {
                *failures -= 1;
                return Err(LinkError::Retryable("network unreachable".into()));
            }
        }
        *self.0.events.lock().unwrap() = Some(events);
        Ok(Arc::new(DoubleLink(self.0.clone())))
    }
}

struct DoubleLink(Arc<Phone>);

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6,
    0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
];

#[async_trait]
impl Link for DoubleLink {
    async fn send(&self, to: &Jid, message: wa::Message) -> Result<String, LinkError> {
        let mut sent = self.0.sent.lock().unwrap();
        sent.push((to.to_string(), message));
        Ok(format!("OUT{}", sent.len()))
    }
    async fn upload(&self, bytes: Vec<u8>, _kind: MediaKind) -> Result<Uploaded, LinkError> {
        Ok(Uploaded { url: "https://mmg.invalid/x".into(), file_length: bytes.len() as u64, ..Default::default() })
    }
    async fn download(&self, message: &wa::Message) -> Result<Vec<u8>, LinkError> {
        if message.image_message.as_option().is_some() {
            Ok(PNG.to_vec())
        } else {
            Err(LinkError::Permanent("media expired".into()))
        }
    }
    async fn mark_read(&self, _chat: &Jid, _sender: Option<&Jid>, _ids: &[String]) -> Result<(), LinkError> {
        Ok(())
    }
    async fn request_history(&self, chat: &Jid, anchor: &Anchor, count: u32) -> Result<String, LinkError> {
        let mut history = self.0.history.lock().unwrap();
        history.push((chat.to_string(), anchor.clone(), count));
        Ok(format!("REQ{}", history.len()))
    }
    async fn pair_code(&self, phone_number: &str) -> Result<String, LinkError> {
        Ok(format!("CODE-{}", &phone_number[phone_number.len() - 4..]))
    }
    async fn profile_picture(&self, jid: &Jid) -> Result<Option<String>, LinkError> {
        Ok(Some(format!("https://pps.invalid/{}.jpg", jid.user)))
    }
    async fn logout(&self) -> Result<(), LinkError> {
        *self.0.logged_out.lock().unwrap() = true;
        Ok(())
    }
    async fn session(&self) -> Option<Vec<u8>> {
        Some(b"device-keys-secret".to_vec())
    }
    async fn close(&self) {}
}

async fn wait_until<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

struct Line {
    app: TestApp,
    admin: String,
    phone: Arc<Phone>,
    connection: i64,
}

async fn line() -> Line {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let phone = Arc::new(Phone::default());
    app.state.whatsapp_web.use_transport(Arc::new(Double(phone.clone())));
    app.state.whatsapp_web.set_backoff(Backoff { first: Duration::from_millis(20), max: Duration::from_millis(80) });
    let (status, body) =
        app.post("/api/v1/connections", &admin, json!({"name": "Celular da loja", "kind": "whatsapp_web"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let connection = body["id"].as_i64().unwrap();
    Line { app, admin, phone, connection }
}

impl Line {
    async fn connection(&self) -> Value {
        let (status, body) = self.app.get(&format!("/api/v1/connections/{}", self.connection), &self.admin).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn status_is(&self, status: &str) -> Value {
        wait_until(status, async || Some(self.connection().await).filter(|c| c["status"] == status)).await
    }

    /// Connected: paired and linked.
    async fn linked(&self) {
        let (status, body) =
            self.app.post(&format!("/api/v1/connections/{}/connect", self.connection), &self.admin, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        wait_until("the link opens", async || (self.phone.events.lock().unwrap().is_some()).then_some(())).await;
        self.phone.emit(Event::Connected(Connected::builder().build()));
        self.status_is("connected").await;
    }

    async fn messages(&self, ticket: i64) -> Vec<Value> {
        let (_, page) = self.app.get(&format!("/api/v1/tickets/{ticket}/messages?limit=100"), &self.admin).await;
        page["items"].as_array().cloned().unwrap_or_default()
    }

    async fn only_ticket(&self) -> i64 {
        wait_until("a ticket", async || self.app.ticket_ids(&self.admin, "").await.first().copied()).await
    }
}

fn info(id: &str, from: &str, name: &str, at: i64) -> MessageInfo {
    MessageInfo {
        source: MessageSource { chat: Jid::pn(from), sender: Jid::pn(from), ..Default::default() },
        id: id.into(),
        push_name: name.into(),
        timestamp: Utc.timestamp_opt(at, 0).unwrap(),
        ..Default::default()
    }
}

fn batch(items: Vec<(wa::Message, MessageInfo)>) -> Event {
    let messages: Vec<InboundMessage> = items
        .into_iter()
        .map(|(message, info)| InboundMessage::builder().message(Arc::new(message)).info(Arc::new(info)).build())
        .collect();
    Event::Messages(MessageBatch::builder().messages(Arc::from(messages)).origin(BatchOrigin::Live).build())
}

fn text(body: &str) -> wa::Message {
    wa::Message { conversation: Some(body.into()), ..Default::default() }
}

#[tokio::test]
async fn pairing_shows_the_qr_to_admins_then_connects_and_keeps_the_session_sealed() {
    let line = line().await;
    let mut admin_events = EventStream::connect(&line.app.ws_url(&line.admin, None)).await;
    let (status, body) =
        line.app.post(&format!("/api/v1/connections/{}/connect", line.connection), &line.admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    wait_until("the link opens", async || (line.phone.events.lock().unwrap().is_some()).then_some(())).await;
    assert_eq!(line.phone.opened.lock().unwrap()[0], None, "a first connect pairs anew");

    // WhatsApp rotates the QR: each one reaches the page.
    for code in ["2@first-qr", "2@second-qr"] {
        line.phone.emit(Event::PairingQrCode(
            PairingQrCode::builder().code(code.into()).timeout(Duration::from_secs(20)).build(),
        ));
        let seen = admin_events.until("connection.updated").await;
        let update = &seen.last().unwrap()["data"];
        assert_eq!((update["status"].as_str(), update["qr"].as_str()), (Some("pairing"), Some(code)), "{update}");
    }
    assert_eq!(line.connection().await["qr"], "2@second-qr");

    let me = Jid::pn("5511900000000");
    line.phone.emit(Event::PairSuccess(
        PairSuccess::builder().id(me.clone()).lid(me).business_name(String::new()).platform("android".into()).build(),
    ));
    line.phone.emit(Event::Connected(Connected::builder().build()));
    let connected = line.status_is("connected").await;
    assert_eq!(connected["qr"], Value::Null, "the QR goes once paired: {connected}");

    // The session is kept sealed: its bytes never appear in the database.
    let row = atende::store::whatsapp_web::get(&line.app.state.db, shared::ConnectionId(line.connection))
        .await
        .unwrap()
        .unwrap();
    let sealed = row.session.expect("a kept session");
    assert!(!sealed.contains("device-keys-secret") && atende::secrets::Sealer::is_sealed(&sealed), "{sealed}");
    assert!(row.wanted);
    assert_eq!(row.lease_owner.as_deref(), Some(line.app.state.instance_id.as_str()), "this instance holds the lease");

    // Pairing by phone number answers the code the crate gives.
    let (status, body) = line
        .app
        .post(
            &format!("/api/v1/connections/{}/pair-code", line.connection),
            &line.admin,
            json!({"phone_number": "+55 11 98765-4321"}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::OK, Some("CODE-4321")), "{body}");
    let (status, body) = line
        .app
        .post(&format!("/api/v1/connections/{}/pair-code", line.connection), &line.admin, json!({"phone_number": "12"}))
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");

    // A restart (here: the link drops) reconnects with the kept session, without pairing again.
    line.phone.cut();
    wait_until("a reconnect", async || (line.phone.opens() >= 2).then_some(())).await;
    assert_eq!(line.phone.opened.lock().unwrap()[1].as_deref(), Some(&b"device-keys-secret"[..]));

    // Logout unlinks the phone and forgets the session.
    let (status, body) =
        line.app.post(&format!("/api/v1/connections/{}/logout", line.connection), &line.admin, json!({})).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("disconnected")), "{body}");
    assert!(*line.phone.logged_out.lock().unwrap());
    let row = atende::store::whatsapp_web::get(&line.app.state.db, shared::ConnectionId(line.connection))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.session, row.wanted), (None, false));
}

#[tokio::test]
async fn only_whatsapp_web_connections_pair_and_only_admins_may() {
    let line = line().await;
    let simulator = line.app.simulator(&line.admin, None).await;
    for action in ["connect", "logout"] {
        let (status, body) =
            line.app.post(&format!("/api/v1/connections/{simulator}/{action}"), &line.admin, json!({})).await;
        assert_error(status, &body, StatusCode::CONFLICT, "not_whatsapp_web");
    }
    let (status, body) = line
        .app
        .post(
            &format!("/api/v1/connections/{simulator}/pair-code"),
            &line.admin,
            json!({"phone_number": "5511987654321"}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "not_whatsapp_web");
    let (_, agent) = line.app.user(&line.admin, "agente@example.com", "agent", &[]).await;
    let (status, body) =
        line.app.post(&format!("/api/v1/connections/{}/connect", line.connection), &agent, json!({})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    // A simulator ticket has no phone to sync from.
    let ticket = line.app.inbound(&line.admin, simulator, "5511987654321", "oi").await;
    let (status, body) =
        line.app.post(&format!("/api/v1/tickets/{ticket}/sync-history"), &line.admin, json!({"limit": 50})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "not_whatsapp_web");
}

#[tokio::test]
async fn every_kind_of_message_arrives_through_the_inbound_path_with_names_and_photos() {
    let line = line().await;
    line.linked().await;
    let from = "5511987654321";
    let image = wa::Message {
        image_message: MessageField::some(wa::message::ImageMessage {
            mimetype: Some("image/png".into()),
            caption: Some("a foto".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let audio = wa::Message {
        audio_message: MessageField::some(wa::message::AudioMessage {
            mimetype: Some("audio/ogg".into()),
            ptt: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    };
    let reply = atende::channels::whatsapp_web::convert::text("respondendo", Some("W1"));
    let location = atende::channels::whatsapp_web::convert::location("-23.55,-46.63 Loja").unwrap();
    let reaction = atende::channels::whatsapp_web::convert::reaction(&Jid::pn(from), "W1", "❤️");
    let poll = wa::Message {
        poll_creation_message_v3: MessageField::some(wa::message::PollCreationMessage {
            name: Some("Qual sabor?".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let card = wa::Message {
        contact_message: MessageField::some(wa::message::ContactMessage {
            display_name: Some("Ana Lima".into()),
            vcard: Some(
                "BEGIN:VCARD\nVERSION:3.0\nFN:Ana Lima\nTEL;type=CELL;waid=5511955554444:+55 11 95555-4444\nEND:VCARD"
                    .into(),
            ),
            ..Default::default()
        }),
        ..Default::default()
    };
    line.phone.emit(batch(vec![
        (text("olá"), info("W1", from, "Maria Souza", 1_764_000_000)),
        (image, info("W2", from, "Maria Souza", 1_764_000_001)),
        (audio, info("W3", from, "Maria Souza", 1_764_000_002)),
        (reply, info("W4", from, "Maria Souza", 1_764_000_003)),
        (location, info("W5", from, "Maria Souza", 1_764_000_004)),
        (reaction, info("W6", from, "Maria Souza", 1_764_000_005)),
        // Delivered twice (a redelivery): stored once.
        (text("olá"), info("W1", from, "Maria Souza", 1_764_000_000)),
        // Protocol messages carry nothing for an agent.
        (wa::Message::default(), info("W7", from, "Maria Souza", 1_764_000_006)),
        // A poll is not rendered, but the agent learns the customer wrote.
        (poll, info("W8", from, "Maria Souza", 1_764_000_007)),
        (card, info("W9", from, "Maria Souza", 1_764_000_008)),
    ]));
    let ticket = line.only_ticket().await;
    let messages =
        wait_until("eight messages", async || Some(line.messages(ticket).await).filter(|m| m.len() == 8)).await;
    let by_id = |id: &str| {
        messages.iter().find(|m| m["external_id"] == id).cloned().unwrap_or_else(|| panic!("{id} in {messages:?}"))
    };
    assert_eq!((by_id("W1")["kind"].as_str(), by_id("W1")["body"].as_str()), (Some("text"), Some("olá")));
    assert_eq!(by_id("W1")["created_at"], "2025-11-24T16:00:00Z", "WhatsApp's own time is kept");
    let photo = by_id("W2");
    assert_eq!(
        (photo["kind"].as_str(), photo["body"].as_str(), photo["media_mime"].as_str()),
        (Some("image"), Some("a foto"), Some("image/png")),
        "{photo}"
    );
    assert!(photo["media_url"].is_string(), "{photo}");
    let voice = by_id("W3");
    assert_eq!(voice["kind"], "audio");
    assert!(
        voice["media_url"].is_null() && voice["error"].as_str().is_some_and(|e| e.contains("media expired")),
        "a file that cannot be fetched is said so: {voice}"
    );
    assert_eq!(by_id("W4")["quoted_id"], by_id("W1")["id"], "a reply quotes the stored message");
    assert_eq!(
        (by_id("W5")["kind"].as_str(), by_id("W5")["body"].as_str()),
        (Some("location"), Some("-23.55,-46.63 Loja"))
    );
    assert_eq!((by_id("W6")["kind"].as_str(), by_id("W6")["body"].as_str()), (Some("reaction"), Some("❤️")));
    let poll = by_id("W8");
    assert_eq!(poll["body"], shared::message_meta::UNSUPPORTED_BODY_PT, "{poll}");
    assert_eq!(poll["metadata"]["unsupported"]["reason"], "poll", "{poll}");
    let card = by_id("W9");
    assert_eq!(card["body"], "Ana Lima: +55 11 95555-4444", "{card}");
    assert_eq!(card["metadata"]["contacts"][0]["phones"][0]["wa_id"], "5511955554444", "{card}");

    // The contact got the push name and the profile photo.
    let ticket_body = line.app.ticket(&line.admin, ticket).await;
    let contact = &ticket_body["contact"];
    assert_eq!(contact["name"], "Maria Souza", "{ticket_body}");
    assert_eq!(contact["photo_url"], format!("https://pps.invalid/{from}.jpg"), "{contact}");

    // A group message: the group is the contact, each message says who wrote it.
    let mut in_group = info("G1", "5511911112222", "João", 1_764_000_010);
    in_group.source.chat = Jid::group("120363000000000001");
    in_group.source.is_group = true;
    line.phone.emit(batch(vec![(text("bom dia, grupo"), in_group)]));
    let group_ticket = wait_until("a group ticket", async || {
        line.app.ticket_ids(&line.admin, "").await.into_iter().find(|id| *id != ticket)
    })
    .await;
    let group_messages =
        wait_until("the group message", async || Some(line.messages(group_ticket).await).filter(|m| !m.is_empty()))
            .await;
    assert!(group_messages[0]["body"].as_str().unwrap().contains("bom dia, grupo"), "{group_messages:?}");
    // Who wrote it is data beside the text (name and number), not a prefix of the body.
    assert_eq!(group_messages[0]["body"], "bom dia, grupo", "{group_messages:?}");
    assert_eq!(group_messages[0]["participant"]["name"], "João", "{group_messages:?}");
    assert_eq!(group_messages[0]["participant"]["number"], "5511911112222", "{group_messages:?}");
    let group = line.app.ticket(&line.admin, group_ticket).await;
    assert_eq!(group["kind"], "group", "{group}");
}

#[tokio::test]
async fn agents_answers_go_out_through_the_link_and_receipts_move_their_status() {
    let line = line().await;
    line.linked().await;
    line.phone.emit(batch(vec![(text("oi"), info("IN1", "5511987654321", "Ana", 1_764_000_000))]));
    let ticket = line.only_ticket().await;
    line.app.act(&line.admin, ticket, "accept", json!({})).await;
    let (status, sent) =
        line.app.post(&format!("/api/v1/tickets/{ticket}/messages"), &line.admin, json!({"body": "Olá, Ana!"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let id = sent["id"].as_i64().unwrap();
    let settled = line.app.settled(&line.admin, ticket, id).await;
    assert_eq!(
        (settled["status"].as_str(), settled["external_id"].as_str()),
        (Some("sent"), Some("OUT1")),
        "{settled}"
    );
    {
        let sent = line.phone.sent.lock().unwrap();
        assert_eq!(sent[0].0, "5511987654321@s.whatsapp.net");
        assert!(sent[0].1.conversation.as_deref().is_some_and(|text| text.contains("Olá, Ana!")), "a plain text");
    }
    let mut events = EventStream::connect(&line.app.ws_url(&line.admin, None)).await;
    for (kind, expected) in [(ReceiptType::Delivered, "delivered"), (ReceiptType::Read, "read")] {
        line.phone.emit(Event::Receipt(
            Receipt::builder()
                .source(MessageSource {
                    chat: Jid::pn("5511987654321"),
                    sender: Jid::pn("5511987654321"),
                    ..Default::default()
                })
                .message_ids(vec!["OUT1".into()])
                .timestamp(Utc::now())
                .r#type(kind)
                .offline(false)
                .build(),
        ));
        let seen = events.until("message.updated").await;
        assert_eq!(seen.last().unwrap()["data"]["status"], expected, "{seen:?}");
    }
}

#[tokio::test]
async fn a_transport_that_fails_is_retried_with_backoff_until_it_connects() {
    let line = line().await;
    *line.phone.failures.lock().unwrap() = 3;
    let (status, _) =
        line.app.post(&format!("/api/v1/connections/{}/connect", line.connection), &line.admin, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let failing = line.status_is("error").await;
    assert!(failing["status_reason"].as_str().unwrap().contains("network unreachable"), "{failing}");
    wait_until("the fourth attempt opens", async || (line.phone.events.lock().unwrap().is_some()).then_some(())).await;
    assert_eq!(line.phone.opens(), 4, "three failures, then a link");
    line.phone.emit(Event::Connected(Connected::builder().build()));
    line.status_is("connected").await;

    // The phone unlinks the device: no reconnect, the session is forgotten.
    line.phone.emit(Event::LoggedOut(
        LoggedOut::builder()
            .on_connect(false)
            .reason(whatsapp_rust::types::events::ConnectFailureReason::LoggedOut)
            .build(),
    ));
    let gone = line.status_is("disconnected").await;
    assert!(gone["status_reason"].as_str().unwrap().contains("logged out"), "{gone}");
    tokio::time::sleep(Duration::from_millis(300)).await; // longer than the backoff: a reconnect would show
    assert_eq!(line.phone.opens(), 4, "no reconnect after a logout");

    // On a server start, sessions that were wanted resume.
    let (status, _) =
        line.app.post(&format!("/api/v1/connections/{}/connect", line.connection), &line.admin, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    wait_until("a fifth open", async || (line.phone.opens() == 5).then_some(())).await;
    line.app.state.whatsapp_web.stop_all(&line.app.state).await;
    line.app.state.whatsapp_web.resume_all(&line.app.state).await;
    wait_until("resumed on start", async || (line.phone.opens() == 6).then_some(())).await;
}

#[tokio::test]
async fn another_instance_never_holds_a_session_this_one_holds() {
    let line = line().await;
    line.linked().await;
    let id = shared::ConnectionId(line.connection);
    let now = Utc::now();
    let tx = line.app.state.begin().await.unwrap();
    let other =
        atende::store::whatsapp_web::claim(&tx, id, "another-instance", now, now + chrono::Duration::seconds(60))
            .await
            .unwrap();
    tx.commit().await.unwrap();
    assert!(!other, "the lease is held");
    // Once it runs out (the holder died), another instance takes it.
    let later = now + chrono::Duration::seconds(120);
    let tx = line.app.state.begin().await.unwrap();
    let other =
        atende::store::whatsapp_web::claim(&tx, id, "another-instance", later, later + chrono::Duration::seconds(60))
            .await
            .unwrap();
    tx.commit().await.unwrap();
    assert!(other);
}

/// zlib's "stored" blocks: what `LazyHistorySync` inflates, without a compressor.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = if data.is_empty() { vec![&[]] } else { data.chunks(65_535).collect() };
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn history_message(id: &str, from_me: bool, body: &str, at: u64) -> wa::HistorySyncMsg {
    wa::HistorySyncMsg {
        message: MessageField::some(wa::WebMessageInfo {
            key: MessageField::some(wa::MessageKey {
                remote_jid: Some("5511987654321@s.whatsapp.net".into()),
                from_me: Some(from_me),
                id: Some(id.into()),
                participant: None,
            }),
            message: MessageField::some(text(body)),
            message_timestamp: Some(at),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn history_sync_imports_older_messages_once_in_order_and_reports_progress() {
    let line = line().await;
    let from = "5511987654321";
    line.linked().await;
    line.phone.emit(batch(vec![(text("mensagem nova"), info("NEW", from, "Ana", 1_764_000_500))]));
    let ticket = line.only_ticket().await;
    wait_until("the live message", async || Some(line.messages(ticket).await).filter(|m| m.len() == 1)).await;

    for limit in [0, 501] {
        let (status, body) = line
            .app
            .post(&format!("/api/v1/tickets/{ticket}/sync-history"), &line.admin, json!({"limit": limit}))
            .await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    }
    let mut events = EventStream::connect(&line.app.ws_url(&line.admin, None)).await;
    let (status, body) =
        line.app.post(&format!("/api/v1/tickets/{ticket}/sync-history"), &line.admin, json!({"limit": 50})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let job = body["job_id"].as_i64().unwrap();
    let (chat, anchor, count) = line.phone.history.lock().unwrap()[0].clone();
    assert_eq!(
        (chat.as_str(), anchor.id.as_str(), anchor.from_me, count),
        ("5511987654321@s.whatsapp.net", "NEW", false, 50)
    );
    assert_eq!(anchor.timestamp_ms, 1_764_000_500_000, "older than the oldest stored");
    let started = events.until("sync.progress").await;
    assert_eq!(started.last().unwrap()["data"]["finished"], false);

    // The phone answers (newest first, one of them already stored).
    let answer = wa::HistorySync {
        conversations: vec![wa::Conversation {
            id: "5511987654321@s.whatsapp.net".into(),
            messages: vec![
                history_message("NEW", false, "mensagem nova", 1_764_000_500),
                history_message("OLD2", true, "Bom dia! Como posso ajudar?", 1_764_000_200),
                history_message("OLD1", false, "Oi, tenho uma dúvida", 1_764_000_100),
            ],
            ..Default::default()
        }],
        ..Default::default()
    };
    let raw = answer.encode_to_vec();
    let lazy = LazyHistorySync::new(zlib_stored(&raw).into(), raw.len(), 6, None, Some(100))
        .with_peer_data_request_session_id(Some("REQ1".into()));
    line.phone.emit(Event::HistorySync(Box::new(lazy)));
    let seen = events.until("sync.progress").await;
    let done = &seen.last().unwrap()["data"];
    assert_eq!(done["job_id"], job);
    assert_eq!(
        (done["finished"].as_bool(), done["imported"].as_u64(), done["already"].as_u64()),
        (Some(true), Some(2), Some(1)),
        "{done}"
    );

    let messages = line.messages(ticket).await;
    let thread: Vec<(&str, bool, &str)> = messages
        .iter()
        .map(|m| {
            (m["external_id"].as_str().unwrap(), m["from_me"].as_bool().unwrap(), m["created_at"].as_str().unwrap())
        })
        .collect();
    let mut expected = vec![
        ("OLD1", false, "2025-11-24T16:01:40Z"),
        ("OLD2", true, "2025-11-24T16:03:20Z"),
        ("NEW", false, "2025-11-24T16:08:20Z"),
    ];
    let mut got = thread.clone();
    got.sort_by_key(|m| m.2);
    expected.sort_by_key(|m| m.2);
    assert_eq!(got, expected, "imported once, with their own times: {messages:?}");

    // Once the link is down: a clear 409.
    line.phone.cut();
    wait_until("disconnected", async || {
        (line.app.state.whatsapp_web.connected_link(shared::ConnectionId(line.connection)).is_none()).then_some(())
    })
    .await;
    let (status, body) =
        line.app.post(&format!("/api/v1/tickets/{ticket}/sync-history"), &line.admin, json!({"limit": 10})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "not_connected");
}

/// A WhatsApp Web line linked through the double, whose tickets wait in `queue`, with a customer's
/// conversation whose history sync is then asked: raises `sync.progress` for that ticket (isolation.rs's
/// scenario). The ticket's id.
pub async fn a_synced_conversation(app: &TestApp, admin: &str, queue: Option<i64>, from: &str, body: &str) -> i64 {
    let phone = Arc::new(Phone::default());
    app.state.whatsapp_web.use_transport(Arc::new(Double(phone.clone())));
    let (status, created) = app
        .post(
            "/api/v1/connections",
            admin,
            json!({"name": "ZQX-A-web", "kind": "whatsapp_web", "default_queue_id": queue}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let connection = created["id"].as_i64().unwrap();
    let (status, answer) = app.post(&format!("/api/v1/connections/{connection}/connect"), admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    wait_until("the link opens", async || phone.events.lock().unwrap().is_some().then_some(())).await;
    phone.emit(Event::Connected(Connected::builder().build()));
    let id = shared::ConnectionId(connection);
    wait_until("linked", async || app.state.whatsapp_web.connected_link(id).map(|_| ())).await;
    phone.emit(batch(vec![(text(body), info("ZQX-WEB-1", from, "ZQX-A-web-contact", 1_764_000_000))]));
    let ticket = wait_until("the web ticket", async || {
        let (_, page) = app.get("/api/v1/tickets", admin).await;
        page["items"]
            .as_array()
            .and_then(|items| items.iter().find(|t| t["connection_id"] == connection).and_then(|t| t["id"].as_i64()))
    })
    .await;
    let (status, started) =
        app.post(&format!("/api/v1/tickets/{ticket}/sync-history"), admin, json!({"limit": 5})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    ticket
}
