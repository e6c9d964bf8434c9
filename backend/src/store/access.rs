//! Who a credential acts as: the user behind a login session or an API token, and whether their
//! company is suspended, read in one statement. Every authenticated request starts here, so the
//! session (or token), the user and the company are joined rather than read one after another
//! (each statement is a round trip to the pool's connection; review of issue 13's profiles).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, RelationDef,
};

use super::entities::{api_tokens, auth_sessions, companies, users};
use super::enums::Role;
use shared::UserId;

/// The user a credential acts as, as of this read.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Access {
    pub user_id: i64,
    pub company_id: i64,
    pub role: Role,
    pub platform_admin: bool,
    /// Absent when the company row is gone (the user's rows go with it; treated as active).
    pub company_suspended: Option<bool>,
}

/// An API token's access, with when it was last used (touched at most once a minute).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct TokenAccess {
    pub token_id: i64,
    pub last_used_at: Option<DateTime<Utc>>,
    #[sea_orm(nested)]
    pub access: Access,
}

/// The user of a session that is not revoked, provided it belongs to `user_id` (the token's
/// subject): a session id copied into another user's token finds nothing.
pub async fn of_session(db: &impl ConnectionTrait, session_id: i64, user_id: UserId) -> Result<Option<Access>, DbErr> {
    let user_of_session =
        auth_sessions::Entity::belongs_to(users::Entity).from(auth_sessions::Column::UserId).to(users::Column::Id);
    with_user_columns(auth_sessions::Entity::find().select_only(), user_of_session.into())
        .filter(auth_sessions::Column::Id.eq(session_id))
        .filter(auth_sessions::Column::UserId.eq(user_id.0))
        .filter(auth_sessions::Column::RevokedAt.is_null())
        .into_model::<Access>()
        .one(db)
        .await
}

/// The token with this hash and the administrator who created it, provided that person is still
/// in the token's company.
pub async fn of_api_token(db: &impl ConnectionTrait, token_hash: &str) -> Result<Option<TokenAccess>, DbErr> {
    let creator =
        api_tokens::Entity::belongs_to(users::Entity).from(api_tokens::Column::CreatedBy).to(users::Column::Id);
    with_user_columns(api_tokens::Entity::find().select_only(), creator.into())
        .column_as(api_tokens::Column::Id, "token_id")
        .column(api_tokens::Column::LastUsedAt)
        .filter(api_tokens::Column::TokenHash.eq(token_hash))
        .filter(
            Expr::col((users::Entity, users::Column::CompanyId))
                .equals((api_tokens::Entity, api_tokens::Column::CompanyId)),
        )
        .into_model::<TokenAccess>()
        .one(db)
        .await
}

/// Joins the user (inner) and their company (left) and selects [`Access`]'s columns.
fn with_user_columns<E: EntityTrait>(select: sea_orm::Select<E>, to_user: RelationDef) -> sea_orm::Select<E> {
    let company_of_user =
        users::Entity::belongs_to(companies::Entity).from(users::Column::CompanyId).to(companies::Column::Id);
    select
        .join(JoinType::InnerJoin, to_user)
        .join(JoinType::LeftJoin, company_of_user.into())
        .column_as(users::Column::Id, "user_id")
        .column_as(users::Column::CompanyId, "company_id")
        .column_as(users::Column::Role, "role")
        .column_as(users::Column::PlatformAdmin, "platform_admin")
        .column_as(companies::Column::Suspended, "company_suspended")
}
