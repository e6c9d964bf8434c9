//! Screen 1, the left column: Conversas Privadas / de Grupos, Pesquisa, Filtros Avançados,
//! Contatos, the three tabs with their counters, the live list and Carregar mais Conversas.

mod filters;
mod pane;
mod row;

use shared::tickets::TicketStatus;

pub use self::pane::TicketListPane;
use crate::i18n::Key;

/// A status's name (the tab, the conversation's status pill).
pub fn tab_key(status: TicketStatus) -> Key {
    match status {
        TicketStatus::Open => Key::StatusOpen,
        TicketStatus::Pending => Key::StatusPending,
        TicketStatus::Closed => Key::StatusClosed,
    }
}
