//! Files arriving by drag-and-drop onto the conversation or by paste into the composer.

use leptos::prelude::*;

use super::tray::Tray;
use crate::components::icons;
use crate::i18n::use_i18n;
use crate::t;

/// Whether what is dragged holds files (a drag of selected text does not open the overlay).
fn carries_files(data: Option<web_sys::DataTransfer>) -> bool {
    data.is_some_and(|data| data.types().iter().any(|t| t.as_string().as_deref() == Some("Files")))
}

impl Tray {
    /// `dragenter` on the conversation: shows the drop overlay.
    pub fn drag_enter(&self, event: &web_sys::DragEvent) {
        if carries_files(event.data_transfer()) && self.writable() {
            event.prevent_default();
            self.dragging.set(true);
        }
    }

    /// `dragover`: lets the drop happen here (the browser would otherwise open the file).
    pub fn drag_over(&self, event: &web_sys::DragEvent) {
        if carries_files(event.data_transfer()) {
            event.prevent_default();
            if let Some(data) = event.data_transfer() {
                data.set_drop_effect(if self.writable() { "copy" } else { "none" });
            }
        }
    }

    /// `drop`: stages the files.
    pub fn drop_files(&self, event: &web_sys::DragEvent) {
        self.dragging.set(false);
        let Some(data) = event.data_transfer() else { return };
        if data.files().is_some_and(|files| files.length() > 0) {
            event.prevent_default();
            self.add_list(data.files());
        }
    }

    /// `paste` in the composer: files on the clipboard (a screenshot, copied files) are staged;
    /// text pastes as usual.
    pub fn paste(&self, event: &web_sys::ClipboardEvent) {
        let files = event.clipboard_data().and_then(|data| data.files()).filter(|files| files.length() > 0);
        if files.is_some() && self.writable() {
            event.prevent_default();
            self.add_list(files);
        }
    }
}

/// Covers the conversation while files are dragged over it.
#[component]
pub fn DropOverlay(tray: Tray) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || tray.dragging.get()>
            // Its children take no pointer events, so leaving it is leaving the conversation.
            <div class="drop-overlay" data-testid="drop-overlay" on:dragleave=move |_| tray.dragging.set(false)>
                <div class="drop-overlay-box">
                    {icons::paperclip()}
                    <span>{t!(i18n, DropFilesHere)}</span>
                </div>
            </div>
        </Show>
    }
}
