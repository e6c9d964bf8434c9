//! The signed-in frame: top bar (user menu, home button, language), side navigation, the page.
//! Signed-out visitors are sent to /login.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_location, use_navigate};

use super::icons;
use super::kit::IconButton;
use super::lang_switch::LangSwitch;
use super::user_menu::UserMenu;
use crate::i18n::{Key, use_i18n};
use crate::state::realtime::Realtime;
use crate::state::session::{Status, use_session};
use crate::state::settings::CompanySettings;
use crate::t;

#[component]
pub fn AppFrame() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    // A memo, so that only real changes of status rebuild the frame.
    let status = Memo::new(move |_| session.status());
    let location = use_location();
    Effect::new(move || {
        if status.get() == Status::SignedOut {
            // Come back here after signing in again.
            let here = location.pathname.get_untracked();
            let target = if here == "/" {
                "/login".to_owned()
            } else {
                format!("/login?next={}", js_sys::encode_uri_component(&here))
            };
            navigate(&target, NavigateOptions { replace: true, ..Default::default() });
        }
    });
    move || match status.get() {
        Status::SignedIn => view! { <Shell/> }.into_any(),
        Status::Restoring => view! { <Splash/> }.into_any(),
        Status::Unreachable => view! { <Unreachable/> }.into_any(),
        Status::SignedOut => ().into_any(),
    }
}

#[component]
fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    // Live events for every screen of the signed-in frame; closed on sign-out.
    let realtime = Realtime::start();
    provide_context(realtime);
    provide_context(CompanySettings::start());
    view! {
        <div class="shell">
            <header class="topbar">
                <UserMenu/>
                <IconButton label=Key::Home testid="home-button" class="home-button" on_click=move || navigate("/", NavigateOptions::default())>
                    {icons::home()}
                </IconButton>
                <span class="brand" aria-hidden="true">
                    <span class="brand-mark">{icons::chat()}</span>
                    <span class="brand-name">{t!(i18n, AppName)}</span>
                </span>
                <span class="company-name">{move || session.me().map(|me| me.company_name).unwrap_or_default()}</span>
                <span class="spacer"></span>
                <Show when=move || realtime.is_offline()>
                    <span class="offline" role="status" data-testid="offline-indicator" title=t!(i18n, Offline)>
                        {icons::wifi_off()}
                        <span class="offline-text">{t!(i18n, Offline)}</span>
                    </span>
                </Show>
                <LangSwitch/>
            </header>
            <div class="frame">
                <nav class="sidebar" aria-label=t!(i18n, MainNav) data-testid="main-nav">
                    <A href="/" exact=true attr:class="nav-link" attr:title=t!(i18n, Home) attr:data-testid="nav-home">
                        {icons::home()}
                        <span>{t!(i18n, Home)}</span>
                    </A>
                    <A href="/tickets" attr:class="nav-link" attr:title=t!(i18n, Tickets) attr:data-testid="nav-tickets">
                        {icons::chat()}
                        <span>{t!(i18n, Tickets)}</span>
                    </A>
                    <A href="/contacts" attr:class="nav-link" attr:title=t!(i18n, Contacts) attr:data-testid="nav-contacts">
                        {icons::contacts()}
                        <span>{t!(i18n, Contacts)}</span>
                    </A>
                    <A href="/schedules" attr:class="nav-link" attr:title=t!(i18n, Schedules) attr:data-testid="nav-schedules">
                        {icons::clock()}
                        <span>{t!(i18n, Schedules)}</span>
                    </A>
                    <A href="/kanban" attr:class="nav-link" attr:title=t!(i18n, Kanban) attr:data-testid="nav-kanban">
                        {icons::kanban()}
                        <span>{t!(i18n, Kanban)}</span>
                    </A>
                    <Show when=move || session.is_admin()>
                        <p class="nav-section">{t!(i18n, Administration)}</p>
                        <A href="/admin/users" attr:class="nav-link" attr:data-testid="nav-users">
                            {icons::users()}
                            <span>{t!(i18n, Users)}</span>
                        </A>
                        <A href="/admin/queues" attr:class="nav-link" attr:data-testid="nav-queues">
                            {icons::queues()}
                            <span>{t!(i18n, Queues)}</span>
                        </A>
                        <A href="/admin/tags" attr:class="nav-link" attr:data-testid="nav-tags">
                            {icons::tag()}
                            <span>{t!(i18n, Tags)}</span>
                        </A>
                        <A href="/admin/stickers" attr:class="nav-link" attr:data-testid="nav-stickers">
                            {icons::sticker()}
                            <span>{t!(i18n, Stickers)}</span>
                        </A>
                        <A href="/admin/quick-replies" attr:class="nav-link" attr:data-testid="nav-quick-replies">
                            {icons::zap()}
                            <span>{t!(i18n, QuickReplies)}</span>
                        </A>
                        <A href="/admin/kanban" attr:class="nav-link" attr:data-testid="nav-kanban-boards">
                            {icons::kanban()}
                            <span>{t!(i18n, KanbanBoards)}</span>
                        </A>
                        <A href="/admin/connections" attr:class="nav-link" attr:data-testid="nav-connections">
                            {icons::phone()}
                            <span>{t!(i18n, Connections)}</span>
                        </A>
                        <A href="/admin/settings" attr:class="nav-link" attr:data-testid="nav-settings">
                            {icons::settings()}
                            <span>{t!(i18n, Settings)}</span>
                        </A>
                        <A href="/admin/webhooks" attr:class="nav-link" attr:data-testid="nav-webhooks">
                            {icons::zap()}
                            <span>{t!(i18n, Webhooks)}</span>
                        </A>
                        <A href="/admin/api-tokens" attr:class="nav-link" attr:data-testid="nav-api-tokens">
                            {icons::settings()}
                            <span>{t!(i18n, ApiTokens)}</span>
                        </A>
                        <Show when=move || session.me().is_some_and(|me| me.platform_admin)>
                            <A href="/admin/companies" attr:class="nav-link" attr:data-testid="nav-companies">
                                {icons::users()}
                                <span>{t!(i18n, Companies)}</span>
                            </A>
                        </Show>
                    </Show>
                </nav>
                <main class="content" id="main">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}

/// While the saved session is being checked.
#[component]
pub fn Splash() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="splash" role="status">
            <div class="spinner" aria-hidden="true"></div>
            <span class="sr-only">{t!(i18n, Loading)}</span>
        </div>
    }
}

#[component]
fn Unreachable() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <div class="splash">
            <div class="alert alert-error" role="alert">{move || i18n.t(Key::NetworkError)}</div>
            <button type="button" class="btn btn-primary" on:click=move |_| session.restore()>
                {t!(i18n, Retry)}
            </button>
        </div>
    }
}
