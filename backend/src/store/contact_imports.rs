//! Contacts imports: the job rows. Progress is written only while a job is `running`, so a job
//! that was marked interrupted stops at its next batch.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use shared::{CompanyId, ContactImportId, UserId};

use super::WriteTx;
use super::entities::contact_imports;
use super::enums::{ImportExisting, ImportStatus};

pub struct NewImportRow<'a> {
    pub company_id: CompanyId,
    pub user_id: UserId,
    pub instance_id: &'a str,
    pub existing: ImportExisting,
    pub file_name: &'a str,
    pub file_path: &'a str,
    pub total: u32,
}

fn int(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

pub async fn insert(tx: &WriteTx, row: NewImportRow<'_>) -> Result<contact_imports::Model, DbErr> {
    let now = Utc::now();
    contact_imports::ActiveModel {
        company_id: Set(row.company_id.0),
        user_id: Set(row.user_id.0),
        instance_id: Set(row.instance_id.to_owned()),
        status: Set(ImportStatus::Running),
        existing: Set(row.existing),
        file_name: Set(row.file_name.to_owned()),
        file_path: Set(row.file_path.to_owned()),
        total: Set(int(row.total)),
        processed: Set(0),
        created: Set(0),
        updated: Set(0),
        skipped: Set(0),
        rejected: Set(0),
        errors: Set("[]".to_owned()),
        error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: ContactImportId,
) -> Result<Option<contact_imports::Model>, DbErr> {
    contact_imports::Entity::find_by_id(id.0).filter(contact_imports::Column::CompanyId.eq(company_id.0)).one(db).await
}

/// Where a job stands after a batch.
pub struct Progress<'a> {
    pub processed: u32,
    pub created: u32,
    pub updated: u32,
    pub skipped: u32,
    pub rejected: u32,
    /// The kept row errors as JSON, when they changed.
    pub errors: Option<&'a str>,
}

/// Records a batch's progress; false when the job is no longer running (it was interrupted), in
/// which case nothing is written.
pub async fn record_progress(tx: &WriteTx, id: ContactImportId, progress: Progress<'_>) -> Result<bool, DbErr> {
    let mut update = contact_imports::Entity::update_many()
        .col_expr(contact_imports::Column::Processed, Expr::value(int(progress.processed)))
        .col_expr(contact_imports::Column::Created, Expr::value(int(progress.created)))
        .col_expr(contact_imports::Column::Updated, Expr::value(int(progress.updated)))
        .col_expr(contact_imports::Column::Skipped, Expr::value(int(progress.skipped)))
        .col_expr(contact_imports::Column::Rejected, Expr::value(int(progress.rejected)))
        .col_expr(contact_imports::Column::UpdatedAt, Expr::value(Utc::now()));
    if let Some(errors) = progress.errors {
        update = update.col_expr(contact_imports::Column::Errors, Expr::value(errors.to_owned()));
    }
    let result = update
        .filter(contact_imports::Column::Id.eq(id.0))
        .filter(contact_imports::Column::Status.eq(ImportStatus::Running))
        .exec(tx)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Ends a running job (`done`, `failed` or `interrupted`); false when it had ended already.
pub async fn finish(
    tx: &WriteTx,
    id: ContactImportId,
    status: ImportStatus,
    error: Option<&str>,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let result = contact_imports::Entity::update_many()
        .col_expr(contact_imports::Column::Status, Expr::value(status))
        .col_expr(contact_imports::Column::Error, Expr::value(error.map(str::to_owned)))
        .col_expr(contact_imports::Column::UpdatedAt, Expr::value(now))
        .col_expr(contact_imports::Column::FinishedAt, Expr::value(Some(now)))
        .filter(contact_imports::Column::Id.eq(id.0))
        .filter(contact_imports::Column::Status.eq(ImportStatus::Running))
        .exec(tx)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Running jobs of one instance (to interrupt when it stops).
pub async fn running_of_instance(
    db: &impl ConnectionTrait,
    instance_id: &str,
) -> Result<Vec<contact_imports::Model>, DbErr> {
    contact_imports::Entity::find()
        .filter(contact_imports::Column::Status.eq(ImportStatus::Running))
        .filter(contact_imports::Column::InstanceId.eq(instance_id))
        .all(db)
        .await
}

/// Running jobs whose last batch is older than `before`: their server died.
pub async fn stale(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<Vec<contact_imports::Model>, DbErr> {
    contact_imports::Entity::find()
        .filter(contact_imports::Column::Status.eq(ImportStatus::Running))
        .filter(contact_imports::Column::UpdatedAt.lt(before))
        .all(db)
        .await
}
