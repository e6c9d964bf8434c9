//! ChatGPT as a bot: the company's OpenAI-compatible endpoint answers with the ticket's recent
//! thread as context; a `transfer_to_human` tool call hands the ticket over.

use super::{BotError, BotInput, BotTurn};
use crate::integrations::ProviderError;
use crate::state::AppState;

/// One turn: reads the company's `chatgpt` settings and sealed key, builds the context (system
/// prompt + recent thread within a token budget), calls chat completions with the hand-over tool.
pub async fn turn(_state: &AppState, _input: &BotInput<'_>) -> Result<BotTurn, BotError> {
    Err(BotError::Provider(ProviderError::NotConfigured("the ChatGPT bot is not built yet")))
}
