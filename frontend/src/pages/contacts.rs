//! /contacts (Contatos): list with search and paging, create, edit, delete, block, and start a
//! conversation with a contact.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::ErrorCode;
use shared::contacts::Contact;
use shared::tickets::{NewTicket, TicketStatus};

use crate::api::{self, ApiError};
use crate::components::avatar::Avatar;
use crate::components::confirm_dialog::ConfirmDelete;
use crate::components::contact_form::ContactForm;
use crate::components::icons;
use crate::components::toast::use_toasts;
use crate::i18n::{self, Key, use_i18n};
use crate::state::paged::Paged;
use crate::t;

/// The contact's active ticket (when starting a conversation finds one already there).
async fn active_ticket_of(contact: &Contact) -> Option<shared::ids::TicketId> {
    for status in [TicketStatus::Open, TicketStatus::Pending] {
        if let Ok(page) = api::tickets::search(status, &contact.number).await
            && let Some(ticket) = page.items.into_iter().find(|t| t.contact.id == contact.id)
        {
            return Some(ticket.id);
        }
    }
    None
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let contacts = Paged::<Contact>::new();
    let search = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<Option<Contact>>);
    let deleting = RwSignal::new(None::<Contact>);
    let delete_busy = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<ApiError>);
    let row_error = RwSignal::new(None::<ApiError>);
    let starting = RwSignal::new(None::<shared::ids::ContactId>);

    let fetch = move |cursor: Option<String>| async move {
        api::contacts::list(&search.get_untracked(), cursor.as_deref()).await
    };
    Effect::new(move || {
        search.track();
        contacts.load(fetch, false);
    });

    let pending_search = StoredValue::new(None::<TimeoutHandle>);
    let on_input = move |value: String| {
        typed.set(value.clone());
        if let Some(handle) = pending_search.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(move || search.set(value), Duration::from_millis(300));
        pending_search.set_value(handle.ok());
    };

    let on_saved = move |(contact, created): (Contact, bool)| {
        editing.set(None);
        if created {
            toasts.push(Key::ContactCreated);
            contacts.items.update(|items| items.insert(0, contact));
        } else {
            toasts.push(Key::ContactUpdated);
            contacts.items.update(|items| {
                if let Some(slot) = items.iter_mut().find(|other| other.id == contact.id) {
                    *slot = contact;
                }
            });
        }
    };

    let confirm_delete = move |()| {
        let Some(contact) = deleting.get_untracked() else { return };
        delete_busy.set(true);
        delete_error.set(None);
        spawn_local(async move {
            match api::contacts::delete(contact.id).await {
                Ok(()) => {
                    contacts.items.update(|items| items.retain(|other| other.id != contact.id));
                    deleting.set(None);
                    toasts.push(Key::ContactDeleted);
                }
                Err(err) => delete_error.set(Some(err)),
            }
            delete_busy.set(false);
        });
    };

    let start = StoredValue::new(move |contact: Contact| {
        if starting.get_untracked().is_some() {
            return;
        }
        starting.set(Some(contact.id));
        row_error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result =
                api::tickets::create(&NewTicket { contact_id: contact.id, connection_id: None, queue_id: None }).await;
            let target = match result {
                Ok(ticket) => Some(ticket.id),
                Err(ApiError::Api { code: ErrorCode::TicketAlreadyActive, .. }) => active_ticket_of(&contact).await,
                Err(err) => {
                    row_error.set(Some(err));
                    None
                }
            };
            starting.set(None);
            if let Some(id) = target {
                navigate(&format!("/tickets/{id}"), NavigateOptions::default());
            }
        });
    });

    let toggle_block = move |contact: Contact| {
        row_error.set(None);
        spawn_local(async move {
            match api::contacts::set_blocked(contact.id, !contact.blocked).await {
                Ok(updated) => {
                    toasts.push(if updated.blocked { Key::ContactBlocked } else { Key::ContactUnblocked });
                    contacts.items.update(|items| {
                        if let Some(slot) = items.iter_mut().find(|other| other.id == updated.id) {
                            *slot = updated;
                        }
                    });
                }
                Err(err) => row_error.set(Some(err)),
            }
        });
    };

    let row = move |contact: Contact| {
        let (for_edit, for_delete, for_start, for_block) =
            (contact.clone(), contact.clone(), contact.clone(), contact.clone());
        let id = contact.id;
        let blocked = contact.blocked;
        view! {
            <tr data-testid="contact-row" data-contact-id=id.to_string()>
                <td data-label=t!(i18n, Name)>
                    <span class="name-cell">
                        <Avatar name=contact.name.clone() photo=contact.photo_url.clone()/>
                        <span class="cell-strong" data-testid="contact-row-name">{contact.name.clone()}</span>
                        {blocked.then(|| view! { <span class="badge badge-danger" data-testid="contact-blocked">{t!(i18n, Blocked)}</span> })}
                        {contact.is_group.then(|| view! { <span class="badge">{t!(i18n, Group)}</span> })}
                    </span>
                </td>
                <td data-label=t!(i18n, PhoneNumber)><span data-testid="contact-row-number">{contact.number.clone()}</span></td>
                <td data-label=t!(i18n, Email)>{contact.email.clone().unwrap_or_default()}</td>
                <td class="actions">
                    <button
                        type="button"
                        class="btn btn-small btn-primary"
                        data-testid="contact-start"
                        disabled=move || starting.get().is_some() || blocked
                        on:click=move |_| start.with_value(|start| start(for_start.clone()))
                    >
                        {icons::chat()}
                        <span>{t!(i18n, StartConversation)}</span>
                    </button>
                    <button type="button" class="btn btn-small" data-testid="contact-edit" on:click=move |_| editing.set(Some(Some(for_edit.clone())))>
                        {t!(i18n, Edit)}
                    </button>
                    <button type="button" class="btn btn-small" data-testid="contact-block" on:click=move |_| toggle_block(for_block.clone())>
                        {move || if blocked { i18n.t(Key::Unblock) } else { i18n.t(Key::Block) }}
                    </button>
                    <button
                        type="button"
                        class="btn btn-small btn-danger-ghost"
                        data-testid="contact-delete"
                        on:click=move |_| {
                            delete_error.set(None);
                            deleting.set(Some(for_delete.clone()));
                        }
                    >
                        {t!(i18n, Delete)}
                    </button>
                </td>
            </tr>
        }
    };

    view! {
        <section class="page" data-testid="contacts-page">
            <header class="page-header">
                <div>
                    <h1>{t!(i18n, Contacts)}</h1>
                    <p class="muted">{t!(i18n, ContactsHint)}</p>
                </div>
                <button type="button" class="btn btn-primary" data-testid="contact-new" on:click=move |_| editing.set(Some(None))>
                    {icons::plus()}
                    <span>{t!(i18n, NewContact)}</span>
                </button>
            </header>
            <span class="search-box search-wide">
                {icons::search()}
                <input
                    type="search"
                    placeholder=move || i18n.t(Key::SearchContacts)
                    aria-label=t!(i18n, SearchContacts)
                    data-testid="contact-search"
                    prop:value=move || typed.get()
                    on:input=move |event| on_input(event_target_value(&event))
                    on:change=move |event| {
                        let value = event_target_value(&event);
                        if value != typed.get_untracked() {
                            on_input(value);
                        }
                    }
                />
            </span>
            {move || contacts.error.get().or(row_error.get()).map(|err| view! {
                <div class="alert alert-error" role="alert" data-testid="contacts-error">{move || err.user_message(i18n.locale())}</div>
            })}
            <div class="table-card">
                <table class="table" data-testid="contacts-table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, Name)}</th>
                            <th scope="col">{t!(i18n, PhoneNumber)}</th>
                            <th scope="col">{t!(i18n, Email)}</th>
                            <th scope="col" class="actions"><span class="sr-only">{t!(i18n, Actions)}</span></th>
                        </tr>
                    </thead>
                    <tbody>{move || contacts.items.get().into_iter().map(row).collect_view()}</tbody>
                </table>
                <Show when=move || contacts.is_empty()>
                    <p class="empty" data-testid="contacts-empty">
                        {move || if search.with(String::is_empty) { i18n.t(Key::NoContacts) } else { i18n.t(Key::NoContactsMatch) }}
                    </p>
                </Show>
            </div>
            <div class="list-footer">
                <Show when=move || contacts.next.with(Option::is_some)>
                    <button
                        type="button"
                        class="btn"
                        data-testid="contacts-load-more"
                        disabled=move || contacts.loading.get()
                        on:click=move |_| contacts.load(fetch, true)
                    >
                        {t!(i18n, LoadMore)}
                    </button>
                </Show>
                <Show when=move || contacts.loading.get()>
                    <span class="muted" role="status">{t!(i18n, Loading)}</span>
                </Show>
            </div>
            {move || editing.get().map(|contact| view! {
                <ContactForm contact=contact on_saved=on_saved on_close=move || editing.set(None)/>
            })}
            {move || deleting.get().map(|contact| {
                let name = contact.name.clone();
                view! {
                    <ConfirmDelete
                        question=Signal::derive(move || i18n::confirm_delete_contact(i18n.locale(), &name))
                        busy=delete_busy
                        error=Signal::derive(move || delete_error.get().map(|err| err.user_message(i18n.locale())))
                        on_confirm=confirm_delete
                        on_cancel=move || deleting.set(None)
                    />
                }
            })}
        </section>
    }
}
