//! Satisfaction ratings (Avaliação): a survey sent to the contact, whose answer is the score.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{QueueId, RatingId, TicketId, UserId};
use crate::tickets::{QueueRef, UserRef};
use crate::wire_enum;

wire_enum!(
    /// Where a survey stands: `awaiting` the contact's answer (until `expires_at`), `received`
    /// (it has its score), `expired` (the window passed unanswered), `abandoned` (a newer survey
    /// replaced it, or the contact answered something else twice).
    RatingState { Awaiting = "awaiting", Received = "received", Expired = "expired", Abandoned = "abandoned" }
);

/// A received rating (`GET /api/v1/ratings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    pub id: RatingId,
    pub ticket_id: TicketId,
    /// The ticket's agent when the survey was sent.
    pub user_id: Option<UserId>,
    /// The ticket's queue when the survey was sent.
    pub queue_id: Option<QueueId>,
    pub score: u8,
    /// The highest score of the scale the contact was asked on.
    pub scale: u8,
    /// When the contact answered.
    pub created_at: DateTime<Utc>,
}

/// Count, average and how many of each score.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingSummary {
    pub count: u32,
    /// `null` when there is no rating.
    pub average: Option<f64>,
    /// Score (`"1"`, `"2"`, …) → how many; every score of the scale is present, zeros included.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u32>))]
    pub distribution: BTreeMap<u8, u32>,
}

impl RatingSummary {
    /// The summary of `scores`, with a key for every score from 1 to `scale` (and any higher
    /// score given on a larger scale before the setting changed).
    pub fn of(scores: impl IntoIterator<Item = u8>, scale: u8) -> Self {
        Self::of_counted(scores.into_iter().map(|score| (score, 1)), scale)
    }

    /// The same from `(score, how many times)` pairs.
    pub fn of_counted(scores: impl IntoIterator<Item = (u8, u32)>, scale: u8) -> Self {
        let mut distribution: BTreeMap<u8, u32> = (1..=scale).map(|s| (s, 0)).collect();
        let (mut count, mut sum) = (0u32, 0u64);
        for (score, times) in scores {
            *distribution.entry(score).or_default() += times;
            count += times;
            sum += u64::from(score) * u64::from(times);
        }
        let average = (count > 0).then(|| sum as f64 / f64::from(count));
        Self { count, average, distribution }
    }
}

/// `GET /api/v1/ratings`: the ratings (newest first, at most `limit`) and the summary of all
/// that match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingList {
    pub items: Vec<Rating>,
    pub summary: RatingSummary,
}

/// A ticket's latest survey, for its panel (`GET /api/v1/tickets/{id}/rating`, `rating.updated`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketRating {
    pub id: RatingId,
    pub ticket_id: TicketId,
    pub state: RatingState,
    pub score: Option<u8>,
    pub scale: u8,
    /// Whether the contact's first answer was not a score and they were asked once more.
    pub reasked: bool,
    pub requested_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// The ratings part of the dashboard, for the period asked.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingReport {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub summary: RatingSummary,
    pub by_agent: Vec<AgentRatings>,
    pub by_queue: Vec<QueueRatings>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentRatings {
    /// `null`: the ticket had no agent (or the user was deleted).
    pub user: Option<UserRef>,
    pub summary: RatingSummary,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueRatings {
    /// `null`: the ticket was in no queue.
    pub queue: Option<QueueRef>,
    pub summary: RatingSummary,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_counts_averages_and_lists_every_score() {
        let summary = RatingSummary::of([5, 4, 1, 5], 5);
        assert_eq!(summary.count, 4);
        assert_eq!(summary.average, Some(3.75));
        assert_eq!(summary.distribution.values().copied().collect::<Vec<_>>(), [1, 0, 0, 1, 2]);
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["distribution"]["5"], 2);
        assert_eq!(json["distribution"]["2"], 0);
        let empty = RatingSummary::of([], 3);
        assert_eq!((empty.count, empty.average, empty.distribution.len()), (0, None, 3));
        // A score from a larger scale, given before the setting changed, still counts.
        assert_eq!(RatingSummary::of([9], 5).distribution.get(&9), Some(&1));
    }
}
