//! Operator tasks: the first admin, `create-admin`, and the demo data.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sea_orm::{IntoActiveModel, Set};
use shared::auth::Role;
use shared::validate::{Email, HexColor, Name, Password};
use shared::{CompanyId, QueueId, UserId};

use crate::auth::password;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;

pub const DEFAULT_COMPANY: &str = "Minha Empresa";
pub const FIRST_ADMIN_EMAIL: &str = "admin@atende.local";

pub struct Credentials {
    pub email: String,
    pub password: String,
}

fn random_password() -> String {
    let mut bytes = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

async fn default_company(state: &AppState) -> AppResult<CompanyId> {
    if let Some(company) = store::companies::first(&state.db).await? {
        return Ok(CompanyId(company.id));
    }
    let txn = state.begin().await?;
    let company = store::companies::insert(&txn, DEFAULT_COMPANY).await?;
    txn.commit().await?;
    Ok(CompanyId(company.id))
}

/// On an empty database, creates the default company and its platform admin with a random
/// password, and returns the credentials so they can be shown once.
pub async fn ensure_first_admin(state: &AppState) -> AppResult<Option<Credentials>> {
    if store::users::count(&state.db).await? > 0 {
        return Ok(None);
    }
    let password = random_password();
    create_admin(state, FIRST_ADMIN_EMAIL, &password, "Administrador").await?;
    Ok(Some(Credentials { email: FIRST_ADMIN_EMAIL.into(), password }))
}

/// Creates the platform admin of the default company, or resets it (e-mail, password, name).
pub async fn create_admin(state: &AppState, email: &str, password: &str, name: &str) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(email));
    let password = errors.check("password", Password::parse(password));
    let name = errors.check("name", Name::parse(name));
    let (Some(email), Some(password), Some(name)) = (email, password, name) else {
        return Err(AppError::Invalid(errors));
    };
    let hash = password::hash(&password).await?;
    let company_id = default_company(state).await?;
    let txn = state.begin().await?;
    let existing = match store::users::find_by_email(&txn, email.as_str()).await? {
        // Another company's user is never promoted to run the platform (review #20).
        Some(user) if user.company_id != company_id.0 => {
            return Err(FieldErrors::one("email", shared::validate::Invalid::AlreadyInUse));
        }
        Some(user) => Some(user),
        None => store::users::first_platform_admin(&txn).await?,
    };
    match existing {
        Some(user) => {
            let user_id = user.id;
            let mut row = user.into_active_model();
            row.email = Set(email.into_inner());
            row.name = Set(name.into_inner());
            row.password_hash = Set(hash);
            row.role = Set(Role::Admin.into());
            row.platform_admin = Set(true);
            store::users::update(&txn, row).await?;
            store::sessions::revoke_all_of_user(&txn, UserId(user_id)).await?;
        }
        None => {
            let row = store::users::NewUserRow {
                company_id,
                name: name.as_str(),
                email: email.as_str(),
                password_hash: &hash,
                role: Role::Admin,
                platform_admin: true,
                signature_enabled: true,
            };
            store::users::insert(&txn, row).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

pub const DEMO_PASSWORD: &str = "demo-atende-123";

/// What `seed_demo` did.
pub struct DemoReport {
    /// The demo users created now (`email (role)`).
    pub users: Vec<String>,
    /// The platform admin, when the database had none and one was created now.
    pub admin: Option<Credentials>,
    pub seeded: crate::domain::demo::Seeded,
}

/// Demo queues, agents, a simulator connection and its conversations in the default company;
/// running it twice changes nothing.
pub async fn seed_demo(state: &AppState) -> AppResult<DemoReport> {
    let admin = ensure_first_admin(state).await?;
    let company_id = default_company(state).await?;
    let mut queue_ids = Vec::new();
    let existing = store::queues::page(&state.db, company_id, None, 1000).await?;
    for (name, color) in [("Vendas", "#1e88e5"), ("Suporte", "#43a047"), ("Financeiro", "#fb8c00")] {
        let id = match existing.iter().find(|q| q.name == name) {
            Some(queue) => QueueId(queue.id),
            None => {
                let color = HexColor::parse(color).map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
                let txn = state.begin().await?;
                let queue = store::queues::insert(&txn, company_id, name, color.as_str()).await?;
                txn.commit().await?;
                QueueId(queue.id)
            }
        };
        queue_ids.push(id);
    }
    let password = Password::parse(DEMO_PASSWORD).map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
    let hash = password::hash(&password).await?;
    let mut created = Vec::new();
    let people = [
        ("Beatriz Supervisora", "supervisora@demo.atende.local", Role::Supervisor, 0..3),
        ("Carlos Vendas", "carlos@demo.atende.local", Role::Agent, 0..1),
        ("Daniela Suporte", "daniela@demo.atende.local", Role::Agent, 1..2),
        ("Eduardo Financeiro", "eduardo@demo.atende.local", Role::Agent, 2..3),
    ];
    for (name, email, role, queues) in people {
        if store::users::find_by_email(&state.db, email).await?.is_some() {
            continue;
        }
        let row = store::users::NewUserRow {
            company_id,
            name,
            email,
            password_hash: &hash,
            role,
            platform_admin: false,
            signature_enabled: true,
        };
        let txn = state.begin().await?;
        let user = store::users::insert(&txn, row).await?;
        store::users::set_queues(&txn, UserId(user.id), &queue_ids[queues]).await?;
        txn.commit().await?;
        created.push(format!("{email} ({})", role.as_str()));
    }
    let Some(platform_admin) = store::users::first_platform_admin(&state.db).await? else {
        return Err(AppError::Internal(anyhow::anyhow!("the platform admin is missing")));
    };
    let mut agents = Vec::new();
    for email in ["carlos@demo.atende.local", "daniela@demo.atende.local", "eduardo@demo.atende.local"] {
        let agent = store::users::find_by_email(&state.db, email)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the demo agent {email} is missing")))?;
        agents.push(agent);
    }
    let seeded = crate::domain::demo::conversations(state, &platform_admin, &agents, &queue_ids).await?;
    Ok(DemoReport { users: created, admin, seeded })
}
