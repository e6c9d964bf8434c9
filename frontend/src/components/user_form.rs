//! Create or edit a user (administrators): name, e-mail, password, role, queues.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::auth::Role;
use shared::ids::QueueId;
use shared::org::{NewUser, Queue, UpdateUser, User};
use shared::validate::{Email, Name, Password};

use super::form::{FieldError, FormActions, FormState, TextInput, check, unique_id};
use super::modal::Modal;
use crate::api::users::USERS;
use crate::i18n::{Key, role_key, use_i18n};
use crate::t;

#[component]
pub fn UserForm(
    /// `None` to create a user.
    user: Option<User>,
    #[prop(into)] queues: Signal<Vec<Queue>>,
    /// Called with the saved user and whether it was created.
    #[prop(into)]
    on_saved: Callback<(User, bool)>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let creating = user.is_none();
    let name = RwSignal::new(user.as_ref().map(|u| u.name.clone()).unwrap_or_default());
    let email = RwSignal::new(user.as_ref().map(|u| u.email.clone()).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(user.as_ref().map_or(Role::Agent, |u| u.role));
    let selected = RwSignal::new(user.as_ref().map(|u| u.queue_ids.clone()).unwrap_or_default());
    let original = StoredValue::new(user);
    let form = FormState::new();
    let role_id = unique_id("user-role");

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut errors = BTreeMap::new();
        let valid_name = check(&mut errors, "name", Name::parse(&name.get_untracked()));
        let valid_email = check(&mut errors, "email", Email::parse(&email.get_untracked()));
        let secret = password.get_untracked();
        let valid_password = if secret.is_empty() && !creating {
            None
        } else {
            check(&mut errors, "password", Password::parse(&secret))
        };
        if form.refuse(errors) {
            return;
        }
        let (Some(valid_name), Some(valid_email)) = (valid_name, valid_email) else { return };
        let mut queue_ids = selected.get_untracked();
        queue_ids.sort();
        match original.get_value() {
            None => {
                let Some(valid_password) = valid_password else { return };
                let new_user = NewUser {
                    name: valid_name.into_inner(),
                    email: valid_email.into_inner(),
                    password: valid_password.expose().to_owned(),
                    role: role.get_untracked(),
                    queue_ids,
                };
                if form.begin() {
                    form.save(async move { USERS.create(&new_user).await }, move |user| on_saved.run((user, true)));
                }
            }
            Some(before) => {
                let mut old_queues = before.queue_ids.clone();
                old_queues.sort();
                let changes = UpdateUser {
                    name: (valid_name.as_str() != before.name).then(|| valid_name.into_inner()),
                    email: (valid_email.as_str() != before.email).then(|| valid_email.into_inner()),
                    password: valid_password.map(|p| p.expose().to_owned()),
                    role: (role.get_untracked() != before.role).then(|| role.get_untracked()),
                    queue_ids: (queue_ids != old_queues).then_some(queue_ids),
                    signature_enabled: None,
                };
                if form.begin() {
                    let call = async move { USERS.update(before.id, &changes).await };
                    form.save(call, move |user| on_saved.run((user, false)));
                }
            }
        }
    };

    let toggle_queue = move |id: QueueId, on: bool| {
        selected.update(|ids| {
            ids.retain(|other| *other != id);
            if on {
                ids.push(id);
            }
        });
    };

    let title = Signal::derive(move || i18n.t(if creating { Key::NewUser } else { Key::EditUser }).to_owned());
    view! {
        <Modal title=title on_close=on_close testid="user-dialog" wide=true>
            <form class="form" novalidate on:submit=submit data-testid="user-form">
                <div class="field-row">
                    <TextInput label=Key::Name value=name error=form.error("name") testid="user-form-name" required=true/>
                    <TextInput label=Key::Email value=email error=form.error("email") testid="user-form-email" kind="email" required=true/>
                </div>
                <div class="field-row">
                    <TextInput
                        label=Key::Password
                        value=password
                        error=form.error("password")
                        testid="user-form-password"
                        kind="password"
                        autocomplete="new-password"
                        required=creating
                        hint=if creating { Key::PasswordTooShort } else { Key::PasswordKeepHint }
                    />
                    <div class="field">
                        <label for=role_id.clone()>{t!(i18n, Role)}</label>
                        <select
                            id=role_id
                            data-testid="user-form-role"
                            on:change=move |event| {
                                if let Some(parsed) = Role::parse(&event_target_value(&event)) {
                                    role.set(parsed);
                                }
                            }
                        >
                            {[Role::Admin, Role::Supervisor, Role::Agent]
                                .into_iter()
                                .map(|option| {
                                    view! {
                                        <option value=option.as_str() selected=move || role.get() == option>
                                            {move || i18n.t(role_key(option))}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <FieldError id=unique_id("user-role-error") error=form.error("role") testid="user-form-role"/>
                    </div>
                </div>
                <fieldset class="checks" data-testid="user-queues">
                    <legend>{t!(i18n, UserQueues)}</legend>
                    {move || {
                        let all = queues.get();
                        if all.is_empty() {
                            return view! { <p class="muted">{t!(i18n, NoQueuesToPick)}</p> }.into_any();
                        }
                        all.into_iter()
                            .map(|queue| {
                                let id = queue.id;
                                view! {
                                    <label class="check">
                                        <input
                                            type="checkbox"
                                            data-testid=format!("user-queue-{id}")
                                            prop:checked=move || selected.with(|ids| ids.contains(&id))
                                            on:change=move |event| toggle_queue(id, event_target_checked(&event))
                                        />
                                        <span class="dot" style:background-color=queue.color.clone()></span>
                                        <span>{queue.name.clone()}</span>
                                    </label>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                    <FieldError id=unique_id("user-queues-error") error=form.error("queue_ids") testid="user-queues"/>
                </fieldset>
                <FormActions form=form on_cancel=on_close banner_testid="user-form-error" save_testid="user-save"/>
            </form>
        </Modal>
    }
}
