//! The company's settings row.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};
use shared::CompanyId;

use super::WriteTx;
use super::entities::company_settings::{self, Column, Entity};

pub async fn get(db: &impl ConnectionTrait, company: CompanyId) -> Result<Option<company_settings::Model>, DbErr> {
    Entity::find_by_id(company.0).one(db).await
}

/// Writes the `general` section, creating the row on first save.
pub async fn put_general(tx: &WriteTx, company: CompanyId, general: &str) -> Result<(), DbErr> {
    let row = company_settings::ActiveModel {
        company_id: Set(company.0),
        general: Set(general.to_owned()),
        updated_at: Set(Utc::now()),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::CompanyId).update_columns([Column::General, Column::UpdatedAt]).to_owned(),
        )
        .exec_without_returning(tx)
        .await?;
    Ok(())
}
