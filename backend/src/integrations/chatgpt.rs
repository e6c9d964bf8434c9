//! An OpenAI-compatible API (`{base_url}/chat/completions`, `{base_url}/models`) with a bearer key.
//! The connection test lists the models: it proves the key without spending tokens.

use serde::Deserialize;

use super::{ProviderError, join, read};

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

impl Chatgpt {
    /// The ids of the models the key may use.
    pub async fn models(&self) -> Result<Vec<String>, ProviderError> {
        let response = self.http.get(join(&self.base_url, "models")).bearer_auth(&self.api_key).send().await;
        let body = read(response).await?;
        let models: Models = serde_json::from_str(&body)
            .map_err(|_| ProviderError::Rejected("the answer is not a list of models".to_owned()))?;
        Ok(models.data.into_iter().map(|m| m.id).collect())
    }
}
