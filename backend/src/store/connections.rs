use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entities::connections;

pub struct NewConnectionRow<'a> {
    pub company_id: i64,
    pub name: &'a str,
    pub kind: &'a str,
    pub status: &'a str,
    pub default_queue_id: Option<i64>,
    pub settings: &'a str,
}

pub async fn insert(db: &impl ConnectionTrait, row: NewConnectionRow<'_>) -> Result<connections::Model, DbErr> {
    let now = Utc::now();
    connections::ActiveModel {
        company_id: Set(row.company_id),
        name: Set(row.name.to_owned()),
        kind: Set(row.kind.to_owned()),
        status: Set(row.status.to_owned()),
        default_queue_id: Set(row.default_queue_id),
        settings: Set(row.settings.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn update(db: &impl ConnectionTrait, mut row: connections::ActiveModel) -> Result<connections::Model, DbErr> {
    row.updated_at = Set(Utc::now());
    row.update(db).await
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<Option<connections::Model>, DbErr> {
    connections::Entity::find_by_id(id).one(db).await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: i64,
    id: i64,
) -> Result<Option<connections::Model>, DbErr> {
    connections::Entity::find_by_id(id).filter(connections::Column::CompanyId.eq(company_id)).one(db).await
}

pub async fn first_of_company(db: &impl ConnectionTrait, company_id: i64) -> Result<Option<connections::Model>, DbErr> {
    connections::Entity::find()
        .filter(connections::Column::CompanyId.eq(company_id))
        .order_by_asc(connections::Column::Id)
        .one(db)
        .await
}

pub async fn page(
    db: &impl ConnectionTrait,
    company_id: i64,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<connections::Model>, DbErr> {
    let mut query = connections::Entity::find().filter(connections::Column::CompanyId.eq(company_id));
    if let Some(after) = after_id {
        query = query.filter(connections::Column::Id.gt(after));
    }
    query.order_by_asc(connections::Column::Id).limit(limit + 1).all(db).await
}

pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Ok(connections::Entity::delete_by_id(id).exec(db).await?.rows_affected)
}
