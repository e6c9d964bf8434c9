//! Filtros Avançados: applied as soon as they change.

use leptos::prelude::*;
use shared::ids::{ConnectionId, QueueId, TagId, UserId};
use shared::tags::Tag;

use crate::api::tickets::Filters;
use crate::i18n::{Key, use_i18n};
use crate::pages::tickets::TicketsUi;
use crate::t;
use crate::time;

/// The filters that pick one queue, agent or connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdFilter {
    Queue,
    User,
    Connection,
}

impl IdFilter {
    pub fn get(self, filters: &Filters) -> Option<i64> {
        match self {
            IdFilter::Queue => filters.queue_id.map(|id| id.0),
            IdFilter::User => filters.user_id.map(|id| id.0),
            IdFilter::Connection => filters.connection_id.map(|id| id.0),
        }
    }

    pub fn set(self, filters: &mut Filters, id: Option<i64>) {
        match self {
            IdFilter::Queue => filters.queue_id = id.map(QueueId),
            IdFilter::User => filters.user_id = id.map(UserId),
            IdFilter::Connection => filters.connection_id = id.map(ConnectionId),
        }
    }
}

/// `(id, name)` of each item of a list, for a [`SelectFilter`].
fn choices<T: Send + Sync + 'static>(
    list: RwSignal<Vec<T>>,
    choice: fn(&T) -> (i64, String),
) -> Signal<Vec<(i64, String)>> {
    Signal::derive(move || list.with(|all| all.iter().map(choice).collect()))
}

/// A filter with its name above it.
#[component]
fn Field(label: Key, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="field">
            <span>{move || i18n.t(label)}</span>
            {children()}
        </label>
    }
}

/// A labelled choice among `options` (`(id, name)`), with "all" first.
#[component]
fn SelectFilter(
    which: IdFilter,
    label: Key,
    testid: &'static str,
    filters: RwSignal<Filters>,
    options: Signal<Vec<(i64, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Field label=label>
            <select
                data-testid=testid
                prop:value=move || filters.with(|f| which.get(f)).map(|id| id.to_string()).unwrap_or_default()
                on:change=move |e| {
                    let id = event_target_value(&e).parse().ok();
                    filters.update(|f| which.set(f, id));
                }
            >
                <option value="">{t!(i18n, All)}</option>
                {move || options.get().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
            </select>
        </Field>
    }
}

/// A day picker that sets an instant: the local day's start, `shift` days on.
#[component]
fn DayFilter(
    label: Key,
    testid: &'static str,
    day: RwSignal<String>,
    shift: u32,
    #[prop(into)] on_change: Callback<Option<chrono::DateTime<chrono::Utc>>>,
) -> impl IntoView {
    view! {
        <Field label=label>
            <input
                type="date"
                data-testid=testid
                prop:value=move || day.get()
                on:change=move |e| {
                    let raw = event_target_value(&e);
                    let at = time::local_day_start(&raw, shift);
                    day.set(raw);
                    on_change.run(at);
                }
            />
        </Field>
    }
}

/// Tags, any of which a ticket must carry (the server's `tag_id=1,2`).
#[component]
fn TagFilter(filters: RwSignal<Filters>, tags: RwSignal<Vec<Tag>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="field tag-filter" data-testid="filter-tag">
            <legend>{t!(i18n, Tag)}</legend>
            <Show when=move || tags.with(Vec::is_empty)>
                <span class="muted">{t!(i18n, NoTags)}</span>
            </Show>
            <div class="chips">
                {move || tags.get().into_iter().map(|tag| {
                    let id = tag.id;
                    view! {
                        <label class="chip chip-small tag tag-check" style:border-color=tag.color.clone() data-testid="filter-tag-choice">
                            <input
                                type="checkbox"
                                data-testid="filter-tag-option"
                                data-tag-id=id.to_string()
                                prop:checked=move || filters.with(|f| f.tag_ids.contains(&id))
                                on:change=move |e| {
                                    let on = event_target_checked(&e);
                                    filters.update(|f| toggle_tag(&mut f.tag_ids, id, on));
                                }
                            />
                            {tag.name.clone()}
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}

/// Adds or removes a tag of the filter, keeping each once.
pub fn toggle_tag(ids: &mut Vec<TagId>, id: TagId, on: bool) {
    ids.retain(|other| *other != id);
    if on {
        ids.push(id);
    }
}

#[component]
pub fn FiltersPanel(ui: TicketsUi) -> impl IntoView {
    let i18n = use_i18n();
    let directory = ui.directory;
    let from_day = RwSignal::new(String::new());
    let to_day = RwSignal::new(String::new());
    let filters = ui.filters;
    view! {
        <div class="filters" id="ticket-filters" data-testid="filters-panel">
            <SelectFilter which=IdFilter::Queue label=Key::Queue testid="filter-queue" filters=filters
                options=choices(directory.queues, |q| (q.id.0, q.name.clone()))/>
            <SelectFilter which=IdFilter::User label=Key::Agent testid="filter-user" filters=filters
                options=choices(directory.users, |u| (u.id.0, u.name.clone()))/>
            <SelectFilter which=IdFilter::Connection label=Key::Connection testid="filter-connection" filters=filters
                options=choices(directory.connections, |c| (c.id.0, c.name.clone()))/>
            <TagFilter filters=filters tags=directory.tags/>
            <DayFilter label=Key::DateFrom testid="filter-from" day=from_day shift=0 on_change=move |at| filters.update(|f| f.from = at)/>
            <DayFilter label=Key::DateTo testid="filter-to" day=to_day shift=1 on_change=move |at| filters.update(|f| f.to = at)/>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="filter-unread"
                    prop:checked=move || filters.with(|f| f.unread)
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        filters.update(|f| f.unread = on);
                    }
                />
                <span>{t!(i18n, UnreadOnly)}</span>
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="filter-wallet"
                    prop:checked=move || filters.with(|f| f.wallet_mine)
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        filters.update(|f| f.wallet_mine = on);
                    }
                />
                <span>{t!(i18n, MyWallet)}</span>
            </label>
            <div class="filters-actions">
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="filters-clear"
                    disabled=move || filters.with(|f| f.active() == 0)
                    on:click=move |_| {
                        from_day.set(String::new());
                        to_day.set(String::new());
                        filters.set(Filters::default());
                    }
                >
                    {t!(i18n, ClearFilters)}
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_id_filter_reads_and_writes_its_own_field() {
        let mut filters = Filters::default();
        IdFilter::Queue.set(&mut filters, Some(3));
        IdFilter::User.set(&mut filters, Some(4));
        assert_eq!(filters.queue_id, Some(QueueId(3)));
        assert_eq!(IdFilter::User.get(&filters), Some(4));
        assert_eq!(IdFilter::Connection.get(&filters), None);
        IdFilter::Queue.set(&mut filters, None);
        assert_eq!(filters.queue_id, None);
        assert_eq!(filters.active(), 1);
    }

    #[test]
    fn tags_toggle_in_and_out_once() {
        let mut ids = Vec::new();
        toggle_tag(&mut ids, TagId(3), true);
        toggle_tag(&mut ids, TagId(5), true);
        toggle_tag(&mut ids, TagId(3), true);
        assert_eq!(ids, [TagId(5), TagId(3)]);
        toggle_tag(&mut ids, TagId(5), false);
        assert_eq!(ids, [TagId(3)]);
    }
}
