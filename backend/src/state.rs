//! What every handler can reach: the database, the configuration, the signing keys, the login
//! limiter and the metrics registry. Cheap to clone.

use std::sync::Arc;

use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::domain::auth::LoginLimiter;
use crate::error::AppResult;
use crate::metrics::Metrics;
use crate::realtime::Bus;
use crate::store::{WriteTurn, WriteTx};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: DatabaseConnection,
    pub config: Config,
    pub jwt: JwtKeys,
    /// Seals provider credentials kept in the database (`ATENDE_ENCRYPTION_KEY`).
    pub sealer: crate::secrets::Sealer,
    pub login_limiter: LoginLimiter,
    pub metrics: Metrics,
    pub bus: Bus,
    /// Replay reads shared by sockets resuming from the same point.
    pub replays: crate::realtime::replay::Replays,
    /// Where media files live: the data dir, or the object store every instance shares.
    pub media: crate::domain::media::store::MediaStore,
    pub sockets: crate::realtime::slots::SocketSlots,
    /// This process among the instances sharing the database (who holds an outbox claim).
    pub instance_id: String,
    /// Rung after an outbound message is queued, so this instance's outbox sends it at once.
    pub outbox_wake: tokio::sync::Notify,
    /// Serving, draining or leaving (a graceful handover on SIGTERM).
    pub lifecycle: crate::lifecycle::Lifecycle,
    /// The WhatsApp Web sessions this instance runs.
    pub whatsapp_web: crate::channels::whatsapp_web::Sessions,
    /// SQLite has one writer at a time; taking turns here avoids "database is locked" errors when
    /// a transaction that read first tries to write. PostgreSQL needs no such turn.
    write_turn: WriteTurn,
    /// Ticket searches running now (`ATENDE_SEARCH_CONCURRENCY` permits): a burst of searches
    /// cannot take every database connection from the lists (`domain::tickets::list`).
    pub search_slots: Arc<tokio::sync::Semaphore>,
    /// Inbound turns waiting to share a transaction (SQLite; `domain::inbound::group_commit`).
    pub group_commit: crate::domain::inbound::group_commit::GroupCommit,
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
        let sealer = crate::secrets::Sealer::load(config.encryption_key.as_deref(), &config.data_dir)
            .context("loading the encryption key (ATENDE_ENCRYPTION_KEY)")?;
        let login_limiter = LoginLimiter::new(config.login_limit_per_ip, config.login_limit_per_email);
        let write_turn = WriteTurn::for_backend(config.is_sqlite());
        let config_search_slots = config.search_concurrency;
        let media = crate::domain::media::store::MediaStore::new(&config).context("configuring ATENDE_MEDIA_URL")?;
        let bus = match &config.redis_url {
            Some(url) => Bus::with_redis(url, db.clone()).context("configuring Redis (ATENDE_REDIS_URL)")?,
            None => Bus::new(db.clone()),
        };
        let config_fake = config.whatsapp_web_fake;
        let state = Self(Arc::new(Inner {
            db,
            config,
            jwt,
            sealer,
            login_limiter,
            metrics: Metrics::new(),
            bus,
            replays: Default::default(),
            media,
            sockets: Default::default(),
            instance_id: uuid::Uuid::new_v4().simple().to_string(),
            outbox_wake: tokio::sync::Notify::new(),
            lifecycle: Default::default(),
            whatsapp_web: crate::channels::whatsapp_web::Sessions::new(config_fake),
            write_turn,
            search_slots: Arc::new(tokio::sync::Semaphore::new(config_search_slots)),
            group_commit: Default::default(),
        }));
        // Databases from before sealing keep Cloud API credentials in plain text: seal them now.
        crate::domain::connections::seal_legacy(&state).await.context("sealing stored connection credentials")?;
        Ok(state)
    }

    /// Begins a transaction that will write (every store write needs one).
    pub async fn begin(&self) -> AppResult<WriteTx> {
        Ok(WriteTx::begin(&self.db, &self.write_turn).await?)
    }
}
