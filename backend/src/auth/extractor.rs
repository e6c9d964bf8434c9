//! `CurrentUser`: who is calling, from `Authorization: Bearer <access token | API token>`.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use shared::auth::Role;
use shared::{CompanyId, UserId};

use crate::domain;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub company_id: CompanyId,
    pub role: Role,
    pub platform_admin: bool,
    /// The login session, when the caller used an access token.
    pub session_id: Option<i64>,
    /// The API token, when an integrator is calling.
    pub api_token_id: Option<i64>,
}

impl CurrentUser {
    /// Admins and supervisors: they see every ticket of the company.
    pub fn is_staff(&self) -> bool {
        self.role != Role::Agent
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn require_admin(&self) -> AppResult<()> {
        if self.is_admin() { Ok(()) } else { Err(AppError::Forbidden("only administrators may do this")) }
    }

    pub fn require_platform_admin(&self) -> AppResult<()> {
        if self.platform_admin {
            Ok(())
        } else {
            Err(AppError::Forbidden("only the platform administrator may do this"))
        }
    }
}

/// The token after `Bearer `, if the header has one.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or(AppError::Unauthenticated("a bearer token is required"))?;
        domain::auth::authenticate(state, token).await
    }
}
