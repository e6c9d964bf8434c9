//! An internal note in the thread: a yellow card, visibly not a message (the contact never sees it).

use leptos::prelude::*;
use shared::ids::NoteId;

use crate::i18n::use_i18n;
use crate::state::notes::use_notes;
use crate::t;
use crate::time;

#[component]
pub fn NoteCard(id: NoteId) -> impl IntoView {
    let i18n = use_i18n();
    let note = use_notes().and_then(|notes| notes.items.with_untracked(|all| all.iter().find(|n| n.id == id).cloned()));
    note.map(|note| {
        let at = note.created_at;
        view! {
            <div class="note-card" data-testid="thread-note" data-note-id=id.to_string()>
                <div class="note-card-head">
                    <span class="note-card-label">{t!(i18n, InternalNote)}</span>
                    <span class="note-card-author">{note.user.name.clone()}</span>
                    <time class="muted">{time::clock(&at)}</time>
                </div>
                <p class="note-card-body" data-testid="thread-note-body">{note.body.clone()}</p>
            </div>
        }
    })
}
