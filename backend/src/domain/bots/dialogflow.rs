//! DialogFlow as a bot: detectIntent (ES or CX) with a session per ticket; the fulfilment
//! messages are the replies, and the end of the conversation hands the ticket over.

use super::{BotError, BotInput, BotTurn};
use crate::integrations::ProviderError;
use crate::state::AppState;

/// One turn: reads the company's `dialogflow` settings and sealed key, gets (or reuses a cached)
/// access token, calls detectIntent for the session of `input.ticket`.
pub async fn turn(_state: &AppState, _input: &BotInput<'_>) -> Result<BotTurn, BotError> {
    Err(BotError::Provider(ProviderError::NotConfigured("the DialogFlow bot is not built yet")))
}
