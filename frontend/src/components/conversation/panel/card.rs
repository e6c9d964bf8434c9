//! The contact card at the top of the panel: photo, name, number, e-mail and extra fields, edited
//! in a dialog from here, and blocking (asked first). Kept live by `contact.updated`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::contacts::Contact;
use shared::events::Event;
use shared::ids::ContactId;
use shared::tickets::Ticket;

use crate::api::ApiError;
use crate::api::contacts::{self, CONTACTS};
use crate::components::avatar::Avatar;
use crate::components::confirm_dialog::ConfirmAction;
use crate::components::contact_form::ContactForm;
use crate::components::kit::ErrorAlert;
use crate::components::toast::use_toasts;
use crate::i18n::{self, Key, use_i18n};
use crate::state::realtime::{self, LiveEvent};
use crate::t;

#[component]
pub fn ContactCard(ticket: RwSignal<Option<Ticket>>) -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let contact = RwSignal::new(None::<Contact>);
    let error = RwSignal::new(None::<ApiError>);
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let contact_id = Memo::new(move |_| ticket.with(|t| t.as_ref().map(|t| t.contact.id)));

    let load = move |id: ContactId| {
        spawn_local(async move {
            match CONTACTS.get(id).await {
                Ok(found) => {
                    contact.try_set(Some(found));
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    Effect::new(move |_| {
        if let Some(id) = contact_id.get() {
            load(id);
        }
    });
    realtime::subscribe(move |event| match event {
        LiveEvent::Other(Event::ContactUpdated(updated)) if contact_id.get_untracked() == Some(updated.id) => {
            contact.try_set(Some(updated.clone()));
        }
        LiveEvent::Resync | LiveEvent::Resumed => {
            if let Some(id) = contact_id.get_untracked() {
                load(id);
            }
        }
        _ => {}
    });

    // The header and the list rows show the contact too: they follow at once, before the event.
    let saved = move |updated: Contact| {
        ticket.update(|t| {
            if let Some(t) = t.as_mut() {
                t.contact.follow(&updated);
            }
        });
        contact.set(Some(updated));
    };

    let set_blocked = move |blocked: bool| {
        let Some(id) = contact_id.get_untracked() else { return };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = contacts::set_blocked(id, blocked).await;
            busy.try_set(false);
            match result {
                Ok(updated) => {
                    confirming.try_set(false);
                    toasts.push(if updated.blocked { Key::ContactBlocked } else { Key::ContactUnblocked });
                    contact.try_set(Some(updated));
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };

    let card = move || {
        let reference = ticket.get()?.contact;
        let full = contact.get().filter(|c| c.id == reference.id);
        let (name, number, photo) = match &full {
            Some(c) => (c.name.clone(), c.number.clone(), c.photo_url.clone()),
            None => (reference.name.clone(), reference.number.clone(), reference.photo_url.clone()),
        };
        let blocked = full.as_ref().is_some_and(|c| c.blocked);
        let email = full.as_ref().and_then(|c| c.email.clone());
        let extra: Vec<(String, String)> = full
            .as_ref()
            .and_then(|c| c.extra.as_object())
            .map(|fields| fields.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
            .unwrap_or_default();
        let editable = full.as_ref().is_some_and(|c| !c.is_group);
        Some(view! {
            <div class="info-contact" data-testid="contact-card">
                <Avatar name=name.clone() photo=photo large=true/>
                <strong data-testid="contact-card-name">{name}</strong>
                <span class="muted" data-testid="contact-card-number">{number}</span>
                {email.map(|email| view! {
                    <a class="muted" href=format!("mailto:{email}") data-testid="contact-card-email">{email.clone()}</a>
                })}
                {blocked.then(|| view! { <span class="badge badge-danger" data-testid="contact-card-blocked">{t!(i18n, Blocked)}</span> })}
                {(!extra.is_empty()).then(|| view! {
                    <dl class="extra-list" data-testid="contact-card-extra">
                        {extra.into_iter().map(|(key, value)| view! { <dt>{key}</dt><dd>{value}</dd> }).collect_view()}
                    </dl>
                })}
                <div class="info-actions">
                    <Show when=move || editable>
                        <button type="button" class="btn btn-small" data-testid="contact-card-edit" on:click=move |_| editing.set(true)>
                            {t!(i18n, EditContact)}
                        </button>
                    </Show>
                    <Show when=move || full.is_some()>
                        <button
                            type="button"
                            class="btn btn-small"
                            class:btn-danger=!blocked
                            data-testid="contact-card-block"
                            disabled=move || busy.get()
                            on:click=move |_| if blocked { set_blocked(false) } else { confirming.set(true) }
                        >
                            {move || if blocked { i18n.t(Key::Unblock) } else { i18n.t(Key::Block) }}
                        </button>
                    </Show>
                    <a class="btn btn-small" href="/contacts">{t!(i18n, Contacts)}</a>
                </div>
            </div>
        })
    };

    view! {
        {card}
        <ErrorAlert error=error testid="contact-card-error"/>
        {move || editing.get().then(|| {
            contact.get_untracked().map(|current| view! {
                <ContactForm
                    contact=Some(current)
                    on_saved=move |(updated, _created): (Contact, bool)| {
                        toasts.push(Key::ContactUpdated);
                        saved(updated);
                        editing.set(false);
                    }
                    on_close=move || editing.set(false)
                />
            })
        })}
        <Show when=move || confirming.get()>
            <ConfirmAction
                title=Signal::derive(move || i18n.t(Key::Block).to_owned())
                question=Signal::derive(move || {
                    let name = contact.with(|c| c.as_ref().map(|c| c.name.clone()).unwrap_or_default());
                    i18n::confirm_block_contact(i18n.locale(), &name)
                })
                confirm_label=Signal::derive(move || i18n.t(Key::Block).to_owned())
                busy=busy
                on_confirm=move || set_blocked(true)
                on_cancel=move || confirming.set(false)
                error=Signal::derive(move || error.get().map(|e| e.user_message(i18n.locale())))
            />
        </Show>
    }
}
