//! /tickets and /tickets/:id: the ticket list on the left (Screen 1) and the selected conversation
//! on the right (Screen 2). On a phone one of the two fills the screen.

use std::collections::HashMap;
use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_params_map;
use shared::contacts::Connection;
use shared::events::Event;
use shared::ids::{QueueId, TicketId, UserId};
use shared::org::{Queue, User};
use shared::tags::Tag;
use shared::tickets::{Ticket, TicketKind, TicketStatus};

use crate::api::queues::QUEUES;
use crate::api::tags::TAGS;
use crate::api::tickets::{Filters, ListQuery};
use crate::api::users::USERS;
use crate::api::{self};
use crate::components::conversation::Conversation;
use crate::components::icons;
use crate::components::ticket_list::TicketListPane;
use crate::debounce::debounce;
use crate::i18n::use_i18n;
use crate::state::realtime::{self, LiveEvent};
use crate::state::session::use_session;
use crate::state::storage;
use crate::state::tickets::TicketStore;
use crate::t;

const TAB_KEY: &str = "atende.tickets.tab";
const KIND_KEY: &str = "atende.tickets.kind";

/// Reference lists for the filters and the transfer dialog, loaded once per visit.
#[derive(Clone, Copy)]
pub struct Directory {
    pub queues: RwSignal<Vec<Queue>>,
    pub users: RwSignal<Vec<User>>,
    pub connections: RwSignal<Vec<Connection>>,
    pub tags: RwSignal<Vec<Tag>>,
}

impl Directory {
    fn load() -> Self {
        let directory = Self {
            queues: RwSignal::new(Vec::new()),
            users: RwSignal::new(Vec::new()),
            connections: RwSignal::new(Vec::new()),
            tags: RwSignal::new(Vec::new()),
        };
        // Side by side, not one after the other: four round trips cost one.
        leptos::task::spawn_local(async move {
            let (queues, users, connections, tags) = futures::future::join4(
                QUEUES.list_all(),
                USERS.list_all(),
                api::connections::list_all(),
                TAGS.list_all(),
            )
            .await;
            if let Ok(queues) = queues {
                directory.queues.try_set(queues);
            }
            if let Ok(users) = users {
                directory.users.try_set(users);
            }
            if let Ok(connections) = connections {
                directory.connections.try_set(connections);
            }
            if let Ok(tags) = tags {
                directory.tags.try_set(tags);
            }
        });
        directory
    }
}

/// The state of Screen 1, shared with the conversation (which moves tickets between tabs).
#[derive(Clone, Copy)]
pub struct TicketsUi {
    pub tab: RwSignal<TicketStatus>,
    pub kind: RwSignal<TicketKind>,
    /// The search as applied (the input is debounced into it).
    pub search: RwSignal<String>,
    pub filters: RwSignal<Filters>,
    pub store: TicketStore,
    /// The ticket in the URL.
    pub selected: Memo<Option<TicketId>>,
    pub directory: Directory,
}

impl TicketsUi {
    pub fn query(&self) -> ListQuery {
        ListQuery {
            status: self.tab.get(),
            kind: self.kind.get(),
            search: self.search.get(),
            filters: self.filters.get(),
        }
    }

    pub fn query_untracked(&self) -> ListQuery {
        ListQuery {
            status: self.tab.get_untracked(),
            kind: self.kind.get_untracked(),
            search: self.search.get_untracked(),
            filters: self.filters.get_untracked(),
        }
    }

    pub fn set_tab(&self, tab: TicketStatus) {
        storage::set(TAB_KEY, tab.as_str());
        self.tab.set(tab);
    }

    pub fn set_kind(&self, kind: TicketKind) {
        storage::set(KIND_KEY, kind.as_str());
        self.kind.set(kind);
    }
}

/// What of a ticket moves the tab counters.
type CountKey = (TicketStatus, TicketKind, Option<UserId>, Option<QueueId>, bool);

fn count_key(ticket: &Ticket) -> CountKey {
    (
        ticket.status,
        ticket.kind,
        ticket.user.as_ref().map(|u| u.id),
        ticket.queue.as_ref().map(|q| q.id),
        ticket.unread_count > 0,
    )
}

pub fn use_tickets_ui() -> TicketsUi {
    expect_context::<TicketsUi>()
}

#[component]
pub fn TicketsPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let selected = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse().ok()).map(TicketId)));
    let ui = TicketsUi {
        tab: RwSignal::new(storage::get(TAB_KEY).and_then(|t| TicketStatus::parse(&t)).unwrap_or(TicketStatus::Open)),
        kind: RwSignal::new(storage::get(KIND_KEY).and_then(|k| TicketKind::parse(&k)).unwrap_or(TicketKind::Private)),
        search: RwSignal::new(String::new()),
        filters: RwSignal::new(Filters::default()),
        store: TicketStore::new(),
        selected,
        directory: Directory::load(),
    };
    provide_context(ui);
    let store = ui.store;

    // Any change of tab, kind, search or filters loads the list again.
    let query = Memo::new(move |_| ui.query());
    Effect::new(move || {
        let query = query.get();
        store.load(query.clone(), false, false);
        store.refresh_counts(query);
    });

    // Live: tickets appear, move and leave; counters follow (a burst of events refreshes them once).
    let viewer = move || session.me_untracked().map(|me| crate::state::tickets::viewer_of(&me));
    let schedule_recount = debounce(Duration::from_millis(700), move |()| {
        if let Some(query) = query.try_get_untracked() {
            store.refresh_counts(query);
        }
    });
    // Counters change only when a ticket changes tab, owner or queue (or unread, for that
    // filter): a new message on a known ticket does not cost three list requests.
    let known = StoredValue::new(HashMap::<TicketId, CountKey>::new());
    realtime::subscribe(move |event| {
        let Some(viewer) = viewer() else { return };
        match event {
            LiveEvent::TicketCreated(ticket) | LiveEvent::TicketUpdated(ticket) => {
                store.apply(ticket.clone(), &viewer);
                let key = count_key(ticket);
                if known.try_update_value(|known| known.insert(ticket.id, key) != Some(key)).unwrap_or(false) {
                    schedule_recount(());
                }
            }
            LiveEvent::TicketDeleted(id) => {
                store.remove(*id);
                schedule_recount(());
            }
            LiveEvent::MessageCreated(message) => store.touch(message, &viewer),
            // A replay leaves out tickets the user may no longer see (it gives only what REST
            // would show now), so a ticket that left their sight meanwhile goes by a reload.
            LiveEvent::Resync | LiveEvent::Resumed => {
                if !store.loading.get_untracked() {
                    let query = query.get_untracked();
                    store.load(query.clone(), false, true);
                    store.refresh_counts(query);
                }
            }
            LiveEvent::Other(Event::ContactUpdated(contact)) => store.rename_contact(contact),
            LiveEvent::MessageUpdated(_) | LiveEvent::Other(_) => {}
        }
    });

    view! {
        <div class="workspace" class:has-ticket=move || selected.get().is_some() data-testid="tickets-page">
            <TicketListPane/>
            <section class="conversation-pane">
                <Outlet/>
            </section>
        </div>
    }
}

/// /tickets with no ticket chosen.
#[component]
pub fn NoTicketSelected() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="conversation-empty" data-testid="no-ticket">
            <span class="empty-mark">{icons::chat()}</span>
            <p>{t!(i18n, SelectTicket)}</p>
        </div>
    }
}

/// /tickets/:id: a fresh conversation component per ticket.
#[component]
pub fn TicketRoute() -> impl IntoView {
    let ui = use_tickets_ui();
    let i18n = use_i18n();
    move || match ui.selected.get() {
        Some(id) => view! { <Conversation id=id/> }.into_any(),
        None => view! {
            <div class="conversation-empty">
                <div class="alert alert-error" role="alert">{t!(i18n, NotFound)}</div>
            </div>
        }
        .into_any(),
    }
}
