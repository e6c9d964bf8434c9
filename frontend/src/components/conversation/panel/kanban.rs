//! The panel's Kanban section: the board and lane this ticket is in; choose another board and lane
//! to place it there, or take it off its board.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::events::Event;
use shared::ids::{BoardId, LaneId};
use shared::kanban::{Board, find_lane};
use shared::tickets::Ticket;

use crate::api::ApiError;
use crate::api::kanban::{all_boards, place};
use crate::components::kit::ErrorAlert;
use crate::i18n::use_i18n;
use crate::state::realtime::{self, LiveEvent};
use crate::t;

#[component]
pub fn KanbanSection(ticket: RwSignal<Option<Ticket>>) -> impl IntoView {
    let i18n = use_i18n();
    let boards = RwSignal::new(Vec::<Board>::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // The board picked in the first list (its lanes fill the second), before a lane is chosen.
    let chosen_board = RwSignal::new(None::<BoardId>);
    spawn_local(async move {
        if let Ok(all) = all_boards().await {
            boards.try_set(all);
        }
    });
    realtime::subscribe(move |event| match event {
        LiveEvent::Other(Event::KanbanBoardUpdated(board)) => {
            boards.update(|all| match all.iter_mut().find(|b| b.id == board.id) {
                Some(slot) => *slot = board.clone(),
                None => all.push(board.clone()),
            })
        }
        LiveEvent::Other(Event::KanbanBoardDeleted(gone)) => boards.update(|all| all.retain(|b| b.id != gone.id)),
        _ => {}
    });

    let current_lane = Memo::new(move |_| ticket.with(|t| t.as_ref().and_then(|t| t.kanban_lane_id)));
    // The board and lane as names, or nothing when the ticket is on no board.
    let placed = Memo::new(move |_| {
        let lane = current_lane.get()?;
        boards.with(|all| find_lane(all, lane).map(|(board, lane)| (board.id, board.name.clone(), lane.name.clone())))
    });
    let board_shown = Memo::new(move |_| chosen_board.get().or(placed.get().map(|(board, _, _)| board)));
    let lanes = Memo::new(move |_| {
        board_shown
            .get()
            .and_then(|id| boards.with(|all| all.iter().find(|b| b.id == id).map(|b| b.lanes.clone())))
            .unwrap_or_default()
    });

    let save = move |lane: Option<LaneId>| {
        let Some(id) = ticket.with_untracked(|t| t.as_ref().map(|t| t.id)) else { return };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match place(id, lane).await {
                Ok(saved) => {
                    ticket.try_set(Some(saved));
                    chosen_board.try_set(None);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
            busy.try_set(false);
        });
    };

    view! {
        <section class="panel-section kanban-section" data-testid="kanban-section">
            <h4 class="section-title">{t!(i18n, Kanban)}</h4>
            <p class="muted" data-testid="kanban-current">
                {move || match placed.get() {
                    Some((_, board, lane)) => format!("{board} › {lane}"),
                    None => i18n.t(crate::i18n::Key::KanbanNotOnBoard).to_owned(),
                }}
            </p>
            <Show when=move || !boards.with(Vec::is_empty)>
                <div class="kanban-pickers">
                    <select aria-label=t!(i18n, Board) data-testid="kanban-panel-board" disabled=move || busy.get()
                        on:change=move |e| chosen_board.set(event_target_value(&e).parse().ok().map(BoardId))>
                        <option value="" selected=move || board_shown.get().is_none()>{t!(i18n, KanbanChooseBoard)}</option>
                        {move || boards.get().into_iter().map(|b| {
                            let id = b.id;
                            view! { <option value=id.to_string() selected=move || board_shown.get() == Some(id)>{b.name}</option> }
                        }).collect_view()}
                    </select>
                    <select aria-label=t!(i18n, Lane) data-testid="kanban-panel-lane"
                        disabled=move || busy.get() || board_shown.get().is_none()
                        on:change=move |e| {
                            if let Some(lane) = event_target_value(&e).parse().ok().map(LaneId) {
                                save(Some(lane));
                            }
                        }>
                        <option value="" selected=move || current_lane.get().is_none() || chosen_board.get().is_some()>
                            {t!(i18n, KanbanChooseLane)}
                        </option>
                        {move || lanes.get().into_iter().map(|l| {
                            let id = l.id;
                            view! {
                                <option value=id.to_string() selected=move || chosen_board.get().is_none() && current_lane.get() == Some(id)>
                                    {l.name}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                    <Show when=move || current_lane.get().is_some()>
                        <button type="button" class="btn btn-small" data-testid="kanban-panel-remove" disabled=move || busy.get()
                            on:click=move |_| save(None)>
                            {t!(i18n, KanbanRemove)}
                        </button>
                    </Show>
                </div>
            </Show>
            <ErrorAlert error=error testid="kanban-panel-error"/>
        </section>
    }
}
