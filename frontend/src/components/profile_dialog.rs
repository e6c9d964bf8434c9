//! Perfil: the signed-in user edits their name, e-mail, password and signature default.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::UpdateMe;
use shared::validate::{Email, Name, Password};

use super::form::{FormActions, FormState, Msg, TextInput, check};
use super::modal::Modal;
use super::toast::use_toasts;
use crate::api;
use crate::i18n::{Key, use_i18n};
use crate::state::session::use_session;
use crate::t;

#[component]
pub fn ProfileDialog(#[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let toasts = use_toasts();
    let Some(me) = session.me_untracked() else {
        return ().into_any();
    };
    let name = RwSignal::new(me.name.clone());
    let email = RwSignal::new(me.email.clone());
    let password = RwSignal::new(String::new());
    let current_password = RwSignal::new(String::new());
    let signature = RwSignal::new(me.signature_enabled);
    let original = StoredValue::new(me);
    let form = FormState::new();

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let me = original.get_value();
        let mut errors = BTreeMap::new();
        let mut changes = UpdateMe::default();
        if let Some(new_name) = check(&mut errors, "name", Name::parse(&name.get_untracked()))
            && new_name.as_str() != me.name
        {
            changes.name = Some(new_name.into_inner());
        }
        if let Some(new_email) = check(&mut errors, "email", Email::parse(&email.get_untracked()))
            && new_email.as_str() != me.email
        {
            changes.email = Some(new_email.into_inner());
        }
        let new_password = password.get_untracked();
        if !new_password.is_empty()
            && let Some(valid) = check(&mut errors, "password", Password::parse(&new_password))
        {
            changes.password = Some(valid.expose().to_owned());
        }
        if signature.get_untracked() != me.signature_enabled {
            changes.signature_enabled = Some(signature.get_untracked());
        }
        if changes.email.is_some() || changes.password.is_some() {
            let current = current_password.get_untracked();
            if current.is_empty() {
                errors.insert("current_password".into(), Msg::Key(Key::CurrentPasswordRequired));
            } else {
                changes.current_password = Some(current);
            }
        }
        if form.refuse(errors) {
            return;
        }
        let nothing_changed = changes.name.is_none()
            && changes.email.is_none()
            && changes.password.is_none()
            && changes.signature_enabled.is_none();
        if nothing_changed {
            on_close.run(());
            return;
        }
        if !form.begin() {
            return;
        }
        spawn_local(async move {
            match api::me::update(&changes).await {
                Ok(updated) => {
                    form.busy.set(false);
                    session.set_me(updated);
                    toasts.push(Key::ProfileSaved);
                    on_close.run(());
                }
                Err(err) => {
                    let wrong_current = err.field_errors().contains_key("current_password");
                    form.fail(err);
                    if wrong_current {
                        form.errors.update(|errors| {
                            errors.insert("current_password".into(), Msg::Key(Key::WrongCurrentPassword));
                        });
                    }
                }
            }
        });
    };

    view! {
        <Modal
            title=Signal::derive(move || i18n.t(Key::EditProfile).to_owned())
            on_close=on_close
            testid="profile-dialog"
        >
            <form class="form" novalidate on:submit=submit data-testid="profile-form">
                <TextInput label=Key::Name value=name error=form.error("name") testid="profile-name" autocomplete="name" required=true/>
                <TextInput label=Key::Email value=email error=form.error("email") testid="profile-email" kind="email" autocomplete="email" required=true/>
                <div class="field-row">
                    <TextInput
                        label=Key::NewPassword
                        value=password
                        error=form.error("password")
                        testid="profile-password"
                        kind="password"
                        autocomplete="new-password"
                        hint=Key::NewPasswordHint
                    />
                    <TextInput
                        label=Key::CurrentPassword
                        value=current_password
                        error=form.error("current_password")
                        testid="profile-current-password"
                        kind="password"
                        autocomplete="current-password"
                        hint=Key::CurrentPasswordHint
                    />
                </div>
                <label class="switch">
                    <input type="checkbox" role="switch" data-testid="profile-signature" bind:checked=signature/>
                    <span class="switch-track" aria-hidden="true"></span>
                    <span class="switch-text">
                        <span>{t!(i18n, Signature)}</span>
                        <span class="field-hint">{t!(i18n, SignatureHint)}</span>
                    </span>
                </label>
                <FormActions form=form on_cancel=on_close banner_testid="profile-error" save_testid="profile-save"/>
            </form>
        </Modal>
    }
    .into_any()
}
