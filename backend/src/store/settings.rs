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
        ..Default::default()
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::CompanyId).update_columns([Column::General, Column::UpdatedAt]).to_owned(),
        )
        .exec_without_returning(tx)
        .await?;
    Ok(())
}

/// The stored sections, as JSON; `None` leaves a section as it is.
#[derive(Debug, Default)]
pub struct Sections {
    pub general: String,
    pub typebot: Option<String>,
    pub chatgpt: Option<String>,
    pub dialogflow: Option<String>,
    pub comtele: Option<String>,
}

/// Writes the sections given (and `general`), creating the row on first save.
pub async fn put(tx: &WriteTx, company: CompanyId, sections: Sections) -> Result<(), DbErr> {
    let mut columns = vec![Column::General, Column::UpdatedAt];
    let mut row = company_settings::ActiveModel {
        company_id: Set(company.0),
        general: Set(sections.general),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(json) = sections.typebot {
        row.typebot = Set(Some(json));
        columns.push(Column::Typebot);
    }
    if let Some(json) = sections.chatgpt {
        row.chatgpt = Set(Some(json));
        columns.push(Column::Chatgpt);
    }
    if let Some(json) = sections.dialogflow {
        row.dialogflow = Set(Some(json));
        columns.push(Column::Dialogflow);
    }
    if let Some(json) = sections.comtele {
        row.comtele = Set(Some(json));
        columns.push(Column::Comtele);
    }
    Entity::insert(row)
        .on_conflict(OnConflict::column(Column::CompanyId).update_columns(columns).to_owned())
        .exec_without_returning(tx)
        .await?;
    Ok(())
}
