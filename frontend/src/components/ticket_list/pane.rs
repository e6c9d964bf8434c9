//! The list pane: kind switch, search, filters toggle, tabs with counters, and the list with its
//! states (loading, error, empty, more). Arrow keys move between rows; "/" focuses the search.

use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use shared::tickets::{TicketKind, TicketStatus};
use wasm_bindgen::JsCast;

use super::filters::FiltersPanel;
use super::row::TicketRow;
use super::tab_key;
use crate::api::tickets::Filters;
use crate::components::icons;
use crate::components::kit::{ErrorAlert, SearchInput};
use crate::i18n::{Key, use_i18n};
use crate::pages::tickets::use_tickets_ui;
use crate::state::tickets::count_label;
use crate::t;

fn tab_title(status: TicketStatus) -> Key {
    match status {
        TicketStatus::Open => Key::TabOpenTitle,
        TicketStatus::Pending => Key::TabPendingTitle,
        TicketStatus::Closed => Key::TabClosedTitle,
    }
}

fn empty_key(status: TicketStatus) -> Key {
    match status {
        TicketStatus::Open => Key::NoOpenTickets,
        TicketStatus::Pending => Key::NoPendingTickets,
        TicketStatus::Closed => Key::NoClosedTickets,
    }
}

/// Moves focus between rows with the arrow keys, Home and End (Enter opens: rows are links).
fn move_focus(list: &web_sys::HtmlDivElement, key: &str) -> bool {
    let Ok(rows) = list.query_selector_all(".ticket-row") else { return false };
    let count = rows.length();
    if count == 0 {
        return false;
    }
    let active: Option<web_sys::Node> = document().active_element().map(Into::into);
    let current = (0..count).find(|i| rows.get(*i).is_some_and(|row| Some(&row) == active.as_ref()));
    let target = match (key, current) {
        ("ArrowDown", Some(i)) => (i + 1).min(count - 1),
        ("ArrowUp", Some(i)) => i.saturating_sub(1),
        ("ArrowDown" | "Home", None) | ("Home", _) => 0,
        ("End", _) => count - 1,
        _ => return false,
    };
    if let Some(row) = rows.get(target).and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = row.focus();
        return true;
    }
    false
}

/// "/" focuses the search, as in most web apps (not while typing somewhere).
fn focus_search_on_slash(search: NodeRef<leptos::html::Input>) {
    let slash = window_event_listener(ev::keydown, move |event| {
        if event.key() != "/" || event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let typing = document().active_element().is_some_and(|el| {
            let tag = el.tag_name();
            tag == "INPUT" || tag == "TEXTAREA" || tag == "SELECT" || el.has_attribute("contenteditable")
        });
        if !typing && let Some(input) = search.get_untracked() {
            event.prevent_default();
            let _ = input.focus();
        }
    });
    on_cleanup(move || slash.remove());
}

/// For the browser tests and real-user timing: marks when the first rows are on screen.
fn mark_first_rows() {
    let store = use_tickets_ui().store;
    Effect::new(move |marked: Option<bool>| {
        if marked == Some(true) {
            return true;
        }
        if store.loaded.get() && store.len() > 0 {
            request_animation_frame(|| {
                if let Some(performance) = window().performance() {
                    let _ = performance.mark("atende:ticket-list");
                }
            });
            return true;
        }
        false
    });
}

#[component]
pub fn TicketListPane() -> impl IntoView {
    let i18n = use_i18n();
    let ui = use_tickets_ui();
    let filters_open = RwSignal::new(false);
    let list_ref = NodeRef::<leptos::html::Div>::new();
    let search_ref = NodeRef::<leptos::html::Input>::new();
    focus_search_on_slash(search_ref);
    mark_first_rows();

    view! {
        <aside class="ticket-pane" aria-label=t!(i18n, Tickets) data-testid="ticket-pane">
            <div class="pane-head">
                <div class="segmented" role="group" aria-label=t!(i18n, ConversationKind)>
                    <KindButton kind=TicketKind::Private label=Key::PrivateConversations testid="kind-private"/>
                    <KindButton kind=TicketKind::Group label=Key::GroupConversations testid="kind-group"/>
                </div>
                <div class="search-row">
                    // The search is applied 350 ms after the last keystroke; ↓ enters the list.
                    <SearchInput
                        applied=ui.search
                        delay=Duration::from_millis(350)
                        placeholder=Key::SearchPlaceholder
                        label=Key::Search
                        testid="ticket-search"
                        node_ref=search_ref
                        on_keydown=move |event: web_sys::KeyboardEvent| {
                            if event.key() == "ArrowDown"
                                && let Some(list) = list_ref.get_untracked()
                                && move_focus(&list, "Home")
                            {
                                event.prevent_default();
                            }
                        }
                    />
                    <FiltersToggle open=filters_open/>
                    <a
                        class="icon-button"
                        href="/contacts"
                        aria-label=t!(i18n, Contacts)
                        title=t!(i18n, Contacts)
                        data-testid="contacts-link"
                    >
                        {icons::contacts()}
                    </a>
                </div>
                <div hidden=move || !filters_open.get()>
                    <FiltersPanel ui=ui/>
                </div>
                <div class="tabs" role="tablist" aria-label=t!(i18n, Tickets)>
                    <TabButton status=TicketStatus::Open/>
                    <TabButton status=TicketStatus::Pending/>
                    <TabButton status=TicketStatus::Closed/>
                </div>
            </div>
            <TicketList list_ref=list_ref/>
        </aside>
    }
}

/// Private or group conversations.
#[component]
fn KindButton(kind: TicketKind, label: Key, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let ui = use_tickets_ui();
    view! {
        <button
            type="button"
            aria-pressed=move || (ui.kind.get() == kind).to_string()
            data-testid=testid
            on:click=move |_| ui.set_kind(kind)
        >
            {move || i18n.t(label)}
        </button>
    }
}

/// Opens and closes Filtros Avançados; shows how many are set.
#[component]
fn FiltersToggle(open: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let ui = use_tickets_ui();
    view! {
        <button
            type="button"
            class="icon-button filter-button"
            class:active=move || ui.filters.with(|f| f.active() > 0)
            aria-expanded=move || open.get().to_string()
            aria-controls="ticket-filters"
            aria-label=t!(i18n, AdvancedFilters)
            title=t!(i18n, AdvancedFilters)
            data-testid="filters-toggle"
            on:click=move |_| open.update(|open| *open = !*open)
        >
            {icons::filter()}
            {move || {
                let active = ui.filters.with(Filters::active);
                (active > 0).then(|| view! { <span class="mini-badge" data-testid="filters-count">{active}</span> })
            }}
        </button>
    }
}

/// A tab with its counter.
#[component]
fn TabButton(status: TicketStatus) -> impl IntoView {
    let i18n = use_i18n();
    let ui = use_tickets_ui();
    let store = ui.store;
    let count_testid = format!("tab-count-{}", status.as_str());
    view! {
        <button
            type="button"
            role="tab"
            class="tab"
            aria-controls="ticket-list"
            aria-selected=move || (ui.tab.get() == status).to_string()
            title=move || i18n.t(tab_title(status))
            data-testid=format!("tab-{}", status.as_str())
            on:click=move |_| ui.set_tab(status)
        >
            <span>{move || i18n.t(tab_key(status))}</span>
            {move || {
                store.counts.with(|counts| counts.get(&status).copied()).map(|(count, more)| {
                    view! {
                        <span class="tab-count" class:tab-count-zero=count == 0 data-testid=count_testid.clone()>
                            {count_label(count, more)}
                        </span>
                    }
                })
            }}
        </button>
    }
}

/// The rows, and what the list says when it is loading, failed, empty or has more.
#[component]
fn TicketList(list_ref: NodeRef<leptos::html::Div>) -> impl IntoView {
    let i18n = use_i18n();
    let ui = use_tickets_ui();
    let store = ui.store;
    let selector = StoredValue::new(Selector::new(move || ui.selected.get()));
    view! {
        <div
            class="ticket-list"
            id="ticket-list"
            role="list"
            node_ref=list_ref
            data-testid="ticket-list"
            aria-busy=move || store.loading.get().to_string()
            on:keydown=move |event: web_sys::KeyboardEvent| {
                if let Some(list) = list_ref.get_untracked()
                    && move_focus(&list, &event.key())
                {
                    event.prevent_default();
                }
            }
        >
            <For each=move || store.order.get() key=|id| *id let:id>
                <TicketRow id=id selector=selector/>
            </For>
            <Show when=move || store.error.with(Option::is_some)>
                <div class="list-state">
                    <ErrorAlert error=store.error testid="tickets-error"/>
                    <button type="button" class="btn btn-small" on:click=move |_| store.load(ui.query_untracked(), false, false)>
                        {t!(i18n, Retry)}
                    </button>
                </div>
            </Show>
            <Show when=move || { store.loading.get() && store.len() == 0 }>
                <div class="list-state" role="status" data-testid="tickets-loading">
                    <div class="spinner" aria-hidden="true"></div>
                    <span>{t!(i18n, Loading)}</span>
                </div>
            </Show>
            <Show when=move || { store.loaded.get() && !store.loading.get() && store.len() == 0 && store.error.with(Option::is_none) }>
                <p class="list-state empty" data-testid="tickets-empty">
                    {move || {
                        let filtered = !ui.search.with(String::is_empty) || ui.filters.with(|f| f.active() > 0);
                        if filtered { i18n.t(Key::NoTicketsMatch) } else { i18n.t(empty_key(ui.tab.get())) }
                    }}
                </p>
            </Show>
            <Show when=move || { store.next.with(Option::is_some) && store.len() > 0 }>
                <div class="list-footer">
                    <button
                        type="button"
                        class="btn btn-small"
                        data-testid="tickets-load-more"
                        disabled=move || store.loading_more.get()
                        on:click=move |_| store.load(ui.query_untracked(), true, false)
                    >
                        {move || if store.loading_more.get() { i18n.t(Key::Loading) } else { i18n.t(Key::LoadMoreTickets) }}
                    </button>
                </div>
            </Show>
        </div>
    }
}
