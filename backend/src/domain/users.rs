//! The company's users: admins manage them; everyone in the company may list them (to transfer
//! a ticket to a colleague, say).

use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use shared::auth::Role;
use shared::org::{NewUser, UpdateUser, User};
use shared::validate::{Email, Name, Password};
use shared::{Page, QueueId, UserId};

use crate::auth::{CurrentUser, password};
use crate::domain::page::PageRequest;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::users;

pub fn to_dto(user: users::Model, queue_ids: Vec<i64>) -> User {
    User {
        id: UserId(user.id),
        role: Role::parse(&user.role).unwrap_or(Role::Agent),
        name: user.name,
        email: user.email,
        signature_enabled: user.signature_enabled,
        queue_ids: queue_ids.into_iter().map(QueueId).collect(),
        created_at: user.created_at,
    }
}

/// Maps a unique violation on users (the e-mail belongs to someone else) to a field error.
pub fn email_taken(field: &'static str) -> impl Fn(sea_orm::DbErr) -> AppError {
    move |error| {
        if store::is_unique_violation(&error) { FieldErrors::one(field, "is already in use") } else { error.into() }
    }
}

pub async fn list(state: &AppState, caller: &CurrentUser, page: PageRequest) -> AppResult<Page<User>> {
    let rows = store::users::page(&state.db, caller.company_id.0, page.after_id, page.limit).await?;
    let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
    let mut queues = store::users::queue_ids_of(&state.db, &ids).await?;
    Ok(page.finish(
        rows,
        |u| u.id,
        |u| {
            let queue_ids = queues.remove(&u.id).unwrap_or_default();
            to_dto(u, queue_ids)
        },
    ))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: UserId) -> AppResult<User> {
    let user = find(state, caller, id).await?;
    let queue_ids = store::users::queue_ids_of(&state.db, &[user.id]).await?.remove(&user.id).unwrap_or_default();
    Ok(to_dto(user, queue_ids))
}

async fn find(state: &AppState, caller: &CurrentUser, id: UserId) -> AppResult<users::Model> {
    store::users::get_in_company(&state.db, caller.company_id.0, id.0).await?.ok_or(AppError::NotFound("user"))
}

/// The ids, if every one is a queue of the caller's company.
pub async fn company_queues(
    state: &AppState,
    caller: &CurrentUser,
    ids: &[QueueId],
    errors: &mut FieldErrors,
) -> AppResult<Vec<i64>> {
    let mut wanted: Vec<i64> = ids.iter().map(|q| q.0).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let existing = store::queues::existing_ids(&state.db, caller.company_id.0, &wanted).await?;
    if existing.len() != wanted.len() {
        errors.add("queue_ids", "every queue must exist in your company");
    }
    Ok(wanted)
}

pub async fn create(state: &AppState, caller: &CurrentUser, new: NewUser) -> AppResult<User> {
    caller.require_admin()?;
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(&new.name));
    let email = errors.check("email", Email::parse(&new.email));
    let password = errors.check("password", Password::parse(&new.password));
    let queue_ids = company_queues(state, caller, &new.queue_ids, &mut errors).await?;
    let (Some(name), Some(email), Some(password)) = (name, email, password) else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result()?;
    let password_hash = password::hash(&password).await?;
    let (txn, _turn) = state.begin().await?;
    let row = store::users::NewUserRow {
        company_id: caller.company_id.0,
        name: name.as_str(),
        email: email.as_str(),
        password_hash: &password_hash,
        role: new.role.as_str(),
        platform_admin: false,
    };
    let user = store::users::insert(&txn, row).await.map_err(email_taken("email"))?;
    store::users::set_queues(&txn, user.id, &queue_ids).await?;
    txn.commit().await?;
    Ok(to_dto(user, queue_ids))
}

pub async fn update(state: &AppState, caller: &CurrentUser, id: UserId, change: UpdateUser) -> AppResult<User> {
    caller.require_admin()?;
    let user = find(state, caller, id).await?;
    if id == caller.id && change.role.is_some_and(|role| role != Role::Admin) {
        return Err(AppError::conflict("cannot_demote_self", "you cannot remove your own administrator role"));
    }
    let mut errors = FieldErrors::new();
    let name = change.name.as_deref().and_then(|n| errors.check("name", Name::parse(n)));
    let email = change.email.as_deref().and_then(|e| errors.check("email", Email::parse(e)));
    let password = change.password.as_deref().and_then(|p| errors.check("password", Password::parse(p)));
    let queue_ids = match &change.queue_ids {
        Some(ids) => Some(company_queues(state, caller, ids, &mut errors).await?),
        None => None,
    };
    errors.into_result()?;
    let password_hash = match &password {
        Some(password) => Some(password::hash(password).await?),
        None => None,
    };
    let (txn, _turn) = state.begin().await?;
    let mut row = user.into_active_model();
    if let Some(name) = name {
        row.name = Set(name.into_inner());
    }
    if let Some(email) = email {
        row.email = Set(email.into_inner());
    }
    if let Some(hash) = password_hash {
        row.password_hash = Set(hash);
        // A reset password ends the user's other sessions.
        store::sessions::revoke_all_of_user(&txn, id.0).await?;
    }
    if let Some(role) = change.role {
        row.role = Set(role.as_str().to_owned());
    }
    if let Some(enabled) = change.signature_enabled {
        row.signature_enabled = Set(enabled);
    }
    let user = if row.is_changed() {
        store::users::update(&txn, row).await.map_err(email_taken("email"))?
    } else {
        find(state, caller, id).await?
    };
    if let Some(queue_ids) = &queue_ids {
        store::users::set_queues(&txn, user.id, queue_ids).await?;
    }
    txn.commit().await?;
    let queue_ids = store::users::queue_ids_of(&state.db, &[user.id]).await?.remove(&user.id).unwrap_or_default();
    Ok(to_dto(user, queue_ids))
}

pub async fn delete(state: &AppState, caller: &CurrentUser, id: UserId) -> AppResult<()> {
    caller.require_admin()?;
    if id == caller.id {
        return Err(AppError::conflict("cannot_delete_self", "you cannot delete your own user"));
    }
    let user = find(state, caller, id).await?;
    store::users::delete(&state.db, user.id).await?;
    Ok(())
}
