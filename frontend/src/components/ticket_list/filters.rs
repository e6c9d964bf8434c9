//! Filtros Avançados: applied as soon as they change.

use leptos::prelude::*;
use shared::ids::{ConnectionId, QueueId, UserId};

use crate::api::tickets::Filters;
use crate::i18n::{Key, use_i18n};
use crate::pages::tickets::TicketsUi;
use crate::t;
use crate::time;

/// A labelled choice among `options` (`(id, name)`), with "all" first.
#[component]
fn SelectFilter(
    label: Key,
    testid: &'static str,
    #[prop(into)] options: Signal<Vec<(i64, String)>>,
    #[prop(into)] value: Signal<Option<i64>>,
    #[prop(into)] on_change: Callback<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="field">
            <span>{move || i18n.t(label)}</span>
            <select
                data-testid=testid
                prop:value=move || value.get().map(|id| id.to_string()).unwrap_or_default()
                on:change=move |e| on_change.run(event_target_value(&e).parse().ok())
            >
                <option value="">{t!(i18n, All)}</option>
                {move || options.get().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// A day picker that sets an instant: the local day's start, `shift` days on.
#[component]
fn DayFilter(
    label: Key,
    testid: &'static str,
    day: RwSignal<String>,
    shift: u32,
    #[prop(into)] on_change: Callback<Option<chrono::DateTime<chrono::Utc>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="field">
            <span>{move || i18n.t(label)}</span>
            <input
                type="date"
                data-testid=testid
                prop:value=move || day.get()
                on:change=move |e| {
                    let raw = event_target_value(&e);
                    let at = time::local_day_start(&raw, shift);
                    day.set(raw);
                    on_change.run(at);
                }
            />
        </label>
    }
}

#[component]
pub fn FiltersPanel(ui: TicketsUi) -> impl IntoView {
    let i18n = use_i18n();
    let directory = ui.directory;
    let from_day = RwSignal::new(String::new());
    let to_day = RwSignal::new(String::new());
    let filters = ui.filters;
    let set = move |change: &dyn Fn(&mut Filters)| filters.update(|f| change(f));
    let queue = move |id: Option<i64>| set(&|f| f.queue_id = id.map(QueueId));
    let user = move |id: Option<i64>| set(&|f| f.user_id = id.map(UserId));
    let connection = move |id: Option<i64>| set(&|f| f.connection_id = id.map(ConnectionId));
    view! {
        <div class="filters" id="ticket-filters" data-testid="filters-panel">
            <SelectFilter
                label=Key::Queue
                testid="filter-queue"
                options=Signal::derive(move || directory.queues.with(|all| all.iter().map(|q| (q.id.0, q.name.clone())).collect()))
                value=Signal::derive(move || filters.with(|f| f.queue_id.map(|id| id.0)))
                on_change=queue
            />
            <SelectFilter
                label=Key::Agent
                testid="filter-user"
                options=Signal::derive(move || directory.users.with(|all| all.iter().map(|u| (u.id.0, u.name.clone())).collect()))
                value=Signal::derive(move || filters.with(|f| f.user_id.map(|id| id.0)))
                on_change=user
            />
            <SelectFilter
                label=Key::Connection
                testid="filter-connection"
                options=Signal::derive(move || directory.connections.with(|all| all.iter().map(|c| (c.id.0, c.name.clone())).collect()))
                value=Signal::derive(move || filters.with(|f| f.connection_id.map(|id| id.0)))
                on_change=connection
            />
            <label class="field" title=t!(i18n, ComingSoon)>
                <span>{t!(i18n, Tag)}</span>
                <select disabled data-testid="filter-tag">
                    <option>{t!(i18n, ComingSoon)}</option>
                </select>
            </label>
            <DayFilter label=Key::DateFrom testid="filter-from" day=from_day shift=0 on_change=move |at| { filters.update(|f| f.from = at) }/>
            <DayFilter label=Key::DateTo testid="filter-to" day=to_day shift=1 on_change=move |at| { filters.update(|f| f.to = at) }/>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="filter-unread"
                    prop:checked=move || filters.with(|f| f.unread)
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        filters.update(|f| f.unread = on);
                    }
                />
                <span>{t!(i18n, UnreadOnly)}</span>
            </label>
            <label class="check" title=t!(i18n, ComingSoon)>
                <input type="checkbox" disabled data-testid="filter-wallet"/>
                <span>{t!(i18n, MyWallet)}</span>
            </label>
            <div class="filters-actions">
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="filters-clear"
                    disabled=move || filters.with(|f| f.active() == 0)
                    on:click=move |_| {
                        from_day.set(String::new());
                        to_day.set(String::new());
                        filters.set(Filters::default());
                    }
                >
                    {t!(i18n, ClearFilters)}
                </button>
            </div>
        </div>
    }
}
