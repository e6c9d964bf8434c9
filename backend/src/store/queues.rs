use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entities::queues;

pub async fn insert(
    db: &impl ConnectionTrait,
    company_id: i64,
    name: &str,
    color: &str,
) -> Result<queues::Model, DbErr> {
    queues::ActiveModel {
        company_id: Set(company_id),
        name: Set(name.to_owned()),
        color: Set(color.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: i64,
    id: i64,
) -> Result<Option<queues::Model>, DbErr> {
    queues::Entity::find_by_id(id).filter(queues::Column::CompanyId.eq(company_id)).one(db).await
}

pub async fn update(db: &impl ConnectionTrait, row: queues::ActiveModel) -> Result<queues::Model, DbErr> {
    row.update(db).await
}

pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Ok(queues::Entity::delete_by_id(id).exec(db).await?.rows_affected)
}

pub async fn page(
    db: &impl ConnectionTrait,
    company_id: i64,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<queues::Model>, DbErr> {
    let mut query = queues::Entity::find().filter(queues::Column::CompanyId.eq(company_id));
    if let Some(after) = after_id {
        query = query.filter(queues::Column::Id.gt(after));
    }
    query.order_by_asc(queues::Column::Id).limit(limit + 1).all(db).await
}

/// Which of `ids` are queues of the company.
pub async fn existing_ids(db: &impl ConnectionTrait, company_id: i64, ids: &[i64]) -> Result<Vec<i64>, DbErr> {
    let rows = queues::Entity::find()
        .filter(queues::Column::CompanyId.eq(company_id))
        .filter(queues::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|q| q.id).collect())
}

/// The company's queues among `ids`.
pub async fn by_ids(db: &impl ConnectionTrait, company_id: i64, ids: &[i64]) -> Result<Vec<queues::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    queues::Entity::find()
        .filter(queues::Column::CompanyId.eq(company_id))
        .filter(queues::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}
