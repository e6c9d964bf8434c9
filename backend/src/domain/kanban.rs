//! Kanban: administrators keep boards of ordered lanes; anyone who may see a ticket places it in a
//! lane (or takes it off its board). A ticket is in at most one lane of the company, so placing it
//! on another board moves it there. Every move writes a `kanban_moved` log row and a
//! `ticket.updated` event (the summary carries `kanban_lane_id`) to whoever may see the ticket, so
//! every board showing it updates live; board changes reach the whole company as
//! `kanban_board.updated` / `kanban_board.deleted`.

use std::collections::{HashMap, HashSet};

use sea_orm::{IntoActiveModel, Set};
use serde_json::{Value, json};
use shared::events::Event;
use shared::kanban::{
    Board, BoardDeleted, BoardTickets, DEFAULT_LANE_COLOR, Lane, LaneInput, MAX_LANES, NewBoard, PlaceTicket,
    UpdateBoard,
};
use shared::tickets::{Ticket, TicketLogKind};
use shared::validate::{HexColor, Invalid, Name};
use shared::visibility::Audience;
use shared::{BoardId, LaneId, Page, QueueId, TicketId, UserId};

use crate::auth::CurrentUser;
use crate::domain::auth::viewer_of;
use crate::domain::events::Outbox;
use crate::domain::page::PageRequest;
use crate::domain::tickets;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store::entities::{kanban_boards, kanban_lanes, tickets as ticket_rows};
use crate::store::{self, WriteTx};

/// The most tickets a board answers with at once (`limit` lowers it).
pub const MAX_BOARD_TICKETS: u64 = 500;

fn lane_dto(lane: &kanban_lanes::Model) -> Lane {
    Lane { id: LaneId(lane.id), name: lane.name.clone(), color: lane.color.clone() }
}

fn to_dto(board: kanban_boards::Model, lanes: &[kanban_lanes::Model]) -> Board {
    Board {
        id: BoardId(board.id),
        name: board.name,
        lanes: lanes.iter().filter(|l| l.board_id == board.id).map(lane_dto).collect(),
        created_at: board.created_at,
        updated_at: board.updated_at,
    }
}

async fn find(db: &impl sea_orm::ConnectionTrait, caller: &CurrentUser, id: BoardId) -> AppResult<Board> {
    let board = store::kanban::get_board(db, caller.company_id, id).await?.ok_or(AppError::NotFound("board"))?;
    let lanes = store::kanban::lanes_of_boards(db, caller.company_id, &[id]).await?;
    Ok(to_dto(board, &lanes))
}

/// Everyone of the company reads the boards (the Kanban page and the panel need them).
pub async fn list(state: &AppState, caller: &CurrentUser, page: PageRequest) -> AppResult<Page<Board>> {
    let rows = store::kanban::boards_page(&state.db, caller.company_id, page.after_id, page.limit).await?;
    let ids: Vec<BoardId> = rows.iter().take(page.limit as usize).map(|b| BoardId(b.id)).collect();
    let lanes = store::kanban::lanes_of_boards(&state.db, caller.company_id, &ids).await?;
    Ok(page.finish(rows, |b| b.id, |b| to_dto(b, &lanes)))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: BoardId) -> AppResult<Board> {
    find(&state.db, caller, id).await
}

/// A lane as asked for, validated: (its id if kept, name, colour if given).
struct LaneChange {
    id: Option<LaneId>,
    name: String,
    color: Option<String>,
}

/// Checks the lanes of a create or update: names, colours, at most `MAX_LANES`, each kept id
/// once and one of `existing` (this board's lanes). Problems are reported as `lanes[i].field`.
fn check_lanes(input: &[LaneInput], existing: &HashSet<LaneId>, errors: &mut FieldErrors) -> Vec<LaneChange> {
    if input.len() > MAX_LANES {
        errors.add("lanes", Invalid::NumberBetween { min: 0, max: MAX_LANES as u32 });
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, lane) in input.iter().enumerate() {
        let name = errors.check(&format!("lanes[{i}].name"), Name::parse(&lane.name));
        let color = match lane.color.as_deref() {
            Some(raw) => errors.check(&format!("lanes[{i}].color"), HexColor::parse(raw)).map(HexColor::into_inner),
            None => None,
        };
        if let Some(id) = lane.id
            && (!existing.contains(&id) || !seen.insert(id))
        {
            errors.add(&format!("lanes[{i}].id"), Invalid::NotInCompany);
        }
        if let Some(name) = name {
            out.push(LaneChange { id: lane.id, name: name.into_inner(), color });
        }
    }
    out
}

pub async fn create(state: &AppState, caller: &CurrentUser, new: NewBoard) -> AppResult<Board> {
    caller.require_admin()?;
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(&new.name));
    let lanes = check_lanes(&new.lanes, &HashSet::new(), &mut errors);
    let (Some(name), true) = (name, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let txn = state.begin().await?;
    let board = store::kanban::insert_board(&txn, caller.company_id, name.as_str()).await?;
    let mut rows = Vec::new();
    for (position, lane) in lanes.iter().enumerate() {
        let color = lane.color.as_deref().unwrap_or(DEFAULT_LANE_COLOR);
        rows.push(
            store::kanban::insert_lane(&txn, caller.company_id, BoardId(board.id), &lane.name, color, position as i32)
                .await?,
        );
    }
    let dto = to_dto(board, &rows);
    let mut outbox = Outbox::new();
    outbox.add(&txn, caller.company_id, Audience::Company, Event::KanbanBoardUpdated(dto.clone())).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

/// Renames the board and, with `lanes`, replaces its lanes: kept ones are renamed, recoloured and
/// put in their new place, new ones created, missing ones deleted (their tickets leave the board,
/// each with a log row and a `ticket.updated`).
pub async fn update(state: &AppState, caller: &CurrentUser, id: BoardId, change: UpdateBoard) -> AppResult<Board> {
    caller.require_admin()?;
    let txn = state.begin().await?;
    let board = store::kanban::get_board(&txn, caller.company_id, id).await?.ok_or(AppError::NotFound("board"))?;
    let current = store::kanban::lanes_of_boards(&txn, caller.company_id, &[id]).await?;
    let existing: HashSet<LaneId> = current.iter().map(|l| LaneId(l.id)).collect();
    let mut errors = FieldErrors::new();
    let name = change.name.as_deref().and_then(|n| errors.check("name", Name::parse(n)));
    let lanes = change.lanes.as_deref().map(|lanes| check_lanes(lanes, &existing, &mut errors));
    errors.into_result()?;
    let mut outbox = Outbox::new();
    if let Some(lanes) = lanes {
        let kept: HashSet<LaneId> = lanes.iter().filter_map(|l| l.id).collect();
        let removed: Vec<LaneId> = current.iter().map(|l| LaneId(l.id)).filter(|l| !kept.contains(l)).collect();
        let leaving = store::kanban::tickets_in_lanes(&txn, caller.company_id, &removed).await?;
        store::kanban::delete_lanes(&txn, caller.company_id, &removed).await?;
        log_left_board(&txn, caller, &leaving).await?;
        tickets::announce_updated(&txn, &mut outbox, &leaving).await?;
        let by_id: HashMap<i64, &kanban_lanes::Model> = current.iter().map(|l| (l.id, l)).collect();
        for (position, lane) in lanes.into_iter().enumerate() {
            let position = position as i32;
            match lane.id.and_then(|id| by_id.get(&id.0)) {
                Some(row) => {
                    let mut active = (*row).clone().into_active_model();
                    active.name = Set(lane.name);
                    if let Some(color) = lane.color {
                        active.color = Set(color);
                    }
                    active.position = Set(position);
                    if sea_orm::ActiveModelTrait::is_changed(&active) {
                        store::kanban::update_lane(&txn, active).await?;
                    }
                }
                None => {
                    let color = lane.color.as_deref().unwrap_or(DEFAULT_LANE_COLOR);
                    store::kanban::insert_lane(&txn, caller.company_id, id, &lane.name, color, position).await?;
                }
            }
        }
    }
    let board = store::kanban::touch_board(&txn, board, name.map(Name::into_inner)).await?;
    let lanes = store::kanban::lanes_of_boards(&txn, caller.company_id, &[id]).await?;
    let dto = to_dto(board, &lanes);
    outbox.add(&txn, caller.company_id, Audience::Company, Event::KanbanBoardUpdated(dto.clone())).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

/// Deletes the board with its lanes; its tickets leave it (a log row and a `ticket.updated` each).
pub async fn delete(state: &AppState, caller: &CurrentUser, id: BoardId) -> AppResult<()> {
    caller.require_admin()?;
    let txn = state.begin().await?;
    store::kanban::get_board(&txn, caller.company_id, id).await?.ok_or(AppError::NotFound("board"))?;
    let lanes: Vec<LaneId> =
        store::kanban::lanes_of_boards(&txn, caller.company_id, &[id]).await?.iter().map(|l| LaneId(l.id)).collect();
    let leaving = store::kanban::tickets_in_lanes(&txn, caller.company_id, &lanes).await?;
    store::kanban::delete_board(&txn, id).await?;
    log_left_board(&txn, caller, &leaving).await?;
    let mut outbox = Outbox::new();
    tickets::announce_updated(&txn, &mut outbox, &leaving).await?;
    outbox.add(&txn, caller.company_id, Audience::Company, Event::KanbanBoardDeleted(BoardDeleted { id })).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(())
}

/// The `kanban_moved` row of tickets whose lane (or board) an administrator deleted.
async fn log_left_board(tx: &WriteTx, caller: &CurrentUser, tickets: &[ticket_rows::Model]) -> AppResult<()> {
    let details = json!({"board": null, "lane": null});
    for ticket in tickets {
        store::ticket_logs::insert(
            tx,
            caller.company_id,
            TicketId(ticket.id),
            Some(caller.id),
            TicketLogKind::KanbanMoved,
            &details,
        )
        .await?;
    }
    Ok(())
}

/// The board's tickets the caller may see (the same rule as the ticket list), narrowed to a
/// queue and an agent, the most recently active first, at most `limit` (≤ `MAX_BOARD_TICKETS`).
pub async fn board_tickets(
    state: &AppState,
    caller: &CurrentUser,
    id: BoardId,
    queue: Option<QueueId>,
    user: Option<UserId>,
    limit: Option<u64>,
) -> AppResult<BoardTickets> {
    let board = find(&state.db, caller, id).await?;
    let lanes: Vec<LaneId> = board.lanes.iter().map(|l| l.id).collect();
    let limit = limit.unwrap_or(MAX_BOARD_TICKETS).clamp(1, MAX_BOARD_TICKETS);
    let viewer = viewer_of(&state.db, caller).await?;
    let mut rows =
        store::kanban::board_tickets(&state.db, caller.company_id, &lanes, queue, user, &viewer, limit).await?;
    let truncated = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    Ok(BoardTickets { items: tickets::summaries(&state.db, rows).await?, truncated })
}

/// Places a ticket the caller may see in a lane of the company, or takes it off its board
/// (`lane_id: null`). Placing it where it already is changes nothing.
pub async fn place(state: &AppState, caller: &CurrentUser, id: TicketId, to: PlaceTicket) -> AppResult<Ticket> {
    let txn = state.begin().await?;
    let ticket = tickets::find_visible(&txn, caller, id).await?;
    let lane = match to.lane_id {
        Some(lane) => Some(
            store::kanban::get_lane(&txn, caller.company_id, lane)
                .await?
                .ok_or_else(|| FieldErrors::one("lane_id", Invalid::NotInCompany))?,
        ),
        None => None,
    };
    let now_in = store::kanban::lanes_of_tickets(&txn, &[id]).await?.get(&id.0).copied();
    if now_in == to.lane_id {
        drop(txn);
        return tickets::summary(&state.db, ticket).await;
    }
    let details = match &lane {
        Some(lane) => {
            store::kanban::place(&txn, caller.company_id, id, LaneId(lane.id)).await?;
            let board = store::kanban::get_board(&txn, caller.company_id, BoardId(lane.board_id)).await?;
            json!({
                "board": board.map(|b| json!({"id": b.id, "name": b.name})).unwrap_or(Value::Null),
                "lane": {"id": lane.id, "name": lane.name},
            })
        }
        None => {
            store::kanban::remove(&txn, id).await?;
            json!({"board": null, "lane": null})
        }
    };
    store::ticket_logs::insert(&txn, caller.company_id, id, Some(caller.id), TicketLogKind::KanbanMoved, &details)
        .await?;
    let dto = tickets::summary(&txn, ticket.clone()).await?;
    let mut outbox = Outbox::new();
    outbox.add(&txn, caller.company_id, tickets::audience(&ticket), Event::TicketUpdated(dto.clone())).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}
