//! /admin/webhooks: outgoing webhooks — URL, event types, secret (write-only), on/off; a webhook the
//! server switched off after repeated failures shows why; each row opens its delivery log, where a
//! delivery can be resent.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::webhooks::{NewWebhook, UpdateWebhook, WEBHOOK_EVENTS, Webhook, WebhookDelivery};

use super::AdminGate;
use crate::api::webhooks::WEBHOOKS;
use crate::api::{self, ApiError};
use crate::components::form::{FormActions, FormState, Msg, TextInput};
use crate::components::kit::{CrudPage, RowActions};
use crate::components::modal::Modal;
use crate::i18n::{Key, Locale, use_i18n};
use crate::state::crud::{CrudState, Notices};
use crate::t;

const NOTICES: Notices =
    Notices { created: Key::WebhookCreated, updated: Key::WebhookUpdated, deleted: Key::WebhookDeleted };

#[component]
pub fn AdminWebhooksPage() -> impl IntoView {
    view! { <AdminGate><WebhooksAdmin/></AdminGate> }
}

fn confirm_delete(locale: Locale, webhook: &Webhook) -> String {
    match locale {
        Locale::Pt => format!("Excluir o webhook para “{}” e seu histórico de entregas?", webhook.url),
        Locale::En => format!("Delete the webhook to “{}” and its delivery log?", webhook.url),
    }
}

#[component]
fn WebhooksAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let crud = CrudState::of(WEBHOOKS, NOTICES);
    crud.list.reload();
    let log = RwSignal::new(None::<Webhook>);

    let row = move |webhook: Webhook| {
        let for_log = webhook.clone();
        view! {
            <tr data-testid="webhook-row" data-webhook-id=webhook.id.to_string()>
                <td data-label=t!(i18n, WebhookUrl)>
                    <span class="cell-strong" data-testid="webhook-row-url">{webhook.url.clone()}</span>
                    {webhook.disabled_reason.clone().map(|reason| view! {
                        <p class="alert alert-error" data-testid="webhook-disabled-notice">
                            {t!(i18n, WebhookSwitchedOff)}" "{reason}
                        </p>
                    })}
                </td>
                <td data-label=t!(i18n, WebhookEvents) data-testid="webhook-row-events">{webhook.events.join(", ")}</td>
                <td data-label=t!(i18n, IntegrationEnabled) data-testid="webhook-row-enabled">
                    {if webhook.enabled { i18n.t(Key::Yes) } else { i18n.t(Key::No) }}
                </td>
                <RowActions crud=crud row=webhook.clone() singular="webhook">
                    <button type="button" class="btn btn-small" data-testid="webhook-deliveries"
                        on:click=move |_| log.set(Some(for_log.clone()))>
                        {t!(i18n, WebhookDeliveries)}
                    </button>
                </RowActions>
            </tr>
        }
        .into_any()
    };
    let form = move |webhook: Option<Webhook>| {
        view! { <WebhookForm webhook=webhook on_saved=move |saved| crud.saved(saved) on_close=move || crud.close_form()/> }
            .into_any()
    };

    view! {
        <CrudPage crud=crud plural="webhooks" singular="webhook" title=Key::Webhooks subtitle=Key::WebhooksSubtitle
            new_label=Key::NewWebhook columns=&[Key::OutgoingWebhookUrl, Key::WebhookEvents, Key::IntegrationEnabled]
            row=row form=form empty=Key::NoWebhooks question=confirm_delete
        />
        {move || log.get().map(|webhook| view! { <DeliveryLog webhook=webhook on_close=move || log.set(None)/> })}
    }
}

#[component]
fn WebhookForm(
    webhook: Option<Webhook>,
    #[prop(into)] on_saved: Callback<(Webhook, bool)>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let creating = webhook.is_none();
    let url = RwSignal::new(webhook.as_ref().map(|w| w.url.clone()).unwrap_or_default());
    let events = RwSignal::new(webhook.as_ref().map(|w| w.events.clone()).unwrap_or_default());
    let secret = RwSignal::new(String::new());
    let enabled = RwSignal::new(webhook.as_ref().is_none_or(|w| w.enabled));
    let secret_set = webhook.as_ref().is_some_and(|w| w.secret_set);
    let original = StoredValue::new(webhook);
    let form = FormState::new();

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut errors = BTreeMap::new();
        if events.with_untracked(Vec::is_empty) {
            errors.insert("events".to_owned(), Msg::Validation(shared::validate::Invalid::Required));
        }
        if form.refuse(errors) || !form.begin() {
            return;
        }
        let typed_secret = Some(secret.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let before = original.get_value();
        let call = async move {
            match before {
                None => {
                    let new = NewWebhook {
                        url: url.get_untracked(),
                        events: events.get_untracked(),
                        secret: typed_secret.unwrap_or_default(),
                        enabled: Some(enabled.get_untracked()),
                    };
                    WEBHOOKS.create(&new).await.map(|saved| (saved, true))
                }
                Some(old) => {
                    let change = UpdateWebhook {
                        url: Some(url.get_untracked()),
                        events: Some(events.get_untracked()),
                        secret: typed_secret,
                        enabled: Some(enabled.get_untracked()),
                    };
                    WEBHOOKS.update(old.id, &change).await.map(|saved| (saved, false))
                }
            }
        };
        form.save(call, move |saved| on_saved.run(saved));
    };
    let title = move || if creating { i18n.t(Key::NewWebhook) } else { i18n.t(Key::EditWebhook) };
    view! {
        <Modal title=Signal::derive(title) on_close=on_close testid="webhook-form">
            <form class="form" novalidate on:submit=submit>
                <TextInput label=Key::OutgoingWebhookUrl value=url error=form.error("url") testid="webhook-url" kind="url"/>
                <fieldset class="field">
                    <legend>{t!(i18n, WebhookEvents)}</legend>
                    {WEBHOOK_EVENTS.iter().map(|kind| {
                        let kind = *kind;
                        view! {
                            <label class="check">
                                <input type="checkbox" data-testid=format!("webhook-event-{kind}")
                                    prop:checked=move || events.with(|e| e.iter().any(|k| k == kind))
                                    on:change=move |event| {
                                        let on = event_target_checked(&event);
                                        events.update(|e| {
                                            e.retain(|k| k != kind);
                                            if on {
                                                e.push(kind.to_owned());
                                            }
                                        });
                                    }/>
                                <span><code>{kind}</code></span>
                            </label>
                        }
                    }).collect_view()}
                    {move || form.error("events").get().map(|msg| view! {
                        <p class="field-error" data-testid="webhook-events-error">{msg.render(i18n.locale())}</p>
                    })}
                </fieldset>
                {secret_set.then(|| view! {
                    <p class="field-hint" data-testid="webhook-secret-set"><span class="badge">{t!(i18n, SecretSet)}</span>" "{t!(i18n, SecretReplaceHint)}</p>
                })}
                <TextInput label=Key::WebhookSecret value=secret error=form.error("secret") testid="webhook-secret"
                    kind="password" hint=Key::WebhookSecretHint/>
                <label class="check">
                    <input type="checkbox" data-testid="webhook-enabled" prop:checked=move || enabled.get()
                        on:change=move |event| enabled.set(event_target_checked(&event))/>
                    <span>{t!(i18n, IntegrationEnabled)}</span>
                </label>
                <FormActions form=form on_cancel=on_close banner_testid="webhook-form" save_testid="webhook-save"/>
            </form>
        </Modal>
    }
}

#[component]
fn DeliveryLog(webhook: Webhook, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let items = RwSignal::new(Vec::<WebhookDelivery>::new());
    let error = RwSignal::new(None::<ApiError>);
    let id = webhook.id;
    let load = move || {
        spawn_local(async move {
            match api::webhooks::deliveries(id).await {
                Ok(page) => {
                    items.try_set(page.items);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    load();
    let resend = move |delivery: shared::WebhookDeliveryId| {
        spawn_local(async move {
            match api::webhooks::resend(delivery).await {
                Ok(_) => load(),
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    let title = format!("{} — {}", i18n.t(Key::WebhookDeliveries), webhook.url);
    view! {
        <Modal title=Signal::derive(move || title.clone()) on_close=on_close testid="webhook-log" wide=true>
            {move || error.get().map(|err| view! {
                <div class="alert alert-error" role="alert">{move || err.user_message(i18n.locale())}</div>
            })}
            <table class="table" data-testid="webhook-log-table">
                <thead><tr>
                    <th>{t!(i18n, WebhookEvent)}</th><th>{t!(i18n, DeliveryStatusLabel)}</th>
                    <th>{t!(i18n, DeliveryResponse)}</th><th>{t!(i18n, DeliveryLatency)}</th><th></th>
                </tr></thead>
                <tbody>
                    {move || items.get().into_iter().map(|d| {
                        let delivery = d.id;
                        let pending = d.status == shared::webhooks::DeliveryStatus::Pending;
                        view! {
                            <tr data-testid="webhook-delivery" data-status=d.status.as_str()>
                                <td><code>{d.event_type.clone()}</code>" #"{d.seq}</td>
                                <td>{d.status.as_str()}" ("{d.attempts}")"</td>
                                <td>{d.response_status.map(|s| s.to_string()).unwrap_or_else(|| d.last_error.clone().unwrap_or_default())}</td>
                                <td>{d.latency_ms.map(|ms| format!("{ms} ms")).unwrap_or_default()}</td>
                                <td>
                                    <button type="button" class="btn btn-small" data-testid="webhook-delivery-resend"
                                        disabled=pending on:click=move |_| resend(delivery)>
                                        {t!(i18n, Resend)}
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || items.with(Vec::is_empty)>
                <p class="muted" data-testid="webhook-log-empty">{t!(i18n, NoDeliveries)}</p>
            </Show>
        </Modal>
    }
}
