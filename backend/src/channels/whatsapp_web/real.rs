//! The real link: the `whatsapp-rust` crate's client. Its keys live in memory and are mirrored into
//! a snapshot (the device, identities, Signal sessions, pre-keys, sender keys, app-state keys and
//! versions) that the adapter keeps sealed in the database; opening a link replays it, so a restart
//! resumes without pairing. What is not mirrored (caches, sent-message copies for retries, LID
//! mappings) is rebuilt by the crate as it goes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use whatsapp_rust::bot::{Bot, BotHandle};
use whatsapp_rust::bytes::Bytes;
use whatsapp_rust::client::Client;
use whatsapp_rust::download::{Downloadable, MediaType};
use whatsapp_rust::proto_helpers::MessageExt;
use whatsapp_rust::wacore::appstate::hash::HashState;
use whatsapp_rust::wacore::appstate::processor::AppStateMutationMAC;
use whatsapp_rust::wacore::store::InMemoryBackend;
use whatsapp_rust::wacore::store::error::Result;
use whatsapp_rust::wacore::store::traits::*;

use super::{Anchor, Event, Jid, Link, LinkError, MediaKind, Transport, Uploaded, wa};

/// What is kept of a session between runs.
#[derive(Default, Serialize, Deserialize)]
struct Snapshot {
    device: Option<whatsapp_rust::wacore::store::Device>,
    identities: BTreeMap<String, Vec<u8>>,
    sessions: BTreeMap<String, Vec<u8>>,
    prekeys: BTreeMap<u32, (Vec<u8>, bool)>,
    signed_prekeys: BTreeMap<u32, Vec<u8>>,
    sender_keys: BTreeMap<String, Vec<u8>>,
    sync_keys: BTreeMap<String, AppStateSyncKey>,
    versions: BTreeMap<String, HashState>,
}

/// The crate's in-memory store, with every write of lasting keys mirrored into a snapshot.
struct SessionBackend {
    inner: InMemoryBackend,
    snapshot: Mutex<Snapshot>,
    dirty: std::sync::atomic::AtomicBool,
}

impl SessionBackend {
    async fn restore(saved: Option<&[u8]>) -> Self {
        let snapshot: Snapshot = saved.and_then(|bytes| serde_json::from_slice(bytes).ok()).unwrap_or_default();
        let inner = InMemoryBackend::new();
        // Replaying through the store's own writes keeps its invariants.
        for (address, key) in &snapshot.identities {
            if let Ok(key) = <[u8; 32]>::try_from(key.as_slice()) {
                let _ = inner.put_identity(address, key).await;
            }
        }
        for (address, session) in &snapshot.sessions {
            let _ = inner.put_session(address, session).await;
        }
        for (id, (record, uploaded)) in &snapshot.prekeys {
            let _ = inner.store_prekey(*id, record, *uploaded).await;
        }
        for (id, record) in &snapshot.signed_prekeys {
            let _ = inner.store_signed_prekey(*id, record).await;
        }
        for (address, record) in &snapshot.sender_keys {
            let _ = inner.put_sender_key(address, record).await;
        }
        for (id, key) in &snapshot.sync_keys {
            if let Ok(id) = hex::decode(id) {
                let _ = inner.set_sync_key(&id, key.clone()).await;
            }
        }
        for (name, state) in &snapshot.versions {
            let _ = inner.set_version(name, state.clone()).await;
        }
        Self { inner, snapshot: Mutex::new(snapshot), dirty: false.into() }
    }

    fn record<T>(&self, change: impl FnOnce(&mut Snapshot) -> T) {
        change(&mut self.snapshot.lock().unwrap_or_else(|e| e.into_inner()));
        self.dirty.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// The snapshot, when it changed since the last call.
    fn take_changes(&self) -> Option<Vec<u8>> {
        if !self.dirty.swap(false, std::sync::atomic::Ordering::SeqCst) {
            return None;
        }
        serde_json::to_vec(&*self.snapshot.lock().unwrap_or_else(|e| e.into_inner())).ok()
    }
}

#[async_trait]
impl DeviceStore for SessionBackend {
    async fn save(&self, device: &whatsapp_rust::wacore::store::Device) -> Result<()> {
        self.record(|s| s.device = Some(device.clone()));
        Ok(())
    }
    async fn load(&self) -> Result<Option<whatsapp_rust::wacore::store::Device>> {
        Ok(self.snapshot.lock().unwrap_or_else(|e| e.into_inner()).device.clone())
    }
    async fn exists(&self) -> Result<bool> {
        Ok(self.snapshot.lock().unwrap_or_else(|e| e.into_inner()).device.is_some())
    }
    async fn create(&self) -> Result<i32> {
        Ok(1)
    }
}

#[async_trait]
impl SignalStore for SessionBackend {
    async fn put_identity(&self, address: &str, key: [u8; 32]) -> Result<()> {
        self.inner.put_identity(address, key).await?;
        self.record(|s| s.identities.insert(address.to_owned(), key.to_vec()));
        Ok(())
    }
    async fn delete_identity(&self, address: &str) -> Result<()> {
        self.inner.delete_identity(address).await?;
        self.record(|s| s.identities.remove(address));
        Ok(())
    }
    async fn put_session(&self, address: &str, session: &[u8]) -> Result<()> {
        self.inner.put_session(address, session).await?;
        self.record(|s| s.sessions.insert(address.to_owned(), session.to_vec()));
        Ok(())
    }
    async fn delete_session(&self, address: &str) -> Result<()> {
        self.inner.delete_session(address).await?;
        self.record(|s| s.sessions.remove(address));
        Ok(())
    }
    async fn store_prekey(&self, id: u32, record: &[u8], uploaded: bool) -> Result<()> {
        self.inner.store_prekey(id, record, uploaded).await?;
        self.record(|s| s.prekeys.insert(id, (record.to_vec(), uploaded)));
        Ok(())
    }
    async fn mark_prekeys_uploaded(&self, ids: &[u32]) -> Result<()> {
        self.inner.mark_prekeys_uploaded(ids).await?;
        self.record(|s| {
            for id in ids {
                if let Some(entry) = s.prekeys.get_mut(id) {
                    entry.1 = true;
                }
            }
        });
        Ok(())
    }
    async fn remove_prekey(&self, id: u32) -> Result<()> {
        self.inner.remove_prekey(id).await?;
        self.record(|s| s.prekeys.remove(&id));
        Ok(())
    }
    async fn store_signed_prekey(&self, id: u32, record: &[u8]) -> Result<()> {
        self.inner.store_signed_prekey(id, record).await?;
        self.record(|s| s.signed_prekeys.insert(id, record.to_vec()));
        Ok(())
    }
    async fn remove_signed_prekey(&self, id: u32) -> Result<()> {
        self.inner.remove_signed_prekey(id).await?;
        self.record(|s| s.signed_prekeys.remove(&id));
        Ok(())
    }
    async fn put_sender_key(&self, address: &str, record: &[u8]) -> Result<()> {
        self.inner.put_sender_key(address, record).await?;
        self.record(|s| s.sender_keys.insert(address.to_owned(), record.to_vec()));
        Ok(())
    }
    async fn delete_sender_key(&self, address: &str) -> Result<()> {
        self.inner.delete_sender_key(address).await?;
        self.record(|s| s.sender_keys.remove(address));
        Ok(())
    }
    async fn load_identity(&self, address: &str) -> Result<Option<[u8; 32]>> {
        self.inner.load_identity(address).await
    }
    async fn get_session(&self, address: &str) -> Result<Option<Bytes>> {
        self.inner.get_session(address).await
    }
    async fn load_prekey(&self, id: u32) -> Result<Option<Bytes>> {
        self.inner.load_prekey(id).await
    }
    async fn get_max_prekey_id(&self) -> Result<u32> {
        self.inner.get_max_prekey_id().await
    }
    async fn load_signed_prekey(&self, id: u32) -> Result<Option<Vec<u8>>> {
        self.inner.load_signed_prekey(id).await
    }
    async fn load_all_signed_prekeys(&self) -> Result<Vec<(u32, Vec<u8>)>> {
        self.inner.load_all_signed_prekeys().await
    }
    async fn get_sender_key(&self, address: &str) -> Result<Option<Vec<u8>>> {
        self.inner.get_sender_key(address).await
    }
}

#[async_trait]
impl AppSyncStore for SessionBackend {
    async fn set_sync_key(&self, key_id: &[u8], key: AppStateSyncKey) -> Result<()> {
        self.record(|s| s.sync_keys.insert(hex::encode(key_id), key.clone()));
        self.inner.set_sync_key(key_id, key).await
    }
    async fn set_version(&self, name: &str, state: HashState) -> Result<()> {
        self.record(|s| s.versions.insert(name.to_owned(), state.clone()));
        self.inner.set_version(name, state).await
    }
    async fn get_sync_key(&self, key_id: &[u8]) -> Result<Option<AppStateSyncKey>> {
        self.inner.get_sync_key(key_id).await
    }
    async fn get_version(&self, name: &str) -> Result<HashState> {
        self.inner.get_version(name).await
    }
    async fn put_mutation_macs(&self, name: &str, version: u64, mutations: &[AppStateMutationMAC]) -> Result<()> {
        self.inner.put_mutation_macs(name, version, mutations).await
    }
    async fn get_mutation_mac(&self, name: &str, index_mac: &[u8]) -> Result<Option<Vec<u8>>> {
        self.inner.get_mutation_mac(name, index_mac).await
    }
    async fn delete_mutation_macs(&self, name: &str, index_macs: &[Vec<u8>]) -> Result<()> {
        self.inner.delete_mutation_macs(name, index_macs).await
    }
    async fn clear_mutation_macs(&self, name: &str) -> Result<()> {
        self.inner.clear_mutation_macs(name).await
    }
    async fn get_latest_sync_key_id(&self) -> Result<Option<Vec<u8>>> {
        self.inner.get_latest_sync_key_id().await
    }
}

#[async_trait]
impl ProtocolStore for SessionBackend {
    async fn get_sender_key_devices(&self, group_jid: &str) -> Result<Vec<(String, bool)>> {
        self.inner.get_sender_key_devices(group_jid).await
    }
    async fn set_sender_key_status(&self, group_jid: &str, entries: &[(&str, bool)]) -> Result<()> {
        self.inner.set_sender_key_status(group_jid, entries).await
    }
    async fn clear_sender_key_devices(&self, group_jid: &str) -> Result<()> {
        self.inner.clear_sender_key_devices(group_jid).await
    }
    async fn delete_sender_key_device_rows(&self, device_jids: &[&str]) -> Result<()> {
        self.inner.delete_sender_key_device_rows(device_jids).await
    }
    async fn clear_all_sender_key_devices(&self) -> Result<()> {
        self.inner.clear_all_sender_key_devices().await
    }
    async fn get_lid_mapping(&self, lid: &str) -> Result<Option<LidPnMappingEntry>> {
        self.inner.get_lid_mapping(lid).await
    }
    async fn get_pn_mapping(&self, phone: &str) -> Result<Option<LidPnMappingEntry>> {
        self.inner.get_pn_mapping(phone).await
    }
    async fn put_lid_mapping(&self, entry: &LidPnMappingEntry) -> Result<()> {
        self.inner.put_lid_mapping(entry).await
    }
    async fn get_all_lid_mappings(&self) -> Result<Vec<LidPnMappingEntry>> {
        self.inner.get_all_lid_mappings().await
    }
    async fn save_base_key(&self, address: &str, message_id: &str, base_key: &[u8]) -> Result<()> {
        self.inner.save_base_key(address, message_id, base_key).await
    }
    async fn has_same_base_key(&self, address: &str, message_id: &str, current_base_key: &[u8]) -> Result<bool> {
        self.inner.has_same_base_key(address, message_id, current_base_key).await
    }
    async fn delete_base_key(&self, address: &str, message_id: &str) -> Result<()> {
        self.inner.delete_base_key(address, message_id).await
    }
    async fn update_device_list(&self, record: DeviceListRecord) -> Result<()> {
        self.inner.update_device_list(record).await
    }
    async fn get_devices(&self, user: &str) -> Result<Option<DeviceListRecord>> {
        self.inner.get_devices(user).await
    }
    async fn delete_devices(&self, user: &str) -> Result<()> {
        self.inner.delete_devices(user).await
    }
    async fn get_tc_token(&self, jid: &str) -> Result<Option<TcTokenEntry>> {
        self.inner.get_tc_token(jid).await
    }
    async fn put_tc_token(&self, jid: &str, entry: &TcTokenEntry) -> Result<()> {
        self.inner.put_tc_token(jid, entry).await
    }
    async fn delete_tc_token(&self, jid: &str) -> Result<()> {
        self.inner.delete_tc_token(jid).await
    }
    async fn get_all_tc_token_jids(&self) -> Result<Vec<String>> {
        self.inner.get_all_tc_token_jids().await
    }
    async fn delete_expired_tc_tokens(&self, token_cutoff: i64, sender_cutoff: i64) -> Result<u32> {
        self.inner.delete_expired_tc_tokens(token_cutoff, sender_cutoff).await
    }
    async fn store_sent_message(&self, chat_jid: &str, message_id: &str, payload: &[u8]) -> Result<()> {
        self.inner.store_sent_message(chat_jid, message_id, payload).await
    }
    async fn take_sent_message(&self, chat_jid: &str, message_id: &str) -> Result<Option<Vec<u8>>> {
        self.inner.take_sent_message(chat_jid, message_id).await
    }
    async fn delete_expired_sent_messages(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.inner.delete_expired_sent_messages(cutoff_timestamp).await
    }
}

#[async_trait]
impl MsgSecretStore for SessionBackend {
    async fn put_msg_secrets(&self, entries: Vec<MsgSecretEntry>) -> Result<usize> {
        self.inner.put_msg_secrets(entries).await
    }
    async fn get_msg_secret(&self, chat: &str, sender: &str, msg_id: &str) -> Result<Option<Vec<u8>>> {
        self.inner.get_msg_secret(chat, sender, msg_id).await
    }
    async fn delete_expired_msg_secrets(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.inner.delete_expired_msg_secrets(cutoff_timestamp).await
    }
}

/// Opens links with the crate's default WebSocket transport, HTTP client and Tokio runtime.
pub struct CrateTransport;

#[async_trait]
impl Transport for CrateTransport {
    async fn open(
        &self,
        session: Option<Vec<u8>>,
        events: mpsc::UnboundedSender<Event>,
    ) -> std::result::Result<Arc<dyn Link>, LinkError> {
        let backend = Arc::new(SessionBackend::restore(session.as_deref()).await);
        // The sender is dropped when the bot ends, so the supervisor sees the link go.
        let sender = Arc::new(Mutex::new(Some(events)));
        let forward = sender.clone();
        let bot = Bot::builder()
            .with_backend_arc(backend.clone())
            .on_event(move |event, _client| {
                let forward = forward.clone();
                async move {
                    if let Some(events) = forward.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                        let _ = events.send((*event).clone());
                    }
                }
            })
            .build()
            .await
            .map_err(|e| LinkError::Retryable(format!("starting WhatsApp Web: {e}")))?;
        let client = bot.client();
        let handle: BotHandle = bot.spawn();
        tokio::spawn(async move {
            handle.await;
            sender.lock().unwrap_or_else(|e| e.into_inner()).take();
        });
        Ok(Arc::new(CrateLink { client, backend }))
    }
}

struct CrateLink {
    client: Arc<Client>,
    backend: Arc<SessionBackend>,
}

fn failed(error: impl std::fmt::Display) -> LinkError {
    LinkError::Retryable(error.to_string())
}

#[async_trait]
impl Link for CrateLink {
    async fn send(&self, to: &Jid, message: wa::Message) -> std::result::Result<String, LinkError> {
        self.client.send_message(to.clone(), message).await.map(|sent| sent.message_id).map_err(failed)
    }

    async fn upload(&self, bytes: Vec<u8>, kind: MediaKind) -> std::result::Result<Uploaded, LinkError> {
        let media_type = match kind {
            MediaKind::Image => MediaType::Image,
            MediaKind::Audio => MediaType::Audio,
            MediaKind::Video => MediaType::Video,
            MediaKind::Document => MediaType::Document,
            MediaKind::Sticker => MediaType::Sticker,
        };
        let up = self.client.upload(bytes, media_type, Default::default()).await.map_err(failed)?;
        Ok(Uploaded {
            url: up.url,
            direct_path: up.direct_path,
            media_key: up.media_key.to_vec(),
            file_enc_sha256: up.file_enc_sha256.to_vec(),
            file_sha256: up.file_sha256.to_vec(),
            file_length: up.file_length,
            media_key_timestamp: up.media_key_timestamp,
        })
    }

    async fn download(&self, message: &wa::Message) -> std::result::Result<Vec<u8>, LinkError> {
        let message = message.get_base_message();
        let message =
            message.document_with_caption_message.as_option().and_then(|m| m.message.as_option()).unwrap_or(message);
        let file: &dyn Downloadable = if let Some(m) = message.image_message.as_option() {
            m
        } else if let Some(m) = message.video_message.as_option().or(message.ptv_message.as_option()) {
            m
        } else if let Some(m) = message.audio_message.as_option() {
            m
        } else if let Some(m) = message.document_message.as_option() {
            m
        } else if let Some(m) = message.sticker_message.as_option() {
            m
        } else {
            return Err(LinkError::Permanent("the message has no file".into()));
        };
        self.client.download(file).await.map_err(failed)
    }

    async fn mark_read(&self, chat: &Jid, sender: Option<&Jid>, ids: &[String]) -> std::result::Result<(), LinkError> {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.client.mark_as_read(chat, sender, &ids).await.map_err(failed)
    }

    async fn request_history(&self, chat: &Jid, anchor: &Anchor, count: u32) -> std::result::Result<String, LinkError> {
        let count = i32::try_from(count).unwrap_or(i32::MAX);
        self.client
            .fetch_message_history(chat, &anchor.id, anchor.from_me, anchor.timestamp_ms, count)
            .await
            .map_err(failed)
    }

    async fn pair_code(&self, phone_number: &str) -> std::result::Result<String, LinkError> {
        let options =
            whatsapp_rust::pair_code::PairCodeOptions { phone_number: phone_number.to_owned(), ..Default::default() };
        self.client.pair_with_code(options).await.map_err(failed)
    }

    async fn profile_picture(&self, jid: &Jid) -> std::result::Result<Option<String>, LinkError> {
        Ok(self.client.contacts().get_profile_picture(jid, true).await.map_err(failed)?.map(|p| p.url))
    }

    async fn logout(&self) -> std::result::Result<(), LinkError> {
        self.client.logout().await;
        Ok(())
    }

    async fn session(&self) -> Option<Vec<u8>> {
        self.backend.take_changes()
    }

    async fn close(&self) {
        self.client.disconnect().await;
    }
}
