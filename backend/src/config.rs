//! Configuration: defaults overridden by `ATENDE_*` environment variables. Secrets are never logged.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Clone)]
pub struct Config {
    /// `ATENDE_BIND`, default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// `ATENDE_DATA_DIR`, default `./data`: the SQLite database, the JWT secret, media files.
    pub data_dir: PathBuf,
    /// `ATENDE_DATABASE_URL`, default SQLite in the data dir.
    pub database_url: String,
    /// `ATENDE_REDIS_URL`; unset means events travel in-process.
    pub redis_url: Option<String>,
    /// `ATENDE_JWT_SECRET`; unset means a random secret generated once and kept in the data dir.
    pub jwt_secret: Option<String>,
    /// `ATENDE_ENCRYPTION_KEY`: seals provider credentials kept in the database (API keys, access
    /// tokens, WhatsApp Web sessions); unset means a random key generated once and kept in the data dir.
    pub encryption_key: Option<String>,
    /// `ATENDE_STATIC_DIR`, default `./frontend/dist`: the built SPA.
    pub static_dir: PathBuf,
    /// `ATENDE_PUBLIC_URL`: where browsers and providers reach this server (the Cloud API webhook
    /// URL shown to admins); unset means `http://<ATENDE_BIND>`. See [`Config::public_url`].
    pub public_url: Option<String>,
    /// `ATENDE_LOG_FORMAT`: `human` (default) or `json`.
    pub log_format: LogFormat,
    /// `ATENDE_ACCESS_TOKEN_TTL_SECS`, default 900.
    pub access_token_ttl: Duration,
    /// `ATENDE_REFRESH_TOKEN_TTL_DAYS`, default 30.
    pub refresh_token_ttl: Duration,
    /// `ATENDE_LOGIN_LIMIT_PER_IP`: login attempts per minute from one address, default 30.
    pub login_limit_per_ip: u32,
    /// `ATENDE_LOGIN_LIMIT_PER_EMAIL`: login attempts per minute for one e-mail from one address, default 10.
    pub login_limit_per_email: u32,
    /// `ATENDE_MAX_BODY_BYTES`: the largest JSON body accepted, default 1 MiB.
    pub max_body_bytes: usize,
    /// `ATENDE_ALLOW_PRIVATE_URLS`, default `false`: whether provider URLs a tenant sets (the Cloud
    /// API's `graph_base_url`, the media links it hands out) may be plain `http` and point at
    /// loopback or private addresses. Only for tests and on-premise providers: on, a tenant admin can
    /// make the server fetch from its own network.
    pub allow_private_urls: bool,
    /// `ATENDE_WHATSAPP_WEB_FAKE`, default false. TESTS ONLY: WhatsApp Web connections use a fake
    /// that shows a pairing QR instead of reaching WhatsApp.
    pub whatsapp_web_fake: bool,
    /// `ATENDE_WS_RECHECK_SECS`, default 30: how often an open WebSocket re-checks that its token,
    /// session and user still hold (logout, password reset, deletion, role or queue changes).
    pub ws_recheck: Duration,
    /// `ATENDE_EVENT_RETENTION_HOURS`, default 72: live events older than this are pruned; a client
    /// resuming from before them is told to reload instead (close code 4002).
    pub event_retention: Duration,
    /// `ATENDE_TRUSTED_PROXIES`: addresses or networks (`10.0.0.0/8,127.0.0.1`) of the reverse
    /// proxies in front of the server. Only from them is `X-Forwarded-For` believed when telling
    /// who a client is (the login limiter); empty by default: the peer address is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `ATENDE_WS_MAX_PER_USER`, default 20: open WebSockets one user may hold (tabs, phones).
    pub ws_max_per_user: usize,
    /// `ATENDE_REFRESH_GRACE_SECS`, default 30: a refresh token presented again this soon after
    /// its first use (two tabs refreshing at once, an answer lost on the way) gets a new pair
    /// instead of ending the session; later, a reuse is taken for theft. 0 turns the grace off.
    pub refresh_grace: Duration,
    /// `ATENDE_OUTBOX_RETRY_SECS`, default `2,10,60,300`: how long an outbound message waits
    /// before each new try after a provider's transient error; past the last, it is failed.
    pub outbox_retry_delays: Vec<Duration>,
    /// How often an idle outbox looks for work another instance queued (its own wakes it at once).
    pub outbox_poll: Duration,
    /// `ATENDE_OUTBOX_LEASE_SECS`, default 30: how long a claimed send stays with its instance
    /// unless renewed. The instance renews it while the provider call runs, so only a dead
    /// instance's claim runs out, and its conversation waits at most this long.
    pub outbox_lease: Duration,
    /// `ATENDE_SCHEDULE_LATE_SECS`, default 60: a scheduled message sent this long after its time
    /// is marked late (the server was down, or busy, when it was due).
    pub schedule_late_after: Duration,
    /// `ATENDE_MEDIA_URL`: where media files live. Unset: under the data dir; `s3://bucket/prefix`:
    /// in an S3-compatible object store shared by every instance.
    pub media: MediaStorage,
    /// `ATENDE_SHUTDOWN_GRACE_SECS`, default 20: on SIGTERM, how long the instance may take to
    /// hand over (drain, finish requests and sends, close sockets) before it exits anyway.
    pub shutdown_grace: Duration,
    /// `ATENDE_SHUTDOWN_DRAIN_SECS`, default 5 (within the grace period): on SIGTERM, how long
    /// `/readyz` answers 503 while requests are still served, so a load balancer stops sending
    /// new ones before the listener closes.
    pub shutdown_drain: Duration,
    /// `ATENDE_WEBHOOK_RETRY_BASE_SECS`, default 10: the wait after an outgoing webhook's first
    /// failed attempt, doubled after each next one (at most an hour).
    pub webhook_retry_base: Duration,
    /// `ATENDE_WEBHOOK_MAX_ATTEMPTS`, default 8: attempts per delivery before it is failed.
    pub webhook_max_attempts: u32,
    /// `ATENDE_WEBHOOK_DISABLE_AFTER`, default 10: failed attempts in a row after which a webhook
    /// is switched off (an admin switches it on again).
    pub webhook_disable_after: u32,
    /// `ATENDE_DIALOGFLOW_API_URL`: replaces Google's DialogFlow hosts (`dialogflow.googleapis.com`,
    /// `{location}-dialogflow.googleapis.com`) for detectIntent; for tests and proxies. Still
    /// checked by the SSRF guard.
    pub dialogflow_api_url: Option<String>,
    /// `ATENDE_SEARCH_CONCURRENCY`, default 4: ticket searches one instance runs at once; past
    /// them a search waits briefly, then is answered 503 with `Retry-After` (never queued long).
    pub search_concurrency: usize,
    /// `ATENDE_DATABASE_POOL`: connections in the database pool; unset, 8 for a SQLite file and
    /// 16 for PostgreSQL (see `store::pool_size`).
    pub database_pool: Option<u32>,
}

/// Where media files are kept (`ATENDE_MEDIA_URL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaStorage {
    /// `DATA_DIR/media/...`: one machine only.
    DataDir,
    S3(S3Storage),
}

/// An S3-compatible bucket. The endpoint, region and credentials come from the usual variables:
/// `ATENDE_S3_ENDPOINT` (or `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`; unset means AWS itself),
/// `AWS_REGION` (or `AWS_DEFAULT_REGION`, default `us-east-1`), `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (unset: the instance's or container's role).
#[derive(Clone, PartialEq, Eq)]
pub struct S3Storage {
    pub bucket: String,
    /// Put before every key (`prefix/media/<company>/<uuid>`); empty for none.
    pub prefix: String,
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
    /// `ATENDE_S3_ALLOW_HTTP`, default `false`: a plain `http://` endpoint (a store on loopback
    /// or a private network) is refused unless this is on.
    pub allow_http: bool,
}

impl std::fmt::Debug for S3Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Storage")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| "***"))
            .field("session_token", &self.session_token.as_ref().map(|_| "***"))
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

impl S3Storage {
    /// `s3://bucket` or `s3://bucket/some/prefix`, the rest from the usual variables.
    fn from_lookup(url: &str, lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let bad = |reason: &str| ConfigError { var: "ATENDE_MEDIA_URL", reason: format!("`{url}` {reason}") };
        let rest = url.trim().strip_prefix("s3://").ok_or_else(|| bad("is not s3://bucket/prefix"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !bucket_ok {
            return Err(bad("does not name a bucket (3 to 63 lower-case letters, digits, dots and dashes)"));
        }
        let segments: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
        if segments.iter().any(|s| *s == "." || *s == ".." || s.chars().any(|c| c.is_control())) {
            return Err(bad("has a prefix with `.`, `..` or control characters"));
        }
        let endpoint = lookup("ATENDE_S3_ENDPOINT")
            .or_else(|| lookup("AWS_ENDPOINT_URL_S3"))
            .or_else(|| lookup("AWS_ENDPOINT_URL"))
            .map(|e| e.trim().trim_end_matches('/').to_owned());
        let allow_http = flag(lookup, "ATENDE_S3_ALLOW_HTTP", false)?;
        if let Some(endpoint) = &endpoint {
            let http = endpoint.starts_with("http://");
            if !(http || endpoint.starts_with("https://")) {
                return Err(ConfigError {
                    var: "ATENDE_S3_ENDPOINT",
                    reason: format!("`{endpoint}` is not an http:// or https:// URL"),
                });
            }
            if http && !allow_http {
                return Err(ConfigError {
                    var: "ATENDE_S3_ENDPOINT",
                    reason: format!("`{endpoint}` is plain http: set ATENDE_S3_ALLOW_HTTP=true to allow it"),
                });
            }
        }
        let access_key_id = lookup("AWS_ACCESS_KEY_ID");
        let secret_access_key = lookup("AWS_SECRET_ACCESS_KEY");
        if access_key_id.is_some() != secret_access_key.is_some() {
            return Err(ConfigError {
                var: "AWS_SECRET_ACCESS_KEY",
                reason: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together".into(),
            });
        }
        Ok(Self {
            bucket: bucket.to_owned(),
            prefix: segments.join("/"),
            endpoint,
            region: lookup("AWS_REGION").or_else(|| lookup("AWS_DEFAULT_REGION")).unwrap_or_else(|| "us-east-1".into()),
            access_key_id,
            secret_access_key,
            session_token: lookup("AWS_SESSION_TOKEN"),
            allow_http,
        })
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("database", &redact_url(&self.database_url))
            .field("redis", &self.redis_url.as_deref().map(redact_url))
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("encryption_key", &self.encryption_key.as_ref().map(|_| "***"))
            .field("static_dir", &self.static_dir)
            .field("log_format", &self.log_format)
            .field("allow_private_urls", &self.allow_private_urls)
            .field("whatsapp_web_fake", &self.whatsapp_web_fake)
            .field("media", &self.media)
            .finish_non_exhaustive()
    }
}

/// `scheme://user:password@host/db` → `scheme://host/db`, so URLs can be logged.
pub fn redact_url(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, _)), Some(at)) => format!("{scheme}://{}", &url[at + 1..]),
        _ => url.to_owned(),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

impl Config {
    /// `ATENDE_PUBLIC_URL` without a trailing `/`, or `http://<ATENDE_BIND>`.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.bind),
        }
    }

    /// Defaults rooted at `data_dir`, with nothing read from the environment.
    pub fn with_data_dir(data_dir: impl AsRef<Path>) -> Self {
        let data_dir = data_dir.as_ref().to_path_buf();
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: sqlite_url(&data_dir),
            data_dir,
            redis_url: None,
            jwt_secret: None,
            encryption_key: None,
            static_dir: PathBuf::from("frontend/dist"),
            public_url: None,
            log_format: LogFormat::Human,
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            login_limit_per_ip: 30,
            login_limit_per_email: 10,
            max_body_bytes: 1024 * 1024,
            allow_private_urls: false,
            whatsapp_web_fake: false,
            ws_recheck: Duration::from_secs(30),
            event_retention: Duration::from_secs(72 * 3600),
            trusted_proxies: Vec::new(),
            ws_max_per_user: 20,
            refresh_grace: Duration::from_secs(30),
            outbox_retry_delays: [2, 10, 60, 300].map(Duration::from_secs).to_vec(),
            outbox_poll: Duration::from_secs(1),
            outbox_lease: Duration::from_secs(30),
            schedule_late_after: Duration::from_secs(60),
            media: MediaStorage::DataDir,
            shutdown_grace: Duration::from_secs(20),
            shutdown_drain: Duration::from_secs(5),
            webhook_retry_base: Duration::from_secs(10),
            webhook_max_attempts: 8,
            webhook_disable_after: 10,
            dialogflow_api_url: None,
            search_concurrency: 4,
            database_pool: None,
        }
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads variables through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let data_dir = lookup("ATENDE_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("data"));
        let mut config = Self::with_data_dir(&data_dir);
        if let Some(bind) = lookup("ATENDE_BIND") {
            config.bind = bind.parse().map_err(|_| ConfigError {
                var: "ATENDE_BIND",
                reason: format!("`{bind}` is not an address like 127.0.0.1:8080"),
            })?;
        }
        if let Some(url) = lookup("ATENDE_DATABASE_URL") {
            if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(ConfigError {
                    var: "ATENDE_DATABASE_URL",
                    reason: "must start with sqlite:, postgres:// or postgresql://".into(),
                });
            }
            config.database_url = url;
        }
        config.redis_url = lookup("ATENDE_REDIS_URL");
        config.jwt_secret = lookup("ATENDE_JWT_SECRET");
        if let Some(secret) = &config.jwt_secret
            && secret.len() < 32
        {
            return Err(ConfigError { var: "ATENDE_JWT_SECRET", reason: "must have at least 32 characters".into() });
        }
        config.encryption_key = lookup("ATENDE_ENCRYPTION_KEY");
        if let Some(key) = &config.encryption_key
            && key.len() < 32
        {
            return Err(ConfigError {
                var: "ATENDE_ENCRYPTION_KEY",
                reason: "must have at least 32 characters".into(),
            });
        }
        if let Some(url) = lookup("ATENDE_PUBLIC_URL") {
            let url = url.trim().trim_end_matches('/').to_owned();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError {
                    var: "ATENDE_PUBLIC_URL",
                    reason: "must start with http:// or https://".into(),
                });
            }
            config.public_url = Some(url);
        }
        if let Some(dir) = lookup("ATENDE_STATIC_DIR") {
            config.static_dir = PathBuf::from(dir);
        }
        if let Some(format) = lookup("ATENDE_LOG_FORMAT") {
            config.log_format = match format.as_str() {
                "json" => LogFormat::Json,
                "human" | "text" => LogFormat::Human,
                other => {
                    return Err(ConfigError {
                        var: "ATENDE_LOG_FORMAT",
                        reason: format!("`{other}` is not human or json"),
                    });
                }
            };
        }
        config.access_token_ttl = Duration::from_secs(number(&lookup, "ATENDE_ACCESS_TOKEN_TTL_SECS", 900)?);
        config.refresh_token_ttl =
            Duration::from_secs(number(&lookup, "ATENDE_REFRESH_TOKEN_TTL_DAYS", 30)? * 24 * 3600);
        config.login_limit_per_ip = number(&lookup, "ATENDE_LOGIN_LIMIT_PER_IP", 30)?;
        config.login_limit_per_email = number(&lookup, "ATENDE_LOGIN_LIMIT_PER_EMAIL", 10)?;
        config.max_body_bytes = number(&lookup, "ATENDE_MAX_BODY_BYTES", 1024 * 1024)?;
        config.allow_private_urls = flag(&lookup, "ATENDE_ALLOW_PRIVATE_URLS", false)?;
        config.whatsapp_web_fake = flag(&lookup, "ATENDE_WHATSAPP_WEB_FAKE", false)?;
        config.ws_recheck = Duration::from_secs(number(&lookup, "ATENDE_WS_RECHECK_SECS", 30)?.max(1));
        config.event_retention = Duration::from_secs(number(&lookup, "ATENDE_EVENT_RETENTION_HOURS", 72)? * 3600);
        config.ws_max_per_user = number(&lookup, "ATENDE_WS_MAX_PER_USER", 20)?;
        config.refresh_grace = match lookup("ATENDE_REFRESH_GRACE_SECS").as_deref().map(str::trim) {
            Some("0") => Duration::ZERO,
            _ => Duration::from_secs(number(&lookup, "ATENDE_REFRESH_GRACE_SECS", 30)?),
        };
        if let Some(list) = lookup("ATENDE_OUTBOX_RETRY_SECS") {
            config.outbox_retry_delays = list
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| {
                    item.parse::<u64>().map(Duration::from_secs).map_err(|_| ConfigError {
                        var: "ATENDE_OUTBOX_RETRY_SECS",
                        reason: format!("`{item}` is not a number of seconds (give a list like 2,10,60)"),
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        config.schedule_late_after = Duration::from_secs(number(&lookup, "ATENDE_SCHEDULE_LATE_SECS", 60)?);
        config.outbox_lease = Duration::from_secs(number(&lookup, "ATENDE_OUTBOX_LEASE_SECS", 30)?.max(1));
        config.shutdown_grace = Duration::from_secs(number(&lookup, "ATENDE_SHUTDOWN_GRACE_SECS", 20)?);
        config.shutdown_drain =
            Duration::from_secs(number(&lookup, "ATENDE_SHUTDOWN_DRAIN_SECS", 5)?).min(config.shutdown_grace);
        config.webhook_retry_base = Duration::from_secs(number(&lookup, "ATENDE_WEBHOOK_RETRY_BASE_SECS", 10)?.max(1));
        config.webhook_max_attempts = number(&lookup, "ATENDE_WEBHOOK_MAX_ATTEMPTS", 8)?.max(1);
        config.webhook_disable_after = number(&lookup, "ATENDE_WEBHOOK_DISABLE_AFTER", 10)?.max(1);
        config.search_concurrency = number(&lookup, "ATENDE_SEARCH_CONCURRENCY", 4)?;
        if lookup("ATENDE_DATABASE_POOL").is_some() {
            config.database_pool = Some(number(&lookup, "ATENDE_DATABASE_POOL", 1)?);
        }
        if let Some(list) = lookup("ATENDE_TRUSTED_PROXIES") {
            config.trusted_proxies = list
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| {
                    item.parse::<ipnet::IpNet>()
                        .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| ConfigError {
                            var: "ATENDE_TRUSTED_PROXIES",
                            reason: format!("`{item}` is not an address or a network like 10.0.0.0/8"),
                        })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(url) = lookup("ATENDE_MEDIA_URL") {
            config.media = MediaStorage::S3(S3Storage::from_lookup(&url, &lookup)?);
        }
        if let Some(url) = lookup("ATENDE_DIALOGFLOW_API_URL") {
            let url = url.trim().trim_end_matches('/').to_owned();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError {
                    var: "ATENDE_DIALOGFLOW_API_URL",
                    reason: "must start with http:// or https://".into(),
                });
            }
            config.dialogflow_api_url = Some(url);
        }
        Ok(config)
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("atende.db").display())
}

fn number<T: std::str::FromStr + PartialOrd + From<u8>>(
    lookup: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match lookup(var) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<T>() {
            Ok(value) if value > T::from(0) => Ok(value),
            _ => Err(ConfigError { var, reason: format!("`{raw}` is not a positive whole number") }),
        },
    }
}

fn flag(lookup: &impl Fn(&str) -> Option<String>, var: &'static str, default: bool) -> Result<bool, ConfigError> {
    match lookup(var) {
        None => Ok(default),
        Some(raw) => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(ConfigError { var, reason: format!("`{raw}` is not true or false") }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_put_sqlite_in_the_data_dir() {
        let config = from(&[("ATENDE_DATA_DIR", "/tmp/x")]).map_err(|e| e.to_string());
        let config = config.as_ref().map(|c| (c.database_url.clone(), c.bind.to_string(), c.is_sqlite()));
        assert_eq!(config, Ok(("sqlite:///tmp/x/atende.db?mode=rwc".into(), "127.0.0.1:8080".into(), true)));
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, value) in [
            ("ATENDE_BIND", "nope"),
            ("ATENDE_DATABASE_URL", "mysql://x"),
            ("ATENDE_LOG_FORMAT", "xml"),
            ("ATENDE_JWT_SECRET", "short"),
            ("ATENDE_LOGIN_LIMIT_PER_IP", "0"),
            ("ATENDE_DATABASE_POOL", "0"),
            ("ATENDE_MAX_BODY_BYTES", "-3"),
            ("ATENDE_ALLOW_PRIVATE_URLS", "maybe"),
            ("ATENDE_MEDIA_URL", "/var/media"),
            ("ATENDE_MEDIA_URL", "s3://"),
            ("ATENDE_MEDIA_URL", "s3://Bad_Bucket/x"),
            ("ATENDE_MEDIA_URL", "s3://bucket/../x"),
            ("ATENDE_DIALOGFLOW_API_URL", "dialogflow.example.com"),
        ] {
            match from(&[(var, value)]) {
                Err(error) => assert_eq!(error.var, var),
                Ok(_) => panic!("{var}={value} should be refused"),
            }
        }
    }

    #[test]
    fn private_urls_are_refused_unless_the_operator_allows_them() {
        let allowed = |vars: &[(&str, &str)]| from(vars).map(|c| c.allow_private_urls).map_err(|e| e.to_string());
        assert_eq!(allowed(&[]), Ok(false));
        assert_eq!(allowed(&[("ATENDE_ALLOW_PRIVATE_URLS", "true")]), Ok(true));
        assert_eq!(allowed(&[("ATENDE_ALLOW_PRIVATE_URLS", "1")]), Ok(true));
        assert_eq!(allowed(&[("ATENDE_ALLOW_PRIVATE_URLS", "FALSE")]), Ok(false));
    }

    #[test]
    fn media_goes_to_the_data_dir_unless_a_bucket_is_named() {
        assert_eq!(from(&[]).map(|c| c.media).map_err(|e| e.to_string()), Ok(MediaStorage::DataDir));
        let s3 = |vars: &[(&str, &str)]| match from(vars) {
            Ok(Config { media: MediaStorage::S3(s3), .. }) => Ok(s3),
            Ok(other) => panic!("{vars:?} gave {:?}", other.media),
            Err(error) => Err((error.var, error.reason)),
        };
        let plain = s3(&[("ATENDE_MEDIA_URL", "s3://atende-media")]).expect("a bucket alone");
        assert_eq!(
            (plain.bucket.as_str(), plain.prefix.as_str(), plain.region.as_str()),
            ("atende-media", "", "us-east-1")
        );
        assert_eq!((plain.endpoint, plain.access_key_id, plain.allow_http), (None, None, false));
        let local = s3(&[
            ("ATENDE_MEDIA_URL", "s3://media.example/prod//atende/"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/"),
            ("ATENDE_S3_ALLOW_HTTP", "true"),
            ("AWS_DEFAULT_REGION", "sa-east-1"),
            ("AWS_ACCESS_KEY_ID", "key"),
            ("AWS_SECRET_ACCESS_KEY", "do-not-print-me"),
        ])
        .expect("an S3-compatible store on loopback");
        assert_eq!(local.prefix, "prod/atende");
        assert_eq!(local.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(local.region, "sa-east-1");
        assert!(!format!("{local:?}").contains("do-not-print-me"));
        let refused = s3(&[("ATENDE_MEDIA_URL", "s3://bucket"), ("ATENDE_S3_ENDPOINT", "http://10.0.0.5:9000")]);
        assert_eq!(refused.map_err(|e| e.0), Err("ATENDE_S3_ENDPOINT"), "plain http needs ATENDE_S3_ALLOW_HTTP");
        let half = s3(&[("ATENDE_MEDIA_URL", "s3://bucket"), ("AWS_ACCESS_KEY_ID", "key")]);
        assert_eq!(half.map_err(|e| e.0), Err("AWS_SECRET_ACCESS_KEY"));
    }

    #[test]
    fn urls_are_redacted_for_logs() {
        assert_eq!(redact_url("postgres://u:secret@db:5432/atende"), "postgres://db:5432/atende");
        assert_eq!(redact_url("redis://127.0.0.1/"), "redis://127.0.0.1/");
        let mut config = Config::with_data_dir("d");
        config.jwt_secret = Some("do-not-print-me-0123456789abcdef".into());
        config.encryption_key = Some("do-not-print-me-either-0123456789".into());
        config.database_url = "postgres://u:hunter2@db/atende".into();
        let printed = format!("{config:?}");
        assert!(!printed.contains("do-not-print-me") && !printed.contains("hunter2"), "{printed}");
    }
}
