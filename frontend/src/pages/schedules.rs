//! Agendamentos: every scheduled message the user may see (admins and supervisors: all; agents:
//! their own), filtered by status, by contact (a click on a name) and, for admins and supervisors,
//! by author. Live.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::{ContactId, UserId};
use shared::org::User;
use shared::schedules::ScheduleStatus;

use crate::api;
use crate::api::schedules::ScheduleFilter;
use crate::components::icons;
use crate::components::schedule_list::{ScheduleList, status_key};
use crate::i18n::use_i18n;
use crate::state::session::use_session;
use crate::t;

#[component]
pub fn SchedulesPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let status = RwSignal::new(Some(ScheduleStatus::Scheduled));
    let author = RwSignal::new(None::<UserId>);
    let contact = RwSignal::new(None::<(ContactId, String)>);
    let users = RwSignal::new(Vec::<User>::new());
    let staff = move || session.me().is_some_and(|me| me.role != shared::auth::Role::Agent);
    if staff() {
        spawn_local(async move {
            if let Ok(all) = api::users::USERS.list_all().await {
                users.try_set(all);
            }
        });
    }
    let filter = Signal::derive(move || ScheduleFilter {
        status: status.get(),
        user_id: author.get(),
        ..ScheduleFilter::default()
    });
    view! {
        <section class="page" data-testid="schedules-page">
            <header class="page-header">
                <div>
                    <h1>{t!(i18n, Schedules)}</h1>
                    <p class="muted">{t!(i18n, SchedulesSubtitle)}</p>
                </div>
            </header>
            <div class="filters-row">
                <select aria-label=t!(i18n, ScheduleStatusLabel) data-testid="schedules-status"
                    on:change=move |e| status.set(ScheduleStatus::parse(&event_target_value(&e)))>
                    <option value="">{t!(i18n, AllStatuses)}</option>
                    {ScheduleStatus::ALL.iter().map(|s| {
                        let s = *s;
                        view! { <option value=s.as_str() selected=move || status.get() == Some(s)>{move || i18n.t(status_key(s))}</option> }
                    }).collect_view()}
                </select>
                <Show when=staff>
                    <select aria-label=t!(i18n, User) data-testid="schedules-author"
                        on:change=move |e| author.set(event_target_value(&e).parse().ok().map(UserId))>
                        <option value="">{t!(i18n, AllAgents)}</option>
                        {move || users.get().into_iter().map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
                    </select>
                </Show>
                {move || contact.get().map(|(_, name)| view! {
                    <span class="chip" data-testid="schedules-contact-filter">
                        {name}
                        <button type="button" class="icon-button" aria-label=t!(i18n, ClearFilter) on:click=move |_| contact.set(None)>
                            {icons::close()}
                        </button>
                    </span>
                })}
            </div>
            <ScheduleList filter=filter show_contact=true testid="schedules-list" on_contact=move |picked| contact.set(Some(picked))/>
        </section>
    }
}
