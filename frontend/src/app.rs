//! The root component: contexts (language, session, toasts) and the routes.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{Lazy, path};

use crate::components::app_frame::AppFrame;
use crate::components::toast::{ToastRegion, Toasts};
use crate::i18n::I18n;
use crate::pages::NotFoundPage;
use crate::pages::login::LoginPage;
use crate::pages::tickets::NoTicketSelected;
use crate::routes;
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
                    <Route path=path!("") view={Lazy::<routes::Home>::new()}/>
                    <ParentRoute path=path!("/tickets") view={Lazy::<routes::Tickets>::new()}>
                        <Route path=path!("") view=NoTicketSelected/>
                        <Route path=path!(":id") view={Lazy::<routes::Ticket>::new()}/>
                    </ParentRoute>
                    <Route path=path!("/contacts") view={Lazy::<routes::Contacts>::new()}/>
                    <Route path=path!("/schedules") view={Lazy::<routes::Schedules>::new()}/>
                    <Route path=path!("/kanban") view={Lazy::<routes::Kanban>::new()}/>
                    <Route path=path!("/admin/users") view={Lazy::<routes::AdminUsers>::new()}/>
                    <Route path=path!("/admin/queues") view={Lazy::<routes::AdminQueues>::new()}/>
                    <Route path=path!("/admin/quick-replies") view={Lazy::<routes::AdminQuickReplies>::new()}/>
                    <Route path=path!("/admin/settings") view={Lazy::<routes::AdminSettings>::new()}/>
                    <Route path=path!("/admin/stickers") view={Lazy::<routes::AdminStickers>::new()}/>
                    <Route path=path!("/admin/tags") view={Lazy::<routes::AdminTags>::new()}/>
                    <Route path=path!("/admin/kanban") view={Lazy::<routes::AdminKanban>::new()}/>
                    <Route path=path!("/admin/connections") view={Lazy::<routes::AdminConnections>::new()}/>
                    <Route path=path!("/admin/connections/:id") view={Lazy::<routes::AdminConnection>::new()}/>
                    <Route path=path!("/admin/webhooks") view={Lazy::<routes::AdminWebhooks>::new()}/>
                    <Route path=path!("/admin/api-tokens") view={Lazy::<routes::AdminApiTokens>::new()}/>
                    <Route path=path!("/admin/companies") view={Lazy::<routes::AdminCompanies>::new()}/>
                </ParentRoute>
            </Routes>
        </Router>
        <ToastRegion/>
    }
}
