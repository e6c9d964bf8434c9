//! An OpenAI-compatible API (`{base_url}/chat/completions`, `{base_url}/models`) with a bearer key.
//! The connection test lists the models: it proves the key without spending tokens. The bot calls
//! chat completions with one tool, `transfer_to_human`, that the model calls to hand the
//! conversation to a person.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ProviderError, excerpt, join, read};

pub struct Chatgpt {
    pub http: reqwest::Client,
    /// `https://api.openai.com/v1` or any compatible server.
    pub base_url: String,
    pub api_key: String,
}

#[derive(Deserialize)]
struct Models {
    data: Vec<Model>,
}

#[derive(Deserialize)]
struct Model {
    id: String,
}

/// The tool the model calls to hand the conversation to a person.
pub const HAND_OVER_TOOL: &str = "transfer_to_human";

/// Who says a message in the conversation sent to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

/// One chat-completions call: the conversation and the sampling settings.
#[derive(Debug, Clone)]
pub struct ChatRequest<'a> {
    pub model: &'a str,
    pub messages: &'a [ChatMessage],
    pub temperature: f64,
    pub max_tokens: u32,
}

/// What the model answered: its text (if any) and whether it called `transfer_to_human`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatAnswer {
    /// The assistant's text, trimmed; `None` when it said nothing.
    pub text: Option<String>,
    /// `Some` when the model called the hand-over tool, with the reason it gave.
    pub hand_over: Option<HandOver>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandOver {
    pub reason: Option<String>,
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: AnswerMessage,
}

#[derive(Deserialize)]
struct AnswerMessage {
    #[serde(default)]
    content: Option<String>,
    /// Newer models may decline with a refusal instead of content; it is still words for the customer.
    #[serde(default)]
    refusal: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCall>>,
}

#[derive(Deserialize)]
struct ToolCall {
    #[serde(default)]
    function: Option<FunctionCall>,
}

#[derive(Deserialize)]
struct FunctionCall {
    name: String,
    /// A JSON object serialised as a string (the model may also produce invalid JSON).
    #[serde(default)]
    arguments: Option<String>,
}

/// The `tools` entry offering the hand-over.
pub fn hand_over_tool() -> Value {
    json!({
        "type": "function",
        "function": {
            "name": HAND_OVER_TOOL,
            "description": "Hand the conversation to a human agent of the company. Call it when the customer asks \
                for a person, or when you cannot help with the request.",
            "parameters": {
                "type": "object",
                "properties": {
                    "reason": {"type": "string", "description": "Why a person should take over, in a few words."}
                },
                "required": []
            }
        }
    })
}

impl Chatgpt {
    /// The ids of the models the key may use.
    pub async fn models(&self) -> Result<Vec<String>, ProviderError> {
        let response = self.http.get(join(&self.base_url, "models")).bearer_auth(&self.api_key).send().await;
        let body = read(response).await.map_err(|e| self.redact(e))?;
        let models: Models = serde_json::from_str(&body)
            .map_err(|_| ProviderError::Rejected("the answer is not a list of models".to_owned()))?;
        Ok(models.data.into_iter().map(|m| m.id).collect())
    }

    /// `POST {base_url}/chat/completions` with the hand-over tool offered (`tool_choice: auto`).
    pub async fn complete(&self, request: &ChatRequest<'_>) -> Result<ChatAnswer, ProviderError> {
        let body = json!({
            "model": request.model,
            "messages": request.messages,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "tools": [hand_over_tool()],
            "tool_choice": "auto",
        });
        let response = self
            .http
            .post(join(&self.base_url, "chat/completions"))
            .bearer_auth(&self.api_key)
            .json(&body)
            .send()
            .await
            .map_err(ProviderError::from_reqwest)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        let text = response.text().await.map_err(ProviderError::from_reqwest)?;
        if !status.is_success() {
            let said = error_message(&text);
            let message = match status.as_u16() {
                // Retry-After is seconds or an HTTP date.
                429 => match retry_after {
                    Some(wait) if wait.chars().all(|c| c.is_ascii_digit()) => {
                        format!("rate limited (retry after {wait} s): {said}")
                    }
                    Some(when) => format!("rate limited (retry after {when}): {said}"),
                    None => format!("rate limited: {said}"),
                },
                401 => format!("the API key was refused: {said}"),
                _ => said,
            };
            return Err(self.redact(ProviderError::Status { status: status.as_u16(), message }));
        }
        let completion: Completion = serde_json::from_str(&text)
            .map_err(|_| ProviderError::Rejected("the answer is not a chat completion".to_owned()))?;
        let message = completion
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| ProviderError::Rejected("the answer holds no choice".to_owned()))?
            .message;
        let text = message
            .content
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .or_else(|| message.refusal.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()));
        let hand_over = message
            .tool_calls
            .unwrap_or_default()
            .into_iter()
            .filter_map(|call| call.function)
            .find(|function| function.name == HAND_OVER_TOOL)
            .map(|function| HandOver { reason: reason_of(function.arguments.as_deref()) });
        Ok(ChatAnswer { text, hand_over })
    }

    /// A provider may echo the key in its error (a compatible server quoting the header): it never
    /// leaves this client.
    fn redact(&self, error: ProviderError) -> ProviderError {
        let key = self.api_key.trim();
        match error {
            ProviderError::Status { status, message } if !key.is_empty() && message.contains(key) => {
                ProviderError::Status { status, message: message.replace(key, "***") }
            }
            other => other,
        }
    }
}

/// OpenAI's error body is `{"error": {"message": ...}}`; anything else is quoted.
fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(excerpt))
        .unwrap_or_else(|| excerpt(body))
}

fn reason_of(arguments: Option<&str>) -> Option<String> {
    let arguments: Value = serde_json::from_str(arguments?).ok()?;
    arguments["reason"].as_str().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty())
}
