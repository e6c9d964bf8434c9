//! The company's settings (Configurações): one row per company, one JSON column per section, so a
//! field added to a section needs no migration (it reads with its default until saved).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CompanySettings {
    Table,
    CompanyId,
    General,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CompanySettings::Table)
                    .col(big_integer(CompanySettings::CompanyId).primary_key())
                    .col(text(CompanySettings::General).default("{}"))
                    .col(timestamp_with_time_zone(CompanySettings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_company_settings_company")
                            .from(CompanySettings::Table, CompanySettings::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CompanySettings::Table).to_owned()).await
    }
}
