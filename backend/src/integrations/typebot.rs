//! A Typebot server (`{base_url}/api/v1/...`: startChat / continueChat for the bots). The
//! connection test only checks that the server answers: starting a chat would create a session.

use super::{ProviderError, read};

pub struct Typebot {
    pub http: reqwest::Client,
    pub base_url: String,
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
}
