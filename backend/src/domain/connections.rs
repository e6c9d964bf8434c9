//! Connections: the WhatsApp numbers (or the simulator) a company receives messages on.

use sea_orm::{IntoActiveModel, Set};
use serde::{Deserialize, Serialize};
use shared::contacts::{
    Connection, ConnectionDeleted, ConnectionKind, ConnectionStatus, ConnectionTest, NewConnection, UpdateConnection,
};
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
use crate::secrets::{OpenError, Sealer};
use crate::state::AppState;
use crate::store;
use crate::store::entities::connections;
use crate::store::tickets::TicketsOf;

/// The purposes the Cloud API secrets are sealed under (a value sealed for one does not open as
/// the other).
const ACCESS_TOKEN: &str = "connections.access_token";
const APP_SECRET: &str = "connections.app_secret";

/// What is kept in the `settings` column; secrets never leave the server. The access token and the
/// app secret are kept sealed with `state.sealer` (rows written before sealing existed hold them in
/// plain text until their next write, or the startup pass [`seal_legacy`]): read them through
/// [`ConnectionSettings::access_token`] and [`ConnectionSettings::app_secret`], the one place they open.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct ConnectionSettings {
    pub phone_number_id: Option<String>,
    access_token: Option<String>,
    app_secret: Option<String>,
    pub verify_token: Option<String>,
    pub graph_base_url: Option<String>,
}

impl std::fmt::Debug for ConnectionSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionSettings")
            .field("phone_number_id", &self.phone_number_id)
            .field("access_token_set", &self.access_token.is_some())
            .field("app_secret_set", &self.app_secret.is_some())
            .field("graph_base_url", &self.graph_base_url)
            .finish_non_exhaustive()
    }
}

/// A stored secret in plain text: a sealed one opened, a legacy plain one as it is.
fn open_secret(sealer: &Sealer, purpose: &str, value: &Option<String>) -> Result<Option<String>, OpenError> {
    match value {
        None => Ok(None),
        Some(plain) if !Sealer::is_sealed(plain) => Ok(Some(plain.clone())),
        Some(sealed) => sealer.open_str(purpose, sealed).map(Some),
    }
}

fn seal_secret(sealer: &Sealer, purpose: &str, plain: &str) -> AppResult<String> {
    sealer.seal_str(purpose, plain).map_err(AppError::Internal)
}

impl ConnectionSettings {
    /// The Cloud API access token, opened.
    pub fn access_token(&self, sealer: &Sealer) -> Result<Option<String>, OpenError> {
        open_secret(sealer, ACCESS_TOKEN, &self.access_token)
    }

    /// The app secret that signs webhooks, opened.
    pub fn app_secret(&self, sealer: &Sealer) -> Result<Option<String>, OpenError> {
        open_secret(sealer, APP_SECRET, &self.app_secret)
    }

    fn set_access_token(&mut self, sealer: &Sealer, plain: Option<String>) -> AppResult<()> {
        self.access_token = plain.map(|p| seal_secret(sealer, ACCESS_TOKEN, &p)).transpose()?;
        Ok(())
    }

    fn set_app_secret(&mut self, sealer: &Sealer, plain: Option<String>) -> AppResult<()> {
        self.app_secret = plain.map(|p| seal_secret(sealer, APP_SECRET, &p)).transpose()?;
        Ok(())
    }

    /// Seals the secrets still kept in plain text (rows from before sealing); true when any was.
    fn seal_plain(&mut self, sealer: &Sealer) -> AppResult<bool> {
        let mut changed = false;
        for (purpose, slot) in [(ACCESS_TOKEN, &mut self.access_token), (APP_SECRET, &mut self.app_secret)] {
            if let Some(plain) = slot.as_deref().filter(|v| !Sealer::is_sealed(v)) {
                *slot = Some(seal_secret(sealer, purpose, plain)?);
                changed = true;
            }
        }
        Ok(changed)
    }

    fn to_json(&self) -> AppResult<String> {
        serde_json::to_string(self).map_err(|e| AppError::Internal(e.into()))
    }
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
    /// Opened once; empty when none is stored or it does not open (then nothing verifies).
    app_secret: String,
}

impl WebhookTarget {
    /// The token Meta's subscription handshake must show (empty: nobody matches).
    pub fn verify_token(&self) -> &str {
        self.settings.verify_token.as_deref().unwrap_or_default()
    }

    /// The key of `X-Hub-Signature-256` (empty: nothing verifies).
    pub fn app_secret(&self) -> &str {
        &self.app_secret
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
    let app_secret = match settings.app_secret(&state.sealer) {
        Ok(secret) => secret.unwrap_or_default(),
        Err(error) => {
            tracing::error!(connection = connection.id, %error, "the app secret does not open: webhooks are refused");
            String::new()
        }
    };
    Ok(WebhookTarget { connection, settings, app_secret })
}

/// The URL Meta's dashboard must call for connection `id`.
pub fn webhook_url(state: &AppState, id: ConnectionId) -> String {
    format!("{}/webhooks/whatsapp/{id}", state.config.public_url())
}

/// The connection as admins see it (the verify token included; see [`for_caller`]).
pub fn to_dto(state: &AppState, connection: connections::Model) -> Connection {
    let settings = settings_of(&connection);
    let kind = kind_of(&connection);
    let cloud = kind == ConnectionKind::CloudApi;
    let id = ConnectionId(connection.id);
    Connection {
        id,
        kind,
        name: connection.name,
        status: connection.status.into(),
        status_reason: connection.status_reason,
        qr: connection.qr,
        default_queue_id: connection.default_queue_id.map(QueueId),
        phone_number_id: settings.phone_number_id,
        created_at: connection.created_at,
        access_token_set: settings.access_token.is_some(),
        app_secret_set: settings.app_secret.is_some(),
        verify_token: settings.verify_token,
        graph_base_url: settings.graph_base_url,
        webhook_url: cloud.then(|| webhook_url(state, id)),
        default_bot: connection.default_bot.map(Into::into),
    }
}

/// Agents and supervisors see connections (filters, starting a conversation) but not what
/// configures them.
fn for_caller(caller: &CurrentUser, mut dto: Connection) -> Connection {
    if !caller.is_admin() {
        dto.verify_token = None;
        dto.qr = None;
    }
    dto
}

/// Seals the Cloud API secrets of rows written before sealing existed (run at startup); returns
/// how many rows it sealed. Idempotent: sealed rows are left alone.
pub async fn seal_legacy(state: &AppState) -> AppResult<usize> {
    let mut sealed = 0;
    for row in store::connections::all(&state.db).await? {
        let mut settings = settings_of(&row);
        if !settings.seal_plain(&state.sealer)? {
            continue;
        }
        let json = settings.to_json()?;
        let mut active = row.into_active_model();
        active.settings = Set(json);
        let txn = state.begin().await?;
        store::connections::update(&txn, active).await?;
        txn.commit().await?;
        sealed += 1;
    }
    if sealed > 0 {
        tracing::info!(sealed, "sealed the credentials of connections stored before sealing");
    }
    Ok(sealed)
}

pub async fn find(state: &AppState, caller: &CurrentUser, id: ConnectionId) -> AppResult<connections::Model> {
    store::connections::get_in_company(&state.db, caller.company_id, id).await?.ok_or(AppError::NotFound("connection"))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: ConnectionId) -> AppResult<Connection> {
    let row = find(state, caller, id).await?;
    Ok(for_caller(caller, to_dto(state, row)))
}

pub async fn list(state: &AppState, caller: &CurrentUser, page: PageRequest) -> AppResult<Page<Connection>> {
    let rows = store::connections::page(&state.db, caller.company_id, page.after_id, page.limit).await?;
    Ok(page.finish(rows, |c| c.id, |row| for_caller(caller, to_dto(state, row))))
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
            let mut settings = ConnectionSettings {
                phone_number_id: required(&new.phone_number_id, "phone_number_id", &mut errors),
                verify_token: required(&new.verify_token, "verify_token", &mut errors),
                graph_base_url: base,
                ..Default::default()
            };
            settings.set_access_token(&state.sealer, required(&new.access_token, "access_token", &mut errors))?;
            settings.set_app_secret(&state.sealer, required(&new.app_secret, "app_secret", &mut errors))?;
            (settings, ConnectionStatus::Connected)
        }
        ConnectionKind::WhatsappWeb => (ConnectionSettings::default(), ConnectionStatus::Disconnected),
    };
    let Some(name) = name else {
        return Err(AppError::Invalid(errors));
    };
    errors.into_result()?;
    let settings = settings.to_json()?;
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
    let connection = match new.default_bot {
        None => connection,
        Some(bot) => {
            let mut row = connection.into_active_model();
            row.default_bot = Set(Some(bot.into()));
            store::connections::update(&txn, row).await?
        }
    };
    let dto = to_dto(state, connection);
    let mut outbox = Outbox::new();
    outbox.add(&txn, caller.company_id, Audience::Admins, Event::ConnectionUpdated(dto.clone())).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(dto)
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
        ("verify_token", &change.verify_token, &mut settings.verify_token),
    ] {
        if value.is_some() {
            *slot = required(value, field, &mut errors);
        }
    }
    if change.access_token.is_some() {
        settings.set_access_token(&state.sealer, required(&change.access_token, "access_token", &mut errors))?;
    }
    if change.app_secret.is_some() {
        settings.set_app_secret(&state.sealer, required(&change.app_secret, "app_secret", &mut errors))?;
    }
    // A row from before sealing is sealed on its next write.
    let unsealed = settings.seal_plain(&state.sealer)?;
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
    if rotates || unsealed {
        row.settings = Set(settings.to_json()?);
    }
    if let Some(queue) = change.default_queue_id {
        row.default_queue_id = Set(queue.map(i64::from));
    }
    if let Some(bot) = change.default_bot {
        row.default_bot = Set(bot.map(Into::into));
    }
    let txn = state.begin().await?;
    let connection = store::connections::update(&txn, row).await?;
    let dto = to_dto(state, connection);
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
    let dto = to_dto(state, row);
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
    outbox.add(&txn, caller.company_id, Audience::Admins, Event::ConnectionDeleted(ConnectionDeleted { id })).await?;
    txn.commit().await?;
    outbox.publish(state);
    state.media.remove_all(&files).await;
    Ok(())
}

/// Tries the stored credentials with the provider: a Cloud API number is asked of the Graph API
/// (its answer, or its refusal, in its own words); the simulator is always connected; WhatsApp Web
/// says where its link stands.
pub async fn test(state: &AppState, caller: &CurrentUser, id: ConnectionId) -> AppResult<ConnectionTest> {
    caller.require_admin()?;
    let connection = find(state, caller, id).await?;
    Ok(match kind_of(&connection) {
        ConnectionKind::CloudApi => crate::channels::whatsapp::test_credentials(state, &connection).await,
        ConnectionKind::Simulator => ConnectionTest { ok: true, detail: "the simulator is always connected".into() },
        ConnectionKind::WhatsappWeb => {
            let status = ConnectionStatus::from(connection.status);
            ConnectionTest {
                ok: status == ConnectionStatus::Connected,
                detail: connection.status_reason.unwrap_or_else(|| status.as_str().to_owned()),
            }
        }
    })
}
