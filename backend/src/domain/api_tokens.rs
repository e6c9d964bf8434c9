//! API tokens for integrators: created by an admin, shown once, stored hashed, revocable.

use shared::auth::{ApiToken, CreatedApiToken, NewApiToken};
use shared::validate::Name;
use shared::{ApiTokenId, UserId};

use crate::auth::{CurrentUser, secret};
use crate::domain::auth::API_TOKEN_PREFIX;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;

pub async fn create(state: &AppState, caller: &CurrentUser, new: NewApiToken) -> AppResult<CreatedApiToken> {
    caller.require_admin()?;
    let name = Name::parse(&new.name).map_err(|e| FieldErrors::one("name", e))?;
    let token = secret::generate(API_TOKEN_PREFIX);
    let prefix: String = token.chars().take(12).collect();
    let row = store::api_tokens::NewApiTokenRow {
        company_id: caller.company_id,
        created_by: caller.id,
        name: name.as_str(),
        prefix: &prefix,
        token_hash: &secret::sha256_hex(&token),
    };
    let txn = state.begin().await?;
    let saved = store::api_tokens::insert(&txn, row).await?;
    txn.commit().await?;
    Ok(CreatedApiToken { id: ApiTokenId(saved.id), name: saved.name, token, created_at: saved.created_at })
}

pub async fn list(state: &AppState, caller: &CurrentUser) -> AppResult<Vec<ApiToken>> {
    caller.require_admin()?;
    let rows = store::api_tokens::list(&state.db, caller.company_id).await?;
    Ok(rows
        .into_iter()
        .map(|t| ApiToken {
            id: ApiTokenId(t.id),
            name: t.name,
            prefix: t.prefix,
            created_by: UserId(t.created_by),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
        })
        .collect())
}

pub async fn revoke(state: &AppState, caller: &CurrentUser, id: ApiTokenId) -> AppResult<()> {
    caller.require_admin()?;
    let txn = state.begin().await?;
    let deleted = store::api_tokens::delete_in_company(&txn, caller.company_id, id).await?;
    txn.commit().await?;
    if deleted == 0 { Err(AppError::NotFound("API token")) } else { Ok(()) }
}
