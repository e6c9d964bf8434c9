//! A conversation's internal notes, shared by the panel's Nota section and the thread (which shows
//! them between the messages, by time). Provided as context by the conversation.

use leptos::prelude::*;
use shared::ids::{NoteId, TicketId};
use shared::tickets::Note;

use crate::api::{self, ApiError};

#[derive(Clone, Copy)]
pub struct NoteStore {
    ticket: TicketId,
    /// Oldest first.
    pub items: RwSignal<Vec<Note>>,
    pub loaded: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
}

/// `notes` with `note` added or replaced, oldest first (by time, then id).
pub fn upserted(mut notes: Vec<Note>, note: Note) -> Vec<Note> {
    notes.retain(|n| n.id != note.id);
    let at = notes.partition_point(|n| (n.created_at, n.id) < (note.created_at, note.id));
    notes.insert(at, note);
    notes
}

impl NoteStore {
    pub fn new(ticket: TicketId) -> Self {
        Self { ticket, items: RwSignal::new(Vec::new()), loaded: RwSignal::new(false), error: RwSignal::new(None) }
    }

    /// The newest notes (first load, or after a reconnection).
    pub async fn load(&self) {
        match api::notes::list(self.ticket).await {
            Ok(mut notes) => {
                notes.reverse();
                self.items.try_set(notes);
                self.loaded.try_set(true);
                self.error.try_set(None);
            }
            Err(err) => {
                self.error.try_set(Some(err));
            }
        }
    }

    /// A note written here or arriving live (only this ticket's are kept).
    pub fn upsert(&self, note: Note) {
        if note.ticket_id == self.ticket {
            self.items.update(|notes| *notes = upserted(std::mem::take(notes), note));
        }
    }

    pub fn remove(&self, id: NoteId) {
        self.items.update(|notes| notes.retain(|n| n.id != id));
    }
}

/// The conversation's notes, when inside one.
pub fn use_notes() -> Option<NoteStore> {
    use_context::<NoteStore>()
}

#[cfg(test)]
mod tests {
    use shared::ids::UserId;
    use shared::tickets::UserRef;

    use super::*;

    fn note(id: i64, minute: i64) -> Note {
        Note {
            id: NoteId(id),
            ticket_id: TicketId(1),
            body: format!("nota {id}"),
            user: UserRef { id: UserId(1), name: "Ana".into() },
            created_at: chrono::DateTime::from_timestamp(1_700_000_000 + minute * 60, 0).unwrap_or_default(),
        }
    }

    #[test]
    fn notes_stay_in_time_order_once_each() {
        let notes = upserted(upserted(upserted(Vec::new(), note(2, 5)), note(1, 1)), note(3, 9));
        assert_eq!(notes.iter().map(|n| n.id.0).collect::<Vec<_>>(), [1, 2, 3]);
        let again = upserted(notes, note(2, 5));
        assert_eq!(again.iter().map(|n| n.id.0).collect::<Vec<_>>(), [1, 2, 3]);
    }
}
