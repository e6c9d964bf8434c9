//! /: the dashboard: today's tickets by status, waiting and handling times, per queue and per agent,
//! and the ratings of a chosen period. Refreshed when tickets or ratings change (a burst of events
//! refreshes it once).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use chrono::{DateTime, Utc};
use shared::events::Event;
use shared::ratings::RatingSummary;
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

/// The period the ratings cover, counted in local days back from today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    Today,
    Week,
    Month,
    Quarter,
}

impl Period {
    const ALL: [Period; 4] = [Period::Today, Period::Week, Period::Month, Period::Quarter];

    fn key(self) -> Key {
        match self {
            Period::Today => Key::PeriodToday,
            Period::Week => Key::PeriodWeek,
            Period::Month => Key::PeriodMonth,
            Period::Quarter => Key::PeriodQuarter,
        }
    }

    fn value(self) -> &'static str {
        match self {
            Period::Today => "today",
            Period::Week => "7",
            Period::Month => "30",
            Period::Quarter => "90",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.value() == raw)
    }

    /// Local midnight, `days - 1` days ago (today's for `Today`).
    fn start(self) -> DateTime<Utc> {
        let days_back = match self {
            Period::Today => 0.0,
            Period::Week => 6.0,
            Period::Month => 29.0,
            Period::Quarter => 89.0,
        };
        let date = js_sys::Date::new_0();
        date.set_hours(0);
        date.set_minutes(0);
        date.set_seconds(0);
        date.set_milliseconds(0);
        let millis = date.get_time() - days_back * 86_400_000.0;
        DateTime::from_timestamp_millis(millis as i64).unwrap_or_default()
    }
}

/// "4,5" / "4.5"; "—" without ratings.
fn average_text(summary: &RatingSummary, locale: i18n::Locale) -> String {
    match summary.average {
        None => "—".to_owned(),
        Some(average) => {
            let text = format!("{average:.1}");
            if locale == i18n::Locale::Pt { text.replace('.', ",") } else { text }
        }
    }
}

/// "1: 0 · 2: 1 · 3: 4".
fn distribution_text(summary: &RatingSummary) -> String {
    summary.distribution.iter().map(|(score, n)| format!("{score}: {n}")).collect::<Vec<_>>().join(" · ")
}

#[component]
fn RatingRows(
    #[prop(into)] rows: Signal<Vec<(Option<String>, RatingSummary)>>,
    /// What a row without a name is (no agent, no queue).
    none: Key,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {move || rows.get().into_iter().map(|(name, summary)| {
            let distribution = distribution_text(&summary);
            let count = summary.count;
            view! {
            <tr data-testid=testid>
                <td class="cell-strong">
                    {match name { Some(n) => n.into_any(), None => view! { <em>{move || i18n.t(none)}</em> }.into_any() }}
                </td>
                <td data-label=t!(i18n, RatingsCount) data-testid=format!("{testid}-count")>{count}</td>
                <td data-label=t!(i18n, RatingsAverage) data-testid=format!("{testid}-average")>
                    {move || average_text(&summary, i18n.locale())}
                </td>
                <td data-label=t!(i18n, RatingsDistribution) class="muted">{distribution}</td>
            </tr>
        }}).collect_view()}
    }
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
    let period = RwSignal::new(Period::Month);
    let first_name =
        move || session.me().and_then(|me| me.name.split_whitespace().next().map(str::to_owned)).unwrap_or_default();

    let load = move || {
        spawn_local(async move {
            let next = match api::dashboard::get(period.get_untracked().start()).await {
                Ok(dashboard) => State::Ready(dashboard),
                Err(ApiError::SessionEnded) => return,
                Err(err) => State::Failed(err),
            };
            state.try_set(next);
        });
    };
    load();
    // First run: a company without any connection cannot receive a conversation yet.
    let no_connection = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(page) = api::connections::CONNECTIONS.list(None).await {
            no_connection.try_set(page.items.is_empty());
        }
    });
    let reload = debounce(Duration::from_secs(3), move |()| load());
    realtime::subscribe(move |event| {
        if matches!(
            event,
            LiveEvent::TicketCreated(_)
                | LiveEvent::TicketUpdated(_)
                | LiveEvent::Resync
                | LiveEvent::Other(Event::RatingUpdated(_))
        ) {
            reload(());
        }
        if matches!(event, LiveEvent::Other(Event::ConnectionUpdated(_))) {
            no_connection.set(false);
        }
    });

    let figure = move |pick: fn(&Dashboard) -> String| {
        Signal::derive(move || state.with(|s| if let State::Ready(d) = s { Some(pick(d)) } else { None }))
    };
    let ready = move || state.with(|s| matches!(s, State::Ready(_)));
    let ratings_average = Signal::derive(move || {
        state.with(
            |s| if let State::Ready(d) = s { Some(average_text(&d.ratings.summary, i18n.locale())) } else { None },
        )
    });
    let ratings_by_agent = Signal::derive(move || {
        state.with(|s| match s {
            State::Ready(d) => d
                .ratings
                .by_agent
                .iter()
                .map(|row| (row.user.as_ref().map(|u| u.name.clone()), row.summary.clone()))
                .collect(),
            _ => Vec::new(),
        })
    });
    let ratings_by_queue = Signal::derive(move || {
        state.with(|s| match s {
            State::Ready(d) => d
                .ratings
                .by_queue
                .iter()
                .map(|row| (row.queue.as_ref().map(|q| q.name.clone()), row.summary.clone()))
                .collect(),
            _ => Vec::new(),
        })
    });
    let no_ratings = move || state.with(|s| matches!(s, State::Ready(d) if d.ratings.summary.count == 0));
    let period_id = "dashboard-ratings-period";

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
            <Show when=move || no_connection.get()>
                {move || if session.is_admin() {
                    view! {
                        <div class="table-card conn-card first-run" data-testid="first-run">
                            <h2 class="section-title">{t!(i18n, FirstRunTitle)}</h2>
                            <p class="muted">{t!(i18n, FirstRunAdmin)}</p>
                            <a class="btn btn-primary" href="/admin/connections" data-testid="first-run-connect">
                                {icons::phone()}
                                <span>{t!(i18n, FirstRunAction)}</span>
                            </a>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <div class="alert alert-info first-run" role="status" data-testid="first-run-ask-admin">{t!(i18n, FirstRunAgent)}</div>
                    }.into_any()
                }}
            </Show>
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
            <div class="section-header">
                <h2 class="section-title" data-testid="ratings-title">{t!(i18n, Ratings)}</h2>
                <label class="inline-field" for=period_id>
                    <span>{t!(i18n, RatingsPeriod)}</span>
                    <select
                        id=period_id
                        data-testid="ratings-period"
                        on:change=move |ev| {
                            if let Some(chosen) = Period::parse(&event_target_value(&ev)) {
                                period.set(chosen);
                                load();
                            }
                        }
                    >
                        {Period::ALL.into_iter().map(|p| view! {
                            <option value=p.value() selected=move || period.get() == p>{move || i18n.t(p.key())}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="cards">
                <StatCard label=Key::RatingsCount accent="created" testid="card-ratings-count" value=figure(|d| d.ratings.summary.count.to_string())/>
                <StatCard label=Key::RatingsAverage accent="time" testid="card-ratings-average" value=ratings_average/>
            </div>
            <Show when=no_ratings>
                <p class="muted" data-testid="ratings-empty">{t!(i18n, NoRatings)}</p>
            </Show>
            <Show when=move || ready() && !no_ratings()>
                <div class="dashboard-tables">
                    <div class="table-card">
                        <h3 class="table-title">{t!(i18n, ByAgent)}</h3>
                        <table class="table" data-testid="ratings-agents">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, Agent)}</th>
                                    <th scope="col">{t!(i18n, RatingsCount)}</th>
                                    <th scope="col">{t!(i18n, RatingsAverage)}</th>
                                    <th scope="col">{t!(i18n, RatingsDistribution)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                <RatingRows rows=ratings_by_agent none=Key::NotAssigned testid="ratings-agent-row"/>
                            </tbody>
                        </table>
                    </div>
                    <div class="table-card">
                        <h3 class="table-title">{t!(i18n, ByQueue)}</h3>
                        <table class="table" data-testid="ratings-queues">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, Queue)}</th>
                                    <th scope="col">{t!(i18n, RatingsCount)}</th>
                                    <th scope="col">{t!(i18n, RatingsAverage)}</th>
                                    <th scope="col">{t!(i18n, RatingsDistribution)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                <RatingRows rows=ratings_by_queue none=Key::NoQueue testid="ratings-queue-row"/>
                            </tbody>
                        </table>
                    </div>
                </div>
            </Show>
        </section>
    }
}
