//! Contacts: the company's customers (and WhatsApp groups, kept as contacts with `is_group`).

use sea_orm::{IntoActiveModel, Set};
use shared::contacts::{Contact, NewContact, UpdateContact};
use shared::validate::{Email, Name};
use shared::{ContactId, Page};

use shared::events::{ContactDeleted, Event};
use shared::visibility::Audience;

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::page::PageRequest;
use crate::domain::phone::PhoneNumber;
use crate::domain::tickets::announce_updated;
use crate::error::{AppError, AppResult, FieldErrors, OnUnique};
use crate::state::AppState;
use crate::store::entities::contacts;
use crate::store::tickets::TicketsOf;
use crate::store::{self, UniqueKey, WriteTx};

pub fn to_dto(contact: contacts::Model) -> Contact {
    Contact {
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

pub async fn find(state: &AppState, caller: &CurrentUser, id: ContactId) -> AppResult<contacts::Model> {
    store::contacts::get_in_company(&state.db, caller.company_id, id).await?.ok_or(AppError::NotFound("contact"))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: ContactId) -> AppResult<Contact> {
    find(state, caller, id).await.map(to_dto)
}

pub async fn list(
    state: &AppState,
    caller: &CurrentUser,
    search: Option<&str>,
    page: PageRequest,
) -> AppResult<Page<Contact>> {
    // Nobody types more; it bounds the query (review #20).
    let search: Option<String> = search.map(|q| q.chars().take(100).collect());
    let rows =
        store::contacts::page(&state.db, caller.company_id, search.as_deref(), page.after_id, page.limit).await?;
    Ok(page.finish(rows, |c| c.id, to_dto))
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
    Ok(to_dto(contact))
}

/// Saves a change to a contact and tells every open list and header.
async fn save(state: &AppState, txn: WriteTx, row: contacts::ActiveModel) -> AppResult<Contact> {
    let contact = store::contacts::update(&txn, row).await.on_unique(UniqueKey::ContactNumber, "number")?;
    let dto = to_dto(contact.clone());
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
    let mut outbox = Outbox::new();
    announce_updated(&txn, &mut outbox, &tickets).await?;
    outbox.add(&txn, caller.company_id, Audience::Company, Event::ContactDeleted(ContactDeleted { id })).await?;
    txn.commit().await?;
    outbox.publish(state);
    crate::domain::media::remove_all(&state.config.data_dir, &files).await;
    Ok(())
}
