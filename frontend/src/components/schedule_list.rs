//! Scheduled messages as a list: the contact panel's (one ticket) and the Agendamentos page's
//! (filtered). Kept live by `schedule.updated`; a waiting one can be edited or canceled.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::events::Event;
use shared::ids::{ContactId, ScheduleId};
use shared::schedules::{Schedule, ScheduleStatus};

use super::schedule_dialog::ScheduleDialog;
use crate::api::schedules::ScheduleFilter;
use crate::api::{self, ApiError};
use crate::i18n::{Key, use_i18n};
use crate::state::realtime::{self, LiveEvent};
use crate::state::settings::use_settings;
use crate::t;
use crate::zone;

const PAGE: u32 = 30;

pub fn status_key(status: ScheduleStatus) -> Key {
    match status {
        ScheduleStatus::Scheduled => Key::ScheduleScheduled,
        ScheduleStatus::Sent => Key::ScheduleSent,
        ScheduleStatus::Failed => Key::ScheduleFailed,
        ScheduleStatus::Canceled => Key::ScheduleCanceled,
    }
}

/// Whether a schedule belongs in a list narrowed by `filter`.
pub fn matches(filter: &ScheduleFilter, schedule: &Schedule) -> bool {
    filter.ticket_id.is_none_or(|t| schedule.ticket_id == Some(t))
        && filter.contact_id.is_none_or(|c| schedule.contact_id == c)
        && filter.status.is_none_or(|s| schedule.status == s)
        && filter.user_id.is_none_or(|u| schedule.created_by == u)
}

/// Puts `schedule` in its place (newest first), or takes it out when it no longer matches.
pub fn upsert(items: &mut Vec<Schedule>, filter: &ScheduleFilter, schedule: Schedule) {
    items.retain(|s| s.id != schedule.id);
    if matches(filter, &schedule) {
        let at = items.iter().position(|s| s.id.0 < schedule.id.0).unwrap_or(items.len());
        items.insert(at, schedule);
    }
}

#[component]
pub fn ScheduleList(
    #[prop(into)] filter: Signal<ScheduleFilter>,
    /// Show whose contact it is (the page) or not (the panel, where it is obvious).
    show_contact: bool,
    testid: &'static str,
    /// A click on a contact's name (the page filters by it).
    #[prop(optional, into)]
    on_contact: Option<Callback<(ContactId, String)>>,
    /// Told how many of the loaded ones still wait to be sent.
    #[prop(optional)]
    waiting: Option<RwSignal<usize>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let items = RwSignal::new(Vec::<Schedule>::new());
    let cursor = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(true);
    let editing = RwSignal::new(None::<Schedule>);

    let load = move |more: bool| {
        let current = filter.get_untracked();
        let after = if more { cursor.get_untracked() } else { None };
        loading.set(true);
        spawn_local(async move {
            match api::schedules::list(current, PAGE, after.as_deref()).await {
                Ok(page) => {
                    if more {
                        items.update(|list| list.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    cursor.try_set(page.next_cursor);
                    error.try_set(None);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
            loading.try_set(false);
        });
    };
    Effect::new(move || {
        filter.track();
        load(false);
    });
    if let Some(waiting) = waiting {
        Effect::new(move || {
            waiting.set(items.with(|list| list.iter().filter(|s| s.status == ScheduleStatus::Scheduled).count()));
        });
    }
    realtime::subscribe(move |event| match event {
        LiveEvent::Other(Event::ScheduleUpdated(schedule)) => {
            let current = filter.get_untracked();
            items.update(|list| upsert(list, &current, schedule.clone()));
        }
        LiveEvent::Resync => load(false),
        _ => {}
    });

    let cancel = move |id: ScheduleId| {
        spawn_local(async move {
            match api::schedules::cancel(id).await {
                Ok(schedule) => {
                    let current = filter.get_untracked();
                    items.update(|list| upsert(list, &current, schedule));
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };

    view! {
        <div class="schedule-list" data-testid=testid>
            {move || error.get().map(|err| view! { <div class="alert alert-error" role="alert">{move || err.user_message(i18n.locale())}</div> })}
            <Show when=move || !loading.get() && items.with(Vec::is_empty)>
                <p class="muted" data-testid=format!("{testid}-empty")>{t!(i18n, NoSchedules)}</p>
            </Show>
            <ul class="schedules">
                <For each=move || items.get() key=|s| (s.id, s.updated_at) let:schedule>
                    <ScheduleItem schedule=schedule show_contact=show_contact on_contact=on_contact
                        on_edit=move |s| editing.set(Some(s)) on_cancel=cancel/>
                </For>
            </ul>
            <Show when=move || cursor.with(Option::is_some)>
                <button type="button" class="btn btn-small" on:click=move |_| load(true)>{t!(i18n, LoadMore)}</button>
            </Show>
            {move || editing.get().map(|schedule| view! {
                <ScheduleDialog
                    contact_id=schedule.contact_id
                    ticket_id=schedule.ticket_id
                    existing=Some(schedule)
                    on_done=move |saved: Schedule| {
                        let current = filter.get_untracked();
                        items.update(|list| upsert(list, &current, saved));
                        editing.set(None);
                    }
                    on_close=move || editing.set(None)
                />
            })}
        </div>
    }
}

#[component]
fn ScheduleItem(
    schedule: Schedule,
    show_contact: bool,
    on_contact: Option<Callback<(ContactId, String)>>,
    #[prop(into)] on_edit: Callback<Schedule>,
    #[prop(into)] on_cancel: Callback<ScheduleId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let settings = use_settings();
    let zone_name = settings.time_zone();
    let when = zone::wall_clock(schedule.send_at, &zone_name)
        .map(|wall| wall.format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_else(|| schedule.send_at.to_rfc3339());
    let status = schedule.status;
    let waiting = status == ScheduleStatus::Scheduled;
    let (id, editable) = (schedule.id, schedule.clone());
    view! {
        <li class="schedule" data-testid="schedule-item" data-status=status.as_str()>
            <div class="schedule-head">
                <time data-testid="schedule-when">{when}</time>
                <span class=format!("status-pill schedule-{}", status.as_str()) data-testid="schedule-status">
                    {move || i18n.t(status_key(status))}
                </span>
                {schedule.late.then(|| view! { <span class="badge" data-testid="schedule-late">{t!(i18n, ScheduleLate)}</span> })}
            </div>
            {show_contact.then(|| {
                let (contact, name) = (schedule.contact_id, schedule.contact_name.clone());
                match on_contact {
                    Some(pick) => view! {
                        <button type="button" class="link-button schedule-contact" data-testid="schedule-contact"
                            title=t!(i18n, FilterByContact)
                            on:click={let name = name.clone(); move |_| pick.run((contact, name.clone()))}>
                            {name.clone()}
                        </button>
                    }.into_any(),
                    None => view! { <strong class="schedule-contact">{name}</strong> }.into_any(),
                }
            })}
            <p class="schedule-body" data-testid="schedule-text">{schedule.body.clone()}</p>
            {schedule.media_name.clone().map(|name| view! { <p class="muted">"📎 " {name}</p> })}
            {schedule.created_by_name.clone().map(|name| view! { <p class="muted schedule-author">{name}</p> })}
            {schedule.error.clone().map(|e| view! { <p class="field-error" data-testid="schedule-failure">{e}</p> })}
            <Show when=move || waiting>
                <div class="schedule-actions">
                    <button type="button" class="btn btn-small" data-testid="schedule-edit"
                        on:click={let editable = editable.clone(); move |_| on_edit.run(editable.clone())}>{t!(i18n, Edit)}</button>
                    <button type="button" class="btn btn-small btn-danger" data-testid="schedule-cancel"
                        on:click=move |_| on_cancel.run(id)>{t!(i18n, CancelSchedule)}</button>
                </div>
            </Show>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use shared::ids::{TicketId, UserId};

    use super::*;

    fn schedule(id: i64, ticket: i64, status: ScheduleStatus) -> Schedule {
        Schedule {
            id: ScheduleId(id),
            contact_id: ContactId(1),
            contact_name: "Maria".into(),
            ticket_id: Some(TicketId(ticket)),
            body: "oi".into(),
            send_at: Utc::now(),
            status,
            sent_at: None,
            late: false,
            error: None,
            created_by: UserId(1),
            created_by_name: None,
            message_id: None,
            media_url: None,
            media_name: None,
            media_mime: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn live_updates_keep_the_order_and_the_filter() {
        let filter = ScheduleFilter {
            ticket_id: Some(TicketId(5)),
            status: Some(ScheduleStatus::Scheduled),
            ..Default::default()
        };
        let mut items = vec![schedule(9, 5, ScheduleStatus::Scheduled), schedule(3, 5, ScheduleStatus::Scheduled)];
        upsert(&mut items, &filter, schedule(6, 5, ScheduleStatus::Scheduled));
        assert_eq!(items.iter().map(|s| s.id.0).collect::<Vec<_>>(), [9, 6, 3]);
        upsert(&mut items, &filter, schedule(9, 5, ScheduleStatus::Canceled));
        assert_eq!(items.iter().map(|s| s.id.0).collect::<Vec<_>>(), [6, 3], "no longer matches");
        upsert(&mut items, &filter, schedule(7, 8, ScheduleStatus::Scheduled));
        assert_eq!(items.len(), 2, "another ticket's");
    }
}
