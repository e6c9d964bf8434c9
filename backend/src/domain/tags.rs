//! Tags (Etiquetas): administrators keep the company's list (name, colour, order); anyone who may
//! see a ticket puts them on it and takes them off, from the contact panel.

use sea_orm::{IntoActiveModel, Set};
use serde_json::json;
use shared::events::Event;
use shared::tags::{NewTag, Tag, UpdateTag};
use shared::tickets::{TagRef, Ticket, TicketLogKind};
use shared::validate::{HexColor, Name};
use shared::{Page, TagId, TicketId};

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::page::PageRequest;
use crate::domain::tickets::{announce_updated, audience, company_of, find_visible, id_of, summary};
use crate::error::{AppError, AppResult, FieldErrors, OnUnique};
use crate::state::AppState;
use crate::store::entities::tags;
use crate::store::{self, UniqueKey};

pub fn to_dto(tag: tags::Model) -> Tag {
    Tag { id: TagId(tag.id), name: tag.name, color: tag.color, position: tag.position, created_at: tag.created_at }
}

pub fn to_ref(tag: &tags::Model) -> TagRef {
    TagRef { id: TagId(tag.id), name: tag.name.clone(), color: tag.color.clone() }
}

/// The company's tags by position; everyone signed in reads them (the panel's picker).
pub async fn list(state: &AppState, caller: &CurrentUser, page: PageRequest) -> AppResult<Page<Tag>> {
    let rows = store::tags::page(&state.db, caller.company_id, page.after_id, page.limit).await?;
    Ok(page.finish(rows, |t| t.id, to_dto))
}

async fn find(state: &AppState, caller: &CurrentUser, id: TagId) -> AppResult<tags::Model> {
    store::tags::get_in_company(&state.db, caller.company_id, id).await?.ok_or(AppError::NotFound("tag"))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: TagId) -> AppResult<Tag> {
    find(state, caller, id).await.map(to_dto)
}

pub async fn create(state: &AppState, caller: &CurrentUser, new: NewTag) -> AppResult<Tag> {
    caller.require_admin()?;
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(&new.name));
    let color = errors.check("color", HexColor::parse(&new.color));
    let (Some(name), Some(color)) = (name, color) else {
        return Err(AppError::Invalid(errors));
    };
    let txn = state.begin().await?;
    let position = match new.position {
        Some(position) => position,
        None => store::tags::next_position(&txn, caller.company_id).await?,
    };
    let tag = store::tags::insert(&txn, caller.company_id, name.as_str(), color.as_str(), position)
        .await
        .on_unique(UniqueKey::TagName, "name")?;
    txn.commit().await?;
    Ok(to_dto(tag))
}

/// Renaming or recolouring a tag tells the lists showing it (`ticket.updated` for its tickets).
pub async fn update(state: &AppState, caller: &CurrentUser, id: TagId, change: UpdateTag) -> AppResult<Tag> {
    caller.require_admin()?;
    let tag = find(state, caller, id).await?;
    let mut errors = FieldErrors::new();
    let name = change.name.as_deref().and_then(|n| errors.check("name", Name::parse(n)));
    let color = change.color.as_deref().and_then(|c| errors.check("color", HexColor::parse(c)));
    errors.into_result()?;
    let mut row = tag.clone().into_active_model();
    if let Some(name) = name.filter(|n| n.as_str() != tag.name) {
        row.name = Set(name.into_inner());
    }
    if let Some(color) = color.filter(|c| c.as_str() != tag.color) {
        row.color = Set(color.into_inner());
    }
    if let Some(position) = change.position.filter(|p| *p != tag.position) {
        row.position = Set(position);
    }
    if !sea_orm::ActiveModelTrait::is_changed(&row) {
        return Ok(to_dto(tag));
    }
    let looks_changed = row.name.is_set() || row.color.is_set();
    let txn = state.begin().await?;
    let updated = store::tags::update(&txn, row).await.on_unique(UniqueKey::TagName, "name")?;
    let mut outbox = Outbox::new();
    if looks_changed {
        announce_tickets_of(&txn, &mut outbox, caller, id).await?;
    }
    txn.commit().await?;
    outbox.publish(state);
    Ok(to_dto(updated))
}

/// Deleting a tag takes it off every ticket (the foreign key cascades); their lists are told.
pub async fn delete(state: &AppState, caller: &CurrentUser, id: TagId) -> AppResult<()> {
    caller.require_admin()?;
    find(state, caller, id).await?;
    let txn = state.begin().await?;
    let tagged =
        store::tickets::by_ids(&txn, caller.company_id, &store::tags::tickets_with(&txn, caller.company_id, id).await?)
            .await?;
    store::tags::delete(&txn, id).await?;
    let mut outbox = Outbox::new();
    announce_updated(&txn, &mut outbox, &tagged).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(())
}

async fn announce_tickets_of(
    txn: &store::WriteTx,
    outbox: &mut Outbox,
    caller: &CurrentUser,
    id: TagId,
) -> AppResult<()> {
    let tagged =
        store::tickets::by_ids(txn, caller.company_id, &store::tags::tickets_with(txn, caller.company_id, id).await?)
            .await?;
    announce_updated(txn, outbox, &tagged).await
}

/// Puts a tag on a ticket or takes it off. Idempotent: only a change writes a log row
/// (`tagged`/`untagged`) and tells the ticket's viewers (`ticket.updated`). Answers the ticket.
pub async fn set_on_ticket(
    state: &AppState,
    caller: &CurrentUser,
    ticket_id: TicketId,
    tag_id: TagId,
    on: bool,
) -> AppResult<Ticket> {
    let ticket = find_visible(&state.db, caller, ticket_id).await?;
    let tag = find(state, caller, tag_id).await?;
    let txn = state.begin().await?;
    let changed = if on {
        store::tags::attach(&txn, company_of(&ticket), id_of(&ticket), tag_id).await?
    } else {
        store::tags::detach(&txn, id_of(&ticket), tag_id).await?
    };
    let dto = summary(&txn, ticket.clone()).await?;
    let mut outbox = Outbox::new();
    if changed {
        let kind = if on { TicketLogKind::Tagged } else { TicketLogKind::Untagged };
        let details = json!({"tag": to_ref(&tag)});
        store::ticket_logs::insert(&txn, company_of(&ticket), id_of(&ticket), Some(caller.id), kind, &details).await?;
        outbox.add(&txn, company_of(&ticket), audience(&ticket), Event::TicketUpdated(dto.clone())).await?;
    }
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}
