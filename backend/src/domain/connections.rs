//! Connections: the WhatsApp numbers (or the simulator) a company receives messages on.

use sea_orm::{IntoActiveModel, Set};
use serde::{Deserialize, Serialize};
use shared::contacts::{Connection, ConnectionKind, ConnectionStatus, NewConnection, UpdateConnection};
use shared::events::Event;
use shared::validate::{Invalid, Name};
use shared::visibility::Audience;
use shared::{ConnectionId, ErrorCode, Page, QueueId};

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::outbound_url;
use crate::domain::page::PageRequest;
use crate::domain::tickets::announce_updated;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::connections;
use crate::store::tickets::TicketsOf;

/// What is kept in the `settings` column; secrets never leave the server.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConnectionSettings {
    pub phone_number_id: Option<String>,
    pub access_token: Option<String>,
    pub app_secret: Option<String>,
    pub verify_token: Option<String>,
    pub graph_base_url: Option<String>,
}

/// A stored connection, as channels receive it from the domain (they never reach the store).
pub type ConnectionRow = connections::Model;

pub fn settings_of(connection: &connections::Model) -> ConnectionSettings {
    serde_json::from_str(&connection.settings).unwrap_or_default()
}

/// The connection's kind, or `None` for a word this build does not know.
pub fn kind_of(connection: &connections::Model) -> ConnectionKind {
    connection.kind.into()
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
pub async fn webhook_target(state: &AppState, id: ConnectionId) -> AppResult<WebhookTarget> {
    let connection = store::connections::get(&state.db, id)
        .await?
        .filter(|c| kind_of(c) == ConnectionKind::CloudApi)
        .ok_or(AppError::NotFound("connection"))?;
    let settings = settings_of(&connection);
    Ok(WebhookTarget { connection, settings })
}

pub fn to_dto(connection: connections::Model) -> Connection {
    let settings = settings_of(&connection);
    Connection {
        id: ConnectionId(connection.id),
        kind: kind_of(&connection),
        name: connection.name,
        status: connection.status.into(),
        status_reason: connection.status_reason,
        qr: connection.qr,
        default_queue_id: connection.default_queue_id.map(QueueId),
        phone_number_id: settings.phone_number_id,
        created_at: connection.created_at,
    }
}

pub async fn find(state: &AppState, caller: &CurrentUser, id: ConnectionId) -> AppResult<connections::Model> {
    store::connections::get_in_company(&state.db, caller.company_id, id).await?.ok_or(AppError::NotFound("connection"))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: ConnectionId) -> AppResult<Connection> {
    find(state, caller, id).await.map(to_dto)
}

pub async fn list(state: &AppState, caller: &CurrentUser, page: PageRequest) -> AppResult<Page<Connection>> {
    let rows = store::connections::page(&state.db, caller.company_id, page.after_id, page.limit).await?;
    Ok(page.finish(rows, |c| c.id, to_dto))
}

async fn check_queue(
    state: &AppState,
    caller: &CurrentUser,
    queue: Option<QueueId>,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    if let Some(queue) = queue
        && store::queues::get_in_company(&state.db, caller.company_id, queue).await?.is_none()
    {
        errors.add("default_queue_id", Invalid::NotInCompany);
    }
    Ok(())
}

fn required(value: &Option<String>, field: &str, errors: &mut FieldErrors) -> Option<String> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Some(v.to_owned()),
        None => {
            errors.add(field, Invalid::RequiredForCloudApi);
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
        ConnectionKind::Simulator => (ConnectionSettings::default(), ConnectionStatus::Connected),
        ConnectionKind::CloudApi => {
            let base = new.graph_base_url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
            // The client calls it with the tenant's token and stores what it answers: no private
            // addresses unless the operator allows them (finding #1).
            if let Some(url) = &base
                && let Err(why) = outbound_url::check(url, state.config.allow_private_urls).await
            {
                errors.add("graph_base_url", Invalid::from(why));
            }
            let settings = ConnectionSettings {
                phone_number_id: required(&new.phone_number_id, "phone_number_id", &mut errors),
                access_token: required(&new.access_token, "access_token", &mut errors),
                app_secret: required(&new.app_secret, "app_secret", &mut errors),
                verify_token: required(&new.verify_token, "verify_token", &mut errors),
                graph_base_url: base,
            };
            (settings, ConnectionStatus::Connected)
        }
        ConnectionKind::WhatsappWeb => (ConnectionSettings::default(), ConnectionStatus::Disconnected),
    };
    let Some(name) = name else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result()?;
    let settings = serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.into()))?;
    let row = store::connections::NewConnectionRow {
        company_id: caller.company_id,
        name: name.as_str(),
        kind: new.kind,
        status,
        default_queue_id: new.default_queue_id,
        settings: &settings,
    };
    let txn = state.begin().await?;
    let connection = store::connections::insert(&txn, row).await?;
    txn.commit().await?;
    Ok(to_dto(connection))
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
    // Credentials rotate in place (Meta's tokens expire or leak); only Cloud API connections have them.
    let mut settings = settings_of(&connection);
    let rotates = [&change.phone_number_id, &change.access_token, &change.app_secret, &change.verify_token]
        .iter()
        .any(|v| v.is_some())
        || change.graph_base_url.is_some();
    if rotates && kind_of(&connection) != ConnectionKind::CloudApi {
        errors.add("access_token", Invalid::RequiredForCloudApi);
    }
    for (field, value, slot) in [
        ("phone_number_id", &change.phone_number_id, &mut settings.phone_number_id),
        ("access_token", &change.access_token, &mut settings.access_token),
        ("app_secret", &change.app_secret, &mut settings.app_secret),
        ("verify_token", &change.verify_token, &mut settings.verify_token),
    ] {
        if value.is_some() {
            *slot = required(value, field, &mut errors);
        }
    }
    if let Some(base) = change.graph_base_url.as_deref().map(str::trim) {
        settings.graph_base_url = if base.is_empty() { None } else { Some(base.to_owned()) };
        if !base.is_empty()
            && let Err(why) = outbound_url::check(base, state.config.allow_private_urls).await
        {
            errors.add("graph_base_url", Invalid::from(why));
        }
    }
    errors.into_result()?;
    let mut row = connection.into_active_model();
    if let Some(name) = name {
        row.name = Set(name.into_inner());
    }
    if rotates {
        row.settings = Set(serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.into()))?);
    }
    if let Some(queue) = change.default_queue_id {
        row.default_queue_id = Set(queue.map(i64::from));
    }
    let txn = state.begin().await?;
    let connection = store::connections::update(&txn, row).await?;
    let dto = to_dto(connection);
    let mut outbox = Outbox::new();
    outbox.add(&txn, caller.company_id, Audience::Admins, Event::ConnectionUpdated(dto.clone())).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

/// What a channel adapter reports about a connection's link to WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveState {
    pub status: ConnectionStatus,
    /// Why it is in error or disconnected.
    pub reason: Option<String>,
    /// While pairing by QR code: the code's text.
    pub qr: Option<String>,
}

/// Stores a connection's live state and tells the company's admins (`connection.updated`; the QR
/// must reach no one else). `NotFound` when the connection was deleted meanwhile.
pub async fn report_state(state: &AppState, id: ConnectionId, live: LiveState) -> AppResult<Connection> {
    let txn = state.begin().await?;
    let row = store::connections::set_state(&txn, id, live.status, live.reason.as_deref(), live.qr.as_deref())
        .await?
        .ok_or(AppError::NotFound("connection"))?;
    let company = shared::CompanyId(row.company_id);
    let dto = to_dto(row);
    let mut outbox = Outbox::new();
    outbox.add(&txn, company, Audience::Admins, Event::ConnectionUpdated(dto.clone())).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
}

/// Deletes a connection. Its tickets go with it (the foreign keys cascade), so one that has any is
/// deleted only when the caller said its history goes too (review #13).
pub async fn delete(state: &AppState, caller: &CurrentUser, id: ConnectionId, with_history: bool) -> AppResult<()> {
    caller.require_admin()?;
    find(state, caller, id).await?;
    let txn = state.begin().await?;
    let tickets = store::tickets::all_of(&txn, caller.company_id, TicketsOf::Connection(id), false).await?;
    if !tickets.is_empty() && !with_history {
        return Err(AppError::conflict(
            ErrorCode::ConnectionInUse,
            format!(
                "the connection has {} tickets: delete them with it (history=delete) or keep the connection",
                tickets.len()
            ),
        ));
    }
    let ids: Vec<shared::TicketId> = tickets.iter().map(crate::domain::tickets::id_of).collect();
    let files = store::messages::media_paths_of(&txn, caller.company_id, &ids).await?;
    store::connections::delete(&txn, id).await?;
    // Their conversations' live events go with them.
    crate::domain::events::forget(&txn, caller.company_id, &[], &ids).await?;
    let mut outbox = Outbox::new();
    announce_updated(&txn, &mut outbox, &tickets).await?;
    txn.commit().await?;
    outbox.publish(state);
    state.media.remove_all(&files).await;
    Ok(())
}
