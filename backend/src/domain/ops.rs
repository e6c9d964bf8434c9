//! What the operations endpoints ask of the application.

use crate::state::AppState;

/// The process can serve requests: it is not handing over (SIGTERM) and its database answers.
pub async fn ready(state: &AppState) -> bool {
    !state.lifecycle.is_draining() && crate::store::ping(&state.db).await
}
