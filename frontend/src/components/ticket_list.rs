//! Screen 1, the left column: Conversas Privadas / de Grupos, Pesquisa, Filtros Avançados,
//! Contatos, the three tabs with their counters, the live list and Carregar mais Conversas.

use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use shared::ids::{ConnectionId, QueueId, TicketId, UserId};
use shared::tickets::{Ticket, TicketKind, TicketStatus};
use wasm_bindgen::JsCast;

use super::avatar::Avatar;
use super::icons;
use crate::api::tickets::Filters;
use crate::i18n::{Key, use_i18n};
use crate::pages::tickets::{TicketsUi, use_tickets_ui};
use crate::state::tickets::count_label;
use crate::t;
use crate::time;

pub fn tab_key(status: TicketStatus) -> Key {
    match status {
        TicketStatus::Open => Key::StatusOpen,
        TicketStatus::Pending => Key::StatusPending,
        TicketStatus::Closed => Key::StatusClosed,
    }
}

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

#[component]
pub fn TicketListPane() -> impl IntoView {
    let i18n = use_i18n();
    let ui = use_tickets_ui();
    let store = ui.store;
    let filters_open = RwSignal::new(false);
    let list_ref = NodeRef::<leptos::html::Div>::new();
    let search_ref = NodeRef::<leptos::html::Input>::new();

    // The search is applied 350 ms after the last keystroke.
    let typed = RwSignal::new(ui.search.get_untracked());
    let pending_search = StoredValue::new(None::<TimeoutHandle>);
    let on_search_input = move |value: String| {
        typed.set(value.clone());
        if let Some(handle) = pending_search.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(move || ui.search.set(value), Duration::from_millis(350));
        pending_search.set_value(handle.ok());
    };

    let selector = StoredValue::new(Selector::new(move || ui.selected.get()));

    // "/" focuses the search, as in most web apps (not while typing somewhere).
    let slash = window_event_listener(ev::keydown, move |event| {
        if event.key() != "/" || event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let typing = document().active_element().is_some_and(|el| {
            let tag = el.tag_name();
            tag == "INPUT" || tag == "TEXTAREA" || tag == "SELECT" || el.has_attribute("contenteditable")
        });
        if !typing && let Some(input) = search_ref.get_untracked() {
            event.prevent_default();
            let _ = input.focus();
        }
    });
    on_cleanup(move || slash.remove());

    // For the browser tests and real-user timing: when the first rows are on screen.
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

    let kind_button = move |kind: TicketKind, key: Key, testid: &'static str| {
        view! {
            <button
                type="button"
                aria-pressed=move || (ui.kind.get() == kind).to_string()
                data-testid=testid
                on:click=move |_| ui.set_kind(kind)
            >
                {move || i18n.t(key)}
            </button>
        }
    };

    let tab_button = move |status: TicketStatus| {
        let testid = format!("tab-{}", status.as_str());
        let count_testid = format!("tab-count-{}", status.as_str());
        view! {
            <button
                type="button"
                role="tab"
                class="tab"
                aria-controls="ticket-list"
                aria-selected=move || (ui.tab.get() == status).to_string()
                title=move || i18n.t(tab_title(status))
                data-testid=testid
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
    };

    view! {
        <aside class="ticket-pane" aria-label=t!(i18n, Tickets) data-testid="ticket-pane">
            <div class="pane-head">
                <div class="segmented" role="group" aria-label=t!(i18n, ConversationKind)>
                    {kind_button(TicketKind::Private, Key::PrivateConversations, "kind-private")}
                    {kind_button(TicketKind::Group, Key::GroupConversations, "kind-group")}
                </div>
                <div class="search-row">
                    <span class="search-box">
                        {icons::search()}
                        <input
                            type="search"
                            node_ref=search_ref
                            placeholder=move || i18n.t(Key::SearchPlaceholder)
                            aria-label=t!(i18n, Search)
                            data-testid="ticket-search"
                            prop:value=move || typed.get()
                            on:input=move |event| on_search_input(event_target_value(&event))
                            on:change=move |event| {
                                let value = event_target_value(&event);
                                if value != typed.get_untracked() {
                                    on_search_input(value);
                                }
                            }
                            on:keydown=move |event: web_sys::KeyboardEvent| {
                                if event.key() == "ArrowDown"
                                    && let Some(list) = list_ref.get_untracked()
                                    && move_focus(&list, "Home")
                                {
                                    event.prevent_default();
                                }
                            }
                        />
                    </span>
                    <button
                        type="button"
                        class="icon-button filter-button"
                        class:active=move || ui.filters.with(|f| f.active() > 0)
                        aria-expanded=move || filters_open.get().to_string()
                        aria-controls="ticket-filters"
                        aria-label=t!(i18n, AdvancedFilters)
                        title=t!(i18n, AdvancedFilters)
                        data-testid="filters-toggle"
                        on:click=move |_| filters_open.update(|open| *open = !*open)
                    >
                        {icons::filter()}
                        {move || {
                            let active = ui.filters.with(Filters::active);
                            (active > 0).then(|| view! { <span class="mini-badge" data-testid="filters-count">{active}</span> })
                        }}
                    </button>
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
                    {tab_button(TicketStatus::Open)}
                    {tab_button(TicketStatus::Pending)}
                    {tab_button(TicketStatus::Closed)}
                </div>
            </div>
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
                {move || {
                    store.error.get().map(|err| {
                        view! {
                            <div class="list-state">
                                <div class="alert alert-error" role="alert" data-testid="tickets-error">
                                    {move || err.user_message(i18n.locale())}
                                </div>
                                <button
                                    type="button"
                                    class="btn btn-small"
                                    on:click=move |_| store.load(ui.query_untracked(), false, false)
                                >
                                    {t!(i18n, Retry)}
                                </button>
                            </div>
                        }
                    })
                }}
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
        </aside>
    }
}

/// The first line of the last message, or what kind of thing it was.
fn preview(ticket: &Ticket) -> String {
    match &ticket.last_message {
        Some(message) => message.body.lines().find(|line| !line.trim().is_empty()).unwrap_or("").trim().to_owned(),
        None => String::new(),
    }
}

#[component]
fn TicketRow(id: TicketId, selector: StoredValue<Selector<Option<TicketId>>>) -> impl IntoView {
    let i18n = use_i18n();
    let ui = use_tickets_ui();
    let Some(row) = ui.store.row(id) else {
        return ().into_any();
    };
    let row: RwSignal<Ticket> = row.into();
    let selected = move || selector.with_value(|s| s.selected(&Some(id)));
    let name = Signal::derive(move || row.with(|t| t.contact.name.clone()));
    let photo = Signal::derive(move || row.with(|t| t.contact.photo_url.clone()));
    view! {
        <a
            class="ticket-row"
            class:selected=selected
            role="listitem"
            href=format!("/tickets/{id}")
            aria-current=move || selected().then_some("page")
            data-testid="ticket-row"
            data-ticket-id=id.to_string()
            style:--queue-color=move || row.with(|t| t.queue.as_ref().map(|q| q.color.clone()).unwrap_or_default())
        >
            <Avatar name=name photo=photo/>
            <span class="ticket-main">
                <span class="ticket-line">
                    <span class="ticket-name" data-testid="ticket-row-name">{name}</span>
                    <time class="ticket-time">
                        {move || {
                            let locale = i18n.locale();
                            row.with(|t| {
                                let at = t.last_message.as_ref().map_or(t.updated_at, |m| m.created_at);
                                time::list_time(&at, locale)
                            })
                        }}
                    </time>
                </span>
                <span class="ticket-line">
                    <span class="ticket-preview" data-testid="ticket-row-preview">
                        {move || row.with(|t| t.last_message.as_ref().is_some_and(|m| m.from_me)).then(|| view! {
                            <span class="preview-you">{move || i18n.t(Key::YouPrefix)}</span>
                        })}
                        {move || row.with(preview)}
                    </span>
                    {move || {
                        let unread = row.with(|t| t.unread_count);
                        (unread > 0).then(|| view! {
                            <span class="unread" data-testid="ticket-row-unread" aria-label=move || crate::i18n::unread(i18n.locale(), unread)>
                                {if unread > 99 { "99+".to_owned() } else { unread.to_string() }}
                            </span>
                        })
                    }}
                </span>
                <span class="ticket-meta">
                    <span class="ticket-number">{move || format!("#{}", row.with(|t| t.number))}</span>
                    {move || row.with(|t| t.queue.clone()).map(|queue| view! {
                        <span class="chip chip-small" data-testid="ticket-row-queue">
                            <span class="dot" style:background-color=queue.color.clone()></span>
                            {queue.name.clone()}
                        </span>
                    })}
                    {move || row.with(|t| t.tags.clone()).into_iter().map(|tag| view! {
                        <span class="chip chip-small tag" style:border-color=tag.color.clone()>{tag.name.clone()}</span>
                    }).collect_view()}
                    {move || row.with(|t| t.user.clone()).map(|user| view! {
                        <span class="ticket-agent" data-testid="ticket-row-agent">{icons::user()}{user.name.clone()}</span>
                    })}
                </span>
            </span>
        </a>
    }
    .into_any()
}

fn parse_id(raw: &str) -> Option<i64> {
    raw.parse().ok()
}

/// Filtros Avançados: applied as soon as they change.
#[component]
fn FiltersPanel(ui: TicketsUi) -> impl IntoView {
    let i18n = use_i18n();
    let directory = ui.directory;
    let from_day = RwSignal::new(String::new());
    let to_day = RwSignal::new(String::new());
    let set = move |change: &dyn Fn(&mut Filters)| ui.filters.update(|f| change(f));
    view! {
        <div class="filters" id="ticket-filters" data-testid="filters-panel">
            <label class="field">
                <span>{t!(i18n, Queue)}</span>
                <select
                    data-testid="filter-queue"
                    prop:value=move || ui.filters.with(|f| f.queue_id.map(|q| q.to_string()).unwrap_or_default())
                    on:change=move |e| { let v = parse_id(&event_target_value(&e)).map(QueueId); set(&|f| f.queue_id = v) }
                >
                    <option value="">{t!(i18n, All)}</option>
                    {move || directory.queues.get().into_iter().map(|q| view! { <option value=q.id.to_string()>{q.name}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{t!(i18n, Agent)}</span>
                <select
                    data-testid="filter-user"
                    prop:value=move || ui.filters.with(|f| f.user_id.map(|u| u.to_string()).unwrap_or_default())
                    on:change=move |e| { let v = parse_id(&event_target_value(&e)).map(UserId); set(&|f| f.user_id = v) }
                >
                    <option value="">{t!(i18n, All)}</option>
                    {move || directory.users.get().into_iter().map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{t!(i18n, Connection)}</span>
                <select
                    data-testid="filter-connection"
                    prop:value=move || ui.filters.with(|f| f.connection_id.map(|c| c.to_string()).unwrap_or_default())
                    on:change=move |e| { let v = parse_id(&event_target_value(&e)).map(ConnectionId); set(&|f| f.connection_id = v) }
                >
                    <option value="">{t!(i18n, All)}</option>
                    {move || directory.connections.get().into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                </select>
            </label>
            <label class="field" title=t!(i18n, ComingSoon)>
                <span>{t!(i18n, Tag)}</span>
                <select disabled data-testid="filter-tag">
                    <option>{t!(i18n, ComingSoon)}</option>
                </select>
            </label>
            <label class="field">
                <span>{t!(i18n, DateFrom)}</span>
                <input
                    type="date"
                    data-testid="filter-from"
                    prop:value=move || from_day.get()
                    on:change=move |e| {
                        let raw = event_target_value(&e);
                        let at = time::local_day_start(&raw, 0);
                        from_day.set(raw);
                        set(&|f| f.from = at);
                    }
                />
            </label>
            <label class="field">
                <span>{t!(i18n, DateTo)}</span>
                <input
                    type="date"
                    data-testid="filter-to"
                    prop:value=move || to_day.get()
                    on:change=move |e| {
                        let raw = event_target_value(&e);
                        let at = time::local_day_start(&raw, 1);
                        to_day.set(raw);
                        set(&|f| f.to = at);
                    }
                />
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="filter-unread"
                    prop:checked=move || ui.filters.with(|f| f.unread)
                    on:change=move |e| { let on = event_target_checked(&e); set(&|f| f.unread = on) }
                />
                <span>{t!(i18n, UnreadOnly)}</span>
            </label>
            <label class="check" title=t!(i18n, ComingSoon)>
                <input type="checkbox" disabled data-testid="filter-wallet"/>
                <span>{t!(i18n, MyWallet)}</span>
            </label>
            <div class="filters-actions">
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="filters-clear"
                    disabled=move || ui.filters.with(|f| f.active() == 0)
                    on:click=move |_| {
                        from_day.set(String::new());
                        to_day.set(String::new());
                        ui.filters.set(Filters::default());
                    }
                >
                    {t!(i18n, ClearFilters)}
                </button>
            </div>
        </div>
    }
}
