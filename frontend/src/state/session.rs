//! The signed-in user and the tokens that prove it.
//!
//! Tokens live in `localStorage` (so a reload keeps the session) and are read from there on every
//! call, so several tabs share one rotating refresh token. The user is a signal the whole UI reads.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use shared::auth::{Me, Role, TokenPair};

use super::storage;
use crate::api::{self, ApiError};
use crate::i18n::Key;

const TOKENS_KEY: &str = "atende.session";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    /// When the access token expires, in milliseconds since the epoch (browser clock).
    pub expires_at: f64,
}

impl Tokens {
    pub fn from_pair(pair: &TokenPair) -> Self {
        Self {
            access_token: pair.access_token.clone(),
            refresh_token: pair.refresh_token.clone(),
            expires_at: js_sys::Date::now() + pair.expires_in as f64 * 1000.0,
        }
    }

    pub fn expires_within(&self, millis: f64) -> bool {
        self.expires_at - js_sys::Date::now() < millis
    }

    pub fn load() -> Option<Self> {
        serde_json::from_str(&storage::get(TOKENS_KEY)?).ok()
    }

    pub fn save(&self) {
        if let Ok(json) = serde_json::to_string(self) {
            storage::set(TOKENS_KEY, &json);
        }
    }

    pub fn clear() {
        storage::remove(TOKENS_KEY);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Saved tokens found; asking the server who we are.
    Restoring,
    SignedIn,
    SignedOut,
    /// Saved tokens found but the server could not be reached.
    Unreachable,
}

#[derive(Clone, Copy)]
pub struct Session {
    me: RwSignal<Option<Me>>,
    status: RwSignal<Status>,
    /// A message for the login page, e.g. "your session ended".
    notice: RwSignal<Option<Key>>,
}

impl Session {
    /// Creates the session and wires the API client's callbacks to it.
    pub fn start() -> Self {
        let status = if Tokens::load().is_some() { Status::Restoring } else { Status::SignedOut };
        let session = Self { me: RwSignal::new(None), status: RwSignal::new(status), notice: RwSignal::new(None) };
        api::client::set_hooks(api::client::Hooks {
            on_user: Box::new(move |me| session.me.set(Some(me))),
            on_session_end: Box::new(move || session.end(Some(Key::SessionExpired))),
        });
        if status == Status::Restoring {
            session.restore();
        }
        session
    }

    /// Fetches `/me` with the saved tokens (refreshing them if needed).
    pub fn restore(&self) {
        let session = *self;
        session.status.set(Status::Restoring);
        spawn_local(async move {
            match api::me::get().await {
                Ok(me) => {
                    session.me.set(Some(me));
                    session.status.set(Status::SignedIn);
                }
                Err(ApiError::SessionEnded) => session.end(Some(Key::SessionExpired)),
                Err(_) => session.status.set(Status::Unreachable),
            }
        });
    }

    /// Fetches `/me` again (e.g. after an admin edited their own user) without leaving the page.
    pub fn reload_me(&self) {
        let session = *self;
        spawn_local(async move {
            if let Ok(me) = api::me::get().await {
                session.me.set(Some(me));
            }
        });
    }

    pub fn status(&self) -> Status {
        self.status.get()
    }

    /// The signed-in user (tracked).
    pub fn me(&self) -> Option<Me> {
        self.me.get()
    }

    pub fn me_untracked(&self) -> Option<Me> {
        self.me.get_untracked()
    }

    pub fn is_admin(&self) -> bool {
        self.me.with(|me| me.as_ref().is_some_and(|me| me.role == Role::Admin))
    }

    pub fn notice(&self) -> Option<Key> {
        self.notice.get()
    }

    pub fn sign_in(&self, pair: TokenPair) {
        Tokens::from_pair(&pair).save();
        self.notice.set(None);
        self.me.set(Some(pair.user));
        self.status.set(Status::SignedIn);
    }

    pub fn set_me(&self, me: Me) {
        self.me.set(Some(me));
    }

    /// Forgets the session locally (tokens and user).
    pub fn end(&self, notice: Option<Key>) {
        Tokens::clear();
        self.notice.set(notice);
        self.me.set(None);
        self.status.set(Status::SignedOut);
    }

    /// Signs out at once; the server is told in the background to revoke the refresh token.
    pub fn logout(&self) {
        let tokens = Tokens::load();
        self.end(None);
        if let Some(tokens) = tokens {
            spawn_local(api::auth::logout(tokens));
        }
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
