//! Who may see a ticket and the events about it: one rule, used by the REST checks, the SQL
//! filter (which a test compares with this function), the WebSocket filter and the SPA's lists.

use crate::auth::Role;
use crate::ids::{QueueId, UserId};
use crate::tickets::{Ticket, TicketStatus};

/// Where a ticket stands, as far as visibility goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketPlace {
    pub status: TicketStatus,
    pub queue_id: Option<QueueId>,
    pub user_id: Option<UserId>,
}

impl TicketPlace {
    pub fn of(ticket: &Ticket) -> Self {
        Self {
            status: ticket.status,
            queue_id: ticket.queue.as_ref().map(|q| q.id),
            user_id: ticket.user.as_ref().map(|u| u.id),
        }
    }
}

/// Who an event is for: the whole company, or whoever may see the ticket it concerns (as the
/// ticket stood when the event happened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Company,
    /// The company's admins only (a WhatsApp Web pairing QR: whoever scans it connects their phone
    /// as the company's number).
    Admins,
    /// Admins, supervisors and this one user (what a user wrote that concerns no ticket).
    Person(UserId),
    Ticket(TicketPlace),
}

/// The person looking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: UserId,
    pub role: Role,
    pub queue_ids: Vec<QueueId>,
}

impl Viewer {
    /// Admins and supervisors see every ticket of their company. An agent sees the tickets
    /// assigned to them, and the pending ones waiting in their queues or in no queue.
    pub fn may_see(&self, ticket: &TicketPlace) -> bool {
        if self.role != Role::Agent {
            return true;
        }
        ticket.user_id == Some(self.user_id)
            || (ticket.status == TicketStatus::Pending
                && ticket.queue_id.is_none_or(|queue| self.queue_ids.contains(&queue)))
    }

    pub fn may_receive(&self, audience: &Audience) -> bool {
        match audience {
            Audience::Company => true,
            Audience::Admins => self.role == Role::Admin,
            Audience::Person(user) => self.role != Role::Agent || *user == self.user_id,
            Audience::Ticket(place) => self.may_see(place),
        }
    }

    /// Whether the viewer is limited to part of the company's tickets (then lists need a filter).
    pub fn is_scoped(&self) -> bool {
        self.role == Role::Agent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: UserId = UserId(7);
    const COLLEAGUE: UserId = UserId(8);
    const MY_QUEUE: QueueId = QueueId(2);
    const OTHER_QUEUE: QueueId = QueueId(9);

    fn place(status: TicketStatus, queue: Option<QueueId>, user: Option<UserId>) -> TicketPlace {
        TicketPlace { status, queue_id: queue, user_id: user }
    }

    #[test]
    fn the_rule_as_a_table() {
        use TicketStatus::*;
        let agent = Viewer { user_id: ME, role: Role::Agent, queue_ids: vec![MY_QUEUE, QueueId(3)] };
        #[rustfmt::skip]
        let table = [
            // (status, queue, user) → an agent sees it?
            (Open,    Some(OTHER_QUEUE), Some(ME),        true,  "assigned to me, any queue"),
            (Closed,  Some(OTHER_QUEUE), Some(ME),        true,  "mine and closed"),
            (Pending, Some(MY_QUEUE),    None,            true,  "waiting in my queue"),
            (Pending, None,              None,            true,  "waiting in no queue"),
            (Pending, Some(OTHER_QUEUE), None,            false, "waiting in another queue"),
            (Open,    Some(MY_QUEUE),    Some(COLLEAGUE), false, "a colleague's, in my queue"),
            (Open,    Some(MY_QUEUE),    None,            false, "open without anyone, in my queue"),
            (Closed,  Some(MY_QUEUE),    None,            false, "closed without anyone, in my queue"),
            (Closed,  None,              Some(COLLEAGUE), false, "a colleague's, closed"),
        ];
        for (status, queue, user, expected, why) in table {
            assert_eq!(agent.may_see(&place(status, queue, user)), expected, "{why}");
        }
        for role in [Role::Admin, Role::Supervisor] {
            let boss = Viewer { user_id: ME, role, queue_ids: vec![] };
            for (status, queue, user, _, why) in table {
                assert!(boss.may_see(&place(status, queue, user)), "{role:?} sees everything: {why}");
            }
            assert!(!boss.is_scoped());
        }
        assert!(agent.is_scoped());
        assert!(agent.may_receive(&Audience::Company));
        assert!(!agent.may_receive(&Audience::Ticket(place(Pending, Some(OTHER_QUEUE), None))));
        assert!(agent.may_receive(&Audience::Person(ME)));
        assert!(!agent.may_receive(&Audience::Person(COLLEAGUE)));
        let boss = Viewer { user_id: ME, role: Role::Supervisor, queue_ids: vec![] };
        assert!(boss.may_receive(&Audience::Person(COLLEAGUE)));
        assert!(!boss.may_receive(&Audience::Admins) && !agent.may_receive(&Audience::Admins));
        let admin = Viewer { user_id: ME, role: Role::Admin, queue_ids: vec![] };
        assert!(admin.may_receive(&Audience::Admins));
    }
}
