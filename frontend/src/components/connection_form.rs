//! Create or edit a connection (administrators): name, kind (when creating), default queue, and a
//! Cloud API number's ids and secrets. Secrets are write-only: left blank when editing, they stay.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::contacts::{Connection, ConnectionKind, NewConnection, UpdateConnection};
use shared::ids::QueueId;
use shared::org::Queue;
use shared::validate::{Invalid, Name};

use super::bot_select::BotSelect;
use super::form::{FieldError, FormActions, FormState, Msg, TextInput, check, unique_id};
use super::modal::Modal;
use crate::api::connections::CONNECTIONS;
use crate::i18n::{Key, use_i18n};
use crate::t;

pub fn kind_key(kind: ConnectionKind) -> Key {
    match kind {
        ConnectionKind::Simulator => Key::KindSimulator,
        ConnectionKind::CloudApi => Key::KindCloudApi,
        ConnectionKind::WhatsappWeb => Key::KindWhatsappWeb,
    }
}

/// The trimmed text, `None` when blank.
fn filled(value: RwSignal<String>) -> Option<String> {
    Some(value.get_untracked().trim().to_owned()).filter(|v| !v.is_empty())
}

#[component]
pub fn ConnectionForm(
    /// `None` to create a connection.
    connection: Option<Connection>,
    #[prop(into)] queues: Signal<Vec<Queue>>,
    /// Called with the saved connection and whether it was created.
    #[prop(into)]
    on_saved: Callback<(Connection, bool)>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let creating = connection.is_none();
    let text =
        |pick: fn(&Connection) -> Option<String>| RwSignal::new(connection.as_ref().and_then(pick).unwrap_or_default());
    let name = text(|c| Some(c.name.clone()));
    let kind = RwSignal::new(connection.as_ref().map_or(ConnectionKind::Simulator, |c| c.kind));
    let queue = RwSignal::new(connection.as_ref().and_then(|c| c.default_queue_id));
    let bot = RwSignal::new(connection.as_ref().and_then(|c| c.default_bot));
    let phone_number_id = text(|c| c.phone_number_id.clone());
    let verify_token = text(|c| c.verify_token.clone());
    let graph_base_url = text(|c| c.graph_base_url.clone());
    let access_token = RwSignal::new(String::new());
    let app_secret = RwSignal::new(String::new());
    let original = StoredValue::new(connection);
    let form = FormState::new();
    let kind_id = unique_id("connection-kind");
    let queue_id = unique_id("connection-queue");

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut errors = BTreeMap::new();
        let valid_name = check(&mut errors, "name", Name::parse(&name.get_untracked()));
        let cloud = kind.get_untracked() == ConnectionKind::CloudApi;
        if cloud {
            let mut needed = vec![("phone_number_id", phone_number_id), ("verify_token", verify_token)];
            if creating {
                needed.extend([("access_token", access_token), ("app_secret", app_secret)]);
            }
            for (field, value) in needed {
                if filled(value).is_none() {
                    errors.insert(field.to_owned(), Msg::from(Invalid::RequiredForCloudApi));
                }
            }
        }
        if form.refuse(errors) {
            return;
        }
        let Some(valid_name) = valid_name else { return };
        if !form.begin() {
            return;
        }
        let before = original.get_value();
        let call = async move {
            match before {
                None => {
                    let new = NewConnection {
                        name: valid_name.into_inner(),
                        kind: kind.get_untracked(),
                        default_queue_id: queue.get_untracked(),
                        phone_number_id: cloud.then(|| filled(phone_number_id)).flatten(),
                        access_token: cloud.then(|| filled(access_token)).flatten(),
                        app_secret: cloud.then(|| filled(app_secret)).flatten(),
                        verify_token: cloud.then(|| filled(verify_token)).flatten(),
                        graph_base_url: cloud.then(|| filled(graph_base_url)).flatten(),
                        default_bot: bot.get_untracked(),
                    };
                    CONNECTIONS.create(&new).await.map(|c| (c, true))
                }
                Some(before) => {
                    let changed = |value: RwSignal<String>, old: &Option<String>| {
                        let now = filled(value);
                        (now != *old).then(|| now.unwrap_or_default())
                    };
                    let new_queue = queue.get_untracked();
                    let mut changes = UpdateConnection {
                        name: (valid_name.as_str() != before.name).then(|| valid_name.into_inner()),
                        default_queue_id: (new_queue != before.default_queue_id).then_some(new_queue),
                        default_bot: (bot.get_untracked() != before.default_bot).then(|| bot.get_untracked()),
                        ..Default::default()
                    };
                    if cloud {
                        changes.phone_number_id = changed(phone_number_id, &before.phone_number_id);
                        changes.verify_token = changed(verify_token, &before.verify_token);
                        changes.graph_base_url = changed(graph_base_url, &before.graph_base_url);
                        changes.access_token = filled(access_token);
                        changes.app_secret = filled(app_secret);
                    }
                    CONNECTIONS.update(before.id, &changes).await.map(|c| (c, false))
                }
            }
        };
        form.save(call, move |saved| on_saved.run(saved));
    };

    let secret_hint = move |set: fn(&Connection) -> bool| {
        original.with_value(|c| c.as_ref().map(|c| if set(c) { Key::SecretKeepHint } else { Key::SecretNotSet }))
    };
    let title =
        Signal::derive(move || i18n.t(if creating { Key::NewConnection } else { Key::EditConnection }).to_owned());
    view! {
        <Modal title=title on_close=on_close testid="connection-dialog" wide=true>
            <form class="form" novalidate on:submit=submit data-testid="connection-form">
                <div class="field-row">
                    <TextInput label=Key::Name value=name error=form.error("name") testid="connection-name" required=true/>
                    <div class="field">
                        <label for=kind_id.clone()>{t!(i18n, ConnectionKindLabel)}</label>
                        <select
                            id=kind_id
                            data-testid="connection-kind"
                            disabled=!creating
                            on:change=move |event| {
                                if let Some(parsed) = ConnectionKind::parse(&event_target_value(&event)) {
                                    kind.set(parsed);
                                }
                            }
                        >
                            {[ConnectionKind::Simulator, ConnectionKind::CloudApi, ConnectionKind::WhatsappWeb]
                                .into_iter()
                                .map(|option| {
                                    view! {
                                        <option value=option.as_str() selected=move || kind.get() == option>
                                            {move || i18n.t(kind_key(option))}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                </div>
                <div class="field">
                    <label for=queue_id.clone()>{t!(i18n, DefaultQueue)}</label>
                    <select
                        id=queue_id
                        data-testid="connection-queue"
                        on:change=move |event| {
                            queue.set(event_target_value(&event).parse::<i64>().ok().map(QueueId));
                        }
                    >
                        <option value="" selected=move || queue.get().is_none()>{t!(i18n, NoDefaultQueue)}</option>
                        {move || {
                            queues
                                .get()
                                .into_iter()
                                .map(|q| {
                                    let id = q.id;
                                    view! {
                                        <option value=id.to_string() selected=move || queue.get() == Some(id)>{q.name.clone()}</option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                    <FieldError id=unique_id("connection-queue-error") error=form.error("default_queue_id") testid="connection-queue"/>
                </div>
                <BotSelect value=bot testid="connection-default-bot"/>
                <Show when=move || kind.get() == ConnectionKind::CloudApi>
                    <div class="field-row">
                        <TextInput label=Key::PhoneNumberId value=phone_number_id error=form.error("phone_number_id") testid="connection-phone-number-id" required=true/>
                        <TextInput label=Key::VerifyToken value=verify_token error=form.error("verify_token") testid="connection-verify-token" required=true/>
                    </div>
                    <div class="field-row">
                        {match secret_hint(|c| c.access_token_set) {
                            Some(hint) => view! {
                                <TextInput label=Key::AccessToken value=access_token error=form.error("access_token") testid="connection-access-token"
                                    kind="password" autocomplete="new-password" hint=hint/>
                            }.into_any(),
                            None => view! {
                                <TextInput label=Key::AccessToken value=access_token error=form.error("access_token") testid="connection-access-token"
                                    kind="password" autocomplete="new-password" required=true/>
                            }.into_any(),
                        }}
                        {match secret_hint(|c| c.app_secret_set) {
                            Some(hint) => view! {
                                <TextInput label=Key::AppSecret value=app_secret error=form.error("app_secret") testid="connection-app-secret"
                                    kind="password" autocomplete="new-password" hint=hint/>
                            }.into_any(),
                            None => view! {
                                <TextInput label=Key::AppSecret value=app_secret error=form.error("app_secret") testid="connection-app-secret"
                                    kind="password" autocomplete="new-password" required=true/>
                            }.into_any(),
                        }}
                    </div>
                    <TextInput label=Key::GraphBaseUrl value=graph_base_url error=form.error("graph_base_url") testid="connection-graph-base-url"
                        kind="url" hint=Key::GraphBaseUrlHint/>
                </Show>
                <FormActions form=form on_cancel=on_close banner_testid="connection-form-error" save_testid="connection-save"/>
            </form>
        </Modal>
    }
}
