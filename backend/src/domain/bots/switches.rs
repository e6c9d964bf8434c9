//! The per-ticket switches (`PUT /api/v1/tickets/{id}/bots`): a ticket runs at most one bot, so
//! switching one on switches the others off. A bot whose integration is off in the settings cannot
//! be switched on (409 `bot_disabled`), nor any bot on a closed ticket (409 `ticket_not_open`).
//! Each change writes a `bot_switched` log row and publishes `ticket.updated` (its `bot` field).
//! The bot answers from the contact's next message on.

use sea_orm::{IntoActiveModel, Set};
use serde_json::json;
use shared::events::Event;
use shared::tickets::{BotKind, SetTicketBots, TicketBots, TicketLogKind, TicketStatus};
use shared::validate::Invalid;
use shared::{ErrorCode, TicketId};

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::tickets::{audience, company_of, find_visible, id_of, status_of, summary};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;

pub async fn set(state: &AppState, caller: &CurrentUser, id: TicketId, change: SetTicketBots) -> AppResult<TicketBots> {
    let tx = state.begin().await?;
    let visible = find_visible(&tx, caller, id).await?;
    let ticket = store::tickets::get_in_company_for_update(&tx, caller.company_id, id_of(&visible))
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let now: Option<BotKind> = ticket.bot.map(Into::into);
    let next = change.apply(now).map_err(|_| FieldErrors::one("bots", Invalid::OneBotAtATime))?;
    if next == now {
        return Ok(TicketBots::of(now));
    }
    if let Some(bot) = next {
        if status_of(&ticket) == TicketStatus::Closed {
            return Err(AppError::conflict(ErrorCode::TicketNotOpen, "reopen the ticket before switching a bot on"));
        }
        if !crate::domain::bots::engine::integration_enabled(&tx, caller.company_id, bot).await? {
            return Err(AppError::conflict(
                ErrorCode::BotDisabled,
                format!("{} is switched off in the settings", bot.label()),
            ));
        }
    }
    let mut row = ticket.clone().into_active_model();
    row.bot = Set(next.map(Into::into));
    row.bot_state = Set(None);
    let updated = store::tickets::update(&tx, row).await?;
    for (bot, enabled) in [(now, false), (next, true)] {
        if let Some(bot) = bot {
            let details = json!({"bot": bot.as_str(), "enabled": enabled});
            store::ticket_logs::insert(
                &tx,
                company_of(&updated),
                id_of(&updated),
                Some(caller.id),
                TicketLogKind::BotSwitched,
                &details,
            )
            .await?;
        }
    }
    let mut outbox = Outbox::new();
    let dto = summary(&tx, updated.clone()).await?;
    outbox.add(&tx, company_of(&updated), audience(&updated), Event::TicketUpdated(dto)).await?;
    tx.commit().await?;
    outbox.publish(state);
    Ok(TicketBots::of(next))
}
