//! /kanban: a board's lanes as columns and the tickets in each lane as cards, filtered by queue
//! and agent; agents see only the tickets they may see (`shared::visibility`). Cards move between
//! lanes by mouse (HTML5 drag and drop) or keyboard (Space or Enter picks a card up, the arrows
//! move it, Enter drops it, Esc cancels; each step is announced), optimistically, and every
//! move anyone makes arrives live as `ticket.updated`.

use leptos::ev::{DragEvent, KeyboardEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::events::Event;
use shared::ids::{BoardId, LaneId, QueueId, TicketId, UserId};
use shared::kanban::{Board, Lane};
use shared::org::{Queue, User};
use shared::tickets::{Ticket, UserRef};
use shared::visibility::{TicketPlace, Viewer};
use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::api::kanban::{all_boards, board_tickets, place};
use crate::api::queues::QUEUES;
use crate::api::users::USERS;
use crate::components::kit::ErrorAlert;
use crate::components::toast::use_toasts;
use crate::i18n::{self, Key, use_i18n};
use crate::state::realtime::{self, LiveEvent};
use crate::state::session::use_session;
use crate::state::tickets::viewer_of;
use crate::t;

/// Whether a ticket is a card of the board as shown: in one of its lanes, within the filters, and
/// one the viewer may see (an event about a ticket that left their sight removes the card).
pub fn on_board(
    ticket: &Ticket,
    lanes: &[Lane],
    queue: Option<QueueId>,
    agent: Option<UserId>,
    viewer: Option<&Viewer>,
) -> bool {
    ticket.kanban_lane_id.is_some_and(|lane| lanes.iter().any(|l| l.id == lane))
        && queue.is_none_or(|id| ticket.queue.as_ref().is_some_and(|q| q.id == id))
        && agent.is_none_or(|id| ticket.user.as_ref().is_some_and(|u| u.id == id))
        && viewer.is_none_or(|viewer| viewer.may_see(&TicketPlace::of(ticket)))
}

/// Puts `ticket` in the list (replacing its old self) when `keep`, else takes it out; the list
/// stays most recently active first.
fn upsert(all: &mut Vec<Ticket>, ticket: Ticket, keep: bool) {
    all.retain(|t| t.id != ticket.id);
    if keep {
        all.push(ticket);
        all.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
    }
}

/// The lane `by` places from `from` among `lanes`, stopping at the ends.
fn neighbour(lanes: &[Lane], from: LaneId, by: isize) -> LaneId {
    let at = lanes.iter().position(|l| l.id == from).unwrap_or(0) as isize;
    let to = (at + by).clamp(0, lanes.len().saturating_sub(1) as isize) as usize;
    lanes.get(to).map_or(from, |l| l.id)
}

/// A card being moved with the keyboard: where it is, and where it would be dropped.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Picked {
    ticket: TicketId,
    number: i64,
    from: Option<LaneId>,
    to: LaneId,
}

/// Focuses a card once the lanes have been drawn again (a move re-renders its columns).
fn focus_card(id: TicketId) {
    request_animation_frame(move || {
        let selector = format!("[data-testid='kanban-card'][data-ticket-id='{id}']");
        if let Some(card) =
            document().query_selector(&selector).ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = card.focus();
        }
    });
}

#[component]
pub fn KanbanPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let toasts = use_toasts();
    let boards = RwSignal::new(Vec::<Board>::new());
    let boards_loaded = RwSignal::new(false);
    let selected = RwSignal::new(None::<BoardId>);
    let queue = RwSignal::new(None::<QueueId>);
    let agent = RwSignal::new(None::<UserId>);
    let tickets = RwSignal::new(Vec::<Ticket>::new());
    let truncated = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let queues = RwSignal::new(Vec::<Queue>::new());
    let users = RwSignal::new(Vec::<User>::new());
    let announcement = RwSignal::new(String::new());
    let dragging = RwSignal::new(None::<TicketId>);
    let drop_target = RwSignal::new(None::<LaneId>);
    let picked = RwSignal::new(None::<Picked>);
    // Answers to an older load are dropped: only the latest board and filters count.
    let generation = StoredValue::new(0u32);

    let load_boards = move || {
        spawn_local(async move {
            match all_boards().await {
                Ok(all) => {
                    let keep = selected.get_untracked().filter(|id| all.iter().any(|b| b.id == *id));
                    boards.try_set(all.clone());
                    if keep.is_none() {
                        selected.try_set(all.first().map(|b| b.id));
                    }
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
            boards_loaded.try_set(true);
        });
    };
    load_boards();
    spawn_local(async move {
        if let Ok(all) = QUEUES.list_all().await {
            queues.try_set(all);
        }
    });
    if session.me_untracked().is_some_and(|me| me.role != shared::auth::Role::Agent) {
        spawn_local(async move {
            if let Ok(all) = USERS.list_all().await {
                users.try_set(all);
            }
        });
    }

    let lanes = Memo::new(move |_| {
        selected
            .get()
            .and_then(|id| boards.with(|all| all.iter().find(|b| b.id == id).map(|b| b.lanes.clone())))
            .unwrap_or_default()
    });
    let viewer = move || session.me_untracked().map(|me| viewer_of(&me));
    let load = move || {
        let (board, queue_id, user_id) = (selected.get_untracked(), queue.get_untracked(), agent.get_untracked());
        let mine = generation.get_value().wrapping_add(1);
        generation.set_value(mine);
        let Some(board) = board else {
            tickets.set(Vec::new());
            return;
        };
        spawn_local(async move {
            let answer = board_tickets(board, queue_id, user_id).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            match answer {
                Ok(answer) => {
                    tickets.try_set(answer.items);
                    truncated.try_set(answer.truncated);
                    error.try_set(None);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    Effect::new(move |_| {
        selected.track();
        queue.track();
        agent.track();
        load();
    });
    let apply = move |ticket: Ticket| {
        let keep =
            on_board(&ticket, &lanes.get_untracked(), queue.get_untracked(), agent.get_untracked(), viewer().as_ref());
        tickets.update(|all| upsert(all, ticket, keep));
    };
    realtime::subscribe(move |event| match event {
        LiveEvent::TicketCreated(ticket) | LiveEvent::TicketUpdated(ticket) => apply(ticket.clone()),
        LiveEvent::TicketDeleted(id) => tickets.update(|all| all.retain(|t| t.id != *id)),
        LiveEvent::Other(Event::KanbanBoardUpdated(board)) => {
            boards.update(|all| match all.iter_mut().find(|b| b.id == board.id) {
                Some(slot) => *slot = board.clone(),
                None => all.push(board.clone()),
            });
            if selected.get_untracked().is_none() {
                selected.set(Some(board.id));
            }
        }
        LiveEvent::Other(Event::KanbanBoardDeleted(gone)) => {
            boards.update(|all| all.retain(|b| b.id != gone.id));
            if selected.get_untracked() == Some(gone.id) {
                selected.set(boards.with_untracked(|all| all.first().map(|b| b.id)));
            }
        }
        LiveEvent::Resync | LiveEvent::Resumed => {
            load_boards();
            load();
        }
        _ => {}
    });

    let lane_name = move |lane: Option<LaneId>| -> String {
        lane.and_then(|id| lanes.with_untracked(|all| all.iter().find(|l| l.id == id).map(|l| l.name.clone())))
            .unwrap_or_else(|| i18n.t(Key::KanbanNotOnBoard).to_owned())
    };
    // Optimistic: the card moves at once, and goes back if the server refuses.
    let move_card = move |id: TicketId, to: LaneId| {
        let Some(before) = tickets.with_untracked(|all| all.iter().find(|t| t.id == id).map(|t| t.kanban_lane_id))
        else {
            return;
        };
        if before == Some(to) {
            return;
        }
        tickets.update(|all| {
            if let Some(ticket) = all.iter_mut().find(|t| t.id == id) {
                ticket.kanban_lane_id = Some(to);
            }
        });
        spawn_local(async move {
            match place(id, Some(to)).await {
                Ok(saved) => apply(saved),
                Err(_) => {
                    tickets.try_update(|all| {
                        if let Some(ticket) = all.iter_mut().find(|t| t.id == id) {
                            ticket.kanban_lane_id = before;
                        }
                    });
                    toasts.push(Key::KanbanMoveFailed);
                }
            }
        });
    };
    let on_key = move |event: KeyboardEvent, ticket: &Ticket| {
        // Keys on the card's link are the link's.
        if event.target() != event.current_target() {
            return;
        }
        let locale = i18n.locale_untracked();
        let id = ticket.id;
        match (picked.get_untracked(), event.key().as_str()) {
            (None, " " | "Enter") => {
                event.prevent_default();
                let all = lanes.get_untracked();
                let Some(to) = ticket.kanban_lane_id.or(all.first().map(|l| l.id)) else { return };
                picked.set(Some(Picked { ticket: id, number: ticket.number, from: ticket.kanban_lane_id, to }));
                announcement.set(i18n::kanban_picked(locale, ticket.number, &lane_name(Some(to))));
            }
            (Some(p), key @ ("ArrowLeft" | "ArrowRight")) if p.ticket == id => {
                event.prevent_default();
                let all = lanes.get_untracked();
                let to = neighbour(&all, p.to, if key == "ArrowLeft" { -1 } else { 1 });
                picked.set(Some(Picked { to, ..p }));
                let place = all.iter().position(|l| l.id == to).unwrap_or(0) + 1;
                announcement.set(i18n::kanban_over(locale, &lane_name(Some(to)), place, all.len()));
                focus_card(id);
            }
            (Some(p), " " | "Enter") if p.ticket == id => {
                event.prevent_default();
                picked.set(None);
                move_card(id, p.to);
                announcement.set(i18n::kanban_dropped(locale, p.number, &lane_name(Some(p.to))));
                focus_card(id);
            }
            (Some(p), "Escape") if p.ticket == id => {
                event.prevent_default();
                picked.set(None);
                announcement.set(i18n::kanban_cancelled(locale, p.number, &lane_name(p.from)));
                focus_card(id);
            }
            _ => {}
        }
    };
    // Where a card shows: where it is, or where the keyboard is carrying it.
    let shown_in = move |ticket: &Ticket| match picked.get() {
        Some(p) if p.ticket == ticket.id => Some(p.to),
        _ => ticket.kanban_lane_id,
    };
    let agents = move || {
        let listed = users.get();
        if !listed.is_empty() {
            return listed.into_iter().map(|u| UserRef { id: u.id, name: u.name }).collect::<Vec<_>>();
        }
        // Agents may not list users: the agents of the cards in sight will do.
        let mut seen: Vec<UserRef> = tickets.with(|all| all.iter().filter_map(|t| t.user.clone()).collect());
        seen.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        seen.dedup_by_key(|u| u.id);
        seen
    };

    let card = move |ticket: Ticket| {
        let id = ticket.id;
        let for_keys = ticket.clone();
        view! {
            <li
                class="kanban-card"
                class:picked=move || picked.get().is_some_and(|p| p.ticket == id)
                class:dragging=move || dragging.get() == Some(id)
                draggable="true"
                tabindex="0"
                aria-describedby="kanban-card-help"
                aria-pressed=move || if picked.get().is_some_and(|p| p.ticket == id) { "true" } else { "false" }
                data-testid="kanban-card"
                data-ticket-id=id.to_string()
                on:dragstart=move |event: DragEvent| {
                    dragging.set(Some(id));
                    if let Some(transfer) = event.data_transfer() {
                        let _ = transfer.set_data("text/plain", &id.to_string());
                        transfer.set_effect_allowed("move");
                    }
                }
                on:dragend=move |_| {
                    dragging.set(None);
                    drop_target.set(None);
                }
                on:keydown=move |event| on_key(event, &for_keys)
            >
                <div class="kanban-card-top">
                    <a class="kanban-card-contact" href=format!("/tickets/{id}") draggable="false" data-testid="kanban-card-contact">
                        {ticket.contact.name.clone()}
                    </a>
                    <span class="muted" data-testid="kanban-card-number">{format!("#{}", ticket.number)}</span>
                </div>
                <div class="kanban-card-meta">
                    {ticket.queue.clone().map(|q| view! {
                        <span class="kanban-card-queue"><span class="dot" style:background-color=q.color></span>{q.name}</span>
                    })}
                    <span class="kanban-card-agent" data-testid="kanban-card-agent">
                        {match ticket.user.clone() {
                            Some(user) => user.name.into_any(),
                            None => t!(i18n, Unassigned).into_any(),
                        }}
                    </span>
                </div>
                {ticket.last_message.clone().map(|m| view! { <p class="kanban-card-last" data-testid="kanban-card-last">{m.body}</p> })}
                {(!ticket.tags.is_empty()).then(|| view! {
                    <span class="kanban-card-tags">
                        {ticket.tags.iter().map(|tag| view! {
                            <span class="chip tag-chip" style:border-color=tag.color.clone()>{tag.name.clone()}</span>
                        }).collect_view()}
                    </span>
                })}
            </li>
        }
    };

    let column = move |lane: Lane| {
        let lane_id = lane.id;
        let heading = format!("kanban-lane-{lane_id}");
        let labelled_by = heading.clone();
        let cards = Memo::new(move |_| {
            tickets.with(|all| all.iter().filter(|t| shown_in(t) == Some(lane_id)).cloned().collect::<Vec<_>>())
        });
        view! {
            <section
                class="kanban-lane"
                class:drop-target=move || drop_target.get() == Some(lane_id)
                aria-labelledby=labelled_by
                data-testid="kanban-lane"
                data-lane-id=lane_id.to_string()
                on:dragover=move |event: DragEvent| {
                    if dragging.get_untracked().is_some() {
                        // Allows the drop here.
                        event.prevent_default();
                        if drop_target.get_untracked() != Some(lane_id) {
                            drop_target.set(Some(lane_id));
                        }
                    }
                }
                on:drop=move |event: DragEvent| {
                    event.prevent_default();
                    if let Some(id) = dragging.get_untracked() {
                        move_card(id, lane_id);
                        let number = tickets.with_untracked(|all| all.iter().find(|t| t.id == id).map(|t| t.number));
                        if let Some(number) = number {
                            announcement.set(i18n::kanban_dropped(i18n.locale_untracked(), number, &lane_name(Some(lane_id))));
                        }
                    }
                    dragging.set(None);
                    drop_target.set(None);
                }
            >
                <header class="kanban-lane-header" style:border-top-color=lane.color.clone()>
                    <span class="dot" style:background-color=lane.color.clone()></span>
                    <h2 id=heading data-testid="kanban-lane-name">{lane.name.clone()}</h2>
                    <span class="kanban-count" data-testid="kanban-lane-count">{move || cards.with(Vec::len)}</span>
                </header>
                <ul class="kanban-cards" data-testid="kanban-cards">
                    {move || cards.get().into_iter().map(card).collect_view()}
                </ul>
                <Show when=move || cards.with(Vec::is_empty)>
                    <p class="muted kanban-empty">{t!(i18n, EmptyLane)}</p>
                </Show>
            </section>
        }
    };

    view! {
        <section class="page kanban-page" data-testid="kanban-page">
            <header class="page-header">
                <div>
                    <h1>{t!(i18n, Kanban)}</h1>
                    <p class="muted">{t!(i18n, KanbanSubtitle)}</p>
                </div>
            </header>
            <div class="filters-row">
                <select aria-label=t!(i18n, Board) data-testid="kanban-board-select"
                    on:change=move |e| selected.set(event_target_value(&e).parse().ok().map(BoardId))>
                    {move || boards.get().into_iter().map(|b| {
                        let id = b.id;
                        view! { <option value=id.to_string() selected=move || selected.get() == Some(id)>{b.name}</option> }
                    }).collect_view()}
                </select>
                <select aria-label=t!(i18n, Queue) data-testid="kanban-queue"
                    on:change=move |e| queue.set(event_target_value(&e).parse().ok().map(QueueId))>
                    <option value="">{t!(i18n, AllQueues)}</option>
                    {move || queues.get().into_iter().map(|q| view! { <option value=q.id.to_string()>{q.name}</option> }).collect_view()}
                </select>
                <select aria-label=t!(i18n, Agent) data-testid="kanban-agent"
                    on:change=move |e| agent.set(event_target_value(&e).parse().ok().map(UserId))>
                    <option value="">{t!(i18n, AllAgents)}</option>
                    {move || agents().into_iter().map(|u| {
                        let id = u.id;
                        view! { <option value=id.to_string() selected=move || agent.get() == Some(id)>{u.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <ErrorAlert error=error testid="kanban-error"/>
            <Show when=move || truncated.get()>
                <div class="alert alert-info" role="status">{t!(i18n, KanbanTruncated)}</div>
            </Show>
            <p id="kanban-card-help" class="sr-only">{t!(i18n, KanbanCardHelp)}</p>
            <p class="sr-only" aria-live="assertive" data-testid="kanban-live">{move || announcement.get()}</p>
            <Show when=move || boards_loaded.get() && boards.with(Vec::is_empty)>
                <p class="empty" data-testid="kanban-no-boards">{t!(i18n, NoBoardsYet)}</p>
            </Show>
            <div class="kanban-board" data-testid="kanban-board">
                {move || lanes.get().into_iter().map(column).collect_view()}
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use shared::auth::Role;
    use shared::ids::{ConnectionId, ContactId};
    use shared::tickets::{ContactRef, QueueRef, TicketKind, TicketStatus};

    use super::*;

    fn lane(id: i64) -> Lane {
        Lane { id: LaneId(id), name: format!("L{id}"), color: "#000000".into() }
    }

    fn ticket(id: i64, lane: Option<i64>, queue: i64, user: Option<i64>, status: TicketStatus) -> Ticket {
        Ticket {
            id: TicketId(id),
            number: id,
            status,
            kind: TicketKind::Private,
            contact: ContactRef {
                id: ContactId(id),
                name: "Maria".into(),
                number: "55".into(),
                photo_url: None,
                wallet_user_id: None,
            },
            user: user.map(|id| UserRef { id: UserId(id), name: "Ana".into() }),
            queue: Some(QueueRef { id: QueueId(queue), name: "Suporte".into(), color: "#111111".into() }),
            connection_id: ConnectionId(1),
            unread_count: 0,
            last_message: None,
            tags: Vec::new(),
            kanban_lane_id: lane.map(LaneId),
            bot: None,
            created_at: Utc.timestamp_opt(0, 0).single().unwrap_or_default(),
            updated_at: Utc.timestamp_opt(id, 0).single().unwrap_or_default(),
        }
    }

    #[test]
    fn a_card_shows_when_in_a_lane_of_the_board_within_the_filters_and_in_sight() {
        let lanes = [lane(1), lane(2)];
        let agent = Viewer { user_id: UserId(7), role: Role::Agent, queue_ids: vec![QueueId(3)] };
        let waiting = ticket(1, Some(2), 3, None, TicketStatus::Pending);
        assert!(on_board(&waiting, &lanes, None, None, Some(&agent)));
        assert!(
            !on_board(&ticket(1, Some(9), 3, None, TicketStatus::Pending), &lanes, None, None, None),
            "other board"
        );
        assert!(!on_board(&ticket(1, None, 3, None, TicketStatus::Pending), &lanes, None, None, None), "no board");
        assert!(!on_board(&waiting, &lanes, Some(QueueId(4)), None, None), "another queue's filter");
        assert!(!on_board(&waiting, &lanes, None, Some(UserId(7)), None), "assigned to nobody");
        let colleagues = ticket(2, Some(1), 3, Some(8), TicketStatus::Open);
        assert!(!on_board(&colleagues, &lanes, None, None, Some(&agent)), "a colleague's ticket is out of sight");
        assert!(on_board(&colleagues, &lanes, None, Some(UserId(8)), None), "an admin sees it");
    }

    #[test]
    fn the_list_stays_most_recent_first_and_cards_leave_it() {
        let mut all = vec![ticket(1, Some(1), 3, None, TicketStatus::Pending)];
        upsert(&mut all, ticket(5, Some(1), 3, None, TicketStatus::Pending), true);
        upsert(&mut all, ticket(3, Some(1), 3, None, TicketStatus::Pending), true);
        assert_eq!(all.iter().map(|t| t.id.0).collect::<Vec<_>>(), [5, 3, 1]);
        upsert(&mut all, ticket(3, None, 3, None, TicketStatus::Pending), false);
        assert_eq!(all.iter().map(|t| t.id.0).collect::<Vec<_>>(), [5, 1]);
    }

    #[test]
    fn the_keyboard_moves_one_lane_at_a_time_and_stops_at_the_ends() {
        let lanes = [lane(1), lane(2), lane(3)];
        assert_eq!(neighbour(&lanes, LaneId(1), -1), LaneId(1));
        assert_eq!(neighbour(&lanes, LaneId(1), 1), LaneId(2));
        assert_eq!(neighbour(&lanes, LaneId(3), 1), LaneId(3));
        assert_eq!(neighbour(&[], LaneId(3), 1), LaneId(3));
    }
}
