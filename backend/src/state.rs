//! What every handler can reach: the database, the configuration, the signing keys, the login
//! limiter and the metrics registry. Cheap to clone.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::domain::auth::LoginLimiter;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: DatabaseConnection,
    pub config: Config,
    pub jwt: JwtKeys,
    pub login_limiter: LoginLimiter,
    pub metrics: Metrics,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Connects, migrates and loads the signing keys.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = crate::store::connect(&config).await?;
        crate::store::migrate(&db).await?;
        let jwt = JwtKeys::load(config.jwt_secret.as_deref(), &config.data_dir)?;
        let login_limiter = LoginLimiter::new(config.login_limit_per_ip, config.login_limit_per_email);
        Ok(Self(Arc::new(Inner { db, config, jwt, login_limiter, metrics: Metrics::new() })))
    }
}
