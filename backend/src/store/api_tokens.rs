use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use super::WriteTx;
use super::entities::api_tokens;
use shared::{ApiTokenId, CompanyId, UserId};

pub struct NewApiTokenRow<'a> {
    pub company_id: CompanyId,
    pub created_by: UserId,
    pub name: &'a str,
    pub prefix: &'a str,
    pub token_hash: &'a str,
}

pub async fn insert(tx: &WriteTx, row: NewApiTokenRow<'_>) -> Result<api_tokens::Model, DbErr> {
    api_tokens::ActiveModel {
        company_id: Set(row.company_id.into()),
        created_by: Set(row.created_by.into()),
        name: Set(row.name.to_owned()),
        prefix: Set(row.prefix.to_owned()),
        token_hash: Set(row.token_hash.to_owned()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn list(db: &impl ConnectionTrait, company_id: CompanyId) -> Result<Vec<api_tokens::Model>, DbErr> {
    api_tokens::Entity::find()
        .filter(api_tokens::Column::CompanyId.eq(company_id.0))
        .order_by_asc(api_tokens::Column::Id)
        .all(db)
        .await
}

pub async fn delete_in_company(tx: &WriteTx, company_id: CompanyId, id: ApiTokenId) -> Result<u64, DbErr> {
    let result = api_tokens::Entity::delete_many()
        .filter(api_tokens::Column::CompanyId.eq(company_id.0))
        .filter(api_tokens::Column::Id.eq(id.0))
        .exec(tx)
        .await?;
    Ok(result.rows_affected)
}

pub async fn find_by_hash(db: &impl ConnectionTrait, token_hash: &str) -> Result<Option<api_tokens::Model>, DbErr> {
    api_tokens::Entity::find().filter(api_tokens::Column::TokenHash.eq(token_hash)).one(db).await
}

pub async fn touch(tx: &WriteTx, id: ApiTokenId) -> Result<(), DbErr> {
    api_tokens::Entity::update_many()
        .col_expr(api_tokens::Column::LastUsedAt, Expr::value(Utc::now()))
        .filter(api_tokens::Column::Id.eq(id.0))
        .exec(tx)
        .await?;
    Ok(())
}
