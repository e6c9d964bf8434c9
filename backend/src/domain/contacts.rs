//! Contacts: the company's customers (and WhatsApp groups, kept as contacts with `is_group`).

use sea_orm::{IntoActiveModel, Set};
use shared::contacts::{Contact, NewContact, UpdateContact};
use shared::validate::{Email, Name};
use shared::{ContactId, Page};

use crate::auth::CurrentUser;
use crate::domain::page::PageRequest;
use crate::domain::phone::PhoneNumber;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::contacts;

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
    store::contacts::get_in_company(&state.db, caller.company_id.0, id.0).await?.ok_or(AppError::NotFound("contact"))
}

pub async fn list(
    state: &AppState,
    caller: &CurrentUser,
    search: Option<&str>,
    page: PageRequest,
) -> AppResult<Page<Contact>> {
    let rows = store::contacts::page(&state.db, caller.company_id.0, search, page.after_id, page.limit).await?;
    Ok(page.finish(rows, |c| c.id, to_dto))
}

fn extra_json(extra: Option<&serde_json::Value>, errors: &mut FieldErrors) -> String {
    match extra {
        None => "{}".into(),
        Some(value) if value.is_object() => value.to_string(),
        Some(_) => {
            errors.add("extra", "must be an object of extra fields");
            "{}".into()
        }
    }
}

fn number_taken(error: sea_orm::DbErr) -> AppError {
    if store::is_unique_violation(&error) {
        FieldErrors::one("number", "another contact already has this number")
    } else {
        error.into()
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
        company_id: caller.company_id.0,
        name: name.as_str(),
        number: number.as_str(),
        email: email.as_ref().map(Email::as_str),
        extra: &extra,
        is_group: false,
    };
    store::contacts::insert(&state.db, row).await.map(to_dto).map_err(number_taken)
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
    store::contacts::update(&state.db, row).await.map(to_dto).map_err(number_taken)
}

pub async fn set_blocked(state: &AppState, caller: &CurrentUser, id: ContactId, blocked: bool) -> AppResult<Contact> {
    let contact = find(state, caller, id).await?;
    let mut row = contact.into_active_model();
    row.blocked = Set(blocked);
    Ok(to_dto(store::contacts::update(&state.db, row).await?))
}

pub async fn delete(state: &AppState, caller: &CurrentUser, id: ContactId) -> AppResult<()> {
    let contact = find(state, caller, id).await?;
    if !caller.is_admin() && caller.role != shared::auth::Role::Supervisor {
        return Err(AppError::Forbidden("only administrators and supervisors may delete contacts"));
    }
    store::contacts::delete(&state.db, contact.id).await?;
    Ok(())
}
