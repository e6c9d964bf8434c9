//! The side panel of Screen 2: one section per tool of the seed (contact card, schedules, logs,
//! and the rest as they land), each in its own file so they grow apart.

mod bots;
mod card;
mod kanban;
mod logs;
mod notes;
mod protocols;
mod rating;
mod sms;
mod sync_history;
mod tags;
mod wallet;

use leptos::prelude::*;
use shared::ids::TicketId;
use shared::tickets::Ticket;

use self::bots::BotsSection;
use self::card::ContactCard;
use self::kanban::KanbanSection;
use self::logs::TicketLogs;
use self::notes::TicketNotes;
use self::protocols::ProtocolsSection;
pub use self::protocols::TicketProtocols;
use self::rating::TicketRatingSection;
use self::sms::SmsSection;
use self::sync_history::SyncHistorySection;
use self::tags::TicketTags;
use self::wallet::WalletSection;
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
    let waiting = RwSignal::new(0usize);
    // A memo: the ticket changes often, the contact it belongs to does not.
    let schedules = Memo::new(move |_| match ticket.with(|t| t.as_ref().map(|t| t.contact.id)) {
        Some(contact) => ScheduleFilter { contact_id: Some(contact), ..ScheduleFilter::default() },
        None => ScheduleFilter { ticket_id: Some(id), ..ScheduleFilter::default() },
    });
    view! {
        <aside class="ticket-info" aria-label=t!(i18n, TicketInfo) data-testid="ticket-info">
            <header class="info-header">
                <h3>{t!(i18n, TicketInfo)}</h3>
                <button type="button" class="icon-button" aria-label=t!(i18n, Close) on:click=move |_| on_close.run(())>{icons::close()}</button>
            </header>
            <ContactCard ticket=ticket/>
            <SyncHistorySection id=id ticket=ticket/>
            <ProtocolsSection id=id ticket=ticket/>
            <TicketRatingSection id=id/>
            <BotsSection id=id ticket=ticket/>
            <SmsSection id=id/>
            <TicketNotes id=id/>
            <KanbanSection ticket=ticket/>
            <TicketTags id=id ticket=ticket/>
            <WalletSection id=id ticket=ticket/>
            <h4 class="section-title">
                {t!(i18n, ScheduledMessages)}
                <Show when=move || waiting.get() != 0>
                    " "<span class="badge" data-testid="ticket-schedules-count">{move || waiting.get()}</span>
                </Show>
            </h4>
            // The contact's, whichever of their tickets they were written from.
            <ScheduleList
                filter=schedules
                show_contact=false
                testid="ticket-schedules"
                waiting=waiting
            />
            <TicketLogs id=id/>
        </aside>
    }
}
