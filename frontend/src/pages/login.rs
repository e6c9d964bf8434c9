//! /login: e-mail and password.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::auth::LoginRequest;
use shared::validate::Email;

use crate::api;
use crate::components::form::{FormBanner, FormState, Msg, TextInput, check};
use crate::components::icons;
use crate::components::lang_switch::LangSwitch;
use crate::i18n::{Key, use_i18n};
use crate::state::session::{Status, use_session};
use crate::t;

/// Only paths of this app: no other origin (`//host`, `/\\host`, `https:`) may come through `?next=`.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') && !path.starts_with("/login")
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = FormState::new();
    let email_ref = NodeRef::<leptos::html::Input>::new();

    let query = use_query_map();
    // Signed in (or a saved session just got restored): go where the visitor was headed.
    Effect::new(move || {
        if session.status() == Status::SignedIn {
            let next = query.with_untracked(|query| query.get("next")).filter(|path| is_local_path(path));
            navigate(next.as_deref().unwrap_or("/"), NavigateOptions { replace: true, ..Default::default() });
        }
    });
    Effect::new(move || {
        if let Some(input) = email_ref.get() {
            let _ = input.focus();
        }
    });

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut errors = BTreeMap::new();
        let address = check(&mut errors, "email", Email::parse(&email.get_untracked()));
        let secret = password.get_untracked();
        if secret.is_empty() {
            errors.insert("password".to_owned(), Msg::Key(Key::Required));
        }
        if form.refuse(errors) {
            return;
        }
        let Some(address) = address else { return };
        if !form.begin() {
            return;
        }
        let request = LoginRequest { email: address.into_inner(), password: secret };
        spawn_local(async move {
            match api::auth::login(&request).await {
                Ok(pair) => {
                    form.busy.set(false);
                    session.sign_in(pair);
                }
                Err(err) => {
                    password.set(String::new());
                    form.fail(err);
                }
            }
        });
    };

    view! {
        <div class="login-page">
            <div class="login-lang">
                <LangSwitch/>
            </div>
            <main class="login-card" data-testid="login-page">
                <div class="login-brand">
                    <span class="brand-mark brand-mark-large">{icons::chat()}</span>
                    <div>
                        <h1>{t!(i18n, AppName)}</h1>
                        <p class="muted">{t!(i18n, Tagline)}</p>
                    </div>
                </div>
                {move || {
                    session
                        .notice()
                        .map(|key| {
                            view! { <div class="alert alert-info" data-testid="login-notice">{move || i18n.t(key)}</div> }
                        })
                }}
                <form class="form" novalidate on:submit=submit data-testid="login-form">
                    <h2 class="login-title">{t!(i18n, SignInTitle)}</h2>
                    <TextInput
                        label=Key::Email
                        value=email
                        error=form.error("email")
                        testid="login-email"
                        kind="email"
                        autocomplete="username"
                        required=true
                        node_ref=email_ref
                    />
                    <TextInput
                        label=Key::Password
                        value=password
                        error=form.error("password")
                        testid="login-password"
                        kind="password"
                        autocomplete="current-password"
                        required=true
                    />
                    <FormBanner form=form testid="login-error"/>
                    <button type="submit" class="btn btn-primary btn-block" data-testid="login-submit" disabled=move || form.busy.get()>
                        {move || if form.busy.get() { i18n.t(Key::SigningIn) } else { i18n.t(Key::SignIn) }}
                    </button>
                </form>
            </main>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn next_must_be_a_path_of_this_app() {
        assert!(is_local_path("/admin/users"));
        assert!(is_local_path("/"));
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "evil", "", "/login?next=/"] {
            assert!(!is_local_path(bad), "{bad} should be refused");
        }
    }
}
