//! The caller's own profile (the Perfil pop-up).

use sea_orm::{IntoActiveModel, Set};
use shared::auth::{Me, UpdateMe};
use shared::validate::{Email, Name, Password};

use shared::validate::Invalid;

use crate::auth::{CurrentUser, password};
use crate::domain::auth::me_of;
use crate::error::{AppError, AppResult, FieldErrors, OnUnique};
use crate::state::AppState;
use crate::store;
use crate::store::entities::users;

async fn load(state: &AppState, caller: &CurrentUser) -> AppResult<users::Model> {
    store::users::get(&state.db, caller.id).await?.ok_or(AppError::Unauthenticated("this user no longer exists"))
}

pub async fn get(state: &AppState, caller: &CurrentUser) -> AppResult<Me> {
    let user = load(state, caller).await?;
    me_of(state, user).await
}

/// Name and signature change freely; a new e-mail or password needs the current password.
pub async fn update(state: &AppState, caller: &CurrentUser, change: UpdateMe) -> AppResult<Me> {
    let user = load(state, caller).await?;
    let mut errors = FieldErrors::new();
    let name = change.name.as_deref().and_then(|n| errors.check("name", Name::parse(n)));
    let email = change
        .email
        .as_deref()
        .and_then(|e| errors.check("email", Email::parse(e)))
        .filter(|email| email.as_str() != user.email);
    let new_password = change.password.as_deref().and_then(|p| errors.check("password", Password::parse(p)));
    errors.into_result()?;

    if email.is_some() || new_password.is_some() {
        let current = change.current_password.as_deref().unwrap_or_default();
        if current.is_empty() {
            return Err(FieldErrors::one("current_password", Invalid::CurrentPasswordRequired));
        }
        if !password::verify(Some(user.password_hash.clone()), current).await? {
            return Err(FieldErrors::one("current_password", Invalid::WrongPassword));
        }
    }
    let password_hash = match &new_password {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };

    let txn = state.begin().await?;
    let mut row = user.clone().into_active_model();
    if let Some(name) = name {
        row.name = Set(name.into_inner());
    }
    if let Some(email) = email {
        row.email = Set(email.into_inner());
    }
    if let Some(enabled) = change.signature_enabled {
        row.signature_enabled = Set(enabled);
    }
    if let Some(hash) = password_hash {
        row.password_hash = Set(hash);
        // Whoever else is signed in as this user (a stolen session, another device) is signed out.
        store::sessions::revoke_all_of_user_except(&txn, caller.id, caller.session_id).await?;
    }
    let user = if sea_orm::ActiveModelTrait::is_changed(&row) {
        store::users::update(&txn, row).await.on_unique(crate::store::UniqueKey::UserEmail, "email")?
    } else {
        user
    };
    txn.commit().await?;
    me_of(state, user).await
}
