use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::WriteTx;
use super::entities::connections;
use shared::contacts::{ConnectionKind, ConnectionStatus};
use shared::{CompanyId, ConnectionId, QueueId};

pub struct NewConnectionRow<'a> {
    pub company_id: CompanyId,
    pub name: &'a str,
    pub kind: ConnectionKind,
    pub status: ConnectionStatus,
    pub default_queue_id: Option<QueueId>,
    pub settings: &'a str,
}

pub async fn insert(tx: &WriteTx, row: NewConnectionRow<'_>) -> Result<connections::Model, DbErr> {
    let now = Utc::now();
    connections::ActiveModel {
        company_id: Set(row.company_id.into()),
        name: Set(row.name.to_owned()),
        kind: Set(row.kind.into()),
        status: Set(row.status.into()),
        default_queue_id: Set(row.default_queue_id.map(i64::from)),
        settings: Set(row.settings.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn update(tx: &WriteTx, mut row: connections::ActiveModel) -> Result<connections::Model, DbErr> {
    row.updated_at = Set(Utc::now());
    row.update(tx).await
}

pub async fn get(db: &impl ConnectionTrait, id: ConnectionId) -> Result<Option<connections::Model>, DbErr> {
    connections::Entity::find_by_id(id.0).one(db).await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: ConnectionId,
) -> Result<Option<connections::Model>, DbErr> {
    connections::Entity::find_by_id(id.0).filter(connections::Column::CompanyId.eq(company_id.0)).one(db).await
}

pub async fn first_of_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
) -> Result<Option<connections::Model>, DbErr> {
    connections::Entity::find()
        .filter(connections::Column::CompanyId.eq(company_id.0))
        .order_by_asc(connections::Column::Id)
        .one(db)
        .await
}

pub async fn page(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<connections::Model>, DbErr> {
    let mut query = connections::Entity::find().filter(connections::Column::CompanyId.eq(company_id.0));
    if let Some(after) = after_id {
        query = query.filter(connections::Column::Id.gt(after));
    }
    query.order_by_asc(connections::Column::Id).limit(limit + 1).all(db).await
}

pub async fn delete(tx: &WriteTx, id: ConnectionId) -> Result<u64, DbErr> {
    Ok(connections::Entity::delete_by_id(id.0).exec(tx).await?.rows_affected)
}

/// A channel adapter's report of the connection's live state (the QR is cleared unless given).
pub async fn set_state(
    tx: &WriteTx,
    id: ConnectionId,
    status: ConnectionStatus,
    reason: Option<&str>,
    qr: Option<&str>,
) -> Result<Option<connections::Model>, DbErr> {
    let Some(row) = connections::Entity::find_by_id(id.0).one(tx).await? else {
        return Ok(None);
    };
    let mut row: connections::ActiveModel = row.into();
    row.status = Set(status.into());
    row.status_reason = Set(reason.map(str::to_owned));
    row.qr = Set(qr.map(str::to_owned));
    update(tx, row).await.map(Some)
}

/// Every connection of every company (the startup pass that seals legacy credentials).
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<connections::Model>, DbErr> {
    connections::Entity::find().order_by_asc(connections::Column::Id).all(db).await
}
