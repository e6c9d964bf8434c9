//! Every screen but the login is a lazy route: its code is split out of the main wasm module into a
//! chunk the browser fetches the first time the screen opens (scripts/build-spa.sh runs the
//! splitter), so a cold load downloads the router, the frame and the login, not every admin page.

use leptos::prelude::*;
use leptos_router::LazyRoute;

use crate::pages;

/// A lazy route that shows one page component, split into `$chunk`. Every route naming the same
/// chunk lands in the same `.wasm` file; code routes of different chunks share goes into shared
/// chunks, one per set of sharers. Fewer names mean fewer, larger files to fetch: the admin pages
/// share one.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $chunk:ident: $route:ident => $page:path) => {
        $(#[$doc])*
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                #[leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split)]
                fn show() -> AnyView {
                    $page().into_any()
                }
                show().await
            }
        }
    };
}

lazy_page!(
    /// `/`: the dashboard.
    home: Home => pages::home::HomePage
);
lazy_page!(
    /// `/tickets`: the ticket list; the conversation is a chunk of its own.
    tickets: Tickets => pages::tickets::TicketsPage
);
lazy_page!(
    /// `/tickets/:id`: the conversation, its composer and the contact panel.
    ticket: Ticket => pages::tickets::TicketRoute
);
lazy_page!(contacts: Contacts => pages::contacts::ContactsPage);
lazy_page!(schedules: Schedules => pages::schedules::SchedulesPage);
lazy_page!(kanban: Kanban => pages::kanban::KanbanPage);
lazy_page!(admin: AdminUsers => pages::admin_users::AdminUsersPage);
lazy_page!(admin: AdminQueues => pages::admin_queues::AdminQueuesPage);
lazy_page!(admin: AdminQuickReplies => pages::admin_quick_replies::AdminQuickRepliesPage);
lazy_page!(admin: AdminSettings => pages::admin_settings::AdminSettingsPage);
lazy_page!(admin: AdminStickers => pages::admin_stickers::AdminStickersPage);
lazy_page!(admin: AdminTags => pages::admin_tags::AdminTagsPage);
lazy_page!(admin: AdminKanban => pages::admin_kanban::AdminKanbanPage);
lazy_page!(admin: AdminConnections => pages::admin_connections::AdminConnectionsPage);
lazy_page!(admin: AdminConnection => pages::admin_connections::ConnectionPage);
lazy_page!(admin: AdminWebhooks => pages::admin_webhooks::AdminWebhooksPage);
lazy_page!(admin: AdminApiTokens => pages::admin_api_tokens::AdminApiTokensPage);
lazy_page!(admin: AdminCompanies => pages::admin_companies::AdminCompaniesPage);
