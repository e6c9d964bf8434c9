//! Tenants: the platform administrator creates a company together with its first admin.

use sea_orm::Set;
use shared::auth::Role;
use shared::org::{Company, CreatedCompany, NewCompany, UpdateCompany};
use shared::validate::{Email, Name, Password};
use shared::{CompanyId, ErrorCode};

use crate::auth::{CurrentUser, password};
use crate::domain::users::to_dto;
use crate::error::OnUnique;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::companies;

fn company_dto(company: companies::Model) -> Company {
    Company {
        id: CompanyId(company.id),
        name: company.name,
        created_at: company.created_at,
        suspended: company.suspended,
    }
}

async fn find(state: &AppState, caller: &CurrentUser, id: CompanyId) -> AppResult<companies::Model> {
    caller.require_platform_admin()?;
    store::companies::get(&state.db, id).await?.ok_or(AppError::NotFound("company"))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: CompanyId) -> AppResult<Company> {
    find(state, caller, id).await.map(company_dto)
}

fn protect_own(caller: &CurrentUser, id: CompanyId, what: &str) -> AppResult<()> {
    if caller.company_id == id {
        return Err(AppError::conflict(
            ErrorCode::CompanyProtected,
            format!("the platform administrator's own company cannot be {what}"),
        ));
    }
    Ok(())
}

/// Renames, suspends or restores a company (platform admin; never their own).
pub async fn update(
    state: &AppState,
    caller: &CurrentUser,
    id: CompanyId,
    change: UpdateCompany,
) -> AppResult<Company> {
    let current = find(state, caller, id).await?;
    let name = match change.name {
        Some(raw) => Some(Name::parse(&raw).map_err(|problem| FieldErrors::one("name", problem))?),
        None => None,
    };
    if change.suspended == Some(true) {
        protect_own(caller, id, "suspended")?;
    }
    let mut row: companies::ActiveModel = current.into();
    if let Some(name) = name {
        row.name = Set(name.as_str().to_owned());
    }
    if let Some(suspended) = change.suspended {
        row.suspended = Set(suspended);
    }
    let txn = state.begin().await?;
    let saved = store::companies::update(&txn, row).await?;
    txn.commit().await?;
    Ok(company_dto(saved))
}

/// Deletes a company and everything it holds (platform admin; never their own). Its media files
/// stay in storage until the next cleanup.
pub async fn delete(state: &AppState, caller: &CurrentUser, id: CompanyId) -> AppResult<()> {
    find(state, caller, id).await?;
    protect_own(caller, id, "deleted")?;
    let txn = state.begin().await?;
    store::companies::delete_with_data(&txn, id).await?;
    txn.commit().await?;
    Ok(())
}

/// Refuses a suspended company's users (at sign-in, refresh and every request).
pub async fn ensure_active(db: &impl sea_orm::ConnectionTrait, id: CompanyId) -> AppResult<()> {
    match store::companies::get(db, id).await? {
        Some(company) if company.suspended => Err(suspended()),
        _ => Ok(()),
    }
}

pub fn suspended() -> AppError {
    AppError::Denied {
        code: ErrorCode::CompanySuspended,
        message: "this company is suspended; ask the platform administrator",
    }
}

pub async fn list(state: &AppState, caller: &CurrentUser) -> AppResult<Vec<Company>> {
    caller.require_platform_admin()?;
    Ok(store::companies::list(&state.db).await?.into_iter().map(company_dto).collect())
}

pub async fn create(state: &AppState, caller: &CurrentUser, new: NewCompany) -> AppResult<CreatedCompany> {
    caller.require_platform_admin()?;
    let mut errors = FieldErrors::new();
    let company_name = errors.check("name", Name::parse(&new.name));
    let admin_name = errors.check("admin.name", Name::parse(&new.admin.name));
    let email = errors.check("admin.email", Email::parse(&new.admin.email));
    let password = errors.check("admin.password", Password::parse(&new.admin.password));
    let (Some(company_name), Some(admin_name), Some(email), Some(password)) =
        (company_name, admin_name, email, password)
    else {
        return Err(AppError::Invalid(errors));
    };
    let password_hash = password::hash(&password).await?;
    let txn = state.begin().await?;
    let company = store::companies::insert(&txn, company_name.as_str()).await?;
    let row = store::users::NewUserRow {
        company_id: shared::CompanyId(company.id),
        name: admin_name.as_str(),
        email: email.as_str(),
        password_hash: &password_hash,
        role: Role::Admin,
        platform_admin: false,
        signature_enabled: true,
    };
    let admin = store::users::insert(&txn, row).await.on_unique(crate::store::UniqueKey::UserEmail, "admin.email")?;
    txn.commit().await?;
    Ok(CreatedCompany { company: company_dto(company), admin: to_dto(admin, Vec::new()) })
}
