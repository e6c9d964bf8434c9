//! `/queues`: everyone may list them; only administrators change them.

use shared::ids::QueueId;
use shared::org::{NewQueue, Queue, UpdateQueue};

use super::resource::{HasId, Resource};

pub const QUEUES: Resource<Queue, NewQueue, UpdateQueue> = Resource::new("/queues");

impl HasId for Queue {
    type Id = QueueId;
    fn id(&self) -> QueueId {
        self.id
    }
}
