//! A Typebot server's chat API (v1, https://docs.typebot.io/deploy/api/overview): `POST
//! {base}/api/v1/typebots/{publicId}/startChat` starts a session with the published bot, `POST
//! {base}/api/v1/sessions/{sessionId}/continueChat {message: {type: "text", text}}` answers its
//! input. Both answer `{messages: [bubble…], input?}` (startChat adds `sessionId`); a bubble is text
//! (rich text as Slate nodes, or markdown), an image, …; no `input` means the flow ended. The
//! connection test only checks that the server answers: starting a chat would create a session.

use serde_json::{Value, json};

use super::{ProviderError, join, read};

pub struct Typebot {
    pub http: reqwest::Client,
    pub base_url: String,
}

/// One bubble the bot showed, as the engine can send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bubble {
    Text(String),
    Image(String),
}

/// What the bot waits for next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Typebot's block type (`text input`, `choice input`, …).
    pub kind: String,
    /// A choice's options, in order (empty for other inputs).
    pub choices: Vec<String>,
}

/// One answer of the chat API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatAnswer {
    /// startChat's session (continueChat answers keep the one they were sent to).
    pub session_id: Option<String>,
    pub bubbles: Vec<Bubble>,
    /// `None`: the flow ended.
    pub input: Option<Input>,
}

impl Typebot {
    /// Whether the server answers at its base URL (any 2xx; redirects are not followed, so a
    /// server that answers with one is reported as such).
    pub async fn reachable(&self) -> Result<u16, ProviderError> {
        let response = self.http.get(&self.base_url).send().await.map_err(ProviderError::network)?;
        let status = response.status();
        if status.is_success() || status.is_redirection() {
            return Ok(status.as_u16());
        }
        read(Ok(response)).await.map(|_| status.as_u16())
    }

    /// Starts a session with the published bot `public_id`: its first bubbles and input.
    pub async fn start_chat(&self, public_id: &str) -> Result<ChatAnswer, ProviderError> {
        let url = join(&self.base_url, &format!("api/v1/typebots/{}/startChat", segment(public_id)));
        let response = self.http.post(url).json(&json!({})).send().await;
        let answer = parse(&read(response).await?)?;
        if answer.session_id.is_none() {
            return Err(ProviderError::Rejected("startChat answered without a sessionId".to_owned()));
        }
        Ok(answer)
    }

    /// Answers the session's pending input with `text`.
    pub async fn continue_chat(&self, session_id: &str, text: &str) -> Result<ChatAnswer, ProviderError> {
        let url = join(&self.base_url, &format!("api/v1/sessions/{}/continueChat", segment(session_id)));
        let response = self.http.post(url).json(&json!({"message": {"type": "text", "text": text}})).send().await;
        parse(&read(response).await?)
    }
}

/// An id as one path segment (ids are plain, but a stored value must never reach another path).
fn segment(id: &str) -> String {
    id.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect()
}

/// Reads an answer of startChat or continueChat.
pub fn parse(body: &str) -> Result<ChatAnswer, ProviderError> {
    let value: Value = serde_json::from_str(body)
        .map_err(|_| ProviderError::Rejected("the answer is not Typebot's JSON".to_owned()))?;
    let Some(messages) = value.get("messages").and_then(Value::as_array) else {
        return Err(ProviderError::Rejected("the answer has no messages".to_owned()));
    };
    let bubbles = messages.iter().filter_map(bubble).collect();
    let input = value.get("input").filter(|i| i.is_object()).map(|input| {
        let kind = input.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
        let label = if kind == "picture choice input" { "title" } else { "content" };
        let choices = match kind.as_str() {
            "choice input" | "picture choice input" => input
                .get("items")
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|item| item.get(label).and_then(Value::as_str))
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Input { kind, choices }
    });
    let session_id = value.get("sessionId").and_then(Value::as_str).map(str::to_owned);
    Ok(ChatAnswer { session_id, bubbles, input })
}

/// A bubble the engine can send: text (rich text or markdown) and images; others (video, audio,
/// embeds) are sent as their link when they have one.
fn bubble(message: &Value) -> Option<Bubble> {
    let content = message.get("content")?;
    match message.get("type").and_then(Value::as_str)? {
        "text" => {
            let text = match content.get("type").and_then(Value::as_str) {
                Some("markdown") => content.get("markdown").and_then(Value::as_str).unwrap_or_default().to_owned(),
                _ => content.get("richText").map(rich_text).unwrap_or_default(),
            };
            let text = text.trim().to_owned();
            (!text.is_empty()).then_some(Bubble::Text(text))
        }
        "image" => {
            content.get("url").and_then(Value::as_str).filter(|u| !u.is_empty()).map(|u| Bubble::Image(u.to_owned()))
        }
        _ => content.get("url").and_then(Value::as_str).filter(|u| !u.is_empty()).map(|u| Bubble::Text(u.to_owned())),
    }
}

/// Slate rich text as plain text: leaves' text joined, one line per block.
pub fn rich_text(nodes: &Value) -> String {
    match nodes {
        Value::Array(blocks) => blocks.iter().map(rich_text).collect::<Vec<_>>().join("\n"),
        Value::Object(node) => {
            if let Some(text) = node.get("text").and_then(Value::as_str) {
                return text.to_owned();
            }
            let Some(children) = node.get("children").and_then(Value::as_array) else {
                return String::new();
            };
            let is_block = |child: &Value| {
                child.get("children").is_some()
                    && !matches!(
                        child.get("type").and_then(Value::as_str),
                        Some("a" | "inline-variable" | "variable" | "inline")
                    )
            };
            let separator = if children.iter().any(is_block) { "\n" } else { "" };
            children.iter().map(rich_text).collect::<Vec<_>>().join(separator)
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rich_text_becomes_lines_of_plain_text() {
        let rich = json!([
            {"type": "p", "children": [{"text": "Olá, "}, {"text": "Maria", "bold": true}, {"text": "!"}]},
            {"type": "p", "children": [{"text": "Veja "}, {"type": "a", "url": "https://x", "children": [{"text": "o site"}]}]},
            {"type": "ul", "children": [{"type": "li", "children": [{"text": "um"}]}, {"type": "li", "children": [{"text": "dois"}]}]}
        ]);
        assert_eq!(rich_text(&rich), "Olá, Maria!\nVeja o site\num\ndois");
    }

    #[test]
    fn answers_map_to_bubbles_and_choices() {
        let body = json!({
            "sessionId": "s1",
            "messages": [
                {"id": "a", "type": "text", "content": {"type": "richText", "richText": [{"type": "p", "children": [{"text": "Oi"}]}]}},
                {"id": "b", "type": "image", "content": {"url": "https://img/x.png"}},
                {"id": "c", "type": "text", "content": {"type": "markdown", "markdown": "**Ok**"}},
                {"id": "d", "type": "video", "content": {"url": "https://v/1"}}
            ],
            "input": {"id": "i", "type": "choice input", "items": [{"id": "1", "content": "Sim"}, {"id": "2", "content": " Não "}, {"id": "3"}]}
        });
        let answer = parse(&body.to_string()).unwrap();
        assert_eq!(answer.session_id.as_deref(), Some("s1"));
        assert_eq!(
            answer.bubbles,
            [
                Bubble::Text("Oi".into()),
                Bubble::Image("https://img/x.png".into()),
                Bubble::Text("**Ok**".into()),
                Bubble::Text("https://v/1".into())
            ]
        );
        assert_eq!(
            answer.input,
            Some(Input { kind: "choice input".into(), choices: vec!["Sim".into(), "Não".into()] })
        );
        let ended = parse(r#"{"messages": []}"#).unwrap();
        assert_eq!((ended.input, ended.bubbles.len()), (None, 0));
        assert!(parse("<html>").is_err());
    }

    #[test]
    fn ids_stay_one_path_segment() {
        assert_eq!(segment("../admin?x=1"), "adminx1");
        assert_eq!(segment("my-bot_2"), "my-bot_2");
    }
}
