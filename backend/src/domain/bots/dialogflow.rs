//! DialogFlow as a bot: detectIntent (ES or CX) with a session per ticket; the fulfilment
//! messages are the replies, and the end of the conversation hands the ticket over.
//!
//! ES when the settings name no agent; CX when they name a `location` and an `agent_id`. The
//! access token is cached per company and service account until shortly before it expires; a
//! 401 from detectIntent drops it and the call is tried once more with a fresh one.

use shared::{CompanyId, TicketId};

use super::{BotError, BotInput, BotReply, BotTurn};
use crate::domain::outbound_url;
use crate::domain::settings::{self, DIALOGFLOW_KEY};
use crate::error::AppError;
use crate::integrations::dialogflow::{self, Agent, Detected, Fulfilment, ServiceAccount};
use crate::integrations::{self, ProviderError};
use crate::state::AppState;

/// One turn: reads the company's `dialogflow` settings and sealed key, gets (or reuses a cached)
/// access token, calls detectIntent for the session of `input.ticket`.
pub async fn turn(state: &AppState, input: &BotInput<'_>) -> Result<BotTurn, BotError> {
    let sections = settings::sections(&state.db, input.company).await?;
    let stored = sections.dialogflow;
    if !stored.view.enabled {
        return Err(ProviderError::NotConfigured("the DialogFlow integration is switched off in the settings").into());
    }
    let raw = stored
        .open(state, DIALOGFLOW_KEY)?
        .ok_or(ProviderError::NotConfigured("the service-account key is not set"))?;
    let account = ServiceAccount::parse(&raw)
        .map_err(|_| ProviderError::NotConfigured("the service-account key is not readable"))?;
    let view = stored.view;
    let project = Some(view.project_id.as_str())
        .filter(|p| !p.is_empty())
        .or(account.project_id.as_deref())
        .ok_or(ProviderError::NotConfigured("the DialogFlow project id is not set"))?;
    let agent = match (view.location.as_deref(), view.agent_id.as_deref()) {
        (Some(location), Some(agent)) => Agent::Cx { project, location, agent },
        (location, _) => Agent::Es { project, location },
    };
    let allow_private = state.config.allow_private_urls;
    let base = agent.api_base(state.config.dialogflow_api_url.as_deref());
    outbound_url::check_literal(&base, allow_private).map_err(ProviderError::from)?;
    let http = integrations::http_client(allow_private).map_err(|e| AppError::Internal(e.into()))?;
    let session = session_id(input.company, input.ticket);
    let language = view.language.as_str();
    let detect = |token: String| {
        let (http, base, session) = (&http, &base, &session);
        async move { dialogflow::detect_intent(http, base, &agent, session, &token, input.text, language).await }
    };

    if input.text.trim().is_empty() {
        // DialogFlow refuses an empty query; there is nothing to answer.
        return Ok(BotTurn::default());
    }
    let token = dialogflow::cached_token(&http, &account, input.company, allow_private).await?;
    let detected = match detect(token).await {
        Err(ProviderError::Status { status: 401, .. }) => {
            // Revoked, or the key was replaced: one more try with a fresh token.
            dialogflow::forget_token(input.company, &account);
            let token = dialogflow::cached_token(&http, &account, input.company, allow_private).await?;
            detect(token).await?
        }
        other => other?,
    };
    Ok(as_turn(detected))
}

/// One DialogFlow session per ticket; the company is part of it, so two companies sharing an
/// agent never share a conversation (Google caps session ids at 36 characters).
pub fn session_id(company: CompanyId, ticket: TicketId) -> String {
    format!("atende-{}-{}", company.0, ticket.0)
}

fn as_turn(detected: Detected) -> BotTurn {
    let replies = detected
        .messages
        .into_iter()
        .map(|message| match message {
            Fulfilment::Text(text) => BotReply::Text(text),
            Fulfilment::Image { url, caption } => BotReply::Image { url, caption },
        })
        .collect();
    BotTurn { replies, hand_over: detected.end }
}
