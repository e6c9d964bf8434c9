//! Create or edit a quick reply (administrators): shortcut, text, who sees it (the whole company
//! or one queue) and an optional file, uploaded after the text is saved.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::ids::QueueId;
use shared::org::Queue;
use shared::quick_replies::{NewQuickReply, QuickReply, UpdateQuickReply};
use shared::validate::{MessageText, Shortcut};

use super::form::{FieldError, FormActions, FormState, TextInput, check, unique_id};
use super::modal::Modal;
use crate::api::quick_replies::{self, QUICK_REPLIES};
use crate::i18n::{Key, use_i18n};
use crate::t;

#[component]
pub fn QuickReplyForm(
    /// `None` to create one.
    quick_reply: Option<QuickReply>,
    /// The company's queues, for "who sees it".
    queues: RwSignal<Vec<Queue>>,
    /// Called with the saved reply and whether it was created.
    #[prop(into)]
    on_saved: Callback<(QuickReply, bool)>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let creating = quick_reply.is_none();
    let shortcut = RwSignal::new(quick_reply.as_ref().map(|r| format!("/{}", r.shortcut)).unwrap_or_default());
    let body = RwSignal::new(quick_reply.as_ref().map(|r| r.body.clone()).unwrap_or_default());
    let scope = RwSignal::new(quick_reply.as_ref().and_then(|r| r.queue_id).map(|q| q.to_string()).unwrap_or_default());
    let current_file = RwSignal::new(quick_reply.as_ref().and_then(|r| r.file.as_ref()).map(|f| f.name.clone()));
    // The reply as the server last answered: after a create whose upload failed, saving again
    // updates it instead of creating a second one.
    let saved = StoredValue::new(quick_reply);
    // Whether this dialog created the reply, and whether it wrote anything (then closing it
    // reports the reply, so the table shows it).
    let created_here = StoredValue::new(false);
    let wrote = StoredValue::new(false);
    let chosen = StoredValue::new_local(None::<web_sys::File>);
    let chosen_name = RwSignal::new(None::<String>);
    let remove_file = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let form = FormState::new();
    let (body_id, scope_id, file_id) =
        (unique_id("quick-reply-body"), unique_id("quick-reply-queue"), unique_id("quick-reply-file"));
    let body_hint = format!("{body_id}-hint");

    let close = move || match (wrote.get_value(), saved.get_value()) {
        (true, Some(row)) => on_saved.run((row, created_here.get_value())),
        _ => on_close.run(()),
    };

    let on_file = move |_| {
        let file = file_input.get_untracked().and_then(|input| input.files()).and_then(|files| files.get(0));
        chosen_name.set(file.as_ref().map(web_sys::File::name));
        chosen.set_value(file);
        remove_file.set(false);
    };

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut errors = BTreeMap::new();
        let valid_shortcut = check(&mut errors, "shortcut", Shortcut::parse(&shortcut.get_untracked()));
        let valid_body = check(&mut errors, "body", MessageText::parse(&body.get_untracked()));
        if form.refuse(errors) {
            return;
        }
        let (Some(valid_shortcut), Some(valid_body)) = (valid_shortcut, valid_body) else { return };
        let queue_id = scope.get_untracked().parse().ok().map(QueueId);
        if !form.begin() {
            return;
        }
        let file = chosen.get_value();
        let drop_file = remove_file.get_untracked();
        let call = async move {
            let row = match saved.get_value() {
                None => {
                    let new = NewQuickReply {
                        shortcut: valid_shortcut.into_inner(),
                        body: valid_body.into_inner(),
                        queue_id,
                    };
                    let row = QUICK_REPLIES.create(&new).await?;
                    created_here.set_value(true);
                    row
                }
                Some(before) => {
                    let changes = UpdateQuickReply {
                        shortcut: (valid_shortcut.as_str() != before.shortcut).then(|| valid_shortcut.into_inner()),
                        body: (valid_body.as_str() != before.body).then(|| valid_body.into_inner()),
                        queue_id: (queue_id != before.queue_id).then_some(queue_id),
                    };
                    QUICK_REPLIES.update(before.id, &changes).await?
                }
            };
            saved.set_value(Some(row.clone()));
            wrote.set_value(true);
            let row = match file {
                Some(file) => quick_replies::upload_file(row.id, &file).await?,
                None if drop_file && row.file.is_some() => quick_replies::remove_file(row.id).await?,
                None => row,
            };
            saved.set_value(Some(row.clone()));
            Ok((row, created_here.get_value()))
        };
        form.save(call, move |saved| on_saved.run(saved));
    };

    let title =
        Signal::derive(move || i18n.t(if creating { Key::NewQuickReply } else { Key::EditQuickReply }).to_owned());
    let body_error = form.error("body");
    view! {
        <Modal title=title on_close=move || close() testid="quick-reply-dialog">
            <form class="form" novalidate on:submit=submit data-testid="quick-reply-form">
                <TextInput label=Key::Shortcut value=shortcut error=form.error("shortcut") testid="quick-reply-shortcut"
                    hint=Key::ShortcutHint required=true/>
                <div class="field" class:has-error=move || body_error.with(Option::is_some)>
                    <label for=body_id.clone()>{t!(i18n, QuickReplyText)}</label>
                    <textarea
                        id=body_id
                        rows="5"
                        required
                        aria-describedby=body_hint.clone()
                        data-testid="quick-reply-body"
                        bind:value=body
                    ></textarea>
                    <p class="field-hint" id=body_hint>{t!(i18n, QuickReplyTextHint)}</p>
                    <FieldError id=unique_id("quick-reply-body-error") error=body_error testid="quick-reply-body"/>
                </div>
                <div class="field">
                    <label for=scope_id.clone()>{t!(i18n, QuickReplyScope)}</label>
                    // `selected` on each option: the queues may arrive after the dialog opened.
                    <select id=scope_id data-testid="quick-reply-queue" on:change=move |event| scope.set(event_target_value(&event))>
                        <option value="" selected=move || scope.with(String::is_empty)>{t!(i18n, AllQueues)}</option>
                        {move || {
                            queues
                                .get()
                                .into_iter()
                                .map(|queue| {
                                    let value = queue.id.to_string();
                                    let mine = value.clone();
                                    view! {
                                        <option value=value selected=move || scope.with(|s| *s == mine)>{queue.name}</option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                    <FieldError id=unique_id("quick-reply-queue-error") error=form.error("queue_id") testid="quick-reply-queue"/>
                </div>
                <div class="field">
                    <label for=file_id.clone()>{t!(i18n, File)}</label>
                    {move || {
                        let kept = current_file.get().filter(|_| chosen_name.with(Option::is_none));
                        kept.map(|name| {
                            view! {
                                <div class="quick-reply-current-file">
                                    <span data-testid="quick-reply-current-file" class:struck=move || remove_file.get()>{name}</span>
                                    <button
                                        type="button"
                                        class="btn btn-small btn-danger-ghost"
                                        data-testid="quick-reply-remove-file"
                                        aria-pressed=move || remove_file.get().to_string()
                                        on:click=move |_| remove_file.update(|remove| *remove = !*remove)
                                    >
                                        {t!(i18n, RemoveFile)}
                                    </button>
                                </div>
                            }
                        })
                    }}
                    <input id=file_id type="file" node_ref=file_input data-testid="quick-reply-file" on:change=on_file/>
                    <p class="field-hint">
                        {move || if remove_file.get() { i18n.t(Key::FileWillBeRemoved) } else { i18n.t(Key::QuickReplyFileHint) }}
                    </p>
                    <FieldError id=unique_id("quick-reply-file-error") error=form.error("file") testid="quick-reply-file"/>
                </div>
                <FormActions form=form on_cancel=move || close() banner_testid="quick-reply-form-error" save_testid="quick-reply-save"/>
            </form>
        </Modal>
    }
}
