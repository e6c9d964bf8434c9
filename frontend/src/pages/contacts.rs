//! /contacts (Contatos): list with search (and by wallet) and paging, create, edit, delete, block,
//! start a conversation with a contact, and (admins and supervisors) import a CSV file and export
//! the list.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::ErrorCode;
use shared::contacts::Contact;
use shared::events::Event;
use shared::ids::{ContactId, TicketId, UserId};
use shared::org::User;
use shared::tickets::{NewTicket, TicketStatus};

use crate::api::contacts::CONTACTS;
use crate::api::users::USERS;
use crate::api::{self, ApiError};
use crate::components::avatar::Avatar;
use crate::components::contact_form::ContactForm;
use crate::components::contact_import::ContactImportDialog;
use crate::components::icons;
use crate::components::kit::{CrudPage, RowActions, SearchInput};
use crate::components::toast::use_toasts;
use crate::i18n::{self, Key, use_i18n};
use crate::state::crud::{AfterCreate, CrudState, Notices, remove_by_id};
use crate::state::realtime::{self, LiveEvent};
use crate::state::session::use_session;
use crate::t;

const NOTICES: Notices =
    Notices { created: Key::ContactCreated, updated: Key::ContactUpdated, deleted: Key::ContactDeleted };

/// The contact's active ticket (when starting a conversation finds one already there).
async fn active_ticket_of(contact: &Contact) -> Option<TicketId> {
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
    let search = RwSignal::new(String::new());
    // Carteira: only the contacts of this fixed agent.
    let wallet = RwSignal::new(None::<UserId>);
    let users = RwSignal::new(Vec::<User>::new());
    spawn_local(async move {
        if let Ok(all) = USERS.list_all().await {
            users.try_set(all);
        }
    });
    let crud = CrudState::new(
        NOTICES,
        move |cursor: Option<String>| async move {
            api::contacts::list(&search.get_untracked(), wallet.get_untracked(), cursor.as_deref()).await
        },
        move |id| CONTACTS.delete(id),
    )
    .after_create(AfterCreate::Prepend);
    // An edit, a block or a wallet change made elsewhere (a panel, another tab) shows here too.
    realtime::subscribe(move |event| match event {
        LiveEvent::Other(Event::ContactUpdated(contact)) => crud.replace(contact.clone()),
        LiveEvent::Other(Event::ContactDeleted(gone)) => {
            crud.list.items.update(|items| remove_by_id(items, gone.id));
        }
        _ => {}
    });
    let starting = RwSignal::new(None::<ContactId>);
    let session = use_session();
    let staff = move || session.me().is_some_and(|me| me.role != shared::auth::Role::Agent);
    let importing = RwSignal::new(false);
    let exporting = RwSignal::new(false);
    let export = move |_| {
        if exporting.get_untracked() {
            return;
        }
        exporting.set(true);
        crud.row_error.set(None);
        spawn_local(async move {
            if let Err(err) = api::contacts::export(&search.get_untracked(), wallet.get_untracked()).await {
                crud.row_error.try_set(Some(err));
            }
            exporting.try_set(false);
        });
    };

    Effect::new(move || {
        search.track();
        wallet.track();
        crud.list.reload();
    });

    // Opens the contact's conversation: a new ticket, or the one already active.
    let start = StoredValue::new(move |contact: Contact| {
        if starting.get_untracked().is_some() {
            return;
        }
        starting.set(Some(contact.id));
        crud.row_error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result =
                api::tickets::create(&NewTicket { contact_id: contact.id, connection_id: None, queue_id: None }).await;
            let target = match result {
                Ok(ticket) => Some(ticket.id),
                Err(ApiError::Api { code: ErrorCode::TicketAlreadyActive, .. }) => active_ticket_of(&contact).await,
                Err(err) => {
                    crud.row_error.set(Some(err));
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
        crud.row_error.set(None);
        spawn_local(async move {
            match api::contacts::set_blocked(contact.id, !contact.blocked).await {
                Ok(updated) => {
                    toasts.push(if updated.blocked { Key::ContactBlocked } else { Key::ContactUnblocked });
                    crud.replace(updated);
                }
                Err(err) => crud.row_error.set(Some(err)),
            }
        });
    };

    let row = move |contact: Contact| {
        let (for_start, for_block) = (contact.clone(), contact.clone());
        let blocked = contact.blocked;
        view! {
            <tr data-testid="contact-row" data-contact-id=contact.id.to_string()>
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
                <td data-label=t!(i18n, Wallet)>
                    <span data-testid="contact-row-wallet">{contact.wallet_user.as_ref().map(|u| u.name.clone()).unwrap_or_default()}</span>
                </td>
                <RowActions crud=crud row=contact.clone() singular="contact">
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
                    <button type="button" class="btn btn-small" data-testid="contact-block" on:click=move |_| toggle_block(for_block.clone())>
                        {move || if blocked { i18n.t(Key::Unblock) } else { i18n.t(Key::Block) }}
                    </button>
                </RowActions>
            </tr>
        }
        .into_any()
    };

    let form = move |contact: Option<Contact>| {
        view! { <ContactForm contact=contact on_saved=move |saved| crud.saved(saved) on_close=move || crud.close_form()/> }
            .into_any()
    };

    view! {
        <CrudPage crud=crud plural="contacts" singular="contact" title=Key::Contacts subtitle=Key::ContactsHint new_label=Key::NewContact
            columns=&[Key::Name, Key::PhoneNumber, Key::Email, Key::Wallet] row=row form=form
            empty=Signal::derive(move || if search.with(String::is_empty) { Key::NoContacts } else { Key::NoContactsMatch })
            question=|locale, contact: &Contact| i18n::confirm_delete_contact(locale, &contact.name)
        >
            <div class="toolbar">
                <SearchInput
                    applied=search
                    delay=Duration::from_millis(300)
                    placeholder=Key::SearchContacts
                    label=Key::SearchContacts
                    testid="contact-search"
                    class="search-wide"
                />
                <select
                    class="wallet-filter"
                    aria-label=t!(i18n, Wallet)
                    data-testid="contact-wallet-filter"
                    on:change=move |e| wallet.set(event_target_value(&e).parse::<i64>().ok().map(UserId))
                >
                    <option value="">{t!(i18n, WalletAll)}</option>
                    {move || users.get().into_iter().map(|u| view! {
                        <option value=u.id.0.to_string() selected=move || wallet.get() == Some(u.id)>{u.name}</option>
                    }).collect_view()}
                </select>
                <Show when=staff>
                    <button type="button" class="btn" data-testid="contacts-import" on:click=move |_| importing.set(true)>
                        {t!(i18n, Import)}
                    </button>
                    <button type="button" class="btn" data-testid="contacts-export" disabled=move || exporting.get() on:click=export>
                        {t!(i18n, Export)}
                    </button>
                </Show>
            </div>
            <Show when=move || importing.get()>
                <ContactImportDialog on_close=move || {
                    importing.set(false);
                    crud.list.reload();
                }/>
            </Show>
        </CrudPage>
    }
}
