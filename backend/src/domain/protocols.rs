//! Protocol numbers (Protocolo): `YYYYMMDD-NNNNNN`, the company's local date and that day's
//! sequence, unique per company; optionally sent to the contact from the settings' template.

use chrono::Utc;
use chrono_tz::Tz;
use serde_json::json;
use shared::protocols::{NewProtocol, Protocol, protocol_message};
use shared::tickets::{TicketLogKind, TicketStatus};
use shared::{ContactId, ErrorCode, ProtocolId, TicketId};

use crate::auth::CurrentUser;
use crate::domain::auth::viewer_of;
use crate::domain::events::Outbox;
use crate::domain::tickets::{company_of, find_visible, id_of, status_of};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;
use crate::store::entities::protocols;

pub fn to_dto(row: protocols::Model) -> Protocol {
    Protocol {
        id: ProtocolId(row.id),
        number: row.number,
        ticket_id: TicketId(row.ticket_id),
        created_at: row.created_at,
    }
}

/// The number for the `seq`-th protocol of `day` (`YYYYMMDD`): six digits at least, so numbers of
/// one day sort and read alike.
pub fn number_for(day: &str, seq: i64) -> String {
    format!("{day}-{seq:06}")
}

/// A ticket's protocols, oldest first (the caller has checked it may see the ticket).
pub async fn of_ticket(db: &impl sea_orm::ConnectionTrait, ticket: TicketId) -> AppResult<Vec<Protocol>> {
    Ok(store::protocols::of_ticket(db, ticket).await?.into_iter().map(to_dto).collect())
}

/// A contact's protocols, newest first; agents get those of the tickets they may see.
pub async fn of_contact(state: &AppState, caller: &CurrentUser, id: ContactId) -> AppResult<Vec<Protocol>> {
    let contact = crate::domain::contacts::find(state, caller, id).await?;
    let rows = store::protocols::of_contact(&state.db, caller.company_id, ContactId(contact.id)).await?;
    let viewer = viewer_of(&state.db, caller).await?;
    let mut ticket_ids: Vec<TicketId> = rows.iter().map(|p| TicketId(p.ticket_id)).collect();
    ticket_ids.sort_unstable();
    ticket_ids.dedup();
    let visible = store::tickets::visible_among(&state.db, caller.company_id, &viewer, &ticket_ids).await?;
    Ok(rows.into_iter().filter(|p| visible.contains(&TicketId(p.ticket_id))).map(to_dto).collect())
}

/// Generates the ticket's next protocol number. The per-company, per-day counter is incremented in
/// the same transaction (PostgreSQL holds its row locked until commit; SQLite has one writer), so
/// concurrent requests get distinct numbers; the unique index on (company, number) is the backstop.
pub async fn generate(state: &AppState, caller: &CurrentUser, id: TicketId, new: NewProtocol) -> AppResult<Protocol> {
    let general = crate::domain::settings::general_of(&state.db, caller.company_id).await?;
    // A stored zone was checked when saved; one this build no longer knows falls back to UTC.
    let zone: Tz = crate::domain::settings::parse_time_zone(&general.time_zone).unwrap_or(Tz::UTC);
    let txn = state.begin().await?;
    let ticket = find_visible(&txn, caller, id).await?;
    if new.send_to_contact && status_of(&ticket) != TicketStatus::Open {
        return Err(AppError::conflict(
            ErrorCode::TicketNotOpen,
            "accept or reopen the ticket before sending its protocol to the contact",
        ));
    }
    let day = Utc::now().with_timezone(&zone).format("%Y%m%d").to_string();
    let seq =
        store::counters::next(&txn, caller.company_id, &format!("{}{day}", store::counters::PROTOCOL_DAY)).await?;
    let number = number_for(&day, seq);
    let row = store::protocols::insert(
        &txn,
        store::protocols::NewProtocolRow {
            company_id: caller.company_id,
            ticket_id: id_of(&ticket),
            contact_id: ContactId(ticket.contact_id),
            user_id: Some(caller.id),
            number: &number,
        },
    )
    .await?;
    store::ticket_logs::insert(
        &txn,
        company_of(&ticket),
        id_of(&ticket),
        Some(caller.id),
        TicketLogKind::ProtocolGenerated,
        &json!({"number": number}),
    )
    .await?;
    let mut outbox = Outbox::new();
    if new.send_to_contact {
        let author = store::users::get(&txn, caller.id).await?;
        let text = protocol_message(&general.protocol_message, &number);
        crate::domain::messages::write_outgoing(&txn, &mut outbox, ticket, author.as_ref(), &text, None, None).await?;
    }
    txn.commit().await?;
    outbox.publish(state);
    if new.send_to_contact {
        crate::domain::outbox::wake(state);
    }
    Ok(to_dto(row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_the_day_and_a_padded_sequence() {
        assert_eq!(number_for("20261128", 42), "20261128-000042");
        assert_eq!(number_for("20261128", 1_234_567), "20261128-1234567");
        assert!(shared::protocols::looks_like_protocol(&number_for("20261128", 1)));
    }
}
