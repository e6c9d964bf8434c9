//! The bots that answer a conversation for the agents: Typebot, ChatGPT (any OpenAI-compatible
//! chat completions) and DialogFlow (ES and CX). Each provider module turns one customer message
//! into a `BotTurn`; the engine here decides when a bot runs, stores and sends its replies, and
//! hands the ticket over to its queue when the bot says so.

pub mod chatgpt;
pub mod dialogflow;
pub mod engine;
pub mod switches;
pub mod typebot;

use shared::{CompanyId, TicketId};

use crate::error::AppError;
use crate::integrations::ProviderError;

/// One customer message for a bot. The message is already stored in the ticket's thread when
/// a provider is called (ChatGPT reads the recent thread as its context).
#[derive(Debug, Clone)]
pub struct BotInput<'a> {
    pub company: CompanyId,
    pub ticket: TicketId,
    /// The contact's name, for prompts and greetings.
    pub contact_name: &'a str,
    /// What the customer wrote (a caption or a placeholder for media).
    pub text: &'a str,
}

/// One message the bot sends to the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BotReply {
    Text(String),
    /// An image the bot shows, by URL (fetched and sent as a file by the engine).
    Image {
        url: String,
        caption: Option<String>,
    },
}

/// What a bot did with one customer message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BotTurn {
    /// Sent in order.
    pub replies: Vec<BotReply>,
    /// The bot is done (its flow ended, or the model asked for a person): the ticket goes back to
    /// its queue as pending, with a log row.
    pub hand_over: bool,
}

/// Why a bot could not answer. Logged and shown in the thread as a system line; never fails the
/// inbound path.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    App(#[from] AppError),
}
