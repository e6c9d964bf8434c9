use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::WriteTx;
use super::entities::stickers;
use shared::{CompanyId, StickerId};

pub struct NewStickerRow<'a> {
    pub company_id: CompanyId,
    pub name: &'a str,
    /// Its name in the media store (`media/<company>/<uuid>`).
    pub media_path: &'a str,
    pub size: i64,
    pub animated: bool,
}

pub async fn insert(tx: &WriteTx, row: NewStickerRow<'_>) -> Result<stickers::Model, DbErr> {
    stickers::ActiveModel {
        company_id: Set(row.company_id.0),
        name: Set(row.name.to_owned()),
        media_path: Set(row.media_path.to_owned()),
        size: Set(row.size),
        animated: Set(row.animated),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn get_in_company(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    id: StickerId,
) -> Result<Option<stickers::Model>, DbErr> {
    stickers::Entity::find_by_id(id.0).filter(stickers::Column::CompanyId.eq(company_id.0)).one(db).await
}

pub async fn rename(tx: &WriteTx, sticker: stickers::Model, name: &str) -> Result<stickers::Model, DbErr> {
    let mut row: stickers::ActiveModel = sticker.into();
    row.name = Set(name.to_owned());
    row.update(tx).await
}

pub async fn delete(tx: &WriteTx, company_id: CompanyId, id: StickerId) -> Result<u64, DbErr> {
    let result = stickers::Entity::delete_many()
        .filter(stickers::Column::Id.eq(id.0))
        .filter(stickers::Column::CompanyId.eq(company_id.0))
        .exec(tx)
        .await?;
    Ok(result.rows_affected)
}

pub async fn page(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<stickers::Model>, DbErr> {
    let mut query = stickers::Entity::find().filter(stickers::Column::CompanyId.eq(company_id.0));
    if let Some(after) = after_id {
        query = query.filter(stickers::Column::Id.gt(after));
    }
    query.order_by_asc(stickers::Column::Id).limit(limit + 1).all(db).await
}
