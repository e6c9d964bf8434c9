//! The root component: contexts (language, session, toasts) and the routes.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::components::app_frame::AppFrame;
use crate::components::toast::{ToastRegion, Toasts};
use crate::i18n::I18n;
use crate::pages::NotFoundPage;
use crate::pages::admin_kanban::AdminKanbanPage;
use crate::pages::admin_queues::AdminQueuesPage;
use crate::pages::admin_quick_replies::AdminQuickRepliesPage;
use crate::pages::admin_settings::AdminSettingsPage;
use crate::pages::admin_stickers::AdminStickersPage;
use crate::pages::admin_tags::AdminTagsPage;
use crate::pages::admin_users::AdminUsersPage;
use crate::pages::contacts::ContactsPage;
use crate::pages::home::HomePage;
use crate::pages::kanban::KanbanPage;
use crate::pages::login::LoginPage;
use crate::pages::schedules::SchedulesPage;
use crate::pages::tickets::{NoTicketSelected, TicketRoute, TicketsPage};
use crate::state::session::Session;

#[component]
pub fn App() -> impl IntoView {
    provide_context(I18n::load());
    provide_context(Session::start());
    provide_context(Toasts::new());
    view! {
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/login") view=LoginPage/>
                <ParentRoute path=path!("") view=AppFrame>
                    <Route path=path!("") view=HomePage/>
                    <ParentRoute path=path!("/tickets") view=TicketsPage>
                        <Route path=path!("") view=NoTicketSelected/>
                        <Route path=path!(":id") view=TicketRoute/>
                    </ParentRoute>
                    <Route path=path!("/contacts") view=ContactsPage/>
                    <Route path=path!("/schedules") view=SchedulesPage/>
                    <Route path=path!("/kanban") view=KanbanPage/>
                    <Route path=path!("/admin/users") view=AdminUsersPage/>
                    <Route path=path!("/admin/queues") view=AdminQueuesPage/>
                    <Route path=path!("/admin/quick-replies") view=AdminQuickRepliesPage/>
                    <Route path=path!("/admin/settings") view=AdminSettingsPage/>
                    <Route path=path!("/admin/stickers") view=AdminStickersPage/>
                    <Route path=path!("/admin/tags") view=AdminTagsPage/>
                    <Route path=path!("/admin/kanban") view=AdminKanbanPage/>
                    <Route path=path!("/admin/connections/:id/whatsapp-web") view=crate::components::whatsapp_web_pairing::WhatsappWebPage/>
                </ParentRoute>
            </Routes>
        </Router>
        <ToastRegion/>
    }
}
