//! Carteira: the contact's fixed agent. Admins and supervisors pick (`+`) or remove (×) them;
//! agents see who it is. Kept live by `contact.updated`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Role;
use shared::contacts::Contact;
use shared::events::Event;
use shared::ids::{ContactId, TicketId, UserId};
use shared::org::User;
use shared::tickets::Ticket;

use crate::api::contacts::CONTACTS;
use crate::api::users::USERS;
use crate::api::{self, ApiError, client};
use crate::components::icons;
use crate::components::kit::ErrorAlert;
use crate::i18n::use_i18n;
use crate::state::realtime::{self, LiveEvent};
use crate::state::session::use_session;
use crate::t;

#[component]
pub fn WalletSection(id: TicketId, ticket: RwSignal<Option<Ticket>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let contact = RwSignal::new(None::<Contact>);
    let users = RwSignal::new(Vec::<User>::new());
    let picking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let staff = move || session.me().is_some_and(|me| me.role != Role::Agent);
    let contact_id = Memo::new(move |_| ticket.with(|t| t.as_ref().map(|t| t.contact.id)));

    // The contact (with its wallet), whenever the ticket's contact is known or changes.
    Effect::new(move |_| {
        let Some(cid) = contact_id.get() else { return };
        spawn_local(async move {
            match client::get::<Contact>(&CONTACTS.item(cid)).await {
                Ok(loaded) => {
                    contact.try_set(Some(loaded));
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    });
    realtime::subscribe(move |event| {
        if let LiveEvent::Other(Event::ContactUpdated(updated)) = event
            && contact_id.get_untracked() == Some(updated.id)
        {
            contact.try_set(Some(updated.clone()));
        }
    });

    let open_picker = move |_| {
        error.set(None);
        picking.set(true);
        if users.with_untracked(Vec::is_empty) {
            spawn_local(async move {
                match USERS.list_all().await {
                    Ok(all) => {
                        users.try_set(all);
                    }
                    Err(err) => {
                        error.try_set(Some(err));
                    }
                }
            });
        }
    };
    let change = move |cid: ContactId, user: Option<UserId>| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match user {
                Some(user) => api::contacts::set_wallet(cid, user, Some(id)).await,
                None => api::contacts::clear_wallet(cid, Some(id)).await,
            };
            busy.try_set(false);
            match result {
                Ok(updated) => {
                    contact.try_set(Some(updated));
                    picking.try_set(false);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };

    view! {
        <section class="panel-section" data-testid="panel-wallet">
            <div class="section-head">
                <h4 class="section-title">{t!(i18n, Wallet)}</h4>
                <Show when=move || staff() && !picking.get()>
                    <button
                        type="button"
                        class="icon-button"
                        aria-label=t!(i18n, WalletPick)
                        title=t!(i18n, WalletPick)
                        data-testid="wallet-add"
                        disabled=move || contact.with(Option::is_none)
                        on:click=open_picker
                    >
                        {icons::plus()}
                    </button>
                </Show>
            </div>
            {move || match contact.get().and_then(|c| c.wallet_user.map(|u| (c.id, u))) {
                Some((cid, user)) => view! {
                    <span class="chip" data-testid="wallet-user">
                        {user.name}
                        <Show when=staff>
                            <button
                                type="button"
                                class="chip-remove"
                                aria-label=t!(i18n, WalletRemove)
                                title=t!(i18n, WalletRemove)
                                data-testid="wallet-remove"
                                disabled=move || busy.get()
                                on:click=move |_| change(cid, None)
                            >
                                {icons::close()}
                            </button>
                        </Show>
                    </span>
                }
                .into_any(),
                None => view! { <span class="muted" data-testid="wallet-none">{t!(i18n, WalletNone)}</span> }.into_any(),
            }}
            <Show when=move || picking.get()>
                <div class="wallet-picker">
                    <select
                        data-testid="wallet-pick"
                        aria-label=t!(i18n, WalletPick)
                        disabled=move || busy.get()
                        on:change=move |e| {
                            let picked = event_target_value(&e).parse::<i64>().ok().map(UserId);
                            if let (Some(user), Some(cid)) = (picked, contact_id.get_untracked()) {
                                change(cid, Some(user));
                            }
                        }
                    >
                        <option value="">{t!(i18n, WalletPick)}</option>
                        {move || {
                            users
                                .get()
                                .into_iter()
                                .map(|u| view! { <option value=u.id.0.to_string()>{u.name}</option> })
                                .collect_view()
                        }}
                    </select>
                    <button type="button" class="btn btn-small" data-testid="wallet-cancel" on:click=move |_| picking.set(false)>
                        {t!(i18n, Cancel)}
                    </button>
                </div>
            </Show>
            <ErrorAlert error=error testid="wallet-error"/>
        </section>
    }
}
