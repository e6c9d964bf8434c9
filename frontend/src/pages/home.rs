//! /: the dashboard. Ticket figures come with the ticket module; until then the cards show "—".

use leptos::prelude::*;

use crate::components::icons;
use crate::i18n::{self, Key, use_i18n};
use crate::state::session::use_session;
use crate::t;

#[component]
fn StatCard(label: Key, accent: &'static str, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class=format!("card stat stat-{accent}") data-testid=testid>
            <span class="stat-label">{move || i18n.t(label)}</span>
            <span class="stat-value" aria-label="—">"—"</span>
        </div>
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let first_name =
        move || session.me().and_then(|me| me.name.split_whitespace().next().map(str::to_owned)).unwrap_or_default();
    view! {
        <section class="page" data-testid="home-page">
            <header class="page-header">
                <div>
                    <h1 data-testid="home-greeting">{move || i18n::greeting(i18n.locale(), &first_name())}</h1>
                    <p class="muted">{t!(i18n, Dashboard)}</p>
                </div>
            </header>
            <h2 class="section-title" data-testid="tickets-today-title">{t!(i18n, TicketsToday)}</h2>
            <div class="cards">
                <StatCard label=Key::StatusOpen accent="open" testid="card-open"/>
                <StatCard label=Key::StatusPending accent="pending" testid="card-pending"/>
                <StatCard label=Key::StatusClosed accent="closed" testid="card-closed"/>
            </div>
            <h2 class="section-title">{t!(i18n, Times)}</h2>
            <div class="cards">
                <StatCard label=Key::WaitingTime accent="time" testid="card-waiting"/>
                <StatCard label=Key::HandlingTime accent="time" testid="card-handling"/>
            </div>
            <p class="note" role="note" data-testid="dashboard-note">
                {icons::info()}
                <span>{t!(i18n, DashboardNote)}</span>
            </p>
        </section>
    }
}
