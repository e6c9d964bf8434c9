//! The ticket life cycle as a pure state machine: which action is valid in which state, and what
//! it changes. The server applies the plan in one transaction; the SPA shows exactly the actions
//! [`actions_for`] allows, so the buttons and the API cannot disagree.

use serde::{Deserialize, Serialize};

use crate::ids::{QueueId, UserId};
use crate::tickets::{SystemNoteKind, TicketLogKind, TicketStatus};
use crate::visibility::TicketPlace;

/// What a person can do to a ticket from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketAction {
    Accept,
    Transfer,
    ReturnToQueue,
    Resolve,
    Reopen,
}

impl TicketAction {
    /// In the order the conversation header shows them.
    pub const ALL: [TicketAction; 5] = [
        TicketAction::Accept,
        TicketAction::ReturnToQueue,
        TicketAction::Transfer,
        TicketAction::Resolve,
        TicketAction::Reopen,
    ];

    /// The verb of the 409 message ("a closed ticket cannot be …").
    pub fn past_participle(self) -> &'static str {
        match self {
            TicketAction::Accept => "accepted",
            TicketAction::Transfer => "transferred",
            TicketAction::ReturnToQueue => "returned to the queue",
            TicketAction::Resolve => "resolved",
            TicketAction::Reopen => "reopened",
        }
    }
}

/// An action with its arguments, already checked against the company (targets exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Accept,
    /// To a queue, a user, or both (at least one).
    Transfer {
        queue_id: Option<QueueId>,
        user_id: Option<UserId>,
    },
    ReturnToQueue,
    Resolve,
    Reopen,
}

impl Transition {
    pub fn action(&self) -> TicketAction {
        match self {
            Transition::Accept => TicketAction::Accept,
            Transition::Transfer { .. } => TicketAction::Transfer,
            Transition::ReturnToQueue => TicketAction::ReturnToQueue,
            Transition::Resolve => TicketAction::Resolve,
            Transition::Reopen => TicketAction::Reopen,
        }
    }
}

/// What to do to the ticket's row, its log and its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// The ticket's new place.
    pub place: TicketPlace,
    /// Moves it to the end of its queue (`queued_at = now`).
    pub requeue: bool,
    /// `Some(true)` sets `closed_at = now`, `Some(false)` clears it.
    pub closed: Option<bool>,
    /// Resolving clears the unread counter.
    pub clear_unread: bool,
    pub log: TicketLogKind,
    pub note: SystemNoteKind,
}

/// The action is not valid for a ticket in `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTransition {
    pub from: TicketStatus,
    pub action: TicketAction,
}

impl std::fmt::Display for InvalidTransition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a {} ticket cannot be {}", self.from.as_str(), self.action.past_participle())
    }
}

/// Which actions a ticket in `status` allows.
pub fn allows(status: TicketStatus, action: TicketAction) -> bool {
    use TicketAction::*;
    use TicketStatus::*;
    matches!(
        (status, action),
        (Pending, Accept)
            | (Open | Pending, Transfer)
            | (Open, ReturnToQueue)
            | (Open | Pending, Resolve)
            | (Closed, Reopen)
    )
}

/// The actions to offer for a ticket in `status`, in header order.
pub fn actions_for(status: TicketStatus) -> Vec<TicketAction> {
    TicketAction::ALL.into_iter().filter(|action| allows(status, *action)).collect()
}

/// What `transition` does to `ticket` when `caller` asks for it.
pub fn plan(transition: Transition, ticket: TicketPlace, caller: UserId) -> Result<Change, InvalidTransition> {
    let action = transition.action();
    if !allows(ticket.status, action) {
        return Err(InvalidTransition { from: ticket.status, action });
    }
    let keep =
        |place: TicketPlace, log, note| Change { place, requeue: false, closed: None, clear_unread: false, log, note };
    Ok(match transition {
        Transition::Accept => keep(
            TicketPlace { status: TicketStatus::Open, user_id: Some(caller), ..ticket },
            TicketLogKind::Accepted,
            SystemNoteKind::Accepted,
        ),
        Transition::Transfer { queue_id, user_id } => {
            let queue_id = queue_id.or(ticket.queue_id);
            let (status, requeue) = match user_id {
                Some(_) => (TicketStatus::Open, false),
                // Into a queue without anyone: it waits at the end of that queue.
                None => (TicketStatus::Pending, true),
            };
            Change {
                requeue,
                ..keep(
                    TicketPlace { status, queue_id, user_id },
                    TicketLogKind::Transferred,
                    SystemNoteKind::Transferred,
                )
            }
        }
        Transition::ReturnToQueue => Change {
            requeue: true,
            ..keep(
                TicketPlace { status: TicketStatus::Pending, user_id: None, ..ticket },
                TicketLogKind::Returned,
                SystemNoteKind::Returned,
            )
        },
        Transition::Resolve => Change {
            closed: Some(true),
            clear_unread: true,
            ..keep(
                TicketPlace { status: TicketStatus::Closed, ..ticket },
                TicketLogKind::Resolved,
                SystemNoteKind::Resolved,
            )
        },
        Transition::Reopen => Change {
            closed: Some(false),
            ..keep(
                TicketPlace { status: TicketStatus::Open, user_id: Some(caller), ..ticket },
                TicketLogKind::Reopened,
                SystemNoteKind::Reopened,
            )
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    const ME: UserId = UserId(1);
    const ANA: UserId = UserId(2);
    const SALES: QueueId = QueueId(10);
    const SUPPORT: QueueId = QueueId(11);

    fn at(status: TicketStatus, queue_id: Option<QueueId>, user_id: Option<UserId>) -> TicketPlace {
        TicketPlace { status, queue_id, user_id }
    }

    #[test]
    fn which_actions_each_status_allows() {
        assert_eq!(actions_for(Pending), [TicketAction::Accept, TicketAction::Transfer, TicketAction::Resolve]);
        assert_eq!(actions_for(Open), [TicketAction::ReturnToQueue, TicketAction::Transfer, TicketAction::Resolve]);
        assert_eq!(actions_for(Closed), [TicketAction::Reopen]);
    }

    #[test]
    fn plans_as_a_table() {
        let to_ana = Transition::Transfer { queue_id: None, user_id: Some(ANA) };
        let to_support = Transition::Transfer { queue_id: Some(SUPPORT), user_id: None };
        let to_ana_in_support = Transition::Transfer { queue_id: Some(SUPPORT), user_id: Some(ANA) };
        #[rustfmt::skip]
        let table = [
            (Transition::Accept,        at(Pending, Some(SALES), None),     at(Open, Some(SALES), Some(ME)),       false, None),
            (to_ana,                    at(Open, Some(SALES), Some(ME)),    at(Open, Some(SALES), Some(ANA)),      false, None),
            (to_support,                at(Open, Some(SALES), Some(ME)),    at(Pending, Some(SUPPORT), None),      true,  None),
            (to_ana_in_support,         at(Pending, Some(SALES), None),     at(Open, Some(SUPPORT), Some(ANA)),    false, None),
            (Transition::ReturnToQueue, at(Open, Some(SALES), Some(ME)),    at(Pending, Some(SALES), None),        true,  None),
            (Transition::Resolve,       at(Open, Some(SALES), Some(ME)),    at(Closed, Some(SALES), Some(ME)),     false, Some(true)),
            (Transition::Resolve,       at(Pending, None, None),            at(Closed, None, None),                false, Some(true)),
            (Transition::Reopen,        at(Closed, Some(SALES), Some(ANA)), at(Open, Some(SALES), Some(ME)),       false, Some(false)),
        ];
        for (transition, from, to, requeue, closed) in table {
            let change = plan(transition, from, ME).unwrap_or_else(|e| panic!("{transition:?} from {from:?}: {e}"));
            assert_eq!((change.place, change.requeue, change.closed), (to, requeue, closed), "{transition:?}");
            assert_eq!(change.clear_unread, matches!(transition, Transition::Resolve));
        }
    }

    #[test]
    fn refused_transitions_say_why() {
        #[rustfmt::skip]
        let refused = [
            (Transition::Accept,        Open),
            (Transition::Accept,        Closed),
            (Transition::Transfer { queue_id: Some(SALES), user_id: None }, Closed),
            (Transition::ReturnToQueue, Pending),
            (Transition::ReturnToQueue, Closed),
            (Transition::Resolve,       Closed),
            (Transition::Reopen,        Open),
            (Transition::Reopen,        Pending),
        ];
        for (transition, status) in refused {
            let error = plan(transition, at(status, None, None), ME).expect_err("refused");
            assert_eq!(error, InvalidTransition { from: status, action: transition.action() });
        }
        let error = plan(Transition::Resolve, at(Closed, None, None), ME).expect_err("refused");
        assert_eq!(error.to_string(), "a closed ticket cannot be resolved");
    }

    #[test]
    fn every_allowed_action_has_a_plan_and_no_other_does() {
        for status in [Open, Pending, Closed] {
            for action in TicketAction::ALL {
                let transition = match action {
                    TicketAction::Accept => Transition::Accept,
                    TicketAction::Transfer => Transition::Transfer { queue_id: Some(SALES), user_id: None },
                    TicketAction::ReturnToQueue => Transition::ReturnToQueue,
                    TicketAction::Resolve => Transition::Resolve,
                    TicketAction::Reopen => Transition::Reopen,
                };
                assert_eq!(plan(transition, at(status, None, None), ME).is_ok(), allows(status, action));
            }
        }
    }
}
