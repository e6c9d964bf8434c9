//! DialogFlow: a Google service-account key traded for an OAuth2 access token with the JWT
//! bearer grant (RFC 7523: an RS256 assertion signed with the key, posted to its `token_uri`),
//! then detectIntent on an ES agent (v2) or a CX agent (v3) with that token. Tokens are cached
//! per company and account until shortly before they expire.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::CompanyId;
use shared::validate::Invalid;

use super::{ProviderError, join, read};
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

/// A cached token is dropped this long before Google says it expires (clock skew, a slow call).
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TokenKey {
    company: i64,
    client_email: String,
    /// A key file naming another token endpoint is another issuer (and a test's own stand-in).
    token_uri: String,
}

struct CachedToken {
    access_token: String,
    until: Instant,
}

/// Process-wide: every turn of a company's bot reuses one token until it nears expiry.
fn tokens() -> &'static Mutex<HashMap<TokenKey, CachedToken>> {
    static TOKENS: OnceLock<Mutex<HashMap<TokenKey, CachedToken>>> = OnceLock::new();
    TOKENS.get_or_init(Mutex::default)
}

fn token_key(company: CompanyId, account: &ServiceAccount) -> TokenKey {
    TokenKey {
        company: company.0,
        client_email: account.client_email.clone(),
        token_uri: account.token_uri().to_owned(),
    }
}

/// The company's access token for `account`: the cached one while it is fresh, else a new one
/// from the token endpoint (then cached until [`TOKEN_MARGIN`] before its `expires_in`).
pub async fn cached_token(
    http: &reqwest::Client,
    account: &ServiceAccount,
    company: CompanyId,
    allow_private_urls: bool,
) -> Result<String, ProviderError> {
    let key = token_key(company, account);
    let now = Instant::now();
    {
        let cache = tokens().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(cached) = cache.get(&key).filter(|cached| cached.until > now) {
            return Ok(cached.access_token.clone());
        }
    }
    let fresh = access_token(http, account, allow_private_urls).await?;
    let lifetime = Duration::from_secs(fresh.expires_in).saturating_sub(TOKEN_MARGIN);
    let mut cache = tokens().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if lifetime.is_zero() {
        cache.remove(&key);
    } else {
        cache.insert(key, CachedToken { access_token: fresh.access_token.clone(), until: Instant::now() + lifetime });
    }
    Ok(fresh.access_token)
}

/// Drops the cached token (DialogFlow refused it: revoked, or the key changed).
pub fn forget_token(company: CompanyId, account: &ServiceAccount) {
    tokens().lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&token_key(company, account));
}

/// Google's host for DialogFlow ES in the global region, and for CX agents in `global`.
pub const GLOBAL_API: &str = "https://dialogflow.googleapis.com";
/// DialogFlow caps a text query at 256 characters; longer ones are refused with 400.
pub const MAX_QUERY_CHARS: usize = 256;

/// Which agent answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent<'a> {
    /// DialogFlow ES (API v2): the project's one agent, in `location` when given (else global).
    Es { project: &'a str, location: Option<&'a str> },
    /// DialogFlow CX (API v3): an agent in a region.
    Cx { project: &'a str, location: &'a str, agent: &'a str },
}

impl Agent<'_> {
    fn location(&self) -> Option<&str> {
        match self {
            Agent::Es { location, .. } => location.filter(|l| *l != "global"),
            Agent::Cx { location, .. } => Some(*location).filter(|l| *l != "global"),
        }
    }

    /// The API's base: `override_url` (`ATENDE_DIALOGFLOW_API_URL`) or Google's documented host,
    /// regional (`https://{location}-dialogflow.googleapis.com`) outside `global`.
    pub fn api_base(&self, override_url: Option<&str>) -> String {
        if let Some(url) = override_url {
            return url.trim_end_matches('/').to_owned();
        }
        match self.location() {
            Some(location) => format!("https://{location}-dialogflow.googleapis.com"),
            None => GLOBAL_API.to_owned(),
        }
    }

    /// The detectIntent path of `session` (each id checked: they are put in a URL path).
    pub fn detect_intent_path(&self, session: &str) -> Result<String, ProviderError> {
        let ids: Vec<&str> = match self {
            Agent::Es { project, location } => [*project, session].into_iter().chain(*location).collect(),
            Agent::Cx { project, location, agent } => vec![*project, location, agent, session],
        };
        if !ids.iter().all(|id| is_id(id)) {
            return Err(ProviderError::NotConfigured(
                "the DialogFlow project, location or agent id holds characters an id cannot",
            ));
        }
        Ok(match self {
            Agent::Es { project, location: None } => {
                format!("v2/projects/{project}/agent/sessions/{session}:detectIntent")
            }
            Agent::Es { project, location: Some(location) } => {
                format!("v2/projects/{project}/locations/{location}/agent/sessions/{session}:detectIntent")
            }
            Agent::Cx { project, location, agent } => {
                format!("v3/projects/{project}/locations/{location}/agents/{agent}/sessions/{session}:detectIntent")
            }
        })
    }
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && id != ".."
        && id != "."
}

/// One message of the agent's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fulfilment {
    Text(String),
    Image { url: String, caption: Option<String> },
}

/// What detectIntent answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detected {
    pub messages: Vec<Fulfilment>,
    /// The conversation is over (ES: end of conversation or live-agent hand-off on the intent; CX:
    /// an `endInteraction` or `liveAgentHandoff` message).
    pub end: bool,
}

/// `POST {base}/{path}` with the customer's text (cut to [`MAX_QUERY_CHARS`]) and the language.
pub async fn detect_intent(
    http: &reqwest::Client,
    base: &str,
    agent: &Agent<'_>,
    session: &str,
    access_token: &str,
    text: &str,
    language: &str,
) -> Result<Detected, ProviderError> {
    let url = join(base, &agent.detect_intent_path(session)?);
    let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
    let body = match agent {
        Agent::Es { .. } => json!({"queryInput": {"text": {"text": text, "languageCode": language}}}),
        Agent::Cx { .. } => json!({"queryInput": {"text": {"text": text}, "languageCode": language}}),
    };
    let response = http.post(url).bearer_auth(access_token).json(&body).send().await;
    let answer = read(response).await?;
    let answer: Value = serde_json::from_str(&answer)
        .ok()
        .filter(|v: &Value| v["queryResult"].is_object())
        .ok_or_else(|| ProviderError::Rejected("the answer holds no queryResult".to_owned()))?;
    Ok(match agent {
        Agent::Es { .. } => es_detected(&answer["queryResult"]),
        Agent::Cx { .. } => cx_detected(&answer["queryResult"]),
    })
}

fn texts(message: &Value) -> impl Iterator<Item = Fulfilment> + '_ {
    message["text"]["text"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| Fulfilment::Text(t.to_owned()))
}

fn non_empty(value: &Value) -> Option<String> {
    value.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// ES v2 `QueryResult`: the default platform's `fulfillmentMessages` (text, image, quick
/// replies), else `fulfillmentText`.
fn es_detected(result: &Value) -> Detected {
    let mut messages = Vec::new();
    for message in result["fulfillmentMessages"].as_array().into_iter().flatten() {
        // Messages for Facebook, Slack... repeat the default ones in another form.
        if message["platform"].as_str().is_some_and(|p| p != "PLATFORM_UNSPECIFIED") {
            continue;
        }
        if message["text"].is_object() {
            messages.extend(texts(message));
        } else if let Some(url) = non_empty(&message["image"]["imageUri"]) {
            messages.push(Fulfilment::Image { url, caption: non_empty(&message["image"]["accessibilityText"]) });
        } else if let Some(options) = message["quickReplies"]["quickReplies"].as_array() {
            let mut lines: Vec<String> = non_empty(&message["quickReplies"]["title"]).into_iter().collect();
            lines.extend(options.iter().filter_map(non_empty).map(|option| format!("• {option}")));
            if !lines.is_empty() {
                messages.push(Fulfilment::Text(lines.join("\n")));
            }
        }
    }
    if messages.is_empty()
        && let Some(text) = non_empty(&result["fulfillmentText"])
    {
        messages.push(Fulfilment::Text(text));
    }
    let intent = &result["intent"];
    let end = result["diagnosticInfo"]["end_conversation"] == Value::Bool(true)
        || intent["endInteraction"] == Value::Bool(true)
        || intent["liveAgentHandoff"] == Value::Bool(true);
    Detected { messages, end }
}

/// CX v3 `QueryResult`: the text `responseMessages` (those for no particular channel); an
/// `endInteraction` or `liveAgentHandoff` message ends the conversation.
fn cx_detected(result: &Value) -> Detected {
    let mut detected = Detected::default();
    for message in result["responseMessages"].as_array().into_iter().flatten() {
        if message.get("endInteraction").is_some() || message.get("liveAgentHandoff").is_some() {
            detected.end = true;
        }
        if non_empty(&message["channel"]).is_some() {
            continue;
        }
        detected.messages.extend(texts(message));
    }
    detected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_hosts_by_region_and_the_override() {
        let es = Agent::Es { project: "p", location: None };
        assert_eq!(es.api_base(None), "https://dialogflow.googleapis.com");
        assert_eq!(es.detect_intent_path("s1").unwrap(), "v2/projects/p/agent/sessions/s1:detectIntent");
        let regional = Agent::Es { project: "p", location: Some("europe-west1") };
        assert_eq!(regional.api_base(None), "https://europe-west1-dialogflow.googleapis.com");
        assert_eq!(
            regional.detect_intent_path("s1").unwrap(),
            "v2/projects/p/locations/europe-west1/agent/sessions/s1:detectIntent"
        );
        let cx = Agent::Cx { project: "p", location: "us-central1", agent: "a-1" };
        assert_eq!(cx.api_base(None), "https://us-central1-dialogflow.googleapis.com");
        assert_eq!(
            cx.detect_intent_path("s1").unwrap(),
            "v3/projects/p/locations/us-central1/agents/a-1/sessions/s1:detectIntent"
        );
        let global = Agent::Cx { project: "p", location: "global", agent: "a" };
        assert_eq!(global.api_base(None), "https://dialogflow.googleapis.com");
        assert_eq!(global.api_base(Some("http://127.0.0.1:9/df/")), "http://127.0.0.1:9/df");
        for bad in ["p/../x", "p?x", "", "..", "a b"] {
            let agent = Agent::Es { project: bad, location: None };
            assert!(agent.detect_intent_path("s").is_err(), "{bad}");
        }
    }

    #[test]
    fn es_answers_read_texts_images_and_the_end() {
        let result = json!({
            "fulfillmentText": "Olá",
            "fulfillmentMessages": [
                {"text": {"text": ["Olá", " "]}},
                {"platform": "FACEBOOK", "text": {"text": ["só no Facebook"]}},
                {"image": {"imageUri": "https://x.test/a.png", "accessibilityText": "Cardápio"}},
                {"quickReplies": {"title": "Escolha", "quickReplies": ["Pedidos", "Preços"]}}
            ],
            "intent": {"displayName": "Default Welcome Intent"}
        });
        let detected = es_detected(&result);
        assert_eq!(
            detected.messages,
            [
                Fulfilment::Text("Olá".into()),
                Fulfilment::Image { url: "https://x.test/a.png".into(), caption: Some("Cardápio".into()) },
                Fulfilment::Text("Escolha\n• Pedidos\n• Preços".into()),
            ]
        );
        assert!(!detected.end);
        let ended = es_detected(&json!({"fulfillmentText": "Tchau", "diagnosticInfo": {"end_conversation": true}}));
        assert_eq!(ended, Detected { messages: vec![Fulfilment::Text("Tchau".into())], end: true });
        assert!(es_detected(&json!({"intent": {"endInteraction": true}})).end);
        assert!(es_detected(&json!({"intent": {"liveAgentHandoff": true}})).end);
    }

    #[test]
    fn cx_answers_read_texts_and_the_end() {
        let result = json!({"responseMessages": [
            {"text": {"text": ["Seu pedido saiu."]}},
            {"text": {"text": ["voz"]}, "channel": "telephony"},
            {"payload": {"x": 1}}
        ]});
        assert_eq!(
            cx_detected(&result),
            Detected { messages: vec![Fulfilment::Text("Seu pedido saiu.".into())], end: false }
        );
        assert!(cx_detected(&json!({"responseMessages": [{"endInteraction": {}}]})).end);
        assert!(cx_detected(&json!({"responseMessages": [{"liveAgentHandoff": {"metadata": {}}}]})).end);
    }
}
