//! `/kanban/boards` (everyone reads, administrators change) and placing a ticket in a lane.

use shared::Page;
use shared::ids::{BoardId, LaneId, QueueId, TicketId, UserId};
use shared::kanban::{Board, BoardTickets, NewBoard, PlaceTicket, UpdateBoard};
use shared::tickets::Ticket;

use super::ApiError;
use super::client::{self, Method};
use super::resource::{HasId, Resource};

pub const BOARDS: Resource<Board, NewBoard, UpdateBoard> = Resource::new("/kanban/boards");

impl HasId for Board {
    type Id = BoardId;
    fn id(&self) -> BoardId {
        self.id
    }
}

/// Every board of the company (a company has a handful).
pub async fn all_boards() -> Result<Vec<Board>, ApiError> {
    client::get::<Page<Board>>("/kanban/boards?limit=100").await.map(|page| page.items)
}

/// The board's tickets the user may see, narrowed to a queue and an agent.
pub async fn board_tickets(
    board: BoardId,
    queue: Option<QueueId>,
    user: Option<UserId>,
) -> Result<BoardTickets, ApiError> {
    let mut path = format!("/kanban/boards/{board}/tickets?limit=500");
    if let Some(queue) = queue {
        path.push_str(&format!("&queue_id={queue}"));
    }
    if let Some(user) = user {
        path.push_str(&format!("&user_id={user}"));
    }
    client::get(&path).await
}

/// Puts the ticket in `lane` (or off its board with `None`); answers the ticket.
pub async fn place(ticket: TicketId, lane: Option<LaneId>) -> Result<Ticket, ApiError> {
    client::send(Method::Put, &format!("/tickets/{ticket}/kanban"), &PlaceTicket { lane_id: lane }).await
}
