use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::WriteTx;
use super::entities::contacts;
use shared::{CompanyId, ContactId, UserId};

pub struct NewContactRow<'a> {
    pub company_id: CompanyId,
    pub name: &'a str,
    pub number: &'a str,
    pub email: Option<&'a str>,
    pub extra: &'a str,
    pub is_group: bool,
}

pub async fn insert(tx: &WriteTx, row: NewContactRow<'_>) -> Result<contacts::Model, DbErr> {
    let now = Utc::now();
    contacts::ActiveModel {
        company_id: Set(row.company_id.into()),
        name: Set(row.name.to_owned()),
        name_folded: Set(migrations::fold_for_search(row.name)),
        number: Set(row.number.to_owned()),
        email: Set(row.email.map(str::to_owned)),
        photo_url: Set(None),
        extra: Set(row.extra.to_owned()),
        is_group: Set(row.is_group),
        blocked: Set(false),
        wallet_user_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn update(tx: &WriteTx, mut row: contacts::ActiveModel) -> Result<contacts::Model, DbErr> {
    row.updated_at = Set(Utc::now());
    if let sea_orm::ActiveValue::Set(name) = &row.name {
        row.name_folded = Set(migrations::fold_for_search(name));
    }
    row.update(tx).await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: ContactId,
) -> Result<Option<contacts::Model>, DbErr> {
    contacts::Entity::find_by_id(id.0).filter(contacts::Column::CompanyId.eq(company_id.0)).one(db).await
}

pub async fn find_by_number(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    number: &str,
) -> Result<Option<contacts::Model>, DbErr> {
    contacts::Entity::find()
        .filter(contacts::Column::CompanyId.eq(company_id.0))
        .filter(contacts::Column::Number.eq(number))
        .one(db)
        .await
}

pub async fn by_ids(db: &impl ConnectionTrait, ids: &[ContactId]) -> Result<Vec<contacts::Model>, DbErr> {
    contacts::Entity::find().filter(contacts::Column::Id.is_in(ids.iter().map(|id| id.0))).all(db).await
}

/// A page ordered by id; `search` matches name, number or e-mail; `wallet_user` keeps the
/// contacts of that fixed agent.
pub async fn page(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    search: Option<&str>,
    wallet_user: Option<UserId>,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<contacts::Model>, DbErr> {
    let mut query = contacts::Entity::find().filter(contacts::Column::CompanyId.eq(company_id.0));
    if let Some(user) = wallet_user {
        query = query.filter(contacts::Column::WalletUserId.eq(user.0));
    }
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

pub async fn delete(tx: &WriteTx, id: ContactId) -> Result<u64, DbErr> {
    Ok(contacts::Entity::delete_by_id(id.0).exec(tx).await?.rows_affected)
}

/// The company's contacts whose fixed agent is `user` (before the user is deleted).
pub async fn in_wallet_of(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    user: UserId,
) -> Result<Vec<contacts::Model>, DbErr> {
    contacts::Entity::find()
        .filter(contacts::Column::CompanyId.eq(company_id.0))
        .filter(contacts::Column::WalletUserId.eq(user.0))
        .all(db)
        .await
}

/// The company's contacts with these numbers.
pub async fn by_numbers(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    numbers: &[String],
) -> Result<Vec<contacts::Model>, DbErr> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    contacts::Entity::find()
        .filter(contacts::Column::CompanyId.eq(company_id.0))
        .filter(contacts::Column::Number.is_in(numbers.iter().cloned()))
        .all(db)
        .await
}

/// An imported contact (owned: a batch of them is built before the transaction).
pub struct ImportedContact {
    pub name: String,
    pub number: String,
    pub email: Option<String>,
    pub extra: String,
}

/// Inserts a batch in one statement; a number that is already a contact (or became one meanwhile)
/// is left alone by the database's unique index. Returns the numbers inserted.
pub async fn insert_imported(
    tx: &WriteTx,
    company_id: CompanyId,
    rows: Vec<ImportedContact>,
) -> Result<Vec<String>, DbErr> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let models = rows.into_iter().map(|row| contacts::ActiveModel {
        company_id: Set(company_id.0),
        name_folded: Set(migrations::fold_for_search(&row.name)),
        name: Set(row.name),
        number: Set(row.number),
        email: Set(row.email),
        photo_url: Set(None),
        extra: Set(row.extra),
        is_group: Set(false),
        blocked: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    });
    let inserted = contacts::Entity::insert_many(models)
        .on_conflict_do_nothing_on([contacts::Column::CompanyId, contacts::Column::Number])
        .exec_with_returning_many(tx)
        .await?;
    Ok(match inserted {
        sea_orm::TryInsertResult::Inserted(models) => models.into_iter().map(|contact| contact.number).collect(),
        sea_orm::TryInsertResult::Empty | sea_orm::TryInsertResult::Conflicted => Vec::new(),
    })
}
