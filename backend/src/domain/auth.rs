//! Login, refresh-token rotation, logout and turning a bearer token into a `CurrentUser`.

use std::net::IpAddr;
use std::num::NonZeroU32;

use chrono::Utc;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sea_orm::ConnectionTrait;
use shared::auth::{LoginRequest, Me, TokenPair};
use shared::visibility::Viewer;
use shared::{CompanyId, UserId};

use crate::auth::jwt::Claims;
use crate::auth::{CurrentUser, password, secret};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;
use crate::store::entities::users;

pub const API_TOKEN_PREFIX: &str = "atd_";
const REFRESH_TOKEN_PREFIX: &str = "rt_";

/// Login attempts per minute, per client address and per (e-mail, address): one address cannot
/// guess passwords quickly, and its failures for an account slow that address down without
/// locking the account's owner out from anywhere else (review #8: ten requests a minute used to
/// lock out the platform admin, whose e-mail is well known).
pub struct LoginLimiter {
    by_ip: DefaultKeyedRateLimiter<IpAddr>,
    by_account: DefaultKeyedRateLimiter<(String, IpAddr)>,
}

impl LoginLimiter {
    pub fn new(per_ip: u32, per_email: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self { by_ip: RateLimiter::keyed(quota(per_ip)), by_account: RateLimiter::keyed(quota(per_email)) }
    }

    pub fn check(&self, ip: IpAddr, email: &str) -> AppResult<()> {
        // Forget idle keys now and then so the maps stay small.
        if self.by_account.len() > 10_000 || self.by_ip.len() > 10_000 {
            self.by_account.retain_recent();
            self.by_ip.retain_recent();
        }
        let now = DefaultClock::default().now();
        let refused = |not_until: governor::NotUntil<_>| AppError::TooManyRequests {
            retry_after_secs: not_until.wait_time_from(now).as_secs().max(1),
        };
        let address = address_key(ip);
        self.by_ip.check_key(&address).map_err(refused)?;
        self.by_account.check_key(&(email.to_owned(), address)).map_err(refused)?;
        Ok(())
    }
}

/// One IPv6 subscriber gets a whole /64 to pick addresses from: the limiter counts the /64.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::V6(octets.into())
            }
        },
        v4 => v4,
    }
}

pub async fn login(state: &AppState, client: IpAddr, request: LoginRequest) -> AppResult<TokenPair> {
    let email = request.email.trim().to_lowercase();
    state.login_limiter.check(client, &email)?;
    let user = store::users::find_by_email(&state.db, &email).await?;
    let matches = password::verify(user.as_ref().map(|u| u.password_hash.clone()), &request.password).await?;
    match user {
        Some(user) if matches => {
            crate::domain::companies::ensure_active(&state.db, CompanyId(user.company_id)).await?;
            start_session(state, user).await
        }
        _ => Err(AppError::InvalidCredentials),
    }
}

async fn start_session(state: &AppState, user: users::Model) -> AppResult<TokenPair> {
    let expires_at = Utc::now() + state.config.refresh_token_ttl;
    let refresh_token = secret::generate(REFRESH_TOKEN_PREFIX);
    let txn = state.begin().await?;
    let session = store::sessions::create(&txn, UserId(user.id), expires_at).await?;
    store::sessions::add_refresh_token(&txn, session.id, &secret::sha256_hex(&refresh_token)).await?;
    txn.commit().await?;
    token_pair(state, user, session.id, refresh_token).await
}

async fn token_pair(
    state: &AppState,
    user: users::Model,
    session_id: i64,
    refresh_token: String,
) -> AppResult<TokenPair> {
    crate::domain::companies::ensure_active(&state.db, CompanyId(user.company_id)).await?;
    let now = Utc::now().timestamp();
    let ttl = state.config.access_token_ttl.as_secs() as i64;
    let claims = Claims { sub: user.id, cid: user.company_id, sid: session_id, iat: now, exp: now + ttl };
    let access_token = state.jwt.sign(&claims)?;
    let user = me_of(state, user).await?;
    Ok(TokenPair { access_token, refresh_token, expires_in: ttl, user })
}

/// Exchanges a refresh token for a new pair. Each refresh token works once: presenting a used
/// one means it was copied, so the whole session is revoked.
pub async fn refresh(state: &AppState, refresh_token: &str) -> AppResult<TokenPair> {
    const REFUSED: AppError = AppError::Unauthenticated("the refresh token is invalid or expired");
    let txn = state.begin().await?;
    let Some(token) = store::sessions::find_refresh_token(&txn, &secret::sha256_hex(refresh_token)).await? else {
        return Err(REFUSED);
    };
    let Some(session) = store::sessions::get(&txn, token.session_id).await? else {
        return Err(REFUSED);
    };
    if session.revoked_at.is_some() || session.expires_at <= Utc::now() {
        return Err(REFUSED);
    }
    if !store::sessions::use_refresh_token(&txn, token.id).await? {
        // Used moments ago (or by a request racing this one: it read the token unused): two tabs
        // refreshing together, or a lost answer. Not a thief; a new pair, same session.
        let grace = chrono::Duration::from_std(state.config.refresh_grace).unwrap_or_default();
        let used_at = token.used_at.unwrap_or_else(Utc::now);
        if Utc::now() - used_at <= grace && !grace.is_zero() {
            let next = secret::generate(REFRESH_TOKEN_PREFIX);
            store::sessions::add_refresh_token(&txn, session.id, &secret::sha256_hex(&next)).await?;
            let user = store::users::get(&txn, UserId(session.user_id)).await?.ok_or(REFUSED)?;
            txn.commit().await?;
            return token_pair(state, user, session.id, next).await;
        }
        store::sessions::revoke(&txn, session.id).await?;
        txn.commit().await?;
        tracing::warn!(
            session = session.id,
            user = session.user_id,
            "a used refresh token was presented; session revoked"
        );
        return Err(AppError::Unauthenticated("this refresh token was already used; the session has been ended"));
    }
    let next = secret::generate(REFRESH_TOKEN_PREFIX);
    store::sessions::add_refresh_token(&txn, session.id, &secret::sha256_hex(&next)).await?;
    let user = store::users::get(&txn, UserId(session.user_id)).await?.ok_or(REFUSED)?;
    txn.commit().await?;
    token_pair(state, user, session.id, next).await
}

/// Ends the caller's session (and the one `refresh_token` belongs to, if it is the caller's).
pub async fn logout(state: &AppState, caller: &CurrentUser, refresh_token: Option<&str>) -> AppResult<()> {
    let txn = state.begin().await?;
    if let Some(session_id) = caller.session_id {
        store::sessions::revoke(&txn, session_id).await?;
    }
    if let Some(token) = refresh_token
        && let Some(row) = store::sessions::find_refresh_token(&txn, &secret::sha256_hex(token)).await?
        && let Some(session) = store::sessions::get(&txn, row.session_id).await?
        && session.user_id == caller.id.0
    {
        store::sessions::revoke(&txn, session.id).await?;
    }
    txn.commit().await?;
    Ok(())
}

pub async fn authenticate(state: &AppState, token: &str) -> AppResult<CurrentUser> {
    if token.starts_with(API_TOKEN_PREFIX) {
        return authenticate_api_token(state, token).await;
    }
    const REFUSED: AppError = AppError::Unauthenticated("the access token is invalid or expired");
    let claims = state.jwt.verify(token).ok_or(REFUSED)?;
    let access = store::access::of_session(&state.db, claims.sid, UserId(claims.sub)).await?.ok_or(REFUSED)?;
    active(&access)?;
    Ok(current_user(&access, Some(claims.sid), None))
}

async fn authenticate_api_token(state: &AppState, token: &str) -> AppResult<CurrentUser> {
    const REFUSED: AppError = AppError::Unauthenticated("the API token is invalid or was revoked");
    let found = store::access::of_api_token(&state.db, &secret::sha256_hex(token)).await?.ok_or(REFUSED)?;
    // The token acts as the administrator who created it, with that person's current role.
    active(&found.access)?;
    // Recording every use would be a write per request; once a minute is enough to show activity.
    if found.last_used_at.is_none_or(|at| Utc::now() - at > chrono::Duration::seconds(60)) {
        let txn = state.begin().await?;
        store::api_tokens::touch(&txn, shared::ApiTokenId(found.token_id)).await?;
        txn.commit().await?;
    }
    Ok(current_user(&found.access, None, Some(found.token_id)))
}

/// A suspended company's people are refused (`companies::ensure_active`, from the joined row).
fn active(access: &store::access::Access) -> AppResult<()> {
    if access.company_suspended == Some(true) {
        return Err(crate::domain::companies::suspended());
    }
    Ok(())
}

fn current_user(access: &store::access::Access, session_id: Option<i64>, api_token_id: Option<i64>) -> CurrentUser {
    CurrentUser {
        id: UserId(access.user_id),
        company_id: CompanyId(access.company_id),
        role: access.role.into(),
        platform_admin: access.platform_admin,
        session_id,
        api_token_id,
    }
}

pub async fn me_of(state: &AppState, user: users::Model) -> AppResult<Me> {
    let company = store::companies::get(&state.db, CompanyId(user.company_id)).await?;
    let queue_ids = store::users::queue_ids_of_user(&state.db, UserId(user.id)).await?;
    Ok(Me {
        id: UserId(user.id),
        company_id: CompanyId(user.company_id),
        company_name: company.map(|c| c.name).unwrap_or_default(),
        role: user.role.into(),
        name: user.name,
        email: user.email,
        platform_admin: user.platform_admin,
        signature_enabled: user.signature_enabled,
        queue_ids,
    })
}

/// What the caller may see of the company's tickets: their role and, for agents, their queues.
pub async fn viewer_of(db: &impl ConnectionTrait, caller: &CurrentUser) -> AppResult<Viewer> {
    let queue_ids = if caller.is_admin() || caller.role == shared::auth::Role::Supervisor {
        Vec::new()
    } else {
        store::users::queue_ids_of_user(db, caller.id).await?
    };
    Ok(Viewer { user_id: caller.id, role: caller.role, queue_ids })
}

/// A WebSocket listener for the caller.
pub async fn listener_of(state: &AppState, caller: &CurrentUser) -> AppResult<crate::realtime::socket::Listener> {
    Ok(crate::realtime::socket::Listener { company_id: caller.company_id, viewer: viewer_of(&state.db, caller).await? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_refuses_past_the_quota_per_email_and_per_address() {
        let limiter = LoginLimiter::new(5, 2);
        let ip: IpAddr = [10, 0, 0, 1].into();
        assert!(limiter.check(ip, "a@x.com").is_ok());
        assert!(limiter.check(ip, "a@x.com").is_ok());
        match limiter.check(ip, "a@x.com") {
            Err(AppError::TooManyRequests { retry_after_secs }) => assert!(retry_after_secs >= 1),
            other => panic!("expected 429, got {other:?}"),
        }
        // Another e-mail from the same address still has its own quota, until the address runs out.
        assert!(limiter.check(ip, "b@x.com").is_ok());
        assert!(limiter.check(ip, "c@x.com").is_ok());
        assert!(matches!(limiter.check(ip, "d@x.com"), Err(AppError::TooManyRequests { .. })));
    }

    #[test]
    fn an_ipv6_network_counts_as_one_address() {
        let limiter = LoginLimiter::new(2, 100);
        let host = |last: u16| IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, last));
        assert!(limiter.check(host(1), "a@x.com").is_ok());
        assert!(limiter.check(host(2), "b@x.com").is_ok());
        assert!(limiter.check(host(3), "c@x.com").is_err(), "same /64");
        let elsewhere = IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 0, 2, 0, 0, 0, 1));
        assert!(limiter.check(elsewhere, "d@x.com").is_ok());
    }
}
