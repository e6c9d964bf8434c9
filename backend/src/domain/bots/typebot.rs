//! Typebot as a bot: the ticket's first message (after the bot is switched on) starts a session
//! with the published bot; later ones answer its input through continueChat. The session and the
//! options of a pending choice are kept in the ticket's `bot_state`, so the contact may answer a
//! choice with its number ("2") or its text. The end of the flow (no further input), or the
//! configured hand-over keyword, hands the ticket over.

use serde::{Deserialize, Serialize};
use shared::tickets::BotKind;

use super::{BotError, BotInput, BotReply, BotTurn};
use crate::integrations::typebot::{Bubble, ChatAnswer, Typebot};
use crate::integrations::{ProviderError, http_client};
use crate::state::AppState;
use crate::store;

/// What the ticket keeps between turns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypebotState {
    pub session_id: String,
    /// The options of the choice the bot waits on (empty for other inputs).
    #[serde(default)]
    pub choices: Vec<String>,
}

pub async fn turn(state: &AppState, input: &BotInput<'_>) -> Result<BotTurn, BotError> {
    let sections = crate::domain::settings::sections(&state.db, input.company).await?;
    let settings = sections.typebot.view;
    if !settings.enabled {
        return Err(ProviderError::NotConfigured("Typebot is switched off in the settings").into());
    }
    if is_keyword(&settings.handover_keyword, input.text) {
        return Ok(BotTurn { replies: Vec::new(), hand_over: true });
    }
    let allow_private = state.config.allow_private_urls;
    crate::domain::outbound_url::check_literal(&settings.base_url, allow_private).map_err(ProviderError::from)?;
    let http = http_client(allow_private).map_err(|e| crate::error::AppError::Internal(e.into()))?;
    let client = Typebot { http, base_url: settings.base_url.clone() };
    let ticket = store::tickets::get_in_company(&state.db, input.company, input.ticket)
        .await
        .map_err(crate::error::AppError::from)?
        .ok_or(crate::error::AppError::NotFound("ticket"))?;
    let saved: Option<TypebotState> = ticket.bot_state.as_deref().and_then(|raw| serde_json::from_str(raw).ok());
    let (session_id, answer) = match saved {
        None => start(&client, &settings.public_id).await?,
        Some(saved) => {
            let text = pick(&saved.choices, input.text);
            match client.continue_chat(&saved.session_id, &text).await {
                Ok(answer) => (saved.session_id, answer),
                // The session expired on Typebot's side: the contact starts over.
                Err(ProviderError::Status { status: 404, .. }) => start(&client, &settings.public_id).await?,
                Err(other) => return Err(other.into()),
            }
        }
    };
    let next = answer.input.as_ref().map(|input| TypebotState { session_id, choices: input.choices.clone() });
    let raw =
        next.as_ref().map(serde_json::to_string).transpose().map_err(|e| crate::error::AppError::Internal(e.into()))?;
    let tx = state.begin().await?;
    store::bots::save_state(&tx, input.ticket, BotKind::Typebot.into(), raw)
        .await
        .map_err(crate::error::AppError::from)?;
    tx.commit().await.map_err(crate::error::AppError::from)?;
    Ok(to_turn(answer))
}

async fn start(client: &Typebot, public_id: &str) -> Result<(String, ChatAnswer), ProviderError> {
    let answer = client.start_chat(public_id).await?;
    Ok((answer.session_id.clone().unwrap_or_default(), answer))
}

/// The contact's answer as Typebot expects it: an option's number becomes the option's text.
pub fn pick(choices: &[String], text: &str) -> String {
    let trimmed = text.trim().trim_end_matches(['.', ')']);
    match trimmed.parse::<usize>() {
        Ok(n) if (1..=choices.len()).contains(&n) => choices[n - 1].clone(),
        _ => text.trim().to_owned(),
    }
}

/// Whether the whole message is the hand-over keyword (no case, accents or end punctuation).
pub fn is_keyword(keyword: &str, text: &str) -> bool {
    let fold = |s: &str| -> String {
        s.trim()
            .trim_end_matches(['.', '!', '?'])
            .chars()
            .flat_map(char::to_lowercase)
            .map(|c| match c {
                'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'í' | 'ì' | 'î' | 'ï' => 'i',
                'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
                'ú' | 'ù' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                other => other,
            })
            .collect()
    };
    let keyword = fold(keyword);
    !keyword.is_empty() && fold(text) == keyword
}

/// Bubbles as replies; a choice's options follow as numbered lines; no input left hands over.
fn to_turn(answer: ChatAnswer) -> BotTurn {
    let mut replies: Vec<BotReply> = answer
        .bubbles
        .into_iter()
        .map(|bubble| match bubble {
            Bubble::Text(text) => BotReply::Text(text),
            Bubble::Image(url) => BotReply::Image { url, caption: None },
        })
        .collect();
    if let Some(input) = &answer.input
        && !input.choices.is_empty()
    {
        let options: Vec<String> = input.choices.iter().enumerate().map(|(i, c)| format!("{}. {c}", i + 1)).collect();
        replies.push(BotReply::Text(options.join("\n")));
    }
    BotTurn { replies, hand_over: answer.input.is_none() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::typebot::Input;

    #[test]
    fn numbers_pick_options_and_text_passes_through() {
        let choices = vec!["Sim".to_owned(), "Não".to_owned()];
        assert_eq!(pick(&choices, " 2 "), "Não");
        assert_eq!(pick(&choices, "1."), "Sim");
        assert_eq!(pick(&choices, "3"), "3");
        assert_eq!(pick(&choices, "sim"), "sim");
        assert_eq!(pick(&[], "1"), "1");
    }

    #[test]
    fn the_keyword_is_the_whole_message_without_case_or_accents() {
        assert!(is_keyword("atendente", " Atendênte! "));
        assert!(!is_keyword("atendente", "quero um atendente"));
        assert!(!is_keyword("", ""));
    }

    #[test]
    fn choices_are_numbered_and_the_end_hands_over() {
        let answer = ChatAnswer {
            session_id: None,
            bubbles: vec![Bubble::Text("Continuar?".into())],
            input: Some(Input { kind: "choice input".into(), choices: vec!["Sim".into(), "Não".into()] }),
        };
        let turn = to_turn(answer);
        assert_eq!(turn.replies, [BotReply::Text("Continuar?".into()), BotReply::Text("1. Sim\n2. Não".into())]);
        assert!(!turn.hand_over);
        assert!(to_turn(ChatAnswer { session_id: None, bubbles: vec![], input: None }).hand_over);
    }
}
