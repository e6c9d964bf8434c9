//! The company's sticker library: WebP files kept under the data dir like message media.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Stickers {
    Table,
    Id,
    CompanyId,
    Name,
    MediaPath,
    Size,
    Animated,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Stickers::Table)
                    .col(pk_auto(Stickers::Id).big_integer())
                    .col(big_integer(Stickers::CompanyId))
                    .col(string_len(Stickers::Name, 120))
                    .col(string_len(Stickers::MediaPath, 512))
                    .col(big_integer(Stickers::Size))
                    .col(boolean(Stickers::Animated))
                    .col(timestamp_with_time_zone(Stickers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_stickers_company")
                            .from(Stickers::Table, Stickers::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The library is listed per company, by id.
        manager
            .create_index(
                Index::create()
                    .name("idx_stickers_company")
                    .table(Stickers::Table)
                    .col(Stickers::CompanyId)
                    .col(Stickers::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Stickers::Table).to_owned()).await
    }
}
