//! Kanban: boards of ordered lanes (columns) in which tickets are placed as cards. A ticket is in
//! at most one lane of the whole company (so on at most one board): placing it elsewhere moves it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{BoardId, LaneId};
use crate::tickets::Ticket;

/// The most lanes a board has: more would not fit a screen.
pub const MAX_LANES: usize = 20;
/// A lane's colour when none is given.
pub const DEFAULT_LANE_COLOR: &str = "#90a4ae";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    pub id: BoardId,
    pub name: String,
    /// In their order on the board, left to right.
    pub lanes: Vec<Lane>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lane {
    pub id: LaneId,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
}

/// A lane as written in a board's `lanes`: with an `id`, an existing lane of this board (kept,
/// renamed, recoloured, moved to this place); without, a new lane.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LaneInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<LaneId>,
    pub name: String,
    /// `#rrggbb`; absent keeps an existing lane's colour (a new lane gets a neutral grey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewBoard {
    pub name: String,
    #[serde(default)]
    pub lanes: Vec<LaneInput>,
}

/// `PATCH /kanban/boards/{id}`: `lanes`, when given, replaces the list: lanes with an `id` are
/// kept (renamed, reordered), lanes without are created, and lanes left out are deleted (their
/// tickets leave the board).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateBoard {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lanes: Option<Vec<LaneInput>>,
}

/// `PUT /tickets/{id}/kanban`: the lane to place the ticket in, or `null` to take it off its board.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceTicket {
    pub lane_id: Option<LaneId>,
}

/// `GET /kanban/boards/{id}/tickets`: the board's tickets the caller may see, most recently
/// active first, at most `limit` of them (`truncated` says there were more).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardTickets {
    pub items: Vec<Ticket>,
    pub truncated: bool,
}

/// `kanban_board.deleted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardDeleted {
    pub id: BoardId,
}

/// Where a lane is: which board, and its place there.
pub fn find_lane(boards: &[Board], lane: LaneId) -> Option<(&Board, &Lane)> {
    boards.iter().find_map(|board| board.lanes.iter().find(|l| l.id == lane).map(|l| (board, l)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_tells_absent_lanes_from_an_empty_list() {
        let keep: UpdateBoard = serde_json::from_str(r#"{"name": "x"}"#).unwrap_or_default();
        assert_eq!(keep.lanes, None);
        let clear: UpdateBoard = serde_json::from_str(r#"{"lanes": []}"#).unwrap_or_default();
        assert_eq!(clear.lanes, Some(vec![]));
        assert!(serde_json::from_str::<UpdateBoard>(r#"{"columns": []}"#).is_err());
        let lane: LaneInput = serde_json::from_str(r#"{"id": 3, "name": "A"}"#).unwrap_or_default();
        assert_eq!((lane.id, lane.color), (Some(LaneId(3)), None));
    }
}
