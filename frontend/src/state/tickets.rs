//! The ticket list of the selected tab, kept live.
//!
//! Each ticket lives in its own signal and the list is an ordered vector of ids rendered by a keyed
//! `<For>`: an event changes one row's signal (and moves its id when the order changes), never the
//! whole list. Whether an event's ticket belongs in the list is decided here from its status,
//! owner and queue against the tab, the filters and who is looking.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Me;
use shared::contacts::Contact;
use shared::ids::TicketId;
use shared::tickets::{LastMessage, Message, MessageKind, Ticket, TicketStatus};
use shared::visibility::TicketPlace;
pub use shared::visibility::Viewer;

use crate::api::tickets::{self as api, ListQuery};
use crate::api::{ApiError, tickets::COUNT_LIMIT};

/// Who is looking at the list, for `shared::visibility`'s rule (the server's own).
pub fn viewer_of(me: &Me) -> Viewer {
    Viewer { user_id: me.id, role: me.role, queue_ids: me.queue_ids.clone() }
}

fn contains_folded(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(needle)
}

/// Whether the search text finds this ticket (name, number, ticket number, last message), as
/// close to the server's search as the list row allows.
pub fn matches_search(ticket: &Ticket, search: &str) -> bool {
    let needle = search.trim().to_lowercase();
    if needle.is_empty() {
        return true;
    }
    let digits: String = needle.chars().filter(char::is_ascii_digit).collect();
    contains_folded(&ticket.contact.name, &needle)
        || ticket.contact.number.contains(needle.trim_start_matches('+'))
        || (!digits.is_empty() && digits.len() == needle.len() && ticket.number.to_string() == digits)
        || ticket.last_message.as_ref().is_some_and(|m| contains_folded(&m.body, &needle))
}

/// Whether `ticket` belongs in the list that `query` describes, for this viewer.
pub fn belongs(ticket: &Ticket, query: &ListQuery, viewer: &Viewer) -> bool {
    let f = &query.filters;
    ticket.status == query.status
        && ticket.kind == query.kind
        && viewer.may_see(&TicketPlace::of(ticket))
        && f.queue_id.is_none_or(|id| ticket.queue.as_ref().is_some_and(|q| q.id == id))
        && f.user_id.is_none_or(|id| ticket.user.as_ref().is_some_and(|u| u.id == id))
        && f.connection_id.is_none_or(|id| ticket.connection_id == id)
        && (f.tag_ids.is_empty() || ticket.tags.iter().any(|tag| f.tag_ids.contains(&tag.id)))
        && (!f.unread || ticket.unread_count > 0)
        && (!f.wallet_mine || ticket.contact.wallet_user_id == Some(viewer.user_id))
        && f.from.is_none_or(|from| ticket.updated_at >= from)
        && f.to.is_none_or(|to| ticket.updated_at < to)
        && matches_search(ticket, &query.search)
}

/// Where a ticket goes in a list ordered by latest activity first: the index of the first ticket
/// with older activity. `None` when it would land after the last loaded ticket while more pages
/// exist (it will come with them).
pub fn activity_position(
    order: &[(TicketId, DateTime<Utc>)],
    id: TicketId,
    updated_at: DateTime<Utc>,
    complete: bool,
) -> Option<usize> {
    let index = order.iter().position(|(other, at)| (*at, *other) < (updated_at, id)).unwrap_or(order.len());
    (index < order.len() || complete).then_some(index)
}

/// `12`, or `99+` when the counter reached its limit.
pub fn count_label(count: usize, more: bool) -> String {
    if more || count >= COUNT_LIMIT as usize { format!("{}+", COUNT_LIMIT - 1) } else { count.to_string() }
}

#[derive(Clone, Copy)]
pub struct TicketStore {
    rows: StoredValue<HashMap<TicketId, ArcRwSignal<Ticket>>>,
    /// The ids in display order.
    pub order: RwSignal<Vec<TicketId>>,
    /// The cursor of the next page; `None` when everything is loaded.
    pub next: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub loading_more: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    /// False until the first page arrived (to tell "empty" from "not loaded yet").
    pub loaded: RwSignal<bool>,
    /// Bumped by every (re)load, so a late answer for an old query is dropped.
    generation: StoredValue<u32>,
    query: StoredValue<Option<ListQuery>>,
    /// Tab counters: (count up to the limit, more beyond it), per status.
    pub counts: RwSignal<HashMap<TicketStatus, (usize, bool)>>,
    count_generation: StoredValue<u32>,
}

impl TicketStore {
    pub fn new() -> Self {
        Self {
            rows: StoredValue::new(HashMap::new()),
            order: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            loading: RwSignal::new(false),
            loading_more: RwSignal::new(false),
            error: RwSignal::new(None),
            loaded: RwSignal::new(false),
            generation: StoredValue::new(0),
            query: StoredValue::new(None),
            counts: RwSignal::new(HashMap::new()),
            count_generation: StoredValue::new(0),
        }
    }

    pub fn row(&self, id: TicketId) -> Option<ArcRwSignal<Ticket>> {
        self.rows.try_with_value(|rows| rows.get(&id).cloned()).flatten()
    }

    pub fn len(&self) -> usize {
        self.order.with(Vec::len)
    }

    /// The loaded list's query; `None` before the first load or once the page is gone (events
    /// and late answers may still arrive then).
    fn query(&self) -> Option<ListQuery> {
        self.query.try_get_value().flatten()
    }

    /// Loads the first page of `query` (replacing the list), or with `more` the next page.
    /// `quiet` keeps the current rows on screen while reloading (after a reconnection).
    pub fn load(&self, query: ListQuery, more: bool, quiet: bool) {
        let this = *self;
        let cursor = if more {
            if this.loading_more.get_untracked() || this.loading.get_untracked() {
                return;
            }
            match this.next.get_untracked() {
                Some(cursor) => Some(cursor),
                None => return,
            }
        } else {
            None
        };
        let generation = this.generation.get_value().wrapping_add(u32::from(!more));
        this.generation.set_value(generation);
        this.query.set_value(Some(query.clone()));
        if more {
            this.loading_more.set(true);
        } else {
            this.loading.set(true);
            if !quiet {
                this.loaded.set(false);
                this.clear();
            }
        }
        this.error.set(None);
        spawn_local(async move {
            let result = api::list(&query, api::PAGE_SIZE, cursor.as_deref()).await;
            if this.generation.try_get_value() != Some(generation) {
                return;
            }
            match result {
                Ok(page) => {
                    if !more {
                        this.clear();
                    }
                    this.append(page.items);
                    this.next.set(page.next_cursor);
                    this.loaded.set(true);
                }
                Err(err) => this.error.set(Some(err)),
            }
            if more {
                this.loading_more.set(false);
            } else {
                this.loading.set(false);
            }
        });
    }

    fn clear(&self) {
        self.rows.update_value(HashMap::clear);
        self.order.set(Vec::new());
        self.next.set(None);
    }

    /// Adds a page at the end, skipping tickets already shown (they may have arrived live).
    fn append(&self, tickets: Vec<Ticket>) {
        let mut added = Vec::with_capacity(tickets.len());
        self.rows.update_value(|rows| {
            for ticket in tickets {
                if let Some(row) = rows.get(&ticket.id) {
                    row.set(ticket);
                } else {
                    added.push(ticket.id);
                    rows.insert(ticket.id, ArcRwSignal::new(ticket));
                }
            }
        });
        if !added.is_empty() {
            self.order.update(|order| order.extend(added));
        }
    }

    pub fn remove(&self, id: TicketId) {
        let removed = self.rows.try_update_value(|rows| rows.remove(&id).is_some()).unwrap_or(false);
        if removed {
            self.order.update(|order| order.retain(|other| *other != id));
        }
    }

    /// A ticket from an event or an action: updated in place, moved, added or removed.
    pub fn apply(&self, ticket: Ticket, viewer: &Viewer) {
        let Some(query) = self.query() else { return };
        if self.loaded.try_get_untracked() != Some(true) {
            return;
        }
        if !belongs(&ticket, &query, viewer) {
            self.remove(ticket.id);
            return;
        }
        let id = ticket.id;
        let existing = self.row(id);
        let by_activity = query.status != TicketStatus::Pending;
        let moved = match &existing {
            Some(row) => by_activity && row.with_untracked(|old| old.updated_at != ticket.updated_at),
            None => true,
        };
        let updated_at = ticket.updated_at;
        match existing {
            Some(row) => row.set(ticket),
            None => {
                if by_activity {
                    // Only insert it when it lands among the loaded rows.
                    let complete = self.next.try_with_untracked(Option::is_none).unwrap_or(true);
                    if activity_position(&self.snapshot(), id, updated_at, complete).is_none() {
                        return;
                    }
                }
                self.rows.update_value(|rows| {
                    rows.insert(id, ArcRwSignal::new(ticket));
                });
            }
        }
        if !moved {
            return;
        }
        if !by_activity {
            // Waiting tickets keep their place; a newcomer waits at the end of the queue.
            self.order.update(|order| {
                if !order.contains(&id) {
                    order.push(id);
                }
            });
            return;
        }
        let mut snapshot = self.snapshot();
        snapshot.retain(|(other, _)| *other != id);
        let index = activity_position(&snapshot, id, updated_at, true).unwrap_or(snapshot.len());
        self.order.update(|order| {
            order.retain(|other| *other != id);
            order.insert(index.min(order.len()), id);
        });
    }

    /// A new message: the row's last message (and its place, in the by-activity tabs).
    pub fn touch(&self, message: &Message, viewer: &Viewer) {
        if matches!(message.kind, MessageKind::System | MessageKind::Reaction) {
            return;
        }
        let Some(row) = self.row(message.ticket_id) else { return };
        let mut ticket = row.get_untracked();
        ticket.last_message =
            Some(LastMessage { body: message.body.clone(), created_at: message.created_at, from_me: message.from_me });
        if message.created_at > ticket.updated_at {
            ticket.updated_at = message.created_at;
        }
        self.apply(ticket, viewer);
    }

    /// A contact was renamed or renumbered: every row of theirs shows it (order is unchanged).
    pub fn rename_contact(&self, contact: &Contact) {
        let rows: Vec<ArcRwSignal<Ticket>> = self
            .rows
            .try_with_value(|rows| {
                rows.values().filter(|r| r.with_untracked(|t| t.contact.id == contact.id)).cloned().collect()
            })
            .unwrap_or_default();
        for row in rows {
            row.update(|t| t.contact.follow(contact));
        }
    }

    fn snapshot(&self) -> Vec<(TicketId, DateTime<Utc>)> {
        let order = self.order.try_get_untracked().unwrap_or_default();
        self.rows
            .try_with_value(|rows| {
                order
                    .iter()
                    .filter_map(|id| rows.get(id).map(|row| (*id, row.with_untracked(|t| t.updated_at))))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Refreshes the three tab counters for the query's kind, search and filters.
    pub fn refresh_counts(&self, query: ListQuery) {
        let this = *self;
        let generation = this.count_generation.get_value().wrapping_add(1);
        this.count_generation.set_value(generation);
        spawn_local(async move {
            // A counter whose request fails keeps its last value.
            let Some(mut counts) = this.counts.try_get_untracked() else { return };
            // The three side by side (one round trip, not three).
            let queries: Vec<ListQuery> =
                TicketStatus::ALL.iter().map(|status| ListQuery { status: *status, ..query.clone() }).collect();
            let pages =
                futures::future::join_all(queries.iter().map(|query| api::list(query, COUNT_LIMIT, None))).await;
            for (status, page) in TicketStatus::ALL.iter().zip(pages) {
                if let Ok(page) = page {
                    counts.insert(*status, (page.items.len(), page.next_cursor.is_some()));
                }
            }
            if this.count_generation.try_get_value() == Some(generation) {
                this.counts.set(counts);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::tickets::Filters;
    use shared::auth::Role;
    use shared::ids::{ConnectionId, ContactId, QueueId, TagId, UserId};
    use shared::tickets::{ContactRef, QueueRef, TagRef, TicketKind, UserRef};

    fn at(minute: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + i64::from(minute) * 60, 0).unwrap_or_default()
    }

    fn ticket(id: i64, status: TicketStatus, user: Option<i64>, queue: Option<i64>) -> Ticket {
        Ticket {
            id: TicketId(id),
            number: id + 100,
            status,
            kind: TicketKind::Private,
            contact: ContactRef {
                id: ContactId(id),
                name: "Maria Souza".into(),
                number: "5511988887777".into(),
                photo_url: None,
                wallet_user_id: None,
            },
            user: user.map(|id| UserRef { id: UserId(id), name: "Bruno".into() }),
            queue: queue.map(|id| QueueRef { id: QueueId(id), name: "Suporte".into(), color: "#123456".into() }),
            connection_id: ConnectionId(1),
            unread_count: 0,
            last_message: Some(LastMessage { body: "Preciso de ajuda".into(), created_at: at(1), from_me: false }),
            tags: Vec::new(),
            kanban_lane_id: None,
            bot: None,
            created_at: at(0),
            updated_at: at(1),
        }
    }

    fn query(status: TicketStatus) -> ListQuery {
        ListQuery { status, kind: TicketKind::Private, search: String::new(), filters: Filters::default() }
    }

    fn agent() -> Viewer {
        Viewer { user_id: UserId(7), role: Role::Agent, queue_ids: vec![QueueId(2)] }
    }

    #[test]
    fn agents_see_their_queues_waiting_tickets_and_their_own() {
        let pending = query(TicketStatus::Pending);
        assert!(belongs(&ticket(1, TicketStatus::Pending, None, Some(2)), &pending, &agent()));
        assert!(belongs(&ticket(1, TicketStatus::Pending, None, None), &pending, &agent()));
        assert!(!belongs(&ticket(1, TicketStatus::Pending, None, Some(3)), &pending, &agent()));
        // Accepted by a colleague: it leaves this agent's lists.
        let open = query(TicketStatus::Open);
        assert!(!belongs(&ticket(1, TicketStatus::Open, Some(8), Some(2)), &open, &agent()));
        assert!(belongs(&ticket(1, TicketStatus::Open, Some(7), Some(9)), &open, &agent()));
        let admin = Viewer { role: Role::Admin, ..agent() };
        assert!(belongs(&ticket(1, TicketStatus::Open, Some(8), Some(2)), &open, &admin));
        assert!(!belongs(&ticket(1, TicketStatus::Open, Some(7), None), &pending, &admin), "another tab");
    }

    #[test]
    fn filters_and_search_narrow_live_tickets() {
        let mut q = query(TicketStatus::Pending);
        let t = ticket(5, TicketStatus::Pending, None, Some(2));
        q.filters.queue_id = Some(QueueId(3));
        assert!(!belongs(&t, &q, &agent()));
        q.filters = Filters { unread: true, ..Filters::default() };
        assert!(!belongs(&t, &q, &agent()));
        q.filters = Filters { tag_ids: vec![TagId(1), TagId(2)], ..Filters::default() };
        assert!(!belongs(&t, &q, &agent()), "no tags");
        let tagged =
            Ticket { tags: vec![TagRef { id: TagId(2), name: "VIP".into(), color: "#ff0000".into() }], ..t.clone() };
        assert!(belongs(&tagged, &q, &agent()), "any of them");
        q.filters = Filters::default();
        for (search, found) in [("maria", true), ("8888", true), ("105", true), ("ajuda", true), ("joão", false)] {
            q.search = search.into();
            assert_eq!(belongs(&t, &q, &agent()), found, "search {search:?}");
        }
    }

    #[test]
    fn latest_activity_goes_first_and_old_tickets_wait_for_their_page() {
        let order = vec![(TicketId(3), at(30)), (TicketId(2), at(20)), (TicketId(1), at(10))];
        assert_eq!(activity_position(&order, TicketId(4), at(40), false), Some(0));
        assert_eq!(activity_position(&order, TicketId(4), at(25), false), Some(1));
        assert_eq!(activity_position(&order, TicketId(4), at(5), false), None);
        assert_eq!(activity_position(&order, TicketId(4), at(5), true), Some(3));
        // Same time: the higher id first, as the server orders.
        assert_eq!(activity_position(&order, TicketId(4), at(20), false), Some(1));
    }

    #[test]
    fn counters_cap_at_99_plus() {
        assert_eq!(count_label(0, false), "0");
        assert_eq!(count_label(42, false), "42");
        assert_eq!(count_label(100, true), "99+");
    }
}
