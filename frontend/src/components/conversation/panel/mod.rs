//! The side panel of Screen 2: one section per tool of the seed (contact card, schedules, logs,
//! and the rest as they land), each in its own file so they grow apart.

mod card;
mod logs;
mod rating;

use leptos::prelude::*;
use shared::ids::TicketId;
use shared::tickets::Ticket;

use self::card::ContactCard;
use self::logs::TicketLogs;
use self::rating::TicketRatingSection;
use crate::api::schedules::ScheduleFilter;
use crate::components::icons;
use crate::components::schedule_list::ScheduleList;
use crate::i18n::use_i18n;
use crate::t;

#[component]
pub fn TicketInfo(
    id: TicketId,
    ticket: RwSignal<Option<Ticket>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <aside class="ticket-info" aria-label=t!(i18n, TicketInfo) data-testid="ticket-info">
            <header class="info-header">
                <h3>{t!(i18n, TicketInfo)}</h3>
                <button type="button" class="icon-button" aria-label=t!(i18n, Close) on:click=move |_| on_close.run(())>{icons::close()}</button>
            </header>
            <ContactCard ticket=ticket/>
            // (protocols)
            <TicketRatingSection id=id/>
            // (notes)
            // (kanban)
            // (tags)
            // (wallet)
            <h4 class="section-title">{t!(i18n, ScheduledMessages)}</h4>
            <ScheduleList
                filter=Signal::derive(move || ScheduleFilter { ticket_id: Some(id), ..ScheduleFilter::default() })
                show_contact=false
                testid="ticket-schedules"
            />
            <TicketLogs id=id/>
        </aside>
    }
}
