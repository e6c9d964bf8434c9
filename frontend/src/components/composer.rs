//! The composer: files (staged in the tray of `attachments`, sent with Send), stickers, voice notes,
//! emoji, a video-call link, the signature switch, the text field (Enter sends, Shift+Enter breaks
//! the line), quick replies (`/` and a shortcut, see [`quick_reply_picker`](super::quick_reply_picker))
//! and a reply to a quoted message.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::UpdateMe;
use shared::ids::{MessageId, TicketId};
use shared::quick_replies::QuickReply;
use shared::tickets::{Message, Ticket, TicketStatus};

use super::attachments::{AttachmentTray, Tray};
use super::emoji::EmojiPicker;
use super::icons;
use super::kit::IconButton;
use super::quick_reply_picker::{Picker, QuickReplyList};
use super::sticker_picker::StickerButton;
use super::voice_recorder::VoiceRecorder;
use crate::api::{self, ApiError};
use crate::fill::{self, Variables};
use crate::i18n::{self, Key, Locale, use_i18n};
use crate::state::messages::MessageStore;
use crate::state::session::use_session;
use crate::state::settings::use_settings;
use crate::{t, video_call, zone};

/// What went wrong with a message or a file, in the user's words.
pub(crate) fn send_error(err: &ApiError, locale: Locale) -> String {
    let fields = err.field_errors();
    if !fields.is_empty() {
        return fields.values().map(|invalid| i18n::validation_text(locale, invalid)).collect::<Vec<_>>().join(" ");
    }
    err.user_message(locale)
}

#[component]
pub fn Composer(
    id: TicketId,
    ticket: RwSignal<Option<Ticket>>,
    store: MessageStore,
    reply_to: RwSignal<Option<MessageId>>,
    /// The ticket's protocols (`TicketDetail::protocols`), for `{{protocolo}}` in quick replies.
    #[prop(into)]
    protocols: Signal<Vec<shared::protocols::Protocol>>,
    #[prop(into)] on_sent: Callback<Message>,
    tray: Tray,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let settings = use_settings();
    let text = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let emoji_open = RwSignal::new(false);
    let signature_busy = RwSignal::new(false);
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let file_input = NodeRef::<leptos::html::Input>::new();
    // The quick reply whose file goes out with the next message.
    let quick_file = RwSignal::new(None::<QuickReply>);

    let status = Memo::new(move |_| ticket.with(|t| t.as_ref().map(|t| t.status)));
    let writable = move || status.get() == Some(TicketStatus::Open);
    let signature_on = move || session.me().is_some_and(|me| me.signature_enabled);

    let grow = move || {
        if let Some(area) = textarea.try_get_untracked().flatten() {
            let style = web_sys::HtmlElement::style(&area);
            let _ = style.set_property("height", "auto");
            // scrollHeight leaves out the borders (2 px): without them a scrollbar would show.
            let height = area.scroll_height() + 2;
            let _ = style.set_property("height", &format!("{}px", height.min(180)));
            let _ = style.set_property("overflow-y", if height > 180 { "auto" } else { "hidden" });
        }
    };

    tray.use_text(text);

    let send_text = move || {
        let body = text.get_untracked();
        let quick = quick_file.get_untracked();
        if (body.trim().is_empty() && quick.is_none()) || sending.get_untracked() || !writable() {
            return;
        }
        sending.set(true);
        error.set(None);
        let quoted = reply_to.get_untracked();
        // Cleared at once, so the next message can be typed while this one is on its way; given
        // back if sending fails (unless something new was typed meanwhile).
        text.set(String::new());
        reply_to.set(None);
        quick_file.set(None);
        request_animation_frame(grow);
        spawn_local(async move {
            match api::tickets::send_text(id, body.trim_end(), quoted, quick.as_ref().map(|r| r.id)).await {
                Ok(message) => {
                    on_sent.try_run(message);
                }
                Err(err) => {
                    if text.try_get_untracked().is_some_and(|t| t.is_empty()) {
                        text.try_set(body);
                        reply_to.try_set(quoted);
                        quick_file.try_set(quick);
                        request_animation_frame(grow);
                    }
                    error.try_set(Some(send_error(&err, i18n.locale_untracked())));
                }
            }
            // `Some` back from `try_set`: the composer is gone (the user left the ticket).
            if sending.try_set(false).is_none()
                && let Some(area) = textarea.try_get_untracked().flatten()
            {
                let _ = area.focus();
            }
        });
    };

    // Staged files go first, one message each; then what is typed, if anything.
    let send = move || {
        if tray.is_sending() {
            return;
        }
        if tray.sendable() && writable() {
            tray.send(id, on_sent, send_text);
        } else {
            send_text();
        }
    };

    // Puts `snippet` where the caret is (over the selection), then the caret after it.
    let insert_at_caret = move |snippet: &str| {
        let Some(area) = textarea.try_get_untracked().flatten() else { return };
        let value = area.value();
        // selectionStart counts UTF-16 units.
        let utf16: Vec<u16> = value.encode_utf16().collect();
        let start = area.selection_start().ok().flatten().map_or(utf16.len(), |s| s as usize).min(utf16.len());
        let end = area.selection_end().ok().flatten().map_or(start, |e| e as usize).clamp(start, utf16.len());
        let before = String::from_utf16_lossy(&utf16[..start]);
        let after = String::from_utf16_lossy(&utf16[end..]);
        text.set(format!("{before}{snippet}{after}"));
        let caret = (start + snippet.encode_utf16().count()) as u32;
        request_animation_frame(move || {
            if let Some(area) = textarea.try_get_untracked().flatten() {
                let _ = area.focus();
                let _ = area.set_selection_range(caret, caret);
            }
            grow();
        });
    };

    let insert_emoji = move |emoji: &'static str| {
        insert_at_caret(emoji);
        emoji_open.set(false);
    };

    // A fresh room on the company's video-call server; never a guessable one.
    let insert_video_call = move || {
        let base = untrack(|| settings.general().video_call_base_url);
        if let Some(link) = video_call::new_link(&base) {
            insert_at_caret(&link);
        }
    };

    // A picked quick reply replaces the `/shortcut` typed, with its variables filled; its file, if
    // any, goes with the next message.
    let insert_quick_reply = move |reply: QuickReply| {
        let variables = Variables {
            contact_name: ticket.with_untracked(|t| t.as_ref().map(|t| t.contact.name.clone()).unwrap_or_default()),
            protocol: protocols.with_untracked(|p| fill::latest_protocol(p)),
            agent_name: session.me_untracked().map(|me| me.name).unwrap_or_default(),
            // The contact reads it: always Portuguese, whatever language the agent's screen is in.
            greeting: zone::greeting_now(&untrack(|| settings.time_zone())).text(Locale::Pt).to_owned(),
        };
        let filled = fill::fill(&reply.body, &variables);
        let caret = filled.encode_utf16().count() as u32;
        text.set(filled);
        quick_file.set(reply.file.is_some().then_some(reply));
        request_animation_frame(move || {
            if let Some(area) = textarea.try_get_untracked().flatten() {
                let _ = area.focus();
                let _ = area.set_selection_range(caret, caret);
            }
            grow();
        });
    };
    let picker = Picker::new(text, Callback::new(insert_quick_reply));

    let on_keydown = move |event: web_sys::KeyboardEvent| {
        if picker.on_keydown(&event) {
            return;
        }
        if event.key() == "Enter" && !event.shift_key() && !event.is_composing() {
            event.prevent_default();
            send();
        } else if event.key() == "Escape" && tray.has_files() {
            event.prevent_default();
            tray.cancel();
        }
    };

    let toggle_signature = move |_| {
        if signature_busy.get_untracked() {
            return;
        }
        let enable = !signature_on();
        signature_busy.set(true);
        spawn_local(async move {
            let changes = UpdateMe { signature_enabled: Some(enable), ..UpdateMe::default() };
            match api::me::update(&changes).await {
                Ok(me) => session.set_me(me),
                Err(err) => {
                    error.try_set(Some(err.user_message(i18n.locale_untracked())));
                }
            }
            signature_busy.try_set(false);
        });
    };

    let quoted_preview = move || {
        reply_to.get().map(|quoted| {
            let text = store
                .get(quoted)
                .map(|m| m.with_untracked(|m| m.body.lines().next().unwrap_or("").chars().take(120).collect::<String>()))
                .unwrap_or_default();
            view! {
                <div class="composer-reply" data-testid="composer-reply">
                    <span class="quote-who">{t!(i18n, ReplyingTo)}</span>
                    <span class="quote-text">{text}</span>
                    <button type="button" class="icon-button" aria-label=t!(i18n, Cancel) on:click=move |_| reply_to.set(None)>
                        {icons::close()}
                    </button>
                </div>
            }
        })
    };

    view! {
        <div class="composer" data-testid="composer" on:paste=move |event| tray.paste(&event)>
            {move || match status.get() {
                Some(TicketStatus::Pending) => Some(view! {
                    <p class="composer-note" data-testid="composer-note">{t!(i18n, AcceptToReply)}</p>
                }.into_any()),
                Some(TicketStatus::Closed) => Some(view! {
                    <p class="composer-note" data-testid="composer-note">{t!(i18n, ReopenToReply)}</p>
                }.into_any()),
                _ => None,
            }}
            <Show when=writable>
                {quoted_preview}
                <AttachmentTray tray=tray on_send=move || send()/>
                {move || quick_file.get().and_then(|reply| reply.file).map(|file| view! {
                    <div class="composer-reply" data-testid="composer-quick-file">
                        <span class="quote-who">{t!(i18n, QuickReplyFileAttached)}</span>
                        <span class="quote-text">{file.name}</span>
                        <button type="button" class="icon-button" aria-label=t!(i18n, Cancel) on:click=move |_| quick_file.set(None)>
                            {icons::close()}
                        </button>
                    </div>
                })}
                <QuickReplyList picker=picker/>
                {move || error.get().map(|message| view! {
                    <div class="alert alert-error composer-error" role="alert" data-testid="composer-error">
                        <span>{message}</span>
                        <button type="button" class="icon-button" aria-label=t!(i18n, Close) on:click=move |_| error.set(None)>{icons::close()}</button>
                    </div>
                })}
                <Show when=signature_on>
                    <p class="signature-preview" data-testid="signature-preview">
                        <span class="muted">{t!(i18n, ContactWillSee)}</span>
                        " "
                        <strong>{move || session.me().map(|me| me.name).unwrap_or_default()}</strong>
                        ":"
                    </p>
                </Show>
                <div class="composer-row">
                    <input
                        type="file"
                        multiple=true
                        class="sr-only"
                        tabindex="-1"
                        node_ref=file_input
                        data-testid="composer-file"
                        on:change=move |_| {
                            if let Some(input) = file_input.get_untracked() {
                                tray.add_list(input.files());
                                input.set_value("");
                            }
                        }
                    />
                    <IconButton
                        label=Key::AttachFile
                        testid="composer-attach"
                        on_click=move || {
                            if let Some(input) = file_input.get_untracked() {
                                input.click();
                            }
                        }
                    >
                        {icons::paperclip()}
                    </IconButton>
                    <span class="emoji-anchor">
                        <button
                            type="button"
                            class="icon-button"
                            aria-label=t!(i18n, Emoji)
                            title=t!(i18n, Emoji)
                            aria-expanded=move || emoji_open.get().to_string()
                            data-testid="composer-emoji"
                            on:click=move |_| emoji_open.update(|open| *open = !*open)
                        >
                            {icons::smile()}
                        </button>
                        <Show when=move || emoji_open.get()>
                            <EmojiPicker on_pick=insert_emoji on_close=move || emoji_open.set(false)/>
                        </Show>
                    </span>
                    <StickerButton ticket=id on_sent=on_sent on_error=move |text| error.set(Some(text))/>
                    <IconButton label=Key::VideoCall testid="composer-video-call" on_click=move || insert_video_call()>
                        {icons::video()}
                    </IconButton>
                    <button
                        type="button"
                        class="icon-button signature-toggle"
                        role="switch"
                        aria-checked=move || signature_on().to_string()
                        aria-label=t!(i18n, Signature)
                        title=move || format!("{} — {}", i18n.t(Key::Signature), i18n.t(Key::SignatureHint))
                        data-testid="signature-toggle"
                        disabled=move || signature_busy.get()
                        on:click=toggle_signature
                    >
                        {icons::signature()}
                    </button>
                    <textarea
                        class="composer-input"
                        rows="1"
                        node_ref=textarea
                        placeholder=move || i18n.t(Key::TypeMessage)
                        aria-label=t!(i18n, TypeMessage)
                        data-testid="composer-input"
                        aria-autocomplete="list"
                        aria-controls=move || picker.listbox_id()
                        aria-activedescendant=move || picker.active_descendant()
                        prop:value=move || text.get()
                        on:input=move |event| {
                            text.set(event_target_value(&event));
                            grow();
                        }
                        on:keydown=on_keydown
                    ></textarea>
                    <VoiceRecorder ticket=id error=error on_sent=on_sent/>
                    <button
                        type="button"
                        class="icon-button send-button"
                        aria-label=t!(i18n, Send)
                        title=t!(i18n, Send)
                        data-testid="composer-send"
                        disabled=move || {
                            sending.get()
                                || tray.is_sending()
                                || (text.with(|t| t.trim().is_empty()) && !tray.sendable() && quick_file.with(Option::is_none))
                        }
                        on:click=move |_| send()
                    >
                        {icons::send()}
                    </button>
                </div>
            </Show>
        </div>
    }
}
