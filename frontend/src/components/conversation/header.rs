//! The conversation's header: back to the list, the contact, the ticket's number, state and
//! assignee, the actions valid for its state and the info panel toggle.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::tickets::{Ticket, TicketStatus};

use super::actions::{ActionButton, TicketActions, actions_for};
use crate::components::avatar::Avatar;
use crate::components::icons;
use crate::components::schedule_dialog::ScheduleDialog;
use crate::components::ticket_list::tab_key;
use crate::components::toast::use_toasts;
use crate::i18n::{self, Key, Locale, use_i18n};
use crate::t;

/// Who has the ticket, or where it waits.
fn assignee(ticket: &Ticket, locale: Locale) -> String {
    match (&ticket.user, &ticket.queue, ticket.status) {
        (Some(user), _, _) => i18n::assigned_to(locale, &user.name),
        (None, Some(queue), _) => i18n::waiting_in(locale, &queue.name),
        (None, None, TicketStatus::Closed) => Key::NotAssigned.text(locale).to_owned(),
        (None, None, _) => Key::WaitingNoQueue.text(locale).to_owned(),
    }
}

#[component]
pub fn ConversationHeader(ticket: Ticket, actions: TicketActions, show_info: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let status = ticket.status;
    let name = ticket.contact.name.clone();
    let who = ticket.clone();
    let scheduling = RwSignal::new(false);
    let toasts = use_toasts();
    let (contact_id, ticket_id) = (ticket.contact.id, ticket.id);
    let buttons = actions_for(status)
        .iter()
        .map(|action| view! { <ActionButton actions=actions action=*action/> })
        .collect_view();
    view! {
        <header class="conv-header" data-testid="conversation-header">
            <button
                type="button"
                class="icon-button back-button"
                aria-label=t!(i18n, Back)
                data-testid="conversation-back"
                on:click=move |_| navigate("/tickets", NavigateOptions::default())
            >
                {icons::arrow_left()}
            </button>
            <Avatar name=name.clone() photo=ticket.contact.photo_url.clone() large=true/>
            <div class="conv-title">
                <h2 data-testid="conversation-name">{name}</h2>
                <p class="conv-sub">
                    <span class="ticket-number" data-testid="conversation-number">{format!("#{}", ticket.number)}</span>
                    <span class=format!("status-pill status-{}", status.as_str()) data-testid="conversation-status">
                        {move || i18n.t(tab_key(status))}
                    </span>
                    <span data-testid="conversation-assignee">{move || assignee(&who, i18n.locale())}</span>
                    <span class="muted">{ticket.contact.number.clone()}</span>
                    {ticket.tags.iter().map(|tag| view! {
                        <span class="chip chip-small tag" style:border-color=tag.color.clone() data-testid="conversation-tag">
                            <span class="dot" style:background-color=tag.color.clone()></span>
                            {tag.name.clone()}
                        </span>
                    }).collect_view()}
                </p>
            </div>
            <div class="conv-actions" role="toolbar" aria-label=t!(i18n, Actions)>
                {buttons}
                <button
                    type="button"
                    class="icon-button"
                    aria-label=t!(i18n, ScheduleMessage)
                    title=t!(i18n, ScheduleMessage)
                    data-testid="action-schedule"
                    on:click=move |_| scheduling.set(true)
                >
                    {icons::clock()}
                </button>
                <button
                    type="button"
                    class="icon-button"
                    aria-pressed=move || show_info.get().to_string()
                    aria-label=t!(i18n, TicketInfo)
                    title=t!(i18n, TicketInfo)
                    data-testid="action-info"
                    on:click=move |_| show_info.update(|s| *s = !*s)
                >
                    {icons::info()}
                </button>
            </div>
            <Show when=move || scheduling.get()>
                <ScheduleDialog
                    contact_id=contact_id
                    ticket_id=Some(ticket_id)
                    existing=None
                    on_done=move |_| {
                        scheduling.set(false);
                        toasts.push(Key::Scheduled);
                    }
                    on_close=move || scheduling.set(false)
                />
            </Show>
        </header>
    }
}
