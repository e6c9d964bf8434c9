use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::WriteTx;
use super::entities::{user_queues, users};
use super::enums;
use shared::auth::Role;
use shared::{CompanyId, QueueId, UserId};

pub struct NewUserRow<'a> {
    pub company_id: CompanyId,
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub platform_admin: bool,
    pub signature_enabled: bool,
}

pub async fn insert(tx: &WriteTx, row: NewUserRow<'_>) -> Result<users::Model, DbErr> {
    let now = Utc::now();
    users::ActiveModel {
        company_id: Set(row.company_id.into()),
        name: Set(row.name.to_owned()),
        email: Set(row.email.to_owned()),
        password_hash: Set(row.password_hash.to_owned()),
        role: Set(row.role.into()),
        platform_admin: Set(row.platform_admin),
        signature_enabled: Set(row.signature_enabled),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn update(tx: &WriteTx, mut row: users::ActiveModel) -> Result<users::Model, DbErr> {
    row.updated_at = Set(Utc::now());
    row.update(tx).await
}

pub async fn get(db: &impl ConnectionTrait, id: UserId) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find_by_id(id.0).one(db).await
}

/// The user, only if they belong to `company_id`.
pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: UserId,
) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find_by_id(id.0).filter(users::Column::CompanyId.eq(company_id.0)).one(db).await
}

pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find().filter(users::Column::Email.eq(email)).one(db).await
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    users::Entity::find().count(db).await
}

pub async fn first_platform_admin(db: &impl ConnectionTrait) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find().filter(users::Column::PlatformAdmin.eq(true)).order_by_asc(users::Column::Id).one(db).await
}

/// A page of the company's users ordered by id, after `after_id`; asks for one extra row so the
/// caller knows whether there is a next page.
pub async fn page(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<users::Model>, DbErr> {
    let mut query = users::Entity::find().filter(users::Column::CompanyId.eq(company_id.0));
    if let Some(after) = after_id {
        query = query.filter(users::Column::Id.gt(after));
    }
    query.order_by_asc(users::Column::Id).limit(limit + 1).all(db).await
}

pub async fn delete(tx: &WriteTx, id: UserId) -> Result<u64, DbErr> {
    Ok(users::Entity::delete_by_id(id.0).exec(tx).await?.rows_affected)
}

pub async fn count_admins(db: &impl ConnectionTrait, company_id: CompanyId) -> Result<u64, DbErr> {
    users::Entity::find()
        .filter(users::Column::CompanyId.eq(company_id.0))
        .filter(users::Column::Role.eq(enums::Role::Admin))
        .count(db)
        .await
}

/// Queue ids of each user, in one query.
pub async fn queue_ids_of(
    db: &impl ConnectionTrait,
    user_ids: &[UserId],
) -> Result<HashMap<UserId, Vec<QueueId>>, DbErr> {
    let rows = user_queues::Entity::find()
        .filter(user_queues::Column::UserId.is_in(user_ids.iter().map(|id| id.0)))
        .order_by_asc(user_queues::Column::QueueId)
        .all(db)
        .await?;
    let mut by_user: HashMap<UserId, Vec<QueueId>> = HashMap::new();
    for row in rows {
        by_user.entry(UserId(row.user_id)).or_default().push(QueueId(row.queue_id));
    }
    Ok(by_user)
}

/// The queues of one user.
pub async fn queue_ids_of_user(db: &impl ConnectionTrait, user_id: UserId) -> Result<Vec<QueueId>, DbErr> {
    Ok(queue_ids_of(db, &[user_id]).await?.remove(&user_id).unwrap_or_default())
}

/// Replaces the user's queues with `queue_ids`.
pub async fn set_queues(tx: &WriteTx, user_id: UserId, queue_ids: &[QueueId]) -> Result<(), DbErr> {
    user_queues::Entity::delete_many().filter(user_queues::Column::UserId.eq(user_id.0)).exec(tx).await?;
    if queue_ids.is_empty() {
        return Ok(());
    }
    let rows = queue_ids
        .iter()
        .map(|queue_id| user_queues::ActiveModel { user_id: Set(user_id.0), queue_id: Set(queue_id.0) });
    user_queues::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([user_queues::Column::UserId, user_queues::Column::QueueId]).do_nothing().to_owned(),
        )
        .exec_without_returning(tx)
        .await?;
    Ok(())
}

/// The company's users among `ids`.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    ids: &[UserId],
) -> Result<Vec<users::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    users::Entity::find()
        .filter(users::Column::CompanyId.eq(company_id.0))
        .filter(users::Column::Id.is_in(ids.iter().map(|id| id.0)))
        .all(db)
        .await
}
