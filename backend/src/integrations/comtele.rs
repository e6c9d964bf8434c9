//! Comtele's SMS REST API (v2, https://docs.comtele.com.br): JSON with the key in the `auth-key`
//! header; `POST /send {Sender, Receivers, Content}` sends (receivers comma-separated), `GET
//! /credits` reads the balance. Every answer is `{"Success": bool, "Object": …, "Message": "…"}`.

use serde::{Deserialize, Serialize};

use super::{ProviderError, join, read};

pub struct Comtele {
    pub http: reqwest::Client,
    /// `https://sms.comtele.com.br/api/v2` unless configured otherwise.
    pub base_url: String,
    pub api_key: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SendRequest<'a> {
    sender: &'a str,
    receivers: &'a str,
    content: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    success: bool,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    object: Option<serde_json::Value>,
}

fn parse(body: &str) -> Result<Answer, ProviderError> {
    let answer: Answer = serde_json::from_str(body)
        .map_err(|_| ProviderError::Rejected("the answer is not Comtele's JSON".to_owned()))?;
    if answer.success {
        Ok(answer)
    } else {
        Err(ProviderError::Rejected(answer.message.unwrap_or_else(|| "no reason given".to_owned())))
    }
}

impl Comtele {
    /// Sends `content` to one number (digits only, as Comtele expects); the provider's words on success.
    pub async fn send(&self, sender: &str, number: &str, content: &str) -> Result<String, ProviderError> {
        let body = SendRequest { sender, receivers: number, content };
        let response =
            self.http.post(join(&self.base_url, "send")).header("auth-key", &self.api_key).json(&body).send().await;
        let answer = parse(&read(response).await?)?;
        Ok(answer.message.unwrap_or_else(|| "sent".to_owned()))
    }

    /// The account's balance, as Comtele words it: proves the key is accepted without sending anything.
    pub async fn credits(&self) -> Result<String, ProviderError> {
        let response = self.http.get(join(&self.base_url, "credits")).header("auth-key", &self.api_key).send().await;
        let answer = parse(&read(response).await?)?;
        Ok(match answer.object {
            Some(serde_json::Value::Null) | None => answer.message.unwrap_or_else(|| "key accepted".to_owned()),
            Some(serde_json::Value::String(s)) => format!("credits: {s}"),
            Some(other) => format!("credits: {other}"),
        })
    }
}
