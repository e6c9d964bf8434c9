//! Contacts: the company's customers (and WhatsApp groups, kept as contacts with `is_group`).

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, IntoActiveModel, Set};
use serde_json::json;
use shared::contacts::{Contact, NewContact, SetWallet, UpdateContact};
use shared::tickets::{TicketLogKind, UserRef};
use shared::validate::Invalid;
use shared::validate::{Email, Name};
use shared::{CompanyId, ContactId, Page, TicketId, UserId};

use shared::events::{ContactDeleted, Event};
use shared::visibility::Audience;

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::page::PageRequest;
use crate::domain::phone::PhoneNumber;
use crate::domain::tickets::announce_updated;
use crate::error::{AppError, AppResult, FieldErrors, OnUnique};
use crate::state::AppState;
use crate::store::entities::{contacts, users};
use crate::store::tickets::TicketsOf;
use crate::store::{self, UniqueKey, WriteTx};

fn user_ref(user: &users::Model) -> UserRef {
    UserRef { id: UserId(user.id), name: user.name.clone() }
}

/// The contact as the API shows it; `wallet` is its fixed agent's row (`wallet_user_id`).
pub fn to_dto(contact: contacts::Model, wallet: Option<&users::Model>) -> Contact {
    Contact {
        wallet_user: wallet.filter(|u| Some(u.id) == contact.wallet_user_id).map(user_ref),
        id: ContactId(contact.id),
        extra: serde_json::from_str(&contact.extra).unwrap_or_else(|_| serde_json::json!({})),
        name: contact.name,
        number: contact.number,
        email: contact.email,
        photo_url: contact.photo_url,
        is_group: contact.is_group,
        blocked: contact.blocked,
        created_at: contact.created_at,
    }
}

/// One contact with its fixed agent's name.
pub async fn dto(db: &impl ConnectionTrait, contact: contacts::Model) -> AppResult<Contact> {
    let wallet = match contact.wallet_user_id {
        Some(id) => store::users::get_in_company(db, CompanyId(contact.company_id), UserId(id)).await?,
        None => None,
    };
    Ok(to_dto(contact, wallet.as_ref()))
}

pub async fn find(state: &AppState, caller: &CurrentUser, id: ContactId) -> AppResult<contacts::Model> {
    store::contacts::get_in_company(&state.db, caller.company_id, id).await?.ok_or(AppError::NotFound("contact"))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: ContactId) -> AppResult<Contact> {
    dto(&state.db, find(state, caller, id).await?).await
}

pub async fn list(
    state: &AppState,
    caller: &CurrentUser,
    search: Option<&str>,
    wallet_user: Option<UserId>,
    page: PageRequest,
) -> AppResult<Page<Contact>> {
    // Nobody types more; it bounds the query (review #20).
    let search: Option<String> = search.map(|q| q.chars().take(100).collect());
    let rows =
        store::contacts::page(&state.db, caller.company_id, search.as_deref(), wallet_user, page.after_id, page.limit)
            .await?;
    // The page's fixed agents in one query.
    let mut wallet_ids: Vec<UserId> = rows.iter().filter_map(|c| c.wallet_user_id.map(UserId)).collect();
    wallet_ids.sort_unstable();
    wallet_ids.dedup();
    let wallets: HashMap<i64, users::Model> =
        store::users::by_ids(&state.db, caller.company_id, &wallet_ids).await?.into_iter().map(|u| (u.id, u)).collect();
    Ok(page.finish(
        rows,
        |c| c.id,
        |c| {
            let wallet = c.wallet_user_id.and_then(|id| wallets.get(&id));
            to_dto(c, wallet)
        },
    ))
}

fn extra_json(extra: Option<&serde_json::Value>, errors: &mut FieldErrors) -> String {
    match extra {
        None => "{}".into(),
        Some(value) => match shared::contacts::check_extra(value) {
            Ok(()) => value.to_string(),
            Err(invalid) => {
                errors.add("extra", invalid);
                "{}".into()
            }
        },
    }
}

pub async fn create(state: &AppState, caller: &CurrentUser, new: NewContact) -> AppResult<Contact> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(&new.name));
    let number = errors.check("number", PhoneNumber::parse(&new.number));
    let email = match new.email.as_deref().filter(|e| !e.trim().is_empty()) {
        Some(raw) => errors.check("email", Email::parse(raw)),
        None => None,
    };
    let extra = extra_json(new.extra.as_ref(), &mut errors);
    let (Some(name), Some(number)) = (name, number) else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result()?;
    let row = store::contacts::NewContactRow {
        company_id: caller.company_id,
        name: name.as_str(),
        number: number.as_str(),
        email: email.as_ref().map(Email::as_str),
        extra: &extra,
        is_group: false,
    };
    let txn = state.begin().await?;
    let contact = store::contacts::insert(&txn, row).await.on_unique(UniqueKey::ContactNumber, "number")?;
    txn.commit().await?;
    Ok(to_dto(contact, None))
}

/// Saves a change to a contact and tells every open list and header.
async fn save(state: &AppState, txn: WriteTx, row: contacts::ActiveModel) -> AppResult<Contact> {
    let contact = store::contacts::update(&txn, row).await.on_unique(UniqueKey::ContactNumber, "number")?;
    let dto = dto(&txn, contact.clone()).await?;
    let company_id = shared::CompanyId(contact.company_id);
    let mut outbox = Outbox::new();
    outbox.add(&txn, company_id, Audience::Company, Event::ContactUpdated(dto.clone())).await?;
    // The tickets' rows show the contact's name and number.
    let active = store::tickets::all_of(&txn, company_id, TicketsOf::Contact(ContactId(contact.id)), true).await?;
    announce_updated(&txn, &mut outbox, &active).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

pub async fn update(
    state: &AppState,
    caller: &CurrentUser,
    id: ContactId,
    change: UpdateContact,
) -> AppResult<Contact> {
    let contact = find(state, caller, id).await?;
    let mut errors = FieldErrors::new();
    let name = change.name.as_deref().and_then(|n| errors.check("name", Name::parse(n)));
    let number = change.number.as_deref().and_then(|n| errors.check("number", PhoneNumber::parse(n)));
    let email = match change.email.as_deref() {
        Some("") => Some(None),
        Some(raw) => errors.check("email", Email::parse(raw)).map(Some),
        None => None,
    };
    let extra = change.extra.as_ref().map(|e| extra_json(Some(e), &mut errors));
    errors.into_result()?;
    let mut row = contact.into_active_model();
    if let Some(name) = name {
        row.name = Set(name.into_inner());
    }
    if let Some(number) = number {
        row.number = Set(number.as_str().to_owned());
    }
    if let Some(email) = email {
        row.email = Set(email.map(Email::into_inner));
    }
    if let Some(extra) = extra {
        row.extra = Set(extra);
    }
    save(state, state.begin().await?, row).await
}

pub async fn set_blocked(state: &AppState, caller: &CurrentUser, id: ContactId, blocked: bool) -> AppResult<Contact> {
    let contact = find(state, caller, id).await?;
    let mut row = contact.into_active_model();
    row.blocked = Set(blocked);
    save(state, state.begin().await?, row).await
}

/// Makes `change.user_id` the contact's fixed agent (admins and supervisors): their new tickets
/// go straight to that user (see `domain::inbound`). Set from a ticket's panel, the change is
/// written in that ticket's logs.
pub async fn set_wallet(
    state: &AppState,
    caller: &CurrentUser,
    id: ContactId,
    change: SetWallet,
) -> AppResult<Contact> {
    let contact = find(state, caller, id).await?;
    require_staff(caller)?;
    let Some(user) = store::users::get_in_company(&state.db, caller.company_id, change.user_id).await? else {
        return Err(FieldErrors::one("user_id", Invalid::NotInCompany));
    };
    change_wallet(state, caller, contact, Some(user), change.ticket_id).await
}

/// Removes the contact's fixed agent: their new tickets wait in the queue again.
pub async fn clear_wallet(
    state: &AppState,
    caller: &CurrentUser,
    id: ContactId,
    ticket_id: Option<TicketId>,
) -> AppResult<Contact> {
    let contact = find(state, caller, id).await?;
    require_staff(caller)?;
    change_wallet(state, caller, contact, None, ticket_id).await
}

/// Who a new ticket of the contact goes straight to: its fixed agent, when they are active — still
/// a user of the company and signed in (a login session neither ended with Sair nor expired).
/// `None`: the ticket waits in the queue as usual.
pub async fn wallet_agent(db: &impl ConnectionTrait, contact: &contacts::Model) -> AppResult<Option<UserId>> {
    let Some(id) = contact.wallet_user_id.map(UserId) else { return Ok(None) };
    if store::users::get_in_company(db, CompanyId(contact.company_id), id).await?.is_none() {
        return Ok(None);
    }
    let active = store::sessions::has_live(db, id, chrono::Utc::now()).await?;
    Ok(active.then_some(id))
}

/// Tells every open list that these contacts (whose fixed agent was just deleted: the foreign key
/// cleared it) have no wallet any more.
pub async fn announce_wallet_cleared(
    tx: &WriteTx,
    outbox: &mut Outbox,
    company_id: CompanyId,
    before: &[contacts::Model],
) -> AppResult<()> {
    for contact in before {
        if let Some(now) = store::contacts::get_in_company(tx, company_id, ContactId(contact.id)).await? {
            outbox.add(tx, company_id, Audience::Company, Event::ContactUpdated(to_dto(now, None))).await?;
        }
    }
    Ok(())
}

fn require_staff(caller: &CurrentUser) -> AppResult<()> {
    if caller.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden("only administrators and supervisors may change a contact's wallet"))
    }
}

async fn change_wallet(
    state: &AppState,
    caller: &CurrentUser,
    contact: contacts::Model,
    user: Option<users::Model>,
    ticket_id: Option<TicketId>,
) -> AppResult<Contact> {
    let txn = state.begin().await?;
    if let Some(ticket_id) = ticket_id {
        let ticket = crate::domain::tickets::find_visible(&txn, caller, ticket_id).await?;
        // Another contact's ticket is not one of this contact's: not found here.
        if ticket.contact_id != contact.id {
            return Err(AppError::NotFound("ticket"));
        }
        let details = json!({"user": user.as_ref().map(|u| json!({"id": u.id, "name": u.name}))});
        store::ticket_logs::insert(
            &txn,
            caller.company_id,
            ticket_id,
            Some(caller.id),
            TicketLogKind::WalletSet,
            &details,
        )
        .await?;
    }
    let mut row = contact.into_active_model();
    row.wallet_user_id = Set(user.map(|u| u.id));
    save(state, txn, row).await
}

pub async fn delete(state: &AppState, caller: &CurrentUser, id: ContactId) -> AppResult<()> {
    find(state, caller, id).await?;
    if !caller.is_admin() && caller.role != shared::auth::Role::Supervisor {
        return Err(AppError::Forbidden("only administrators and supervisors may delete contacts"));
    }
    let txn = state.begin().await?;
    // Its tickets and their messages go with it (the foreign keys cascade): lists must drop them.
    let tickets = store::tickets::all_of(&txn, caller.company_id, TicketsOf::Contact(id), false).await?;
    let ids: Vec<shared::TicketId> = tickets.iter().map(crate::domain::tickets::id_of).collect();
    let mut files = store::messages::media_paths_of(&txn, caller.company_id, &ids).await?;
    // Its scheduled messages go too; a file not yet sent is theirs alone.
    files.extend(store::schedules::media_paths_of_contact(&txn, id).await?);
    store::contacts::delete(&txn, id).await?;
    // Nothing of theirs stays in the live events either (a replay would give it back).
    crate::domain::events::forget(&txn, caller.company_id, &[id], &ids).await?;
    let mut outbox = Outbox::new();
    announce_updated(&txn, &mut outbox, &tickets).await?;
    outbox.add(&txn, caller.company_id, Audience::Company, Event::ContactDeleted(ContactDeleted { id })).await?;
    txn.commit().await?;
    outbox.publish(state);
    state.media.remove_all(&files).await;
    Ok(())
}
