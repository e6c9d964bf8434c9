use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QueryOrder, Set};

use super::WriteTx;
use super::entities::companies;
use shared::CompanyId;

pub async fn insert(tx: &WriteTx, name: &str) -> Result<companies::Model, DbErr> {
    companies::ActiveModel {
        name: Set(name.to_owned()),
        created_at: Set(Utc::now()),
        suspended: Set(false),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn get(db: &impl ConnectionTrait, id: CompanyId) -> Result<Option<companies::Model>, DbErr> {
    companies::Entity::find_by_id(id.0).one(db).await
}

pub async fn first(db: &impl ConnectionTrait) -> Result<Option<companies::Model>, DbErr> {
    companies::Entity::find().order_by_asc(companies::Column::Id).one(db).await
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<companies::Model>, DbErr> {
    companies::Entity::find().order_by_asc(companies::Column::Id).all(db).await
}
