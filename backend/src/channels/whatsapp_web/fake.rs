//! A fake of the crate for browser tests (`ATENDE_WHATSAPP_WEB_FAKE=1`; never in production): opening
//! shows a pairing QR, and asking for a pairing code "links" the phone. Nothing leaves the machine.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;
use whatsapp_rust::types::events::{Connected, PairingQrCode};

use super::{Anchor, Event, Jid, Link, LinkError, MediaKind, Transport, Uploaded, wa};

#[derive(Default)]
pub struct FakeTransport;

#[async_trait]
impl Transport for FakeTransport {
    async fn open(
        &self,
        session: Option<Vec<u8>>,
        events: mpsc::UnboundedSender<Event>,
    ) -> Result<Arc<dyn Link>, LinkError> {
        if session.is_some() {
            let _ = events.send(Event::Connected(Connected::builder().build()));
        } else {
            let code = format!("2@atende-fake-qr,{}", uuid::Uuid::new_v4().simple());
            let qr = PairingQrCode::builder().code(code).timeout(Duration::from_secs(60)).build();
            let _ = events.send(Event::PairingQrCode(qr));
        }
        Ok(Arc::new(FakeLink { events: Mutex::new(Some(events)) }))
    }
}

struct FakeLink {
    events: Mutex<Option<mpsc::UnboundedSender<Event>>>,
}

#[async_trait]
impl Link for FakeLink {
    async fn send(&self, _to: &Jid, _message: wa::Message) -> Result<String, LinkError> {
        Ok(format!("FAKE{}", uuid::Uuid::new_v4().simple()))
    }
    async fn upload(&self, bytes: Vec<u8>, _kind: MediaKind) -> Result<Uploaded, LinkError> {
        Ok(Uploaded { file_length: bytes.len() as u64, ..Default::default() })
    }
    async fn download(&self, _message: &wa::Message) -> Result<Vec<u8>, LinkError> {
        Err(LinkError::Permanent("the fake has no files".into()))
    }
    async fn mark_read(&self, _chat: &Jid, _sender: Option<&Jid>, _ids: &[String]) -> Result<(), LinkError> {
        Ok(())
    }
    async fn request_history(&self, _chat: &Jid, _anchor: &Anchor, _count: u32) -> Result<String, LinkError> {
        Ok(format!("fake-history-{}", uuid::Uuid::new_v4().simple()))
    }
    async fn pair_code(&self, _phone_number: &str) -> Result<String, LinkError> {
        // The "phone" types the code a moment later (the page shows it meanwhile).
        if let Some(events) = self.events.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(2)).await;
                let _ = events.send(Event::Connected(Connected::builder().build()));
            });
        }
        Ok("FAKE-CODE".into())
    }
    async fn profile_picture(&self, _jid: &Jid) -> Result<Option<String>, LinkError> {
        Ok(None)
    }
    async fn logout(&self) -> Result<(), LinkError> {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).take();
        Ok(())
    }
    async fn session(&self) -> Option<Vec<u8>> {
        Some(b"fake".to_vec())
    }
    async fn close(&self) {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}
