//! `/auth`: login and logout (refresh lives in the client, which needs it for every call).

use shared::auth::{LoginRequest, RefreshRequest, TokenPair};

use super::ApiError;
use super::client::{self, Method};
use crate::state::session::Tokens;

pub async fn login(request: &LoginRequest) -> Result<TokenPair, ApiError> {
    let body = client::to_json(request)?;
    client::read(client::raw(Method::Post, "/auth/login", Some(&body), None).await?).await
}

/// Revokes the session's refresh token; failures are ignored (the local session is gone anyway).
pub async fn logout(tokens: Tokens) {
    let mut tokens = tokens;
    if tokens.expires_within(5_000.0) {
        // The access token is (nearly) expired: trade the refresh token for a pair to revoke.
        match client::refresh_with(&tokens.refresh_token).await {
            Ok(pair) => tokens = Tokens::from_pair(&pair),
            Err(_) => return,
        }
    }
    let body = client::to_json(&RefreshRequest { refresh_token: tokens.refresh_token.clone() }).ok();
    let _ = client::raw(Method::Post, "/auth/logout", body.as_deref(), Some(&tokens.access_token)).await;
}
