//! Nota: write an internal note, list the ticket's notes with author and time, delete one's own
//! (administrators any). The thread shows the same notes between the messages.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::TicketId;
use shared::tickets::Note;
use shared::validate::MessageText;

use crate::api::{self, ApiError};
use crate::components::form::{FieldError, FormState, Msg, unique_id};
use crate::components::icons;
use crate::components::kit::ErrorAlert;
use crate::i18n::use_i18n;
use crate::state::notes::use_notes;
use crate::state::session::use_session;
use crate::t;
use crate::time;

#[component]
pub fn TicketNotes(id: TicketId) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let Some(notes) = use_notes() else { return ().into_any() };
    let body = RwSignal::new(String::new());
    let form = FormState::new();
    let delete_error = RwSignal::new(None::<ApiError>);
    let field_id = unique_id("note-body");

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let text = match MessageText::parse(&body.get_untracked()) {
            Ok(text) => text,
            Err(invalid) => {
                form.refuse([("body".to_owned(), Msg::Validation(invalid))].into());
                return;
            }
        };
        if !form.begin() {
            return;
        }
        let call = async move { api::notes::create(id, text.as_str()).await };
        form.save(call, move |note: Note| {
            notes.upsert(note);
            body.set(String::new());
        });
    };

    let may_delete = move |note: &Note| session.me().is_some_and(|me| me.id == note.user.id) || session.is_admin();

    let row = move |note: Note| {
        let (note_id, at) = (note.id, note.created_at);
        let deletable = may_delete(&note);
        view! {
            <li class="note-item" data-testid="panel-note" data-note-id=note_id.to_string()>
                <div class="note-item-head">
                    <strong class="note-author" data-testid="panel-note-author">{note.user.name.clone()}</strong>
                    <time class="muted">{move || time::full(&at, i18n.locale())}</time>
                    {deletable.then(|| view! {
                        <button
                            type="button"
                            class="icon-button icon-button-small"
                            aria-label=t!(i18n, DeleteNote)
                            title=t!(i18n, DeleteNote)
                            data-testid="panel-note-delete"
                            on:click=move |_| {
                                delete_error.set(None);
                                spawn_local(async move {
                                    match api::notes::delete(note_id).await {
                                        Ok(()) => notes.remove(note_id),
                                        Err(err) => {
                                            delete_error.try_set(Some(err));
                                        }
                                    }
                                });
                            }
                        >
                            {icons::trash()}
                        </button>
                    })}
                </div>
                <p class="note-item-body" data-testid="panel-note-body">{note.body.clone()}</p>
            </li>
        }
    };

    view! {
        <section class="panel-section" data-testid="panel-notes">
            <h4 class="section-title">{t!(i18n, Notes)}</h4>
            <form class="note-form" novalidate on:submit=submit data-testid="note-form">
                <label class="sr-only" for=field_id.clone()>{t!(i18n, NewNote)}</label>
                <textarea
                    id=field_id
                    rows="3"
                    placeholder=t!(i18n, NotePlaceholder)
                    data-testid="note-body"
                    aria-invalid=move || if form.error("body").with(Option::is_some) { "true" } else { "false" }
                    prop:value=move || body.get()
                    on:input=move |e| body.set(event_target_value(&e))
                ></textarea>
                <FieldError id=unique_id("note-body-error") error=form.error("body") testid="note-body"/>
                <ErrorAlert error=Signal::derive(move || form.banner.get().and_then(|msg| match msg {
                    Msg::Api(err) if err.field_errors().is_empty() => Some(err),
                    _ => None,
                })) testid="note-form-error"/>
                <button type="submit" class="btn btn-small btn-primary" data-testid="note-save" disabled=move || form.busy.get()>
                    {t!(i18n, AddNote)}
                </button>
            </form>
            <ErrorAlert error=Signal::derive(move || notes.error.get().or(delete_error.get())) testid="panel-notes-error"/>
            <ul class="note-list" data-testid="panel-note-list">
                {move || notes.items.get().into_iter().rev().map(row).collect_view()}
            </ul>
            <Show when=move || notes.loaded.get() && notes.items.with(Vec::is_empty)>
                <p class="muted" data-testid="panel-notes-empty">{t!(i18n, NoNotes)}</p>
            </Show>
        </section>
    }
    .into_any()
}
