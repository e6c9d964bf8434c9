use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::WriteTx;
use super::entities::queues;
use shared::{CompanyId, QueueId};

pub async fn insert(tx: &WriteTx, company_id: CompanyId, name: &str, color: &str) -> Result<queues::Model, DbErr> {
    queues::ActiveModel {
        company_id: Set(company_id.0),
        name: Set(name.to_owned()),
        color: Set(color.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: QueueId,
) -> Result<Option<queues::Model>, DbErr> {
    queues::Entity::find_by_id(id.0).filter(queues::Column::CompanyId.eq(company_id.0)).one(db).await
}

pub async fn update(tx: &WriteTx, row: queues::ActiveModel) -> Result<queues::Model, DbErr> {
    row.update(tx).await
}

pub async fn delete(tx: &WriteTx, id: QueueId) -> Result<u64, DbErr> {
    Ok(queues::Entity::delete_by_id(id.0).exec(tx).await?.rows_affected)
}

pub async fn page(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<queues::Model>, DbErr> {
    let mut query = queues::Entity::find().filter(queues::Column::CompanyId.eq(company_id.0));
    if let Some(after) = after_id {
        query = query.filter(queues::Column::Id.gt(after));
    }
    query.order_by_asc(queues::Column::Id).limit(limit + 1).all(db).await
}

/// Which of `ids` are queues of the company.
pub async fn existing_ids(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    ids: &[QueueId],
) -> Result<Vec<QueueId>, DbErr> {
    let rows = queues::Entity::find()
        .filter(queues::Column::CompanyId.eq(company_id.0))
        .filter(queues::Column::Id.is_in(ids.iter().map(|id| id.0)))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|q| QueueId(q.id)).collect())
}

/// The company's queues among `ids`.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    ids: &[QueueId],
) -> Result<Vec<queues::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    queues::Entity::find()
        .filter(queues::Column::CompanyId.eq(company_id.0))
        .filter(queues::Column::Id.is_in(ids.iter().map(|id| id.0)))
        .all(db)
        .await
}
