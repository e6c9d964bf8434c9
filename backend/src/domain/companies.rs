//! Tenants: the platform administrator creates a company together with its first admin.

use shared::CompanyId;
use shared::auth::Role;
use shared::org::{Company, CreatedCompany, NewCompany};
use shared::validate::{Email, Name, Password};

use crate::auth::{CurrentUser, password};
use crate::domain::users::to_dto;
use crate::error::OnUnique;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::companies;

fn company_dto(company: companies::Model) -> Company {
    Company { id: CompanyId(company.id), name: company.name, created_at: company.created_at }
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
