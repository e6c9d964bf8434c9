//! SMS by Comtele from a ticket: sent at once to the contact's number through Comtele's REST API,
//! then kept in the thread as a message marked `channel: "sms"` with its delivery result (`sent`,
//! or `failed` with the provider's words). The call is made before the transaction, so a slow
//! provider never holds the database; a refusal still leaves its trace in the thread and answers
//! 502 `provider_error` (422 when the request itself is unusable).

use chrono::Utc;
use sea_orm::{IntoActiveModel, Set};
use shared::events::Event;
use shared::tickets::{Message, MessageKind, MessageStatus, SendSms};
use shared::validate::Invalid;
use shared::{ConnectionId, ContactId, ErrorCode, TicketId, UserId};

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::domain::messages::to_dto;
use crate::domain::settings::COMTELE_KEY;
use crate::domain::tickets::{audience, company_of, find_visible, id_of, summary};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::integrations::comtele::Comtele;
use crate::state::AppState;
use crate::store;

/// Comtele splits longer texts into several SMS; beyond this it is no longer a text message.
pub const MAX_SMS_CHARS: usize = 1000;

pub async fn send(state: &AppState, caller: &CurrentUser, id: TicketId, sms: SendSms) -> AppResult<Message> {
    let ticket = find_visible(&state.db, caller, id).await?;
    let sections = crate::domain::settings::sections(&state.db, caller.company_id).await?;
    if !sections.comtele.view.enabled {
        return Err(AppError::conflict(ErrorCode::SmsDisabled, "SMS by Comtele is switched off in the settings"));
    }
    let body = sms.body.trim().to_owned();
    if body.is_empty() {
        return Err(FieldErrors::one("body", Invalid::Required));
    }
    if body.chars().count() > MAX_SMS_CHARS {
        return Err(FieldErrors::one("body", Invalid::TooLong { max: MAX_SMS_CHARS as u32 }));
    }
    let contact = store::contacts::get_in_company(&state.db, caller.company_id, ContactId(ticket.contact_id))
        .await?
        .ok_or(AppError::NotFound("contact"))?;
    if contact.is_group {
        return Err(FieldErrors::one("contact", Invalid::GroupNotPhone));
    }
    let number: String = contact.number.chars().filter(char::is_ascii_digit).collect();
    if number.len() < 8 {
        return Err(FieldErrors::one("contact", Invalid::NotPhone));
    }
    let api_key = sections
        .comtele
        .open(state, COMTELE_KEY)?
        .ok_or_else(|| AppError::conflict(ErrorCode::SmsDisabled, "Comtele has no API key in the settings"))?;
    let allow_private = state.config.allow_private_urls;
    let base_url = sections.comtele.view.base_url.clone();
    let result = match crate::domain::outbound_url::check_literal(&base_url, allow_private) {
        Err(refused) => Err(crate::integrations::ProviderError::from(refused)),
        Ok(_) => {
            let http = crate::integrations::http_client(allow_private).map_err(anyhow::Error::from)?;
            Comtele { http, base_url, api_key }.send(&sections.comtele.view.sender, &number, &body).await
        }
    };
    let (status, error) = match &result {
        Ok(_) => (MessageStatus::Sent, None),
        Err(problem) => (MessageStatus::Failed, Some(problem.to_string())),
    };

    let tx = state.begin().await?;
    // The ticket as it is now (it may have moved while Comtele answered).
    let ticket = store::tickets::get_in_company(&tx, caller.company_id, id_of(&ticket))
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let now = Utc::now();
    let row = store::messages::NewMessageRow {
        company_id: company_of(&ticket),
        ticket_id: id_of(&ticket),
        connection_id: ConnectionId(ticket.connection_id),
        contact_id: ContactId(ticket.contact_id),
        user_id: Some(UserId(caller.id.0)),
        from_me: true,
        kind: MessageKind::Text,
        body: &body,
        status,
        external_id: None,
        quoted_id: None,
        system_note: None,
        media: None,
        error: error.as_deref(),
        metadata: None,
        participant: None,
        bot: None,
        created_at: now,
    };
    let message = store::messages::insert(&tx, row)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("SMS message not stored")))?;
    let message = store::messages::mark_channel(&tx, message, store::enums::MessageChannel::Sms).await?;
    let mut ticket_row = ticket.into_active_model();
    ticket_row.last_message_body = Set(Some(body.clone()));
    ticket_row.last_message_at = Set(Some(now));
    ticket_row.last_message_from_me = Set(true);
    let ticket = store::tickets::update(&tx, ticket_row).await?;
    let dto = to_dto(message);
    let mut outbox = Outbox::new();
    outbox.add(&tx, company_of(&ticket), audience(&ticket), Event::MessageCreated(dto.clone())).await?;
    let summary = summary(&tx, ticket.clone()).await?;
    outbox.add(&tx, company_of(&ticket), audience(&ticket), Event::TicketUpdated(summary)).await?;
    tx.commit().await?;
    outbox.publish(state);
    match result {
        Ok(_) => Ok(dto),
        Err(problem) => Err(AppError::BadGateway {
            code: ErrorCode::ProviderError,
            message: format!("Comtele did not send the SMS: {problem}"),
        }),
    }
}
