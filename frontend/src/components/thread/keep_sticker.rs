//! "Salvar na biblioteca de figurinhas" beside a customer's sticker (administrators): a copy of it
//! joins the company's library.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::MessageId;

use crate::api::stickers;
use crate::components::icons;
use crate::components::kit::IconButton;
use crate::components::toast::use_toasts;
use crate::i18n::{self, Key, use_i18n};
use crate::state::session::use_session;

#[component]
pub fn KeepSticker(id: MessageId) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let keep = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match stickers::keep(id).await {
                Ok(_) => toasts.push(Key::StickerSaved),
                Err(err) => {
                    // The server says why (not 512×512, too large…): worded in the reader's language.
                    let locale = i18n.locale_untracked();
                    let fields = err.field_errors();
                    let text = match fields.values().next() {
                        Some(invalid) => i18n::validation_text(locale, invalid),
                        None => err.user_message(locale),
                    };
                    error.try_set(Some(text));
                }
            }
            busy.try_set(false);
        });
    };
    move || {
        session.is_admin().then(|| {
            view! {
                <IconButton
                    label=Key::SaveSticker
                    testid="message-keep-sticker"
                    class="msg-reply msg-keep"
                    disabled=Signal::derive(move || busy.get())
                    on_click=keep
                >
                    {icons::sticker()}
                </IconButton>
                {move || error.get().map(|text| view! {
                    <span class="msg-keep-error" role="alert" data-testid="message-keep-error">{text}</span>
                })}
            }
        })
    }
}
