use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use shared::{CompanyId, QueueId, QuickReplyId};

use super::WriteTx;
use super::entities::quick_replies;

pub async fn insert(
    tx: &WriteTx,
    company_id: CompanyId,
    queue_id: Option<QueueId>,
    shortcut: &str,
    body: &str,
) -> Result<quick_replies::Model, DbErr> {
    let now = Utc::now();
    quick_replies::ActiveModel {
        company_id: Set(company_id.0),
        queue_id: Set(queue_id.map(i64::from)),
        shortcut: Set(shortcut.to_owned()),
        body: Set(body.to_owned()),
        file_path: Set(None),
        file_name: Set(None),
        file_mime: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: QuickReplyId,
) -> Result<Option<quick_replies::Model>, DbErr> {
    quick_replies::Entity::find_by_id(id.0).filter(quick_replies::Column::CompanyId.eq(company_id.0)).one(db).await
}

pub async fn update(tx: &WriteTx, mut row: quick_replies::ActiveModel) -> Result<quick_replies::Model, DbErr> {
    row.updated_at = Set(Utc::now());
    row.update(tx).await
}

pub async fn delete(tx: &WriteTx, id: QuickReplyId) -> Result<u64, DbErr> {
    Ok(quick_replies::Entity::delete_by_id(id.0).exec(tx).await?.rows_affected)
}

/// Which quick replies a reader sees.
pub enum Scope<'a> {
    /// Every one of the company (admins, supervisors).
    All,
    /// The company-wide ones and those of these queues (an agent's).
    Queues(&'a [QueueId]),
}

/// A page of the company's quick replies in `scope`, by id. `search` matches the start of the
/// shortcut or any part of the text, ignoring case.
pub async fn page(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    scope: Scope<'_>,
    search: Option<&str>,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<quick_replies::Model>, DbErr> {
    let mut query = quick_replies::Entity::find().filter(quick_replies::Column::CompanyId.eq(company_id.0));
    if let Scope::Queues(ids) = scope {
        query = query.filter(
            Condition::any()
                .add(quick_replies::Column::QueueId.is_null())
                .add(quick_replies::Column::QueueId.is_in(ids.iter().map(|id| id.0))),
        );
    }
    if let Some(term) = search.map(str::trim).filter(|t| !t.is_empty()) {
        // Shortcuts are stored lower-case; `%` and `_` would be wildcards, so they are dropped.
        let prefix = format!("{}%", term.trim_start_matches('/').to_lowercase().replace(['%', '_', '\\'], ""));
        query = query.filter(
            Condition::any()
                .add(Expr::col((quick_replies::Entity, quick_replies::Column::Shortcut)).like(prefix))
                .add(super::contains_ci((quick_replies::Entity, quick_replies::Column::Body), term)),
        );
    }
    if let Some(after) = after_id {
        query = query.filter(quick_replies::Column::Id.gt(after));
    }
    query.order_by_asc(quick_replies::Column::Id).limit(limit + 1).all(db).await
}

/// The files of a queue's quick replies (deleted with the queue).
pub async fn file_paths_of_queue(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    queue_id: QueueId,
) -> Result<Vec<String>, DbErr> {
    let rows = quick_replies::Entity::find()
        .filter(quick_replies::Column::CompanyId.eq(company_id.0))
        .filter(quick_replies::Column::QueueId.eq(queue_id.0))
        .filter(quick_replies::Column::FilePath.is_not_null())
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|row| row.file_path).collect())
}
