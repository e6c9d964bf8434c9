//! HTTP to `/api/v1` with the session's tokens.
//!
//! Every authenticated call reads the tokens from storage, refreshes them first when the access
//! token is about to expire, and on a 401 refreshes once and retries. Only one refresh runs at a
//! time (concurrent callers await the same one), because the server rotates refresh tokens. When
//! the refresh token is refused, the session ends and the app goes back to the login page.

use std::cell::RefCell;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::auth::{Me, RefreshRequest, TokenPair};
use shared::{ErrorBody, ErrorCode};

use super::ApiError;
use crate::state::session::Tokens;

pub const BASE: &str = "/api/v1";
/// Refresh this long before the access token expires.
const REFRESH_MARGIN_MS: f64 = 30_000.0;

/// How the client tells the app about session changes.
pub struct Hooks {
    /// A refresh returned the (possibly changed) user.
    pub on_user: Box<dyn Fn(Me)>,
    /// The session is over: tokens are already cleared.
    pub on_session_end: Box<dyn Fn()>,
}

type RefreshFuture = Shared<LocalBoxFuture<'static, Result<Tokens, ApiError>>>;

thread_local! {
    static HOOKS: RefCell<Option<Hooks>> = const { RefCell::new(None) };
    static REFRESHING: RefCell<Option<RefreshFuture>> = const { RefCell::new(None) };
}

pub fn set_hooks(hooks: Hooks) {
    HOOKS.with(|slot| *slot.borrow_mut() = Some(hooks));
}

fn end_session() {
    Tokens::clear();
    HOOKS.with(|slot| {
        if let Some(hooks) = slot.borrow().as_ref() {
            (hooks.on_session_end)();
        }
    });
}

fn user_changed(me: Me) {
    HOOKS.with(|slot| {
        if let Some(hooks) = slot.borrow().as_ref() {
            (hooks.on_user)(me);
        }
    });
}

#[derive(Clone, Copy, Debug)]
pub enum Method {
    Get,
    Post,
    Patch,
    Put,
    Delete,
}

fn builder(method: Method, url: &str) -> RequestBuilder {
    match method {
        Method::Get => Request::get(url),
        Method::Post => Request::post(url),
        Method::Patch => Request::patch(url),
        Method::Put => Request::put(url),
        Method::Delete => Request::delete(url),
    }
}

pub fn to_json<B: Serialize + ?Sized>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|_| ApiError::Decode)
}

/// One request, no token handling: `token` is sent as a Bearer token when given.
pub async fn raw(method: Method, path: &str, body: Option<&str>, token: Option<&str>) -> Result<Response, ApiError> {
    let url = format!("{BASE}{path}");
    let mut request = builder(method, &url).header("Accept", "application/json");
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let request = match body {
        Some(json) => request.header("Content-Type", "application/json").body(json.to_owned()),
        None => request.build(),
    };
    request.map_err(|_| ApiError::Network)?.send().await.map_err(|_| ApiError::Network)
}

/// The server's error answer as an [`ApiError`].
pub async fn error_from(response: Response) -> ApiError {
    let status = response.status();
    let retry_after = response.headers().get("retry-after").and_then(|value| value.trim().parse().ok());
    match response.json::<ErrorBody>().await {
        Ok(body) => ApiError::Api {
            status,
            code: body.error.code,
            message: body.error.message,
            details: body.error.details,
            retry_after,
        },
        Err(_) => {
            ApiError::Api { status, code: ErrorCode::Unknown, message: String::new(), details: None, retry_after }
        }
    }
}

/// A 2xx body as `T`, else the error.
pub async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        response.json::<T>().await.map_err(|_| ApiError::Decode)
    } else {
        Err(error_from(response).await)
    }
}

/// Exchanges a refresh token for a new pair, without touching storage.
pub async fn refresh_with(refresh_token: &str) -> Result<TokenPair, ApiError> {
    let body = to_json(&RefreshRequest { refresh_token: refresh_token.to_owned() })?;
    read(raw(Method::Post, "/auth/refresh", Some(&body), None).await?).await
}

/// Refreshes the stored tokens; concurrent callers share one request.
pub async fn refresh() -> Result<Tokens, ApiError> {
    let shared =
        REFRESHING.with(|slot| slot.borrow_mut().get_or_insert_with(|| refresh_now().boxed_local().shared()).clone());
    shared.await
}

async fn refresh_now() -> Result<Tokens, ApiError> {
    let result = refresh_stored().await;
    REFRESHING.with(|slot| slot.borrow_mut().take());
    result
}

async fn refresh_stored() -> Result<Tokens, ApiError> {
    let Some(old) = Tokens::load() else {
        end_session();
        return Err(ApiError::SessionEnded);
    };
    match refresh_with(&old.refresh_token).await {
        Ok(pair) => {
            let tokens = Tokens::from_pair(&pair);
            tokens.save();
            user_changed(pair.user);
            Ok(tokens)
        }
        Err(ApiError::Api { status: 400 | 401 | 403 | 404 | 422, .. }) => {
            // Another tab may have rotated the token meanwhile: use its result.
            if let Some(current) = Tokens::load().filter(|current| current.refresh_token != old.refresh_token) {
                return Ok(current);
            }
            end_session();
            Err(ApiError::SessionEnded)
        }
        Err(other) => Err(other),
    }
}

/// A request with the session's access token, refreshed as needed.
pub async fn authed(method: Method, path: &str, body: Option<&str>) -> Result<Response, ApiError> {
    let Some(mut tokens) = Tokens::load() else {
        end_session();
        return Err(ApiError::SessionEnded);
    };
    if tokens.expires_within(REFRESH_MARGIN_MS) {
        tokens = refresh().await?;
    }
    let response = raw(method, path, body, Some(&tokens.access_token)).await?;
    if response.status() != 401 {
        return Ok(response);
    }
    let tokens = match Tokens::load() {
        Some(current) if current.access_token != tokens.access_token => current,
        _ => refresh().await?,
    };
    let response = raw(method, path, body, Some(&tokens.access_token)).await?;
    if response.status() == 401 {
        end_session();
        return Err(ApiError::SessionEnded);
    }
    Ok(response)
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    read(authed(Method::Get, path, None).await?).await
}

pub async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let json = to_json(body)?;
    read(authed(method, path, Some(&json)).await?).await
}

pub async fn delete(path: &str) -> Result<(), ApiError> {
    let response = authed(Method::Delete, path, None).await?;
    if response.ok() { Ok(()) } else { Err(error_from(response).await) }
}

/// A valid access token (refreshed first when about to expire), for calls made outside this
/// client: the WebSocket and uploads with progress.
pub async fn access_token() -> Result<String, ApiError> {
    let Some(tokens) = Tokens::load() else {
        end_session();
        return Err(ApiError::SessionEnded);
    };
    if tokens.expires_within(REFRESH_MARGIN_MS * 2.0) {
        return Ok(refresh().await?.access_token);
    }
    Ok(tokens.access_token)
}
