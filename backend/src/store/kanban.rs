use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::visibility::Viewer;
use shared::{BoardId, CompanyId, LaneId, QueueId, TicketId, UserId};

use super::WriteTx;
use super::entities::{kanban_boards, kanban_cards, kanban_lanes, tickets};

pub async fn insert_board(tx: &WriteTx, company_id: CompanyId, name: &str) -> Result<kanban_boards::Model, DbErr> {
    let now = Utc::now();
    kanban_boards::ActiveModel {
        company_id: Set(company_id.0),
        name: Set(name.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn get_board(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: BoardId,
) -> Result<Option<kanban_boards::Model>, DbErr> {
    kanban_boards::Entity::find_by_id(id.0).filter(kanban_boards::Column::CompanyId.eq(company_id.0)).one(db).await
}

/// Renames the board (when `name` is given) and marks it changed.
pub async fn touch_board(
    tx: &WriteTx,
    board: kanban_boards::Model,
    name: Option<String>,
) -> Result<kanban_boards::Model, DbErr> {
    let mut row: kanban_boards::ActiveModel = board.into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    row.updated_at = Set(Utc::now());
    row.update(tx).await
}

/// Deletes the board; its lanes and their cards go with it (foreign keys).
pub async fn delete_board(tx: &WriteTx, id: BoardId) -> Result<u64, DbErr> {
    Ok(kanban_boards::Entity::delete_by_id(id.0).exec(tx).await?.rows_affected)
}

/// A page of the company's boards, by id.
pub async fn boards_page(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<kanban_boards::Model>, DbErr> {
    let mut query = kanban_boards::Entity::find().filter(kanban_boards::Column::CompanyId.eq(company_id.0));
    if let Some(after) = after_id {
        query = query.filter(kanban_boards::Column::Id.gt(after));
    }
    query.order_by_asc(kanban_boards::Column::Id).limit(limit + 1).all(db).await
}

/// The lanes of these boards, in board order then left to right.
pub async fn lanes_of_boards(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    boards: &[BoardId],
) -> Result<Vec<kanban_lanes::Model>, DbErr> {
    if boards.is_empty() {
        return Ok(Vec::new());
    }
    kanban_lanes::Entity::find()
        .filter(kanban_lanes::Column::CompanyId.eq(company_id.0))
        .filter(kanban_lanes::Column::BoardId.is_in(boards.iter().map(|b| b.0)))
        .order_by_asc(kanban_lanes::Column::BoardId)
        .order_by_asc(kanban_lanes::Column::Position)
        .order_by_asc(kanban_lanes::Column::Id)
        .all(db)
        .await
}

pub async fn get_lane(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: LaneId,
) -> Result<Option<kanban_lanes::Model>, DbErr> {
    kanban_lanes::Entity::find_by_id(id.0).filter(kanban_lanes::Column::CompanyId.eq(company_id.0)).one(db).await
}

pub async fn insert_lane(
    tx: &WriteTx,
    company_id: CompanyId,
    board_id: BoardId,
    name: &str,
    color: &str,
    position: i32,
) -> Result<kanban_lanes::Model, DbErr> {
    kanban_lanes::ActiveModel {
        company_id: Set(company_id.0),
        board_id: Set(board_id.0),
        name: Set(name.to_owned()),
        color: Set(color.to_owned()),
        position: Set(position),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn update_lane(tx: &WriteTx, row: kanban_lanes::ActiveModel) -> Result<kanban_lanes::Model, DbErr> {
    row.update(tx).await
}

/// Deletes lanes; their cards go with them (foreign keys).
pub async fn delete_lanes(tx: &WriteTx, company_id: CompanyId, ids: &[LaneId]) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(kanban_lanes::Entity::delete_many()
        .filter(kanban_lanes::Column::CompanyId.eq(company_id.0))
        .filter(kanban_lanes::Column::Id.is_in(ids.iter().map(|l| l.0)))
        .exec(tx)
        .await?
        .rows_affected)
}

/// The lane each of these tickets is in (tickets on no board are left out).
pub async fn lanes_of_tickets(db: &impl ConnectionTrait, ids: &[TicketId]) -> Result<HashMap<i64, LaneId>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(kanban_cards::Entity::find()
        .filter(kanban_cards::Column::TicketId.is_in(ids.iter().map(|t| t.0)))
        .all(db)
        .await?
        .into_iter()
        .map(|card| (card.ticket_id, LaneId(card.lane_id)))
        .collect())
}

/// Puts the ticket in `lane`, out of whichever lane it was in.
pub async fn place(tx: &WriteTx, company_id: CompanyId, ticket: TicketId, lane: LaneId) -> Result<(), DbErr> {
    let card = kanban_cards::ActiveModel {
        ticket_id: Set(ticket.0),
        company_id: Set(company_id.0),
        lane_id: Set(lane.0),
        moved_at: Set(Utc::now()),
    };
    kanban_cards::Entity::insert(card)
        .on_conflict(
            OnConflict::column(kanban_cards::Column::TicketId)
                .update_columns([kanban_cards::Column::LaneId, kanban_cards::Column::MovedAt])
                .to_owned(),
        )
        .exec_without_returning(tx)
        .await?;
    Ok(())
}

/// Takes the ticket off its board.
pub async fn remove(tx: &WriteTx, ticket: TicketId) -> Result<(), DbErr> {
    kanban_cards::Entity::delete_by_id(ticket.0).exec(tx).await?;
    Ok(())
}

/// `tickets.id IN (the tickets with a card in one of `lanes`)`.
fn in_lanes(lanes: &[LaneId]) -> sea_orm::sea_query::SimpleExpr {
    tickets::Column::Id.in_subquery(
        Query::select()
            .column(kanban_cards::Column::TicketId)
            .from(kanban_cards::Entity)
            .and_where(kanban_cards::Column::LaneId.is_in(lanes.iter().map(|l| l.0)))
            .to_owned(),
    )
}

/// Every ticket of the company in one of `lanes` (whoever may see it).
pub async fn tickets_in_lanes(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    lanes: &[LaneId],
) -> Result<Vec<tickets::Model>, DbErr> {
    if lanes.is_empty() {
        return Ok(Vec::new());
    }
    tickets::Entity::find().filter(tickets::Column::CompanyId.eq(company_id.0)).filter(in_lanes(lanes)).all(db).await
}

/// The tickets in `lanes` that `viewer` may see, narrowed to a queue and an agent, the most
/// recently active first; `limit + 1` rows, so the caller can tell there were more.
pub async fn board_tickets(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    lanes: &[LaneId],
    queue: Option<QueueId>,
    user: Option<UserId>,
    viewer: &Viewer,
    limit: u64,
) -> Result<Vec<tickets::Model>, DbErr> {
    use tickets::Column as T;
    if lanes.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = tickets::Entity::find().filter(T::CompanyId.eq(company_id.0)).filter(in_lanes(lanes));
    if let Some(queue) = queue {
        query = query.filter(T::QueueId.eq(queue.0));
    }
    if let Some(user) = user {
        query = query.filter(T::UserId.eq(user.0));
    }
    if let Some(visible) = super::tickets::visible_to(viewer) {
        query = query.filter(visible);
    }
    query.order_by_desc(T::UpdatedAt).order_by_desc(T::Id).limit(limit + 1).all(db).await
}
