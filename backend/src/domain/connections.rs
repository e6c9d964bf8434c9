//! Connections: the WhatsApp numbers (or the simulator) a company receives messages on.

use sea_orm::{IntoActiveModel, Set};
use serde::{Deserialize, Serialize};
use shared::contacts::{Connection, ConnectionKind, NewConnection, UpdateConnection};
use shared::validate::Name;
use shared::{ConnectionId, Page, QueueId};

use crate::auth::CurrentUser;
use crate::domain::outbound_url;
use crate::domain::page::PageRequest;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::connections;

/// What is kept in the `settings` column; secrets never leave the server.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConnectionSettings {
    pub phone_number_id: Option<String>,
    pub access_token: Option<String>,
    pub app_secret: Option<String>,
    pub verify_token: Option<String>,
    pub graph_base_url: Option<String>,
}

pub fn settings_of(connection: &connections::Model) -> ConnectionSettings {
    serde_json::from_str(&connection.settings).unwrap_or_default()
}

/// The connection's kind, or `None` for a word this build does not know.
pub fn kind_of(connection: &connections::Model) -> Option<ConnectionKind> {
    ConnectionKind::parse(&connection.kind)
}

/// A Cloud API connection a webhook is addressed to, with its settings read once.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    pub connection: connections::Model,
    pub settings: ConnectionSettings,
}

impl WebhookTarget {
    /// The token Meta's subscription handshake must show (empty: nobody matches).
    pub fn verify_token(&self) -> &str {
        self.settings.verify_token.as_deref().unwrap_or_default()
    }

    /// The key of `X-Hub-Signature-256` (empty: nothing verifies).
    pub fn app_secret(&self) -> &str {
        self.settings.app_secret.as_deref().unwrap_or_default()
    }
}

/// The Cloud API connection `id`, for its webhook (which carries no user, so no company scope):
/// `NotFound` for any other id or kind.
pub async fn webhook_target(state: &AppState, id: i64) -> AppResult<WebhookTarget> {
    let connection = store::connections::get(&state.db, id)
        .await?
        .filter(|c| kind_of(c) == Some(ConnectionKind::CloudApi))
        .ok_or(AppError::NotFound("connection"))?;
    let settings = settings_of(&connection);
    Ok(WebhookTarget { connection, settings })
}

pub fn to_dto(connection: connections::Model) -> Connection {
    let settings = settings_of(&connection);
    Connection {
        id: ConnectionId(connection.id),
        kind: kind_of(&connection).unwrap_or(ConnectionKind::Simulator),
        name: connection.name,
        status: connection.status,
        default_queue_id: connection.default_queue_id.map(QueueId),
        phone_number_id: settings.phone_number_id,
        created_at: connection.created_at,
    }
}

pub async fn find(state: &AppState, caller: &CurrentUser, id: ConnectionId) -> AppResult<connections::Model> {
    store::connections::get_in_company(&state.db, caller.company_id.0, id.0)
        .await?
        .ok_or(AppError::NotFound("connection"))
}

pub async fn list(state: &AppState, caller: &CurrentUser, page: PageRequest) -> AppResult<Page<Connection>> {
    let rows = store::connections::page(&state.db, caller.company_id.0, page.after_id, page.limit).await?;
    Ok(page.finish(rows, |c| c.id, to_dto))
}

async fn check_queue(
    state: &AppState,
    caller: &CurrentUser,
    queue: Option<QueueId>,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    if let Some(queue) = queue
        && store::queues::get_in_company(&state.db, caller.company_id.0, queue.0).await?.is_none()
    {
        errors.add("default_queue_id", "must be a queue of your company");
    }
    Ok(())
}

fn required(value: &Option<String>, field: &str, errors: &mut FieldErrors) -> Option<String> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Some(v.to_owned()),
        None => {
            errors.add(field, "is required for a cloud_api connection");
            None
        }
    }
}

pub async fn create(state: &AppState, caller: &CurrentUser, new: NewConnection) -> AppResult<Connection> {
    caller.require_admin()?;
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(&new.name));
    check_queue(state, caller, new.default_queue_id, &mut errors).await?;
    let (settings, status) = match new.kind {
        ConnectionKind::Simulator => (ConnectionSettings::default(), "connected"),
        ConnectionKind::CloudApi => {
            let base = new.graph_base_url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
            // The client calls it with the tenant's token and stores what it answers: no private
            // addresses unless the operator allows them (finding #1).
            if let Some(url) = &base
                && let Err(why) = outbound_url::check(url, state.config.allow_private_urls).await
            {
                errors.add("graph_base_url", why.to_string());
            }
            let settings = ConnectionSettings {
                phone_number_id: required(&new.phone_number_id, "phone_number_id", &mut errors),
                access_token: required(&new.access_token, "access_token", &mut errors),
                app_secret: required(&new.app_secret, "app_secret", &mut errors),
                verify_token: required(&new.verify_token, "verify_token", &mut errors),
                graph_base_url: base,
            };
            (settings, "connected")
        }
        ConnectionKind::WhatsappWeb => (ConnectionSettings::default(), "disconnected"),
    };
    let Some(name) = name else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result()?;
    let settings = serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.into()))?;
    let row = store::connections::NewConnectionRow {
        company_id: caller.company_id.0,
        name: name.as_str(),
        kind: new.kind.as_str(),
        status,
        default_queue_id: new.default_queue_id.map(|q| q.0),
        settings: &settings,
    };
    Ok(to_dto(store::connections::insert(&state.db, row).await?))
}

pub async fn update(
    state: &AppState,
    caller: &CurrentUser,
    id: ConnectionId,
    change: UpdateConnection,
) -> AppResult<Connection> {
    caller.require_admin()?;
    let connection = find(state, caller, id).await?;
    let mut errors = FieldErrors::new();
    let name = change.name.as_deref().and_then(|n| errors.check("name", Name::parse(n)));
    if let Some(queue) = change.default_queue_id {
        check_queue(state, caller, queue, &mut errors).await?;
    }
    errors.into_result()?;
    let mut row = connection.into_active_model();
    if let Some(name) = name {
        row.name = Set(name.into_inner());
    }
    if let Some(queue) = change.default_queue_id {
        row.default_queue_id = Set(queue.map(|q| q.0));
    }
    Ok(to_dto(store::connections::update(&state.db, row).await?))
}

pub async fn delete(state: &AppState, caller: &CurrentUser, id: ConnectionId) -> AppResult<()> {
    caller.require_admin()?;
    let connection = find(state, caller, id).await?;
    store::connections::delete(&state.db, connection.id).await?;
    Ok(())
}
