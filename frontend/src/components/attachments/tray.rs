//! The tray above the composer's text field: the files staged to send, each with its preview, size,
//! caption and remove button; and [`Tray`], the state behind it, which uploads them in order.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::TicketId;
use shared::tickets::{Message, Ticket, TicketStatus};

use super::model::{Incoming, Preview, Staging, Status, extension, format_size};
use crate::api::ApiError;
use crate::api::upload::{self, Upload};
use crate::components::composer::send_error;
use crate::components::icons;
use crate::i18n::{I18n, Key, use_i18n};
use crate::state::settings::{CompanySettings, use_settings};
use crate::t;

/// The staged files of one conversation. Made by the conversation (files may be dropped anywhere
/// on it) and handed to its composer.
#[derive(Clone, Copy)]
pub struct Tray {
    staging: RwSignal<Staging>,
    /// The browser's files, by entry key (they are not `Send`, so not in the signal).
    files: StoredValue<Vec<(u64, web_sys::File)>, LocalStorage>,
    /// The upload in flight and the entry it belongs to.
    current: StoredValue<Option<(u64, Upload)>, LocalStorage>,
    sending: RwSignal<bool>,
    /// Asked to stop after the upload in flight.
    stop: StoredValue<bool>,
    pub(super) dragging: RwSignal<bool>,
    writable: Memo<bool>,
    /// The composer's text field: what was typed becomes the first file's caption.
    text: StoredValue<Option<RwSignal<String>>>,
    settings: CompanySettings,
    i18n: I18n,
}

impl Tray {
    pub fn new(ticket: RwSignal<Option<Ticket>>) -> Self {
        let tray = Self {
            staging: RwSignal::new(Staging::default()),
            files: StoredValue::new_local(Vec::new()),
            current: StoredValue::new_local(None),
            sending: RwSignal::new(false),
            stop: StoredValue::new(false),
            dragging: RwSignal::new(false),
            writable: Memo::new(move |_| ticket.with(|t| t.as_ref().map(|t| t.status)) == Some(TicketStatus::Open)),
            text: StoredValue::new(None),
            settings: use_settings(),
            i18n: use_i18n(),
        };
        // Leaving the conversation frees the previews (the upload in flight, if any, completes).
        on_cleanup(move || {
            if let Some(entries) = tray.staging.try_update_untracked(Staging::clear) {
                entries.into_iter().for_each(|e| revoke(e.url));
            }
        });
        tray
    }

    /// Lends the composer's text field, whose content becomes the first file's caption.
    pub fn use_text(&self, text: RwSignal<String>) {
        self.text.set_value(Some(text));
    }

    /// Whether files may be staged now (the ticket is open).
    pub fn writable(&self) -> bool {
        self.writable.get_untracked()
    }

    /// How many files are in the tray (tracked).
    pub fn count(&self) -> usize {
        self.staging.with(|s| s.keys().len())
    }

    /// Anything in the tray (tracked).
    pub fn has_files(&self) -> bool {
        self.staging.with(|s| !s.is_empty())
    }

    /// Something Send would upload (tracked).
    pub fn sendable(&self) -> bool {
        self.staging.with(Staging::sendable)
    }

    pub fn is_sending(&self) -> bool {
        self.sending.get()
    }

    /// Stages the files of an `<input type=file>`, a paste or a drop.
    pub fn add_list(&self, list: Option<web_sys::FileList>) {
        let Some(list) = list else { return };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        self.add(files);
    }

    pub fn add(&self, files: Vec<web_sys::File>) {
        if files.is_empty() || !self.writable() {
            return;
        }
        let limit_mb = untrack(|| self.settings.general().max_upload_mb);
        let text = self.text.get_value();
        let typed = text.map(|t| t.get_untracked()).unwrap_or_default();
        let incoming = files
            .iter()
            .map(|f| Incoming { name: f.name(), size: f.size().max(0.0) as u64, mime: f.type_() })
            .collect();
        let added = self.staging.try_update(|s| s.add(incoming, limit_mb, &typed));
        let Some(added) = added else { return };
        self.files.update_value(|stored| {
            for ((key, preview), file) in added.keys.iter().zip(files) {
                if *preview && let Ok(url) = web_sys::Url::create_object_url_with_blob(&file) {
                    self.staging.update(|s| s.set_url(*key, url));
                }
                stored.push((*key, file));
            }
        });
        if added.took_text
            && let Some(text) = text
        {
            text.set(String::new());
        }
    }

    /// Takes a file out; if it is being uploaded, the upload is cancelled (the next one goes on).
    pub fn remove(&self, key: u64) {
        if let Some(entry) = self.staging.try_update(|s| s.remove(key)).flatten() {
            revoke(entry.url);
        }
        self.files.update_value(|files| files.retain(|(k, _)| *k != key));
        self.current.with_value(|current| {
            if let Some((k, upload)) = current
                && *k == key
            {
                upload.abort();
            }
        });
    }

    /// Esc or Cancel: while sending, stops after cancelling the upload in flight (what is left
    /// stays in the tray); otherwise empties the tray.
    pub fn cancel(&self) {
        if self.sending.get_untracked() {
            self.stop.set_value(true);
            self.current.with_value(|current| {
                if let Some((_, upload)) = current {
                    upload.abort();
                }
            });
            return;
        }
        for entry in self.staging.try_update(Staging::clear).unwrap_or_default() {
            revoke(entry.url);
        }
        self.files.set_value(Vec::new());
    }

    pub(super) fn set_caption(&self, key: u64, caption: String) {
        self.staging.update(|s| s.set_caption(key, caption));
    }

    /// Uploads the files that may go, one message each, in tray order: each waits for the answer
    /// to the one before, so the thread and the contact get them in that order. A file the server
    /// refuses keeps its error in the tray and the others still go. `then` runs at the end.
    pub fn send(&self, ticket: TicketId, on_sent: Callback<Message>, then: impl FnOnce() + 'static) {
        if self.sending.get_untracked() {
            return;
        }
        self.sending.set(true);
        self.stop.set_value(false);
        let tray = *self;
        spawn_local(async move {
            let mut tried = Vec::new();
            while let Some(key) = tray.staging.try_with_untracked(|s| s.next_to_send(&tried)).flatten() {
                tried.push(key);
                let file = tray.files.with_value(|files| files.iter().find(|(k, _)| *k == key).map(|(_, f)| f.clone()));
                let caption = tray.staging.with_untracked(|s| s.get(key).map(|e| e.caption.clone()));
                let (Some(file), Some(caption)) = (file, caption) else { continue };
                tray.staging.update(|s| s.set_status(key, Status::Uploading(0.0)));
                let result = upload::send_file(
                    ticket,
                    file,
                    Some(caption),
                    move |handle| tray.current.set_value(Some((key, handle))),
                    move |fraction| {
                        tray.staging.try_update(|s| s.set_status(key, Status::Uploading(fraction)));
                    },
                )
                .await;
                if tray.current.try_set_value(None).is_some() {
                    // The conversation is gone: what was not sent stays unsent.
                    return;
                }
                match result {
                    Ok(message) => {
                        tray.remove(key);
                        on_sent.try_run(message);
                    }
                    // Removed (so gone from the tray already) or stopped: back to waiting.
                    Err(ApiError::Aborted) => tray.staging.update(|s| s.set_status(key, Status::Ready)),
                    Err(err) => {
                        let retry = matches!(err, ApiError::Network) || err_status(&err) >= 500;
                        let message = send_error(&err, tray.i18n.locale_untracked());
                        tray.staging.update(|s| s.set_status(key, Status::Failed { message, retry }));
                    }
                }
                if tray.stop.get_value() {
                    break;
                }
            }
            tray.sending.set(false);
            if !tray.stop.get_value() {
                then();
            }
        });
    }
}

fn err_status(err: &ApiError) -> u16 {
    match err {
        ApiError::Api { status, .. } => *status,
        _ => 0,
    }
}

fn revoke(url: Option<String>) {
    if let Some(url) = url {
        let _ = web_sys::Url::revoke_object_url(&url);
    }
}

/// The staged files, shown above the text field while there are any.
#[component]
pub fn AttachmentTray(tray: Tray, #[prop(into)] on_send: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let keys = move || tray.staging.with(Staging::keys);
    view! {
        <Show when=move || tray.has_files()>
            <div class="attachments" role="group" aria-label=t!(i18n, FilesToSend) data-testid="attachment-tray">
                <ul class="attachment-list">
                    <For each=keys key=|key| *key let:key>
                        <AttachmentItem tray=tray key=key on_send=on_send/>
                    </For>
                </ul>
                <div class="attachments-actions">
                    <button type="button" class="btn btn-small" data-testid="attachments-cancel" on:click=move |_| tray.cancel()>
                        {move || if tray.is_sending() { i18n.t(Key::StopSending) } else { i18n.t(Key::Cancel) }}
                    </button>
                </div>
            </div>
        </Show>
    }
}

#[component]
fn AttachmentItem(tray: Tray, key: u64, on_send: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(entry) = tray.staging.with_untracked(|s| s.get(key).cloned()) else { return ().into_any() };
    let status = Memo::new(move |_| tray.staging.with(|s| s.get(key).map(|e| e.status.clone())));
    let caption = move || tray.staging.with(|s| s.get(key).map(|e| e.caption.clone()).unwrap_or_default());
    let state = move || match status.get() {
        Some(Status::Ready) => "ready",
        Some(Status::Refused(_)) => "refused",
        Some(Status::Uploading(_)) => "uploading",
        Some(Status::Failed { .. }) => "failed",
        None => "",
    };
    let error = move || match status.get() {
        Some(Status::Refused(refusal)) => Some(refusal.text(i18n.locale())),
        Some(Status::Failed { message, .. }) => Some(message),
        _ => None,
    };
    let progress = move || match status.get() {
        Some(Status::Uploading(fraction)) => Some((fraction * 100.0).round() as u32),
        _ => None,
    };
    let can_caption = move || matches!(status.get(), Some(Status::Ready | Status::Failed { .. }));
    let name = entry.name.clone();
    let size = entry.size;
    let caption_label = {
        let name = name.clone();
        Signal::derive(move || format!("{} — {}", i18n.t(Key::Caption), name))
    };
    view! {
        <li class="attachment" data-testid="attachment-item" data-status=state>
            <Thumbnail preview=entry.preview url=entry.url.clone() name=entry.name.clone()/>
            <div class="attachment-body">
                <div class="attachment-head">
                    <span class="attachment-name" title=name.clone() data-testid="attachment-name">{name.clone()}</span>
                    <span class="attachment-size" data-testid="attachment-size">{move || format_size(size, i18n.locale())}</span>
                </div>
                <Show when=can_caption>
                    <input
                        type="text"
                        class="attachment-caption"
                        maxlength="4096"
                        placeholder=move || i18n.t(Key::AddCaption)
                        aria-label=caption_label
                        data-testid="attachment-caption"
                        prop:value=caption
                        on:input=move |event| tray.set_caption(key, event_target_value(&event))
                        on:keydown=move |event: web_sys::KeyboardEvent| match event.key().as_str() {
                            "Enter" if !event.is_composing() => {
                                event.prevent_default();
                                on_send.run(());
                            }
                            "Escape" => {
                                event.prevent_default();
                                tray.cancel();
                            }
                            _ => {}
                        }
                    />
                </Show>
                {move || progress().map(|percent| view! {
                    <div class="attachment-progress">
                        <progress max="100" value=percent.to_string() aria-label=t!(i18n, Uploading) data-testid="upload-progress"></progress>
                        <span class="attachment-percent">{format!("{percent}%")}</span>
                    </div>
                })}
                {move || error().map(|message| view! {
                    <p class="attachment-error" role="alert" data-testid="attachment-error">{message}</p>
                })}
            </div>
            <button
                type="button"
                class="icon-button attachment-remove"
                aria-label=move || format!("{} — {}", i18n.t(Key::RemoveFile), entry.name)
                title=t!(i18n, RemoveFile)
                data-testid="attachment-remove"
                on:click=move |_| tray.remove(key)
            >
                {icons::close()}
            </button>
        </li>
    }
    .into_any()
}

/// An image's thumbnail, a video's first frame, or an icon.
#[component]
fn Thumbnail(preview: Preview, url: Option<String>, name: String) -> impl IntoView {
    // A video the browser cannot decode shows the icon instead of a black box.
    let broken = RwSignal::new(false);
    move || {
        match (preview, url.clone(), broken.get()) {
        (Preview::Image, Some(url), false) => view! {
            <img class="attachment-thumb" src=url alt=name.clone() data-testid="attachment-preview-image" on:error=move |_| broken.set(true)/>
        }
        .into_any(),
        (Preview::Video, Some(url), false) => view! {
            // The fragment asks for the frame at 0.1 s, so the first picture shows without playing.
            <video
                class="attachment-thumb"
                src=format!("{url}#t=0.1")
                preload="metadata"
                muted=true
                playsinline=true
                aria-label=name.clone()
                data-testid="attachment-preview-video"
                on:error=move |_| broken.set(true)
            ></video>
        }
        .into_any(),
        _ => {
            // A note for audio, a page for anything else, with the extension under it.
            let shape = if preview == Preview::Audio {
                "M9 18V5l12-2v13M9 18a3 3 0 1 1-6 0 3 3 0 0 1 6 0zM21 16a3 3 0 1 1-6 0 3 3 0 0 1 6 0z"
            } else {
                "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6"
            };
            view! {
                <span class="attachment-thumb attachment-icon" aria-hidden="true" data-testid="attachment-preview-file">
                    <svg class="icon" viewBox="0 0 24 24" focusable="false">
                        <path d=shape fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>
                    </svg>
                    <span class="attachment-ext">{extension(&name)}</span>
                </span>
            }
            .into_any()
        }
    }
    }
}
