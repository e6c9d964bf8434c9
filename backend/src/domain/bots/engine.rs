//! The bot engine. A customer message stored in a ticket that a bot answers is queued as a
//! `bot_jobs` row in the inbound transaction (so a crash loses neither the message nor the bot's
//! turn, and the same message delivered twice is queued once). Each instance runs one worker that
//! claims due rows with a lease (one instance wins a row; a ticket's messages are taken in order),
//! calls the provider outside any transaction, then in one transaction stores the replies as the
//! bot's outbound messages queued in the durable outbox, applies a hand-over and removes the row:
//! each reply is stored, and so sent, once. A provider error never reaches the inbound path: it is
//! logged, the bot is switched off with a system line in the thread and a log row, and the ticket
//! stays where it waits for people. A row found with its call started (the instance died mid-call)
//! is treated the same way, since the provider may already have moved on.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{IntoActiveModel, Set};
use serde_json::json;
use shared::events::Event;
use shared::tickets::{
    BotKind, MessageKind, MessageStatus, SystemNote, SystemNoteKind, TicketKind, TicketLogKind, TicketStatus,
};
use shared::visibility::Audience;
use shared::{CompanyId, ConnectionId, ContactId, MessageId, TicketId};
use tokio::sync::{Notify, watch};

use super::{BotInput, BotReply, BotTurn};
use crate::domain::events::Outbox;
use crate::domain::media;
use crate::domain::messages::to_dto;
use crate::domain::tickets::{audience, company_of, id_of, place_of, status_of, summary};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::entities::{messages, tickets};
use crate::store::{self, WriteTx};

/// Tickets answered at once per instance.
const BATCH: u64 = 8;
/// How long a claim lasts: longer than a provider call (20 s) plus fetching its images.
const LEASE: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_millis(500);
/// The largest image a bot may show (WhatsApp's limit for images).
const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

const INTERRUPTED: &str = "the server stopped while the bot was answering";

/// Rung after a commit that queued a bot's turn, so this instance answers at once.
static WAKE: Notify = Notify::const_new();

pub fn wake() {
    WAKE.notify_one();
}

/// In the inbound transaction, after the customer's message is stored: queues the bot's turn
/// when a bot answers `ticket`. Groups are left to people.
pub async fn queue_turn(tx: &WriteTx, ticket: &tickets::Model, message: &messages::Model) -> AppResult<bool> {
    let runs = ticket.bot.is_some()
        && status_of(ticket) != TicketStatus::Closed
        && TicketKind::from(ticket.kind) == TicketKind::Private
        && !message.from_me
        && MessageKind::from(message.kind) != MessageKind::System;
    if runs {
        store::bots::enqueue(tx, company_of(ticket), id_of(ticket), MessageId(message.id)).await?;
    }
    Ok(runs)
}

/// Whether the company has switched `bot`'s integration on.
pub async fn integration_enabled(
    db: &impl sea_orm::ConnectionTrait,
    company: CompanyId,
    bot: BotKind,
) -> AppResult<bool> {
    let sections = crate::domain::settings::sections(db, company).await?;
    Ok(match bot {
        BotKind::Typebot => sections.typebot.view.enabled,
        BotKind::Chatgpt => sections.chatgpt.view.enabled,
        BotKind::Dialogflow => sections.dialogflow.view.enabled,
    })
}

/// The bot a new ticket of `connection` waiting in `queue` starts with: the connection's default,
/// else the queue's, when its integration is on.
pub async fn default_for(
    tx: &WriteTx,
    connection: &store::entities::connections::Model,
    queue: Option<shared::QueueId>,
) -> AppResult<Option<BotKind>> {
    let company = CompanyId(connection.company_id);
    let from_queue = match (connection.default_bot, queue) {
        (Some(_), _) | (None, None) => None,
        (None, Some(queue)) => store::queues::get_in_company(tx, company, queue).await?.and_then(|q| q.default_bot),
    };
    let Some(bot) = connection.default_bot.or(from_queue).map(BotKind::from) else {
        return Ok(None);
    };
    Ok(integration_enabled(tx, company, bot).await?.then_some(bot))
}

/// The running worker; [`BotWorker::stop`] lets the turns in flight finish.
pub struct BotWorker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl BotWorker {
    pub fn start(state: AppState) -> Self {
        let (stop, stopping) = watch::channel(false);
        let task = tokio::spawn(work(state, stopping));
        Self { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn work(state: AppState, mut stopping: watch::Receiver<bool>) {
    loop {
        if *stopping.borrow() {
            break;
        }
        let claimed = claim(&state).await.unwrap_or_else(|error| {
            tracing::warn!(%error, "the bots could not claim their turns");
            Vec::new()
        });
        let found = !claimed.is_empty();
        let turns = claimed.into_iter().map(|job| {
            let state = state.clone();
            async move {
                let (id, ticket) = (job.id, job.ticket_id);
                if let Err(error) = process(&state, job).await {
                    tracing::error!(job = id, ticket, %error, "a bot's turn could not be recorded");
                }
            }
        });
        futures_util::future::join_all(turns).await;
        if found {
            continue;
        }
        tokio::select! {
            () = WAKE.notified() => {}
            () = tokio::time::sleep(POLL) => {}
            _ = stopping.changed() => {}
        }
    }
    if let Err(error) = release(&state).await {
        tracing::warn!(%error, "the bots could not release their claims");
    }
}

async fn release(state: &AppState) -> AppResult<()> {
    let tx = state.begin().await?;
    store::bots::release(&tx, &state.instance_id).await?;
    tx.commit().await?;
    Ok(())
}

async fn claim(state: &AppState) -> AppResult<Vec<store::bots::Job>> {
    let now = Utc::now();
    let due = store::bots::due(&state.db, now, BATCH).await?;
    if due.is_empty() {
        return Ok(due);
    }
    let until = now + chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::minutes(2));
    let tx = state.begin().await?;
    let mut claimed = Vec::with_capacity(due.len());
    for job in due {
        if let Some(job) = store::bots::claim(&tx, job.id, &state.instance_id, now, until).await? {
            claimed.push(job);
        }
    }
    tx.commit().await?;
    Ok(claimed)
}

async fn remove(state: &AppState, job: &store::bots::Job) -> AppResult<()> {
    let tx = state.begin().await?;
    store::bots::remove(&tx, job.id).await?;
    tx.commit().await?;
    Ok(())
}

async fn process(state: &AppState, job: store::bots::Job) -> AppResult<()> {
    let company = CompanyId(job.company_id);
    let ticket = store::tickets::get_in_company(&state.db, company, TicketId(job.ticket_id)).await?;
    let message = store::messages::get_in_company(&state.db, company, MessageId(job.message_id)).await?;
    let (Some(ticket), Some(message)) = (ticket, message) else {
        return remove(state, &job).await;
    };
    // Switched off (or taken by a person) since the message came: people answer it.
    let Some(bot) = ticket.bot.map(BotKind::from).filter(|_| status_of(&ticket) != TicketStatus::Closed) else {
        return remove(state, &job).await;
    };
    if job.attempt_started_at.is_some() {
        return fail(state, &job, bot, INTERRUPTED).await;
    }
    let contact = store::contacts::get_in_company(&state.db, company, ContactId(ticket.contact_id)).await?;
    let tx = state.begin().await?;
    store::bots::start_attempt(&tx, job.id, Utc::now()).await?;
    tx.commit().await?;
    let text = if message.body.trim().is_empty() {
        // A file without caption: the bot reads what it is.
        format!("[{}]", MessageKind::from(message.kind).as_str())
    } else {
        message.body.clone()
    };
    let input = BotInput {
        company,
        ticket: TicketId(ticket.id),
        contact_name: contact.as_ref().map(|c| c.name.as_str()).unwrap_or_default(),
        text: &text,
    };
    let result = match bot {
        BotKind::Typebot => super::typebot::turn(state, &input).await,
        BotKind::Chatgpt => super::chatgpt::turn(state, &input).await,
        BotKind::Dialogflow => super::dialogflow::turn(state, &input).await,
    };
    match result {
        Ok(turn) => answer(state, &job, bot, turn).await,
        Err(error) => {
            tracing::warn!(ticket = ticket.id, bot = bot.as_str(), %error, "a bot could not answer; the ticket goes to people");
            fail(state, &job, bot, &error.to_string()).await
        }
    }
}

/// A reply ready to store: its text and, for an image fetched, its file.
struct Ready {
    text: String,
    file: Option<(media::Sniffed, String, String)>,
}

/// Fetches a bot's image through the SSRF guard; `None` when it cannot be used as an image.
async fn fetch_image(state: &AppState, company: CompanyId, url: &str) -> Option<(media::Sniffed, String, String)> {
    let allow_private = state.config.allow_private_urls;
    let parsed = crate::domain::outbound_url::check_literal(url, allow_private).ok()?;
    let http = crate::integrations::http_client(allow_private).ok()?;
    let response = http.get(parsed.as_str()).send().await.ok()?.error_for_status().ok()?;
    if response.content_length().is_some_and(|len| len as usize > MAX_IMAGE_BYTES) {
        return None;
    }
    let bytes = response.bytes().await.ok()?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return None;
    }
    let sniffed = media::sniff_inbound(MessageKind::Image, &bytes);
    if sniffed.kind != MessageKind::Image {
        return None;
    }
    let name = media::clean_file_name(parsed.path_segments().and_then(|mut s| s.next_back()), "imagem");
    let path = state.media.save(company.0, &bytes).await.ok()?;
    Some((sniffed, name, path))
}

async fn answer(state: &AppState, job: &store::bots::Job, bot: BotKind, turn: BotTurn) -> AppResult<()> {
    let company = CompanyId(job.company_id);
    let mut ready = Vec::with_capacity(turn.replies.len());
    for reply in turn.replies {
        match reply {
            BotReply::Text(text) if !text.trim().is_empty() => ready.push(Ready { text, file: None }),
            BotReply::Text(_) => {}
            BotReply::Image { url, caption } => match fetch_image(state, company, &url).await {
                Some(file) => ready.push(Ready { text: caption.unwrap_or_default(), file: Some(file) }),
                // An image that cannot be fetched still reaches the contact, as its link.
                None => ready.push(Ready { text: caption.map(|c| format!("{c}\n{url}")).unwrap_or(url), file: None }),
            },
        }
    }
    let stored = store_answer(state, job, bot, &ready, turn.hand_over).await;
    if !matches!(stored, Ok(true)) {
        for path in ready.iter().filter_map(|r| r.file.as_ref().map(|(_, _, path)| path)) {
            state.media.remove(path).await;
        }
    }
    stored.map(|_| ())
}

/// Stores the replies and the hand-over with the job's removal; `false` when nothing was stored
/// (a person took the ticket meanwhile).
async fn store_answer(
    state: &AppState,
    job: &store::bots::Job,
    bot: BotKind,
    ready: &[Ready],
    hand_over: bool,
) -> AppResult<bool> {
    let company = CompanyId(job.company_id);
    let tx = state.begin().await?;
    let mut outbox = Outbox::new();
    let ticket = store::tickets::get_in_company_for_update(&tx, company, TicketId(job.ticket_id)).await?;
    let Some(mut ticket) = ticket.filter(|t| t.bot == Some(bot.into()) && status_of(t) != TicketStatus::Closed) else {
        store::bots::remove(&tx, job.id).await?;
        tx.commit().await?;
        return Ok(false);
    };
    let sent = !ready.is_empty();
    for reply in ready {
        ticket = write_reply(&tx, &mut outbox, ticket, bot, reply).await?;
    }
    if hand_over {
        hand_over_ticket(&tx, &mut outbox, ticket, bot, "hand_over", None).await?;
    } else if sent {
        outbox.add(&tx, company, audience(&ticket), Event::TicketUpdated(summary(&tx, ticket.clone()).await?)).await?;
    }
    store::bots::remove(&tx, job.id).await?;
    tx.commit().await?;
    outbox.publish(state);
    if sent {
        crate::domain::outbox::wake(state);
    }
    Ok(true)
}

/// One of the bot's replies, stored as an outbound message of the bot and queued to be sent.
async fn write_reply(
    tx: &WriteTx,
    outbox: &mut Outbox,
    ticket: tickets::Model,
    bot: BotKind,
    reply: &Ready,
) -> AppResult<tickets::Model> {
    let now = Utc::now();
    let row = store::messages::NewMessageRow {
        company_id: company_of(&ticket),
        ticket_id: id_of(&ticket),
        connection_id: ConnectionId(ticket.connection_id),
        contact_id: ContactId(ticket.contact_id),
        user_id: None,
        from_me: true,
        kind: reply.file.as_ref().map(|(sniffed, _, _)| sniffed.kind).unwrap_or(MessageKind::Text),
        body: &reply.text,
        status: MessageStatus::Pending,
        external_id: None,
        quoted_id: None,
        system_note: None,
        media: reply.file.as_ref().map(|(sniffed, name, path)| store::messages::MediaRow {
            path: Some(path),
            mime: &sniffed.mime,
            name,
        }),
        error: None,
        metadata: None,
        participant: None,
        bot: Some(bot.into()),
        created_at: now,
    };
    let message = store::messages::insert(tx, row)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("bot message not stored")))?;
    crate::domain::outbox::enqueue(tx, &message).await?;
    outbox.add(tx, company_of(&ticket), audience(&ticket), Event::MessageCreated(to_dto(message))).await?;
    let preview = if reply.text.is_empty() {
        reply.file.as_ref().map(|(_, name, _)| name.clone()).unwrap_or_default()
    } else {
        reply.text.clone()
    };
    let mut row = ticket.into_active_model();
    row.last_message_body = Set(Some(preview));
    row.last_message_at = Set(Some(now));
    row.last_message_from_me = Set(true);
    Ok(store::tickets::update(tx, row).await?)
}

/// The bot lets go: switched off, and the ticket waits in its queue for people (at the end of the
/// line), with a log row, a system line and the events.
pub async fn hand_over_ticket(
    tx: &WriteTx,
    outbox: &mut Outbox,
    ticket: tickets::Model,
    bot: BotKind,
    reason: &str,
    error: Option<&str>,
) -> AppResult<tickets::Model> {
    let before = place_of(&ticket);
    let mut row = ticket.clone().into_active_model();
    row.bot = Set(None);
    row.bot_state = Set(None);
    if reason == "hand_over" {
        row.status = Set(TicketStatus::Pending.into());
        row.user_id = Set(None);
        row.queued_at = Set(Utc::now());
    }
    let updated = store::tickets::update(tx, row).await?;
    let mut details = json!({"bot": bot.as_str(), "enabled": false, "reason": reason});
    if let Some(error) = error {
        details["error"] = json!(error);
    }
    store::ticket_logs::insert(tx, company_of(&updated), id_of(&updated), None, TicketLogKind::BotSwitched, &details)
        .await?;
    let kind = if reason == "hand_over" { SystemNoteKind::BotHandedOver } else { SystemNoteKind::BotFailed };
    let note = SystemNote { kind, actor: bot.label().to_owned(), to: None };
    let row = store::messages::NewMessageRow {
        company_id: company_of(&updated),
        ticket_id: id_of(&updated),
        connection_id: ConnectionId(updated.connection_id),
        contact_id: ContactId(updated.contact_id),
        user_id: None,
        from_me: true,
        kind: MessageKind::System,
        body: &note.sentence_pt(),
        status: MessageStatus::Received,
        external_id: None,
        quoted_id: None,
        system_note: Some(serde_json::to_string(&note).map_err(anyhow::Error::from)?),
        media: None,
        // What went wrong, for the agent (shown with the line).
        error,
        metadata: None,
        participant: None,
        bot: None,
        created_at: Utc::now(),
    };
    if let Some(message) = store::messages::insert(tx, row).await? {
        outbox.add(tx, company_of(&updated), audience(&updated), Event::MessageCreated(to_dto(message))).await?;
    }
    let dto = summary(tx, updated.clone()).await?;
    outbox.add(tx, company_of(&updated), audience(&updated), Event::TicketUpdated(dto.clone())).await?;
    if before != place_of(&updated) {
        outbox.add(tx, company_of(&updated), Audience::Ticket(before), Event::TicketUpdated(dto)).await?;
    }
    Ok(updated)
}

/// The bot could not answer: it is switched off (the ticket stays where it is, for people), with
/// the reason in the thread and the log.
async fn fail(state: &AppState, job: &store::bots::Job, bot: BotKind, reason: &str) -> AppResult<()> {
    let company = CompanyId(job.company_id);
    let reason: String = reason.chars().take(300).collect();
    let tx = state.begin().await?;
    let mut outbox = Outbox::new();
    let ticket = store::tickets::get_in_company_for_update(&tx, company, TicketId(job.ticket_id)).await?;
    if let Some(ticket) = ticket.filter(|t| t.bot == Some(bot.into())) {
        hand_over_ticket(&tx, &mut outbox, ticket, bot, "error", Some(&reason)).await?;
    }
    store::bots::remove(&tx, job.id).await?;
    tx.commit().await?;
    outbox.publish(state);
    Ok(())
}
