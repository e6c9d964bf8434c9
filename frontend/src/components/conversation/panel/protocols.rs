//! Protocolo: generate the ticket's next protocol number (optionally sending it to the contact),
//! list the ticket's and the contact's other protocols; a click copies a number.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::TicketId;
use shared::protocols::Protocol;
use shared::tickets::{Ticket, TicketStatus};
use wasm_bindgen::{JsCast, JsValue};

use crate::api::{self, ApiError};
use crate::components::kit::ErrorAlert;
use crate::components::toast::use_toasts;
use crate::i18n::{Key, use_i18n};
use crate::t;

/// The ticket's protocols, shared with the composer (`{{protocolo}}` is the newest).
#[derive(Clone, Copy)]
pub struct TicketProtocols(pub RwSignal<Vec<Protocol>>);

/// `navigator.clipboard.writeText(text)`, without waiting for it.
fn copy_to_clipboard(text: &str) -> bool {
    let Some(navigator) = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("navigator")).ok() else {
        return false;
    };
    let Some(clipboard) = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).ok() else {
        return false;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText")) else {
        return false;
    };
    let Ok(write) = write.dyn_into::<js_sys::Function>() else {
        return false;
    };
    write.call1(&clipboard, &JsValue::from_str(text)).is_ok()
}

#[component]
fn ProtocolItem(protocol: Protocol, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let number = protocol.number.clone();
    view! {
        <li>
            <button
                type="button"
                class="protocol-number"
                title=t!(i18n, ProtocolCopy)
                data-testid=testid
                on:click=move |_| {
                    if copy_to_clipboard(&number) {
                        toasts.push(Key::ProtocolCopied);
                    }
                }
            >
                {protocol.number.clone()}
            </button>
        </li>
    }
}

#[component]
pub fn ProtocolsSection(id: TicketId, ticket: RwSignal<Option<Ticket>>) -> impl IntoView {
    let i18n = use_i18n();
    let protocols = use_context::<TicketProtocols>().map(|p| p.0).unwrap_or_else(|| RwSignal::new(Vec::new()));
    let of_contact = RwSignal::new(Vec::<Protocol>::new());
    let send = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let contact_id = Memo::new(move |_| ticket.with(|t| t.as_ref().map(|t| t.contact.id)));
    let open = move || ticket.with(|t| t.as_ref().is_some_and(|t| t.status == TicketStatus::Open));

    Effect::new(move |_| {
        let Some(cid) = contact_id.get() else { return };
        spawn_local(async move {
            if let Ok(all) = api::contacts::protocols(cid).await {
                of_contact.try_set(all);
            }
        });
    });

    let generate = move |_| {
        busy.set(true);
        error.set(None);
        let send_it = send.get_untracked() && open();
        spawn_local(async move {
            let result = api::protocols::generate(id, send_it).await;
            busy.try_set(false);
            match result {
                Ok(protocol) => {
                    protocols.try_update(|all| {
                        if !all.iter().any(|p| p.id == protocol.id) {
                            all.push(protocol);
                        }
                    });
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };

    view! {
        <section class="panel-section" data-testid="panel-protocols">
            <h4 class="section-title">{t!(i18n, Protocol)}</h4>
            <div class="protocol-actions">
                <button type="button" class="btn btn-small" data-testid="protocol-generate" disabled=move || busy.get() on:click=generate>
                    {t!(i18n, ProtocolGenerate)}
                </button>
                <label class="check" title=move || if open() { String::new() } else { i18n.t(Key::ProtocolSendNeedsOpen).to_owned() }>
                    <input
                        type="checkbox"
                        data-testid="protocol-send"
                        disabled=move || !open()
                        prop:checked=move || send.get() && open()
                        on:change=move |e| send.set(event_target_checked(&e))
                    />
                    <span>{t!(i18n, ProtocolSendToContact)}</span>
                </label>
            </div>
            <ErrorAlert error=error testid="protocol-error"/>
            <ul class="protocol-list" data-testid="ticket-protocols">
                {move || {
                    protocols
                        .get()
                        .into_iter()
                        .rev()
                        .map(|protocol| view! { <ProtocolItem protocol=protocol testid="ticket-protocol"/> })
                        .collect_view()
                }}
            </ul>
            {move || {
                let mine = protocols.with(|p| p.iter().map(|p| p.id).collect::<Vec<_>>());
                let others: Vec<Protocol> = of_contact.get().into_iter().filter(|p| p.ticket_id != id && !mine.contains(&p.id)).collect();
                (!others.is_empty()).then(|| view! {
                    <p class="muted protocol-subtitle">{t!(i18n, ProtocolsOfContact)}</p>
                    <ul class="protocol-list" data-testid="contact-protocols">
                        {others
                            .into_iter()
                            .map(|protocol| view! { <ProtocolItem protocol=protocol testid="contact-protocol"/> })
                            .collect_view()}
                    </ul>
                })
            }}
        </section>
    }
}
