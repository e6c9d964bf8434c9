//! One module per screen.

pub mod admin_api_tokens;
pub mod admin_companies;
pub mod admin_connections;
pub mod admin_kanban;
pub mod admin_queues;
pub mod admin_quick_replies;
pub mod admin_settings;
pub mod admin_stickers;
pub mod admin_tags;
pub mod admin_users;
pub mod admin_webhooks;
pub mod contacts;
pub mod home;
pub mod kanban;
pub mod login;
pub mod schedules;
pub mod tickets;

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::state::session::use_session;
use crate::t;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="splash" data-testid="not-found">
            <h1>"404"</h1>
            <p>{t!(i18n, PageNotFound)}</p>
            <a class="btn btn-primary" href="/">{t!(i18n, BackHome)}</a>
        </main>
    }
}

/// Shown instead of an admin page to someone who is not an administrator.
#[component]
pub fn AdminOnly() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page">
            <div class="alert alert-info" role="alert" data-testid="admin-only">{t!(i18n, AdminOnly)}</div>
        </section>
    }
}

/// Its children for administrators, [`AdminOnly`] for everyone else.
#[component]
pub fn AdminGate(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let admin = Memo::new(move |_| session.is_admin());
    move || if admin.get() { children().into_any() } else { view! { <AdminOnly/> }.into_any() }
}
