//! How many WebSockets each user holds open: past the limit a new one is refused (429), so one
//! account cannot pin unbounded server memory with sockets (review #20).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use shared::UserId;

#[derive(Clone, Default)]
pub struct SocketSlots {
    open: Arc<Mutex<HashMap<UserId, usize>>>,
}

/// One open socket; gives its slot back when dropped (the socket ended).
pub struct SocketSlot {
    open: Arc<Mutex<HashMap<UserId, usize>>>,
    user: UserId,
}

impl SocketSlots {
    /// A slot for one more socket of `user`, unless they already hold `max`.
    pub fn claim(&self, user: UserId, max: usize) -> Option<SocketSlot> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(user).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(SocketSlot { open: self.open.clone(), user })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.user) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_user_and_given_back() {
        let slots = SocketSlots::default();
        let first = slots.claim(UserId(1), 2);
        let second = slots.claim(UserId(1), 2);
        assert!(first.is_some() && second.is_some());
        assert!(slots.claim(UserId(1), 2).is_none(), "over the limit");
        assert!(slots.claim(UserId(2), 2).is_some(), "another user has their own");
        drop(first);
        assert!(slots.claim(UserId(1), 2).is_some(), "a closed socket gives its slot back");
    }
}
