//! DialogFlow's access: a Google service-account key traded for an OAuth2 access token with the
//! JWT bearer grant (RFC 7523: an RS256 assertion signed with the key, posted to its `token_uri`).
//! detectIntent (ES and CX) will reuse the token.

use serde::{Deserialize, Serialize};
use shared::validate::Invalid;

use super::{ProviderError, read};
use crate::domain::outbound_url;

pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
pub const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

/// The fields of a service-account key file this client uses.
#[derive(Clone, Deserialize)]
pub struct ServiceAccount {
    pub client_email: String,
    pub private_key: String,
    #[serde(default)]
    pub token_uri: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccount").field("client_email", &self.client_email).finish_non_exhaustive()
    }
}

impl ServiceAccount {
    /// The key file's text, when it is one: JSON with a `client_email` and an RSA `private_key` in PEM.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let account: ServiceAccount = serde_json::from_str(raw).map_err(|_| Invalid::NotServiceAccount)?;
        if account.client_email.trim().is_empty() || signing_key(&account.private_key).is_none() {
            return Err(Invalid::NotServiceAccount);
        }
        Ok(account)
    }

    pub fn token_uri(&self) -> &str {
        self.token_uri.as_deref().filter(|u| !u.trim().is_empty()).unwrap_or(DEFAULT_TOKEN_URI)
    }
}

/// The key in PEM (Google's files hold PKCS#8, `BEGIN PRIVATE KEY`; PKCS#1 is taken too) as
/// jsonwebtoken wants it (PKCS#1 DER: its PEM reader is a feature with two more crates).
fn signing_key(pem: &str) -> Option<jsonwebtoken::EncodingKey> {
    use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
    use rsa::pkcs8::DecodePrivateKey;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem.trim())
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem.trim()))
        .ok()?;
    let der = key.to_pkcs1_der().ok()?;
    Some(jsonwebtoken::EncodingKey::from_rsa_der(der.as_bytes()))
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AccessToken {
    pub access_token: String,
    /// Seconds from now.
    #[serde(default)]
    pub expires_in: u64,
}

/// Trades the key for an access token at its `token_uri` (checked by the SSRF guard like any URL
/// a tenant chooses: the key file says where it goes).
pub async fn access_token(
    http: &reqwest::Client,
    account: &ServiceAccount,
    allow_private_urls: bool,
) -> Result<AccessToken, ProviderError> {
    let token_uri = account.token_uri();
    outbound_url::check_literal(token_uri, allow_private_urls)?;
    let now = chrono::Utc::now().timestamp();
    let claims = Claims { iss: &account.client_email, scope: SCOPE, aud: token_uri, iat: now, exp: now + 3600 };
    let key = signing_key(&account.private_key)
        .ok_or(ProviderError::NotConfigured("the service-account key does not hold an RSA private key"))?;
    let assertion = jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256), &claims, &key)
        .map_err(|_| ProviderError::NotConfigured("the service-account key cannot sign"))?;
    // The assertion is base64url and dots: nothing in it needs escaping in a form body.
    let body = format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}");
    let response = http
        .post(token_uri)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    let body = read(response).await?;
    serde_json::from_str(&body).map_err(|_| ProviderError::Rejected("the answer holds no access_token".to_owned()))
}
