//! The contact card at the top of the panel.

use leptos::prelude::*;
use shared::tickets::Ticket;

use crate::components::avatar::Avatar;
use crate::i18n::use_i18n;
use crate::t;

#[component]
pub fn ContactCard(ticket: RwSignal<Option<Ticket>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
            {move || ticket.get().map(|t| view! {
                <div class="info-contact">
                    <Avatar name=t.contact.name.clone() photo=t.contact.photo_url.clone() large=true/>
                    <strong>{t.contact.name.clone()}</strong>
                    <span class="muted">{t.contact.number.clone()}</span>
                    <a class="btn btn-small" href="/contacts">{t!(i18n, Contacts)}</a>
                </div>
            })}
    }
}
