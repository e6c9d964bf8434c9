//! /admin/kanban (Quadros kanban): list (paged), create, edit (name and lanes), delete.

use leptos::prelude::*;
use shared::events::Event;
use shared::kanban::Board;

use super::AdminGate;
use crate::api::kanban::BOARDS;
use crate::components::board_form::BoardForm;
use crate::components::kit::{CrudPage, RowActions};
use crate::i18n::{self, Key, use_i18n};
use crate::state::crud::{CrudState, Notices, remove_by_id, replace_by_id};
use crate::state::realtime::{self, LiveEvent};
use crate::t;

const NOTICES: Notices = Notices { created: Key::BoardCreated, updated: Key::BoardUpdated, deleted: Key::BoardDeleted };

#[component]
pub fn AdminKanbanPage() -> impl IntoView {
    view! { <AdminGate><BoardsAdmin/></AdminGate> }
}

#[component]
fn BoardsAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let crud = CrudState::of(BOARDS, NOTICES);
    crud.list.reload();
    // Another administrator's changes show here too.
    realtime::subscribe(move |event| match event {
        LiveEvent::Other(Event::KanbanBoardUpdated(board)) => {
            crud.list.items.update(|items| {
                replace_by_id(items, board.clone());
            });
        }
        LiveEvent::Other(Event::KanbanBoardDeleted(gone)) => {
            crud.list.items.update(|items| remove_by_id(items, gone.id))
        }
        _ => {}
    });

    let row = move |board: Board| {
        view! {
            <tr data-testid="board-row" data-board-id=board.id.to_string()>
                <td data-label=t!(i18n, Name)>
                    <span class="cell-strong" data-testid="board-row-name">{board.name.clone()}</span>
                </td>
                <td data-label=t!(i18n, Lanes)>
                    <span class="lane-chips" data-testid="board-row-lanes">
                        {board.lanes.iter().map(|lane| view! {
                            <span class="chip lane-chip" data-testid="board-row-lane">
                                <span class="dot" style:background-color=lane.color.clone()></span>
                                {lane.name.clone()}
                            </span>
                        }).collect_view()}
                    </span>
                </td>
                <RowActions crud=crud row=board.clone() singular="board"/>
            </tr>
        }
        .into_any()
    };

    let form = move |board: Option<Board>| {
        view! { <BoardForm board=board on_saved=move |saved| crud.saved(saved) on_close=move || crud.close_form()/> }
            .into_any()
    };

    view! {
        <CrudPage crud=crud plural="boards" singular="board" title=Key::KanbanBoards subtitle=Key::KanbanBoardsSubtitle
            new_label=Key::NewBoard columns=&[Key::Name, Key::Lanes] row=row form=form empty=Key::NoBoards
            question=|locale, board: &Board| i18n::confirm_delete_board(locale, &board.name)
        />
    }
}
