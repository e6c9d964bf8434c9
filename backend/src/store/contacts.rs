use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::entities::contacts;

pub struct NewContactRow<'a> {
    pub company_id: i64,
    pub name: &'a str,
    pub number: &'a str,
    pub email: Option<&'a str>,
    pub extra: &'a str,
    pub is_group: bool,
}

pub async fn insert(db: &impl ConnectionTrait, row: NewContactRow<'_>) -> Result<contacts::Model, DbErr> {
    let now = Utc::now();
    contacts::ActiveModel {
        company_id: Set(row.company_id),
        name: Set(row.name.to_owned()),
        number: Set(row.number.to_owned()),
        email: Set(row.email.map(str::to_owned)),
        photo_url: Set(None),
        extra: Set(row.extra.to_owned()),
        is_group: Set(row.is_group),
        blocked: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn update(db: &impl ConnectionTrait, mut row: contacts::ActiveModel) -> Result<contacts::Model, DbErr> {
    row.updated_at = Set(Utc::now());
    row.update(db).await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: i64,
    id: i64,
) -> Result<Option<contacts::Model>, DbErr> {
    contacts::Entity::find_by_id(id).filter(contacts::Column::CompanyId.eq(company_id)).one(db).await
}

pub async fn find_by_number(
    db: &impl ConnectionTrait,
    company_id: i64,
    number: &str,
) -> Result<Option<contacts::Model>, DbErr> {
    contacts::Entity::find()
        .filter(contacts::Column::CompanyId.eq(company_id))
        .filter(contacts::Column::Number.eq(number))
        .one(db)
        .await
}

pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<contacts::Model>, DbErr> {
    contacts::Entity::find().filter(contacts::Column::Id.is_in(ids.iter().copied())).all(db).await
}

/// A page ordered by name then id; `search` matches name, number or e-mail.
pub async fn page(
    db: &impl ConnectionTrait,
    company_id: i64,
    search: Option<&str>,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<contacts::Model>, DbErr> {
    let mut query = contacts::Entity::find().filter(contacts::Column::CompanyId.eq(company_id));
    if let Some(term) = search.map(str::trim).filter(|t| !t.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(super::contains_ci((contacts::Entity, contacts::Column::Name), term))
                .add(super::contains_ci((contacts::Entity, contacts::Column::Number), term))
                .add(super::contains_ci((contacts::Entity, contacts::Column::Email), term)),
        );
    }
    if let Some(after) = after_id {
        query = query.filter(contacts::Column::Id.gt(after));
    }
    query.order_by_asc(contacts::Column::Id).limit(limit + 1).all(db).await
}

pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Ok(contacts::Entity::delete_by_id(id).exec(db).await?.rows_affected)
}
