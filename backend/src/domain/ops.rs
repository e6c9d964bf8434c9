//! What the operations endpoints ask of the application.

use crate::state::AppState;

/// The process can serve requests: its database answers.
pub async fn ready(state: &AppState) -> bool {
    crate::store::ping(&state.db).await
}
