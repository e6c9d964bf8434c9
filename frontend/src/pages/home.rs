//! /: the dashboard: today's tickets by status, waiting and handling times, per queue and per agent.
//! Refreshed when tickets change (a burst of events refreshes it once).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use shared::tickets::Dashboard;

use crate::api::{self, ApiError};
use crate::components::icons;
use crate::debounce::debounce;
use crate::i18n::{self, Key, use_i18n};
use crate::state::realtime::{self, LiveEvent};
use crate::state::session::use_session;
use crate::t;
use crate::time;

#[derive(Clone, Debug, PartialEq)]
enum State {
    Loading,
    Ready(Dashboard),
    Failed(ApiError),
}

#[component]
fn StatCard(
    label: Key,
    accent: &'static str,
    testid: &'static str,
    #[prop(into)] value: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class=format!("card stat stat-{accent}") data-testid=testid>
            <span class="stat-label">{move || i18n.t(label)}</span>
            <span class="stat-value" class:stat-value-known=move || value.with(Option::is_some) data-testid=format!("{testid}-value")>
                {move || value.get().unwrap_or_else(|| "—".to_owned())}
            </span>
        </div>
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let state = RwSignal::new(State::Loading);
    let first_name =
        move || session.me().and_then(|me| me.name.split_whitespace().next().map(str::to_owned)).unwrap_or_default();

    let load = move || {
        spawn_local(async move {
            let next = match api::dashboard::get().await {
                Ok(dashboard) => State::Ready(dashboard),
                Err(ApiError::SessionEnded) => return,
                Err(err) => State::Failed(err),
            };
            state.try_set(next);
        });
    };
    load();
    let reload = debounce(Duration::from_secs(3), move |()| load());
    realtime::subscribe(move |event| {
        if matches!(event, LiveEvent::TicketCreated(_) | LiveEvent::TicketUpdated(_) | LiveEvent::Resync) {
            reload(());
        }
    });

    let figure = move |pick: fn(&Dashboard) -> String| {
        Signal::derive(move || state.with(|s| if let State::Ready(d) = s { Some(pick(d)) } else { None }))
    };
    let ready = move || state.with(|s| matches!(s, State::Ready(_)));

    view! {
        <section class="page" data-testid="home-page">
            <header class="page-header">
                <div>
                    <h1 data-testid="home-greeting">{move || i18n::greeting(i18n.locale(), &first_name())}</h1>
                    <p class="muted">{t!(i18n, Dashboard)}</p>
                </div>
                <a class="btn btn-primary" href="/tickets" data-testid="home-tickets">
                    {icons::chat()}
                    <span>{t!(i18n, GoToTickets)}</span>
                </a>
            </header>
            <h2 class="section-title" data-testid="tickets-today-title">{t!(i18n, TicketsToday)}</h2>
            <div class="cards">
                <StatCard label=Key::StatusOpen accent="open" testid="card-open" value=figure(|d| d.open.to_string())/>
                <StatCard label=Key::StatusPending accent="pending" testid="card-pending" value=figure(|d| d.pending.to_string())/>
                <StatCard label=Key::ClosedToday accent="closed" testid="card-closed" value=figure(|d| d.closed_today.to_string())/>
                <StatCard label=Key::CreatedToday accent="created" testid="card-created" value=figure(|d| d.created_today.to_string())/>
            </div>
            <h2 class="section-title">{t!(i18n, Times)}</h2>
            <div class="cards">
                <StatCard
                    label=Key::WaitingTime
                    accent="time"
                    testid="card-waiting"
                    value=figure(|d| d.avg_wait_secs.map(time::duration).unwrap_or_else(|| "—".into()))
                />
                <StatCard
                    label=Key::HandlingTime
                    accent="time"
                    testid="card-handling"
                    value=figure(|d| d.avg_handle_secs.map(time::duration).unwrap_or_else(|| "—".into()))
                />
            </div>
            {move || match state.get() {
                State::Failed(err) => Some(view! {
                    <div class="alert alert-error" role="alert" data-testid="dashboard-error">
                        {move || err.user_message(i18n.locale())}
                        " "
                        <button type="button" class="btn btn-small" on:click=move |_| load()>{t!(i18n, Retry)}</button>
                    </div>
                }.into_any()),
                _ => None,
            }}
            <Show when=ready>
                <div class="dashboard-tables">
                    <div class="table-card">
                        <h3 class="table-title">{t!(i18n, ByQueue)}</h3>
                        <table class="table" data-testid="dashboard-queues">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, Queue)}</th>
                                    <th scope="col">{t!(i18n, StatusOpen)}</th>
                                    <th scope="col">{t!(i18n, StatusPending)}</th>
                                    <th scope="col">{t!(i18n, ClosedToday)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {move || state.with(|s| match s {
                                    State::Ready(d) => d.by_queue.iter().map(|row| {
                                        let (name, color) = row.queue.as_ref().map_or((None, None), |q| (Some(q.name.clone()), Some(q.color.clone())));
                                        view! {
                                            <tr data-testid="dashboard-queue-row">
                                                <td data-label=t!(i18n, Queue)>
                                                    <span class="queue-name">
                                                        <span class="dot" style:background-color=color></span>
                                                        {match name { Some(n) => n.into_any(), None => view! { <em>{t!(i18n, NoQueue)}</em> }.into_any() }}
                                                    </span>
                                                </td>
                                                <td data-label=t!(i18n, StatusOpen)>{row.open}</td>
                                                <td data-label=t!(i18n, StatusPending)>{row.pending}</td>
                                                <td data-label=t!(i18n, ClosedToday)>{row.closed_today}</td>
                                            </tr>
                                        }
                                    }).collect_view().into_any(),
                                    _ => ().into_any(),
                                })}
                            </tbody>
                        </table>
                    </div>
                    <div class="table-card">
                        <h3 class="table-title">{t!(i18n, ByAgent)}</h3>
                        <table class="table" data-testid="dashboard-agents">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, Agent)}</th>
                                    <th scope="col">{t!(i18n, StatusOpen)}</th>
                                    <th scope="col">{t!(i18n, ClosedToday)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {move || state.with(|s| match s {
                                    State::Ready(d) => d.by_agent.iter().map(|row| view! {
                                        <tr data-testid="dashboard-agent-row">
                                            <td data-label=t!(i18n, Agent) class="cell-strong">
                                                {match row.user.as_ref() {
                                                    Some(user) => user.name.clone().into_any(),
                                                    None => view! { <em>{t!(i18n, NotAssigned)}</em> }.into_any(),
                                                }}
                                            </td>
                                            <td data-label=t!(i18n, StatusOpen)>{row.open}</td>
                                            <td data-label=t!(i18n, ClosedToday)>{row.closed_today}</td>
                                        </tr>
                                    }).collect_view().into_any(),
                                    _ => ().into_any(),
                                })}
                            </tbody>
                        </table>
                    </div>
                </div>
            </Show>
        </section>
    }
}
