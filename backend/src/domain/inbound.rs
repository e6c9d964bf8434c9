//! The one inbound path every channel uses: contact found or created, ticket found or created
//! per the life cycle, message stored once, events published after commit.

use chrono::{DateTime, Utc};
use serde_json::json;
use shared::events::Event;
use shared::message_meta::MessageMetadata;
use shared::tickets::{MessageKind, MessageStatus, TicketKind, TicketLogKind, TicketStatus};
use shared::validate::Invalid;
use shared::{CompanyId, ConnectionId, ContactId, ErrorCode, MessageId, QueueId, TicketId};

use crate::domain::events::Outbox;
use crate::domain::media;
use crate::domain::messages::{MAX_BODY_CHARS, to_dto};
use crate::domain::phone::PhoneNumber;
use crate::domain::ratings;
use crate::domain::tickets::{already_active_on_race, audience, id_of, summary_with_contact};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::metrics::InboundOutcome;
use crate::state::AppState;
use crate::store;
use crate::store::WriteTx;
use crate::store::entities::connections;

/// A message from a contact, as any channel delivers it. Build one with `..Inbound::default()` so
/// parts added later (like `metadata`) need no change in every channel.
#[derive(Debug, Clone)]
pub struct Inbound {
    /// The sender's number as the provider spells it.
    pub from: String,
    /// How `from` is written.
    pub sender: SenderId,
    pub name: Option<String>,
    /// The WhatsApp group it was written in: (group id, group name).
    pub group: Option<(String, String)>,
    pub kind: MessageKind,
    pub body: String,
    /// The provider's message id: the same id twice is stored once.
    pub external_id: Option<String>,
    pub quoted_external_id: Option<String>,
    /// The file of an image, audio, video, document or sticker, already downloaded.
    pub media: Option<InboundFile>,
    /// A file the provider announced but that could not be fetched (too large, expired, gone).
    pub missing_media: Option<MissingMedia>,
    /// What the message carries beside its text (button payload, reply id, order, shared contacts,
    /// the ad it came from, why its content was not delivered).
    pub metadata: Option<MessageMetadata>,
    pub at: DateTime<Utc>,
}

impl Default for Inbound {
    fn default() -> Self {
        Inbound {
            from: String::new(),
            sender: SenderId::WhatsappId,
            name: None,
            group: None,
            kind: MessageKind::Text,
            body: String::new(),
            external_id: None,
            quoted_external_id: None,
            media: None,
            missing_media: None,
            metadata: None,
            at: Utc::now(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct InboundFile {
    pub bytes: Vec<u8>,
    pub mime: String,
    pub name: Option<String>,
}

/// How a sender is identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderId {
    /// A number as a person types it (the simulator): read like any number an agent types.
    Typed,
    /// A provider's id (WhatsApp's `wa_id`): always international. WhatsApp vouches for it, so one the
    /// phone metadata cannot read is kept as it is rather than dropped.
    WhatsappId,
}

/// What a message says about a file that could not be fetched. The message is stored without the
/// file: `media_url` is null, `media_name` and `media_mime` keep what the provider said, and
/// `error` starts with `MEDIA_UNAVAILABLE` and gives the reason.
#[derive(Debug, Clone)]
pub struct MissingMedia {
    pub name: Option<String>,
    pub mime: Option<String>,
    pub reason: String,
}

/// How the `error` of a message whose file could not be fetched starts.
pub const MEDIA_UNAVAILABLE: &str = "media unavailable";

/// The longest reason kept in a message's `error`.
const MAX_REASON_CHARS: usize = 300;

impl MissingMedia {
    /// The message's `error`: `"media unavailable: <reason>"`.
    pub fn marker(&self) -> String {
        // Shown to agents and stored as text (PostgreSQL refuses NUL): no control characters.
        let reason: String =
            self.reason.chars().take(MAX_REASON_CHARS).map(|c| if c.is_control() { ' ' } else { c }).collect();
        format!("{MEDIA_UNAVAILABLE}: {reason}")
    }
}

/// The contact number of a sender: a typed number must be a valid phone number; a WhatsApp id is
/// read as international (`PhoneNumber::from_whatsapp_id`), and kept as given when it is digits the
/// metadata does not know, so the customer is still answered at the id WhatsApp gave.
pub fn sender_number(raw: &str, sender: SenderId) -> Result<String, shared::validate::Invalid> {
    match sender {
        SenderId::Typed => PhoneNumber::parse(raw).map(PhoneNumber::into_inner),
        SenderId::WhatsappId => PhoneNumber::from_whatsapp_id(raw).map(PhoneNumber::into_inner).or_else(|invalid| {
            let digits = raw.trim();
            let plain = (1..=32).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
            if plain { Ok(digits.to_owned()) } else { Err(invalid) }
        }),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    Stored {
        ticket_id: TicketId,
        message_id: MessageId,
    },
    /// Seen before (the provider retried): nothing changed.
    Duplicate {
        ticket_id: TicketId,
        message_id: MessageId,
    },
    /// The contact is blocked: dropped.
    Blocked,
}

pub async fn receive(state: &AppState, connection: &connections::Model, inbound: Inbound) -> AppResult<Received> {
    let company_id = CompanyId(connection.company_id);
    let sender = sender_number(&inbound.from, inbound.sender).map_err(|e| FieldErrors::one("from", e))?;
    let (number, name, is_group) = match &inbound.group {
        Some((id, name)) => {
            let id = id.trim();
            if id.is_empty() || id.len() > 64 {
                return Err(FieldErrors::one("group.id", Invalid::LengthBetween { min: 1, max: 64 }));
            }
            (id.to_owned(), name.trim().to_owned(), true)
        }
        None => (sender.clone(), inbound.name.clone().unwrap_or_default().trim().to_owned(), false),
    };
    let name = if name.is_empty() { number.clone() } else { name.chars().take(120).collect() };
    // In a group the ticket belongs to the group; each message says who wrote it, as data.
    let participant = is_group.then(|| {
        let who = inbound.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&sender);
        (who.chars().take(120).collect::<String>(), sender.clone())
    });
    let body = inbound.body.clone();

    // The file is stored first; if storing the message fails it is removed again.
    let saved_media = match &inbound.media {
        Some(file) => Some(state.media.save(company_id.0, &file.bytes).await?),
        None => None,
    };
    let mut inbound = inbound;
    if let Some(file) = &mut inbound.media {
        // Saved: only its name and type are stored with the message.
        file.bytes = Vec::new();
    }
    let turn = Turn {
        connection: connection.clone(),
        inbound,
        number,
        name,
        is_group,
        participant,
        body,
        media_path: saved_media.clone(),
    };
    let result = if state.config.is_sqlite() {
        // One writer at a time: concurrent deliveries share a transaction and its fsync.
        group_commit::submit(state, turn).await
    } else {
        let mut result = store_inbound(state, &turn).await;
        // Two first messages of one contact at once (PostgreSQL runs them side by side): the loser
        // of the contact or ticket insert tries again and finds the winner's row, instead of
        // answering the provider an error for a message it could store.
        for _ in 0..3 {
            if !lost_a_race(&result) {
                break;
            }
            result = store_inbound(state, &turn).await;
        }
        result
    };
    if let (Some(path), Ok(Received::Duplicate { .. } | Received::Blocked) | Err(_)) = (&saved_media, &result) {
        state.media.remove(path).await;
    }
    if let Ok(received) = &result {
        state.metrics.inbound(match received {
            Received::Stored { .. } => InboundOutcome::Stored,
            Received::Duplicate { .. } => InboundOutcome::Duplicate,
            Received::Blocked => InboundOutcome::Blocked,
        });
    }
    result
}

/// Whether storing failed only because a concurrent delivery created the same contact or the same
/// active ticket first.
fn lost_a_race(result: &AppResult<Received>) -> bool {
    match result {
        Err(AppError::Conflict { code: ErrorCode::TicketAlreadyActive, .. }) => true,
        Err(AppError::Internal(cause)) => cause
            .downcast_ref::<sea_orm::DbErr>()
            .is_some_and(|e| store::UniqueKey::of(e) == Some(store::UniqueKey::ContactNumber)),
        _ => false,
    }
}

/// One delivery, checked and ready to store: whose ticket it goes to (the contact or the group)
/// and, in a group, who wrote it.
struct Turn {
    connection: connections::Model,
    /// Its file's bytes are already saved (at `media_path`) and dropped.
    inbound: Inbound,
    number: String,
    name: String,
    is_group: bool,
    participant: Option<(String, String)>,
    body: String,
    media_path: Option<String>,
}

/// What a stored turn leaves to do once its transaction is committed.
struct Done {
    outbox: Outbox,
    /// A survey was answered: the thanks or the re-ask waits in the outbox.
    answered: bool,
    bot_turn: bool,
}

impl Done {
    fn after_commit(self, state: &AppState) {
        self.outbox.publish(state);
        if self.answered {
            crate::domain::outbox::wake(state);
        }
        if self.bot_turn {
            crate::domain::bots::engine::wake();
        }
    }
}

/// One turn in a transaction of its own.
async fn store_inbound(state: &AppState, turn: &Turn) -> AppResult<Received> {
    let txn = state.begin().await?;
    let (received, done) = store_turn(&txn, turn).await?;
    if let Some(mut done) = done {
        done.outbox.flush(&txn).await?;
        txn.commit().await?;
        done.after_commit(state);
    }
    Ok(received)
}

/// Stores one turn in `txn` (not committed). `Done` is `None` when nothing was written (a
/// duplicate, a blocked contact). Its events are not flushed yet: the caller flushes them right
/// before the commit, the group commit once for all of a batch's turns.
async fn store_turn(txn: &WriteTx, turn: &Turn) -> AppResult<(Received, Option<Done>)> {
    let Turn { connection, inbound, number, name, is_group, participant, body, media_path } = turn;
    let (number, name, is_group, body) = (number.as_str(), name.as_str(), *is_group, body.as_str());
    let (media_path, participant) = (media_path.as_deref(), participant.as_ref());
    let metadata = match inbound.metadata.as_ref().filter(|m| !m.is_empty()) {
        Some(meta) => Some(serde_json::to_string(meta).map_err(anyhow::Error::from)?),
        None => None,
    };
    let company_id = CompanyId(connection.company_id);
    let connection_id = ConnectionId(connection.id);
    let missing_marker = inbound.missing_media.as_ref().map(MissingMedia::marker);
    if let Some(external_id) = &inbound.external_id
        && let Some(existing) = store::messages::find_external(txn, connection_id, external_id).await?
    {
        return Ok((duplicate(&existing), None));
    }
    let contact = match store::contacts::find_by_number(txn, company_id, number).await? {
        Some(contact) => contact,
        None => {
            let row = store::contacts::NewContactRow { company_id, name, number, email: None, extra: "{}", is_group };
            store::contacts::insert(txn, row).await?
        }
    };
    if contact.blocked {
        return Ok((Received::Blocked, None));
    }
    // Events get their seq at the end, just before the commit (see `Outbox::deferred`).
    let mut outbox = Outbox::deferred();
    let contact_id = ContactId(contact.id);
    // An answer to a survey goes to the survey's ticket: a closed one is not reopened, and no new
    // ticket starts.
    let survey =
        ratings::reply_to_survey(txn, &mut outbox, contact_id, connection_id, &inbound.body, inbound.at).await?;
    let rated = match &survey {
        Some(reply) => store::tickets::get_in_company_for_update(txn, company_id, reply.ticket_id()).await?,
        None => None,
    };
    let active = match rated {
        Some(ticket) => Some(ticket),
        None => store::tickets::find_active_for_update(txn, contact_id, connection_id).await?,
    };
    let ticket = match active {
        Some(ticket) => ticket,
        None => {
            let number = store::counters::next(txn, company_id, store::counters::TICKET_NUMBER).await?;
            // A contact with an active fixed agent (Carteira) goes straight to them; the queue is
            // kept, so returning the ticket puts it where it would have waited.
            let wallet = crate::domain::contacts::wallet_agent(txn, &contact).await?;
            let ticket = store::tickets::insert(
                txn,
                store::tickets::NewTicketRow {
                    company_id,
                    number,
                    status: if wallet.is_some() { TicketStatus::Open } else { TicketStatus::Pending },
                    kind: if is_group { TicketKind::Group } else { TicketKind::Private },
                    contact_id,
                    connection_id,
                    queue_id: connection.default_queue_id.map(QueueId),
                    user_id: wallet,
                },
            )
            .await
            .map_err(already_active_on_race)?;
            // A ticket waiting for people starts with the connection's (or queue's) default bot.
            let default_bot = match wallet {
                Some(_) => None,
                None => {
                    crate::domain::bots::engine::default_for(txn, connection, connection.default_queue_id.map(QueueId))
                        .await?
                }
            };
            let ticket = match default_bot {
                None => ticket,
                Some(bot) => {
                    use sea_orm::{IntoActiveModel, Set};
                    let mut row = ticket.into_active_model();
                    row.bot = Set(Some(bot.into()));
                    store::tickets::update(txn, row).await?
                }
            };
            let details = match wallet {
                Some(user) => json!({"by": "contact", "wallet_user_id": user}),
                None => json!({"by": "contact"}),
            };
            store::ticket_logs::insert(txn, company_id, id_of(&ticket), None, TicketLogKind::Created, &details).await?;
            let dto = summary_with_contact(txn, ticket.clone(), &contact).await?;
            outbox.add(txn, company_id, audience(&ticket), Event::TicketCreated(dto)).await?;
            ticket
        }
    };
    let quoted_id = match &inbound.quoted_external_id {
        Some(external) => store::messages::find_external(txn, connection_id, external).await?.map(|m| MessageId(m.id)),
        None => None,
    };
    let row = store::messages::NewMessageRow {
        company_id,
        ticket_id: id_of(&ticket),
        connection_id,
        contact_id,
        user_id: None,
        from_me: false,
        kind: inbound.kind,
        body,
        status: MessageStatus::Received,
        external_id: inbound.external_id.as_deref(),
        quoted_id,
        system_note: None,
        media: match (media_path, &inbound.media, &inbound.missing_media) {
            (Some(path), Some(file), _) => Some(store::messages::MediaRow {
                path: Some(path),
                mime: &file.mime,
                name: file.name.as_deref().unwrap_or(inbound.kind.as_str()),
            }),
            (_, _, Some(missing)) => Some(store::messages::MediaRow {
                path: None,
                mime: missing.mime.as_deref().unwrap_or(media::OCTET_STREAM),
                name: missing.name.as_deref().unwrap_or(inbound.kind.as_str()),
            }),
            _ => None,
        },
        error: missing_marker.as_deref(),
        metadata,
        participant: participant.map(|(name, number)| (name.as_str(), number.as_str())),
        bot: None,
        created_at: inbound.at,
    };
    let Some(message) = store::messages::insert(txn, row).await? else {
        // Another delivery of the same message won the race; theirs is the stored one (committed:
        // this statement sees it). What this turn wrote is rolled back with it.
        let external_id = inbound.external_id.as_deref().unwrap_or_default();
        let existing = store::messages::find_external(txn, connection_id, external_id)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("duplicate message vanished")))?;
        return Ok((duplicate(&existing), None));
    };
    let noted = if ratings::reply_is_news(&ticket) {
        // The list's preview says who wrote last in a group, as WhatsApp's does.
        let preview = match participant {
            Some((who, _)) => format!("{who}: {body}"),
            None => body.to_owned(),
        };
        store::tickets::note_inbound(txn, id_of(&ticket), &preview, inbound.at.max(ticket.updated_at)).await?
    } else {
        None
    };
    outbox.add(txn, company_id, audience(&ticket), Event::MessageCreated(to_dto(message.clone()))).await?;
    let answered = survey.is_some();
    if let Some(reply) = survey {
        ratings::record_reply(txn, &mut outbox, reply, &ticket, inbound.at).await?;
    }
    // The row as the preview left it, unless the survey's answer changed it again.
    let ticket = match noted {
        Some(ticket) if !answered => ticket,
        _ => store::tickets::get_in_company(txn, company_id, id_of(&ticket))
            .await?
            .ok_or(AppError::NotFound("ticket"))?,
    };
    // A survey's answer is not for the bot.
    let bot_turn = !answered && crate::domain::bots::engine::queue_turn(txn, &ticket, &message).await?;
    let dto = summary_with_contact(txn, ticket.clone(), &contact).await?;
    outbox.add(txn, company_id, audience(&ticket), Event::TicketUpdated(dto)).await?;
    let done = Done { outbox, answered, bot_turn };
    Ok((Received::Stored { ticket_id: id_of(&ticket), message_id: MessageId(message.id) }, Some(done)))
}

/// Group commit of inbound turns on SQLite, where one writer runs at a time and every commit
/// waits for an fsync: deliveries that arrive while a transaction is being written wait in a
/// queue, and the writer stores the next lot (up to `MAX_BATCH`) in one transaction, each turn in
/// a savepoint of its own, then commits once. Each delivery is answered after the commit that
/// holds its message, so a webhook is still acknowledged only once its message is stored. A turn
/// that fails is rolled back to its savepoint and answered its error; the others are kept. If the
/// commit itself fails, nothing was stored and each turn is tried again alone.
pub mod group_commit {
    use tokio::sync::{mpsc, oneshot};

    use super::{Done, Received, Turn, store_inbound, store_turn};
    use crate::domain::events::Outbox;
    use crate::error::{AppError, AppResult};
    use crate::state::AppState;

    /// Turns stored in one transaction at most (a bound on how long the write turn is held).
    const MAX_BATCH: usize = 64;
    /// Deliveries waiting for the writer; past this, senders wait (back-pressure on the webhooks).
    const QUEUE: usize = 1024;

    struct Job {
        state: AppState,
        turn: Turn,
        reply: oneshot::Sender<AppResult<Received>>,
    }

    /// The writer's queue, started with the first delivery (per `AppState`).
    #[derive(Default)]
    pub struct GroupCommit {
        queue: std::sync::OnceLock<mpsc::Sender<Job>>,
    }

    pub(super) async fn submit(state: &AppState, turn: Turn) -> AppResult<Received> {
        let queue = state.group_commit.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            tokio::spawn(writer(receiver));
            sender
        });
        let (reply, answer) = oneshot::channel();
        queue
            .send(Job { state: state.clone(), turn, reply })
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the inbound writer stopped")))?;
        answer.await.map_err(|_| AppError::Internal(anyhow::anyhow!("the inbound writer dropped a delivery")))?
    }

    /// Ends when the last `AppState` (which holds the sender) is gone.
    async fn writer(mut queue: mpsc::Receiver<Job>) {
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
            let batch = std::mem::take(&mut jobs);
            // A panic in one batch answers its deliveries with an error (their replies are
            // dropped) and leaves the writer running.
            if tokio::spawn(commit(batch)).await.is_err() {
                tracing::error!("an inbound batch panicked; its deliveries were answered an error");
            }
        }
    }

    async fn commit(jobs: Vec<Job>) {
        let Some(state) = jobs.first().map(|job| job.state.clone()) else { return };
        let txn = match state.begin().await {
            Ok(txn) => txn,
            Err(_) => return alone(jobs).await,
        };
        let mut outcomes: Vec<AppResult<(Received, Option<Done>)>> = Vec::with_capacity(jobs.len());
        for job in &jobs {
            let outcome = match txn.savepoint().await {
                Ok(savepoint) => match store_turn(&savepoint, &job.turn).await {
                    Ok((received, Some(done))) => {
                        savepoint.commit().await.map(|()| (received, Some(done))).map_err(Into::into)
                    }
                    // Nothing to keep (a duplicate, a blocked contact).
                    Ok((received, None)) => savepoint.rollback().await.map(|()| (received, None)).map_err(Into::into),
                    Err(error) => {
                        if let Err(rollback) = savepoint.rollback().await {
                            tracing::warn!(%rollback, "rolling back a failed inbound turn");
                        }
                        Err(error)
                    }
                },
                Err(error) => Err(error.into()),
            };
            outcomes.push(outcome);
        }
        // The kept turns' events in one flush (seq counter, rows, webhook check), in turn order.
        let mut events = Outbox::deferred();
        for (_, done) in outcomes.iter_mut().flatten() {
            if let Some(done) = done {
                events.absorb(&mut done.outbox);
            }
        }
        if let Err(error) = events.flush(&txn).await {
            tracing::warn!(%error, deliveries = jobs.len(), "storing an inbound batch's events; storing each alone");
            drop(txn);
            return alone(jobs).await;
        }
        if let Err(error) = txn.commit().await {
            tracing::warn!(%error, deliveries = jobs.len(), "committing an inbound batch; storing each alone");
            return alone(jobs).await;
        }
        events.publish(&state);
        for (job, outcome) in jobs.into_iter().zip(outcomes) {
            let answer = outcome.map(|(received, done)| {
                if let Some(done) = done {
                    done.after_commit(&state);
                }
                received
            });
            let _ = job.reply.send(answer);
        }
    }

    /// Each turn in a transaction of its own (the batch could not be written).
    async fn alone(jobs: Vec<Job>) {
        for job in jobs {
            let answer = store_inbound(&job.state, &job.turn).await;
            let _ = job.reply.send(answer);
        }
    }
}

fn duplicate(existing: &store::entities::messages::Model) -> Received {
    Received::Duplicate { ticket_id: TicketId(existing.ticket_id), message_id: MessageId(existing.id) }
}

/// A contact told WhatsApp they now use another number (`system` / `user_changed_number` on the
/// Cloud API). The contact keeps its history under the new number: one thread continues, with a
/// system line saying so. When another contact already has the new number, the numbers are left as
/// they are (merging two histories is the agent's call) but the line is still written.
#[derive(Debug, Clone)]
pub struct NumberChange {
    /// The old number, as the provider spells it.
    pub from: String,
    pub new_number: String,
    pub sender: SenderId,
    /// The provider's id of the notice: the same notice twice changes things once.
    pub external_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// What `number_changed` did: the system line it wrote (`None` when no ticket of the contact exists
/// on the connection, or the contact is unknown).
pub async fn number_changed(
    state: &AppState,
    connection: &connections::Model,
    change: NumberChange,
) -> AppResult<Option<MessageId>> {
    use sea_orm::{IntoActiveModel, Set};
    let company_id = CompanyId(connection.company_id);
    let connection_id = ConnectionId(connection.id);
    let old = sender_number(&change.from, change.sender).map_err(|e| FieldErrors::one("from", e))?;
    let new = sender_number(&change.new_number, change.sender).map_err(|e| FieldErrors::one("new_number", e))?;
    let txn = state.begin().await?;
    if let Some(external_id) = &change.external_id
        && let Some(existing) = store::messages::find_external(&txn, connection_id, external_id).await?
    {
        return Ok(Some(MessageId(existing.id)));
    }
    let contact = match store::contacts::find_by_number(&txn, company_id, &old).await? {
        Some(contact) => contact,
        // Already moved (a retried notice without id) or never written to us: nothing to continue.
        None => return Ok(None),
    };
    let mut outbox = Outbox::new();
    let taken = old != new && store::contacts::find_by_number(&txn, company_id, &new).await?.is_some();
    let contact = if old == new || taken {
        contact
    } else {
        let mut row = contact.clone().into_active_model();
        row.number = Set(new.clone());
        // A contact whose name was their number follows the number.
        if contact.name == old {
            row.name = Set(new.clone());
        }
        let contact = store::contacts::update(&txn, row).await?;
        let dto = crate::domain::contacts::dto(&txn, contact.clone()).await?;
        outbox.add(&txn, company_id, shared::visibility::Audience::Company, Event::ContactUpdated(dto)).await?;
        contact
    };
    let tickets =
        store::tickets::all_of(&txn, company_id, store::tickets::TicketsOf::Contact(ContactId(contact.id)), false)
            .await?;
    // The active ticket when there is one, else the latest: the thread the agent knows.
    let ticket = tickets
        .into_iter()
        .filter(|t| t.connection_id == connection.id)
        .max_by_key(|t| (TicketStatus::from(t.status) != TicketStatus::Closed, t.updated_at, t.id));
    let Some(ticket) = ticket else {
        txn.commit().await?;
        outbox.publish(state);
        return Ok(None);
    };
    let note = shared::tickets::SystemNote {
        kind: shared::tickets::SystemNoteKind::NumberChanged,
        actor: contact.name.clone(),
        to: Some(new.clone()),
    };
    let row = store::messages::NewMessageRow {
        company_id,
        ticket_id: id_of(&ticket),
        connection_id,
        contact_id: ContactId(contact.id),
        user_id: None,
        from_me: false,
        kind: MessageKind::System,
        body: &note.sentence_pt(),
        status: MessageStatus::Received,
        external_id: change.external_id.as_deref(),
        quoted_id: None,
        system_note: Some(serde_json::to_string(&note).map_err(anyhow::Error::from)?),
        media: None,
        error: None,
        metadata: None,
        participant: None,
        bot: None,
        created_at: change.at,
    };
    let Some(message) = store::messages::insert(&txn, row).await? else {
        // A concurrent delivery of the same notice wrote it.
        return Ok(None);
    };
    outbox.add(&txn, company_id, audience(&ticket), Event::MessageCreated(to_dto(message.clone()))).await?;
    // The ticket's row shows the contact's number.
    crate::domain::tickets::announce_updated(&txn, &mut outbox, std::slice::from_ref(&ticket)).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(Some(MessageId(message.id)))
}

/// A message "from a customer" through a simulator connection (admins and API tokens only).
pub async fn simulate(
    state: &AppState,
    caller: &crate::auth::CurrentUser,
    id: ConnectionId,
    message: shared::contacts::SimulatedMessage,
) -> AppResult<Received> {
    caller.require_admin()?;
    let connection = crate::domain::connections::find(state, caller, id).await?;
    if shared::contacts::ConnectionKind::from(connection.kind) != shared::contacts::ConnectionKind::Simulator {
        return Err(AppError::conflict(
            shared::ErrorCode::NotASimulator,
            "only simulator connections take simulated messages",
        ));
    }
    receive(state, &connection, simulated(message)?).await
}

/// The simulated channel's payload, checked like any provider's.
pub fn simulated(message: shared::contacts::SimulatedMessage) -> AppResult<Inbound> {
    use base64::Engine;
    let body = message.body.unwrap_or_default();
    let file = match message.media {
        None => None,
        Some(media) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(media.base64.trim())
                .map_err(|_| FieldErrors::one("media.base64", Invalid::NotBase64))?;
            let sniffed = media::sniff(&bytes, None)?;
            let name = media.file_name.as_deref().map(|n| media::clean_file_name(Some(n), "arquivo"));
            Some((InboundFile { bytes, mime: sniffed.mime, name }, sniffed.kind))
        }
    };
    if body.trim().is_empty() && file.is_none() {
        return Err(FieldErrors::one("body", Invalid::Required));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(FieldErrors::one("body", Invalid::TooLong { max: MAX_BODY_CHARS as u32 }));
    }
    if let Some(id) = &message.external_id
        && (id.is_empty() || id.len() > 255)
    {
        return Err(FieldErrors::one("external_id", Invalid::LengthBetween { min: 1, max: 255 }));
    }
    let (media, kind) = match file {
        Some((file, kind)) => (Some(file), kind),
        None => (None, MessageKind::Text),
    };
    Ok(Inbound {
        from: message.from,
        sender: SenderId::Typed,
        name: message.name,
        group: message.group.map(|g| (g.id, g.name)),
        kind,
        body,
        external_id: message.external_id,
        media,
        ..Inbound::default()
    })
}

/// Whether the connection already stored the provider's message `external_id` (a retried webhook),
/// so a channel need not fetch its file again.
pub async fn is_known(state: &AppState, connection: &connections::Model, external_id: &str) -> AppResult<bool> {
    Ok(store::messages::find_external(&state.db, ConnectionId(connection.id), external_id).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatsapp_ids_are_international_and_never_dropped() {
        let wa = |raw| sender_number(raw, SenderId::WhatsappId).ok();
        // Singapore, Norway and Germany stay themselves; `parse` would make them Brazilian.
        assert_eq!(wa("6591234567").as_deref(), Some("6591234567"));
        assert_eq!(wa("4791234567").as_deref(), Some("4791234567"));
        assert_eq!(wa("49913112345").as_deref(), Some("49913112345"));
        // Brazilian mobiles still get their ninth digit.
        assert_eq!(wa("551187654321").as_deref(), Some("5511987654321"));
        // Digits the metadata does not know are kept as WhatsApp gave them.
        assert_eq!(wa("999123456789").as_deref(), Some("999123456789"));
        assert_eq!(wa(" 0012 ").as_deref(), Some("0012"));
        // Not digits at all: refused.
        assert_eq!(wa("abc"), None);
        assert_eq!(wa(""), None);
        assert_eq!(wa(&"1".repeat(40)), None);
    }

    #[test]
    fn typed_numbers_are_read_as_people_write_them() {
        let typed = |raw| sender_number(raw, SenderId::Typed).ok();
        assert_eq!(typed("11987654321").as_deref(), Some("5511987654321"));
        assert_eq!(typed("+65 9123 4567").as_deref(), Some("6591234567"));
        assert_eq!(typed("999123456789"), None);
    }

    #[test]
    fn the_missing_media_marker_is_bounded() {
        let missing = MissingMedia { name: None, mime: None, reason: "a\0b\r\n".into() };
        assert_eq!(missing.marker(), "media unavailable: a b  ");
        let missing = MissingMedia { name: None, mime: None, reason: "x".repeat(1000) };
        let marker = missing.marker();
        assert!(marker.starts_with("media unavailable: xxx"), "{marker}");
        assert!(marker.chars().count() <= MEDIA_UNAVAILABLE.len() + 2 + MAX_REASON_CHARS);
    }
}
