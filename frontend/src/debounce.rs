//! The one debounce of the app: a burst of calls runs the action once, a delay after the last
//! call, with the last call's argument (search boxes, "mark read", dashboard and counter reloads).
//!
//! leptos-use's `use_debounce_fn` does the same; it is not in the offline registry here and would
//! bring a large dependency tree for these few lines.

use std::time::Duration;

use leptos::prelude::*;

/// `action` wrapped so that it runs `delay` after calls stop coming. A run still pending when the
/// calling component goes away is dropped.
pub fn debounce<A: 'static>(
    delay: Duration,
    action: impl Fn(A) + 'static,
) -> impl Fn(A) + Copy + Send + Sync + 'static {
    let action = StoredValue::new_local(action);
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    on_cleanup(move || {
        if let Some(handle) = pending.try_get_value().flatten() {
            handle.clear();
        }
    });
    move |arg: A| {
        if let Some(handle) = pending.try_get_value().flatten() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                action.try_with_value(|action| action(arg));
            },
            delay,
        );
        pending.try_set_value(handle.ok());
    }
}
