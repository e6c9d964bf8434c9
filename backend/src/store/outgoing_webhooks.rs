//! Outgoing webhooks and their delivery rows. Deliveries are claimed like the message outbox: a
//! conditional update on the lease (exactly one instance wins a row).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::{CompanyId, WebhookDeliveryId, WebhookId};

use super::WriteTx;
use super::entities::outgoing_webhooks::{self, Column as W, Entity as Webhooks};
use super::entities::webhook_deliveries::{self, Column as D, Entity as Deliveries};
use super::enums::DeliveryStatus;

pub type Webhook = outgoing_webhooks::Model;
pub type Delivery = webhook_deliveries::Model;

pub async fn insert(tx: &WriteTx, row: outgoing_webhooks::ActiveModel) -> Result<Webhook, DbErr> {
    row.insert(tx).await
}

pub async fn update(tx: &WriteTx, row: outgoing_webhooks::ActiveModel) -> Result<Webhook, DbErr> {
    row.update(tx).await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company: CompanyId,
    id: WebhookId,
) -> Result<Option<Webhook>, DbErr> {
    Webhooks::find_by_id(id.0).filter(W::CompanyId.eq(company.0)).one(db).await
}

pub async fn delete(tx: &WriteTx, company: CompanyId, id: WebhookId) -> Result<u64, DbErr> {
    Deliveries::delete_many().filter(D::WebhookId.eq(id.0)).filter(D::CompanyId.eq(company.0)).exec(tx).await?;
    Ok(Webhooks::delete_many().filter(W::Id.eq(id.0)).filter(W::CompanyId.eq(company.0)).exec(tx).await?.rows_affected)
}

pub async fn page(
    db: &impl ConnectionTrait,
    company: CompanyId,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Webhook>, DbErr> {
    let mut query = Webhooks::find().filter(W::CompanyId.eq(company.0));
    if let Some(after) = after_id {
        query = query.filter(W::Id.gt(after));
    }
    query.order_by_asc(W::Id).limit(limit + 1).all(db).await
}

/// The company's switched-on webhooks (the caller picks those subscribed to an event).
pub async fn enabled_of(db: &impl ConnectionTrait, company: CompanyId) -> Result<Vec<Webhook>, DbErr> {
    Webhooks::find().filter(W::CompanyId.eq(company.0)).filter(W::Enabled.eq(true)).all(db).await
}

pub async fn enqueue(
    tx: &WriteTx,
    company: CompanyId,
    webhook: WebhookId,
    seq: i64,
    event_type: &str,
    payload: &str,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let row = webhook_deliveries::ActiveModel {
        company_id: Set(company.0),
        webhook_id: Set(webhook.0),
        seq: Set(seq),
        event_type: Set(event_type.to_owned()),
        payload: Set(payload.to_owned()),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(Some(now)),
        created_at: Set(now),
        ..Default::default()
    };
    Deliveries::insert(row).exec_without_returning(tx).await?;
    Ok(())
}

/// Pending deliveries that are due and nobody holds, oldest first.
pub async fn due(db: &impl ConnectionTrait, now: DateTime<Utc>, limit: u64) -> Result<Vec<Delivery>, DbErr> {
    Deliveries::find()
        .filter(D::Status.eq(DeliveryStatus::Pending))
        .filter(D::NextAttemptAt.lte(now))
        .filter(D::LeaseUntil.is_null().or(D::LeaseUntil.lt(now)))
        .order_by_asc(D::NextAttemptAt)
        .order_by_asc(D::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Takes the row for `owner` until `until`, unless someone else holds it. The row as taken.
pub async fn claim(
    tx: &WriteTx,
    id: i64,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Option<Delivery>, DbErr> {
    let taken = Deliveries::update_many()
        .col_expr(D::LeaseOwner, Expr::value(owner))
        .col_expr(D::LeaseUntil, Expr::value(until))
        .filter(D::Id.eq(id))
        .filter(D::Status.eq(DeliveryStatus::Pending))
        .filter(D::LeaseUntil.is_null().or(D::LeaseUntil.lt(now)))
        .exec(tx)
        .await?;
    if taken.rows_affected == 0 {
        return Ok(None);
    }
    Deliveries::find_by_id(id).one(tx).await
}

/// What one attempt came to.
pub struct Attempt<'a> {
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub response_status: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<&'a str>,
}

/// Records an attempt by `owner` and lets go of the row (only if `owner` still holds it).
pub async fn record(tx: &WriteTx, id: i64, owner: &str, attempt: Attempt<'_>) -> Result<bool, DbErr> {
    let now = Utc::now();
    let delivered_at = (attempt.status == DeliveryStatus::Delivered).then_some(now);
    let done = Deliveries::update_many()
        .col_expr(D::Status, Expr::value(attempt.status))
        .col_expr(D::Attempts, Expr::col(D::Attempts).add(1))
        .col_expr(D::NextAttemptAt, Expr::value(attempt.next_attempt_at))
        .col_expr(D::ResponseStatus, Expr::value(attempt.response_status.map(i32::from)))
        .col_expr(D::LatencyMs, Expr::value(Some(attempt.latency_ms)))
        .col_expr(D::LastError, Expr::value(attempt.error.map(str::to_owned)))
        .col_expr(D::DeliveredAt, Expr::value(delivered_at))
        .col_expr(D::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(D::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(D::Id.eq(id))
        .filter(D::LeaseOwner.eq(owner))
        .exec(tx)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Gives a pending delivery up without an attempt (its webhook was switched off).
pub async fn give_up(tx: &WriteTx, id: i64, reason: &str) -> Result<(), DbErr> {
    Deliveries::update_many()
        .col_expr(D::Status, Expr::value(DeliveryStatus::Failed))
        .col_expr(D::NextAttemptAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(D::LastError, Expr::value(reason))
        .col_expr(D::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(D::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(D::Id.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Lets go of what `owner` holds (a graceful stop).
pub async fn release(tx: &WriteTx, owner: &str) -> Result<u64, DbErr> {
    let released = Deliveries::update_many()
        .col_expr(D::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(D::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(D::LeaseOwner.eq(owner))
        .exec(tx)
        .await?;
    Ok(released.rows_affected)
}

/// Counts an attempt's outcome on the webhook: a success clears the failures; a failure adds one
/// and, at `limit`, switches the webhook off with `reason`. Whether it was switched off now.
pub async fn count_outcome(
    tx: &WriteTx,
    webhook: WebhookId,
    success: bool,
    limit: u32,
    reason: &str,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    if success {
        Webhooks::update_many()
            .col_expr(W::ConsecutiveFailures, Expr::value(0))
            .filter(W::Id.eq(webhook.0))
            .exec(tx)
            .await?;
        return Ok(false);
    }
    Webhooks::update_many()
        .col_expr(W::ConsecutiveFailures, Expr::col(W::ConsecutiveFailures).add(1))
        .filter(W::Id.eq(webhook.0))
        .exec(tx)
        .await?;
    let switched = Webhooks::update_many()
        .col_expr(W::Enabled, Expr::value(false))
        .col_expr(W::DisabledReason, Expr::value(Some(reason.to_owned())))
        .col_expr(W::UpdatedAt, Expr::value(now))
        .filter(W::Id.eq(webhook.0))
        .filter(W::Enabled.eq(true))
        .filter(W::ConsecutiveFailures.gte(limit as i32))
        .exec(tx)
        .await?;
    Ok(switched.rows_affected == 1)
}

pub async fn get_webhook(db: &impl ConnectionTrait, id: WebhookId) -> Result<Option<Webhook>, DbErr> {
    Webhooks::find_by_id(id.0).one(db).await
}

/// A page of a webhook's deliveries, newest first (after `before_id` when given).
pub async fn deliveries_page(
    db: &impl ConnectionTrait,
    company: CompanyId,
    webhook: WebhookId,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Delivery>, DbErr> {
    let mut query = Deliveries::find().filter(D::CompanyId.eq(company.0)).filter(D::WebhookId.eq(webhook.0));
    if let Some(before) = before_id {
        query = query.filter(D::Id.lt(before));
    }
    query.order_by_desc(D::Id).limit(limit + 1).all(db).await
}

pub async fn delivery_in_company(
    db: &impl ConnectionTrait,
    company: CompanyId,
    id: WebhookDeliveryId,
) -> Result<Option<Delivery>, DbErr> {
    Deliveries::find_by_id(id.0).filter(D::CompanyId.eq(company.0)).one(db).await
}

/// Queues a delivery again, due now (its log keeps the earlier attempts' count).
pub async fn resend(tx: &WriteTx, id: WebhookDeliveryId) -> Result<(), DbErr> {
    Deliveries::update_many()
        .col_expr(D::Status, Expr::value(DeliveryStatus::Pending))
        .col_expr(D::NextAttemptAt, Expr::value(Some(Utc::now())))
        .col_expr(D::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(D::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(D::Id.eq(id.0))
        .exec(tx)
        .await?;
    Ok(())
}
