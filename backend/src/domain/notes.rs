//! Notes (Nota): internal remarks on a ticket, seen by whoever may see the ticket and never sent
//! to the contact. Authors delete their own, administrators any.

use std::collections::HashMap;

use serde_json::json;
use shared::events::{Event, NoteDeleted};
use shared::tickets::{NewNote, Note, TicketLogKind, UserRef};
use shared::validate::MessageText;
use shared::{NoteId, Page, TicketId, UserId};

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::page::PageRequest;
use crate::domain::tickets::{audience, company_of, find_visible, id_of};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::notes;

/// The note, with its author's current name (the name it was written under once they are gone).
fn to_dto(note: notes::Model, current_name: Option<&str>) -> Note {
    Note {
        id: NoteId(note.id),
        ticket_id: TicketId(note.ticket_id),
        user: UserRef { id: UserId(note.user_id), name: current_name.map_or(note.user_name, str::to_owned) },
        body: note.body,
        created_at: note.created_at,
    }
}

/// A ticket's notes, newest first.
pub async fn list(state: &AppState, caller: &CurrentUser, id: TicketId, page: PageRequest) -> AppResult<Page<Note>> {
    let ticket = find_visible(&state.db, caller, id).await?;
    let rows = store::notes::page(&state.db, id_of(&ticket), page.after_id, page.limit).await?;
    let author_ids: Vec<UserId> = rows.iter().map(|n| UserId(n.user_id)).collect();
    let names: HashMap<i64, String> = store::users::by_ids(&state.db, company_of(&ticket), &author_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(page.finish(
        rows,
        |n| n.id,
        |n| {
            let name = names.get(&n.user_id).cloned();
            to_dto(n, name.as_deref())
        },
    ))
}

/// Writes a note (and a `note_added` log row); everyone viewing the ticket gets `note.created`.
pub async fn create(state: &AppState, caller: &CurrentUser, id: TicketId, new: NewNote) -> AppResult<Note> {
    let body = MessageText::parse(&new.body).map_err(|problem| FieldErrors::one("body", problem))?;
    let ticket = find_visible(&state.db, caller, id).await?;
    let author = store::users::get(&state.db, caller.id).await?.map(|u| u.name).unwrap_or_default();
    let txn = state.begin().await?;
    let note =
        store::notes::insert(&txn, company_of(&ticket), id_of(&ticket), caller.id, &author, body.as_str()).await?;
    let details = json!({"note_id": note.id});
    store::ticket_logs::insert(
        &txn,
        company_of(&ticket),
        id_of(&ticket),
        Some(caller.id),
        TicketLogKind::NoteAdded,
        &details,
    )
    .await?;
    let dto = to_dto(note, None);
    let mut outbox = Outbox::new();
    outbox.add(&txn, company_of(&ticket), audience(&ticket), Event::NoteCreated(dto.clone())).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

/// Deletes a note: its author, or an administrator (others: 403). A note of a ticket the caller
/// may not see does not exist for them (404).
pub async fn delete(state: &AppState, caller: &CurrentUser, id: NoteId) -> AppResult<()> {
    let note =
        store::notes::get_in_company(&state.db, caller.company_id, id).await?.ok_or(AppError::NotFound("note"))?;
    let ticket = match find_visible(&state.db, caller, TicketId(note.ticket_id)).await {
        Err(AppError::NotFound(_)) => return Err(AppError::NotFound("note")),
        found => found?,
    };
    if note.user_id != caller.id.0 && !caller.is_admin() {
        return Err(AppError::Forbidden("only the note's author or an administrator may delete it"));
    }
    let txn = state.begin().await?;
    store::notes::delete(&txn, id).await?;
    let mut outbox = Outbox::new();
    let gone = Event::NoteDeleted(NoteDeleted { id, ticket_id: id_of(&ticket) });
    outbox.add(&txn, company_of(&ticket), audience(&ticket), gone).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(())
}
