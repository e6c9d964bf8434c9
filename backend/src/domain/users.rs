//! The company's users: admins manage them; everyone in the company may list them (to transfer
//! a ticket to a colleague, say).

use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use shared::auth::Role;
use shared::org::{NewUser, UpdateUser, User};
use shared::validate::{Email, Name, Password};
use shared::{Page, QueueId, UserId};

use shared::ErrorCode;
use shared::validate::Invalid;

use crate::auth::{CurrentUser, password};
use crate::domain::events::Outbox;
use crate::domain::page::PageRequest;
use crate::domain::tickets;
use crate::error::{AppError, AppResult, FieldErrors, OnUnique};
use crate::state::AppState;
use crate::store::entities::users;
use crate::store::tickets::TicketsOf;
use crate::store::{self, UniqueKey};

pub fn to_dto(user: users::Model, queue_ids: Vec<QueueId>) -> User {
    User {
        id: UserId(user.id),
        role: user.role.into(),
        name: user.name,
        email: user.email,
        signature_enabled: user.signature_enabled,
        queue_ids,
        created_at: user.created_at,
    }
}

pub async fn list(state: &AppState, caller: &CurrentUser, page: PageRequest) -> AppResult<Page<User>> {
    let rows = store::users::page(&state.db, caller.company_id, page.after_id, page.limit).await?;
    let ids: Vec<UserId> = rows.iter().map(|u| UserId(u.id)).collect();
    let mut queues = store::users::queue_ids_of(&state.db, &ids).await?;
    Ok(page.finish(
        rows,
        |u| u.id,
        |u| {
            let queue_ids = queues.remove(&UserId(u.id)).unwrap_or_default();
            to_dto(u, queue_ids)
        },
    ))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: UserId) -> AppResult<User> {
    let user = find(state, caller, id).await?;
    let queue_ids = store::users::queue_ids_of_user(&state.db, id).await?;
    Ok(to_dto(user, queue_ids))
}

async fn find(state: &AppState, caller: &CurrentUser, id: UserId) -> AppResult<users::Model> {
    store::users::get_in_company(&state.db, caller.company_id, id).await?.ok_or(AppError::NotFound("user"))
}

/// The platform administrator can create companies: only they (or the command line) may change
/// or remove their account, or anyone of the default company's admins could take the platform.
fn protect_platform_admin(caller: &CurrentUser, target: &users::Model) -> AppResult<()> {
    if target.platform_admin && !caller.platform_admin {
        return Err(AppError::Denied {
            code: ErrorCode::PlatformAdminProtected,
            message: "only the platform administrator may change the platform administrator",
        });
    }
    Ok(())
}

/// The ids, if every one is a queue of the caller's company.
pub async fn company_queues(
    state: &AppState,
    caller: &CurrentUser,
    ids: &[QueueId],
    errors: &mut FieldErrors,
) -> AppResult<Vec<QueueId>> {
    let mut wanted: Vec<QueueId> = ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let existing = store::queues::existing_ids(&state.db, caller.company_id, &wanted).await?;
    if existing.len() != wanted.len() {
        errors.add("queue_ids", Invalid::NotInCompany);
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
    let txn = state.begin().await?;
    let signature_enabled = crate::domain::settings::general_of(&txn, caller.company_id).await?.signature_default;
    let row = store::users::NewUserRow {
        company_id: caller.company_id,
        name: name.as_str(),
        email: email.as_str(),
        password_hash: &password_hash,
        role: new.role,
        platform_admin: false,
        signature_enabled,
    };
    let user = store::users::insert(&txn, row).await.on_unique(UniqueKey::UserEmail, "email")?;
    store::users::set_queues(&txn, UserId(user.id), &queue_ids).await?;
    txn.commit().await?;
    Ok(to_dto(user, queue_ids))
}

pub async fn update(state: &AppState, caller: &CurrentUser, id: UserId, change: UpdateUser) -> AppResult<User> {
    caller.require_admin()?;
    let user = find(state, caller, id).await?;
    protect_platform_admin(caller, &user)?;
    if id == caller.id && change.role.is_some_and(|role| role != Role::Admin) {
        return Err(AppError::conflict(ErrorCode::CannotDemoteSelf, "you cannot remove your own administrator role"));
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
    let txn = state.begin().await?;
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
        store::sessions::revoke_all_of_user(&txn, id).await?;
    }
    if let Some(role) = change.role {
        row.role = Set(role.into());
    }
    if let Some(enabled) = change.signature_enabled {
        row.signature_enabled = Set(enabled);
    }
    let user = if row.is_changed() {
        store::users::update(&txn, row).await.on_unique(UniqueKey::UserEmail, "email")?
    } else {
        find(state, caller, id).await?
    };
    if let Some(queue_ids) = &queue_ids {
        store::users::set_queues(&txn, id, queue_ids).await?;
    }
    txn.commit().await?;
    let queue_ids = store::users::queue_ids_of_user(&state.db, id).await?;
    Ok(to_dto(user, queue_ids))
}

pub async fn delete(state: &AppState, caller: &CurrentUser, id: UserId) -> AppResult<()> {
    caller.require_admin()?;
    if id == caller.id {
        return Err(AppError::conflict(ErrorCode::CannotDeleteSelf, "you cannot delete your own user"));
    }
    let user = find(state, caller, id).await?;
    protect_platform_admin(caller, &user)?;
    let txn = state.begin().await?;
    // Their open tickets go back to their queues, where colleagues can take them; the history
    // keeps the closed ones (the foreign key forgets the user; lists show it on their next load).
    let theirs = store::tickets::all_of(&txn, caller.company_id, TicketsOf::User(id), true).await?;
    let mut outbox = Outbox::new();
    tickets::return_to_queues(&txn, &theirs).await?;
    // Their wallet contacts go back to queue routing (the foreign key clears the wallet).
    let wallet = store::contacts::in_wallet_of(&txn, caller.company_id, id).await?;
    store::users::delete(&txn, id).await?;
    tickets::announce_updated(&txn, &mut outbox, &theirs).await?;
    crate::domain::contacts::announce_wallet_cleared(&txn, &mut outbox, caller.company_id, &wallet).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(())
}
