//! Login sessions and their rotating refresh tokens (stored as SHA-256 hashes).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::WriteTx;
use super::entities::{auth_sessions, refresh_tokens};
use shared::UserId;

pub async fn create(tx: &WriteTx, user_id: UserId, expires_at: DateTime<Utc>) -> Result<auth_sessions::Model, DbErr> {
    auth_sessions::ActiveModel {
        user_id: Set(user_id.0),
        created_at: Set(Utc::now()),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<Option<auth_sessions::Model>, DbErr> {
    auth_sessions::Entity::find_by_id(id).one(db).await
}

/// Whether the user has a login session that has neither ended (Sair, revoked) nor expired.
pub async fn has_live(db: &impl ConnectionTrait, user_id: UserId, now: DateTime<Utc>) -> Result<bool, DbErr> {
    use sea_orm::PaginatorTrait;
    let live = auth_sessions::Entity::find()
        .filter(auth_sessions::Column::UserId.eq(user_id.0))
        .filter(auth_sessions::Column::RevokedAt.is_null())
        .filter(auth_sessions::Column::ExpiresAt.gt(now))
        .count(db)
        .await?;
    Ok(live > 0)
}

pub async fn revoke(tx: &WriteTx, id: i64) -> Result<(), DbErr> {
    auth_sessions::Entity::update_many()
        .col_expr(auth_sessions::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(auth_sessions::Column::Id.eq(id))
        .filter(auth_sessions::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

pub async fn revoke_all_of_user(tx: &WriteTx, user_id: UserId) -> Result<(), DbErr> {
    auth_sessions::Entity::update_many()
        .col_expr(auth_sessions::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(auth_sessions::Column::UserId.eq(user_id.0))
        .filter(auth_sessions::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// Ends every session of the user but `keep` (the caller's own, when they have one).
pub async fn revoke_all_of_user_except(tx: &WriteTx, user_id: UserId, keep: Option<i64>) -> Result<(), DbErr> {
    let mut query = auth_sessions::Entity::update_many()
        .col_expr(auth_sessions::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(auth_sessions::Column::UserId.eq(user_id.0))
        .filter(auth_sessions::Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        query = query.filter(auth_sessions::Column::Id.ne(keep));
    }
    query.exec(tx).await?;
    Ok(())
}

pub async fn add_refresh_token(tx: &WriteTx, session_id: i64, token_hash: &str) -> Result<(), DbErr> {
    refresh_tokens::ActiveModel {
        session_id: Set(session_id),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(Utc::now()),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(())
}

pub async fn find_refresh_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<refresh_tokens::Model>, DbErr> {
    refresh_tokens::Entity::find().filter(refresh_tokens::Column::TokenHash.eq(token_hash)).one(db).await
}

/// Marks the token used; false when it was already used (by a concurrent refresh, or a thief).
pub async fn use_refresh_token(tx: &WriteTx, token_id: i64) -> Result<bool, DbErr> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::UsedAt, Expr::value(Utc::now()))
        .filter(refresh_tokens::Column::Id.eq(token_id))
        .filter(refresh_tokens::Column::UsedAt.is_null())
        .exec(tx)
        .await?;
    Ok(result.rows_affected == 1)
}
