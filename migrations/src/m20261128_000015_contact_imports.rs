//! Contacts imports: one row per CSV file being (or having been) imported, with its progress and
//! report. The file itself lives under the data dir while the job runs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ContactImports {
    Table,
    Id,
    CompanyId,
    UserId,
    InstanceId,
    Status,
    Existing,
    FileName,
    FilePath,
    Total,
    Processed,
    Created,
    Updated,
    Skipped,
    Rejected,
    Errors,
    Error,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ContactImports::Table)
                    .col(pk_auto(ContactImports::Id).big_integer())
                    .col(big_integer(ContactImports::CompanyId))
                    .col(big_integer(ContactImports::UserId))
                    // The instance running it: it marks its own jobs interrupted when it stops.
                    .col(string_len(ContactImports::InstanceId, 64))
                    .col(string_len(ContactImports::Status, 16))
                    .col(string_len(ContactImports::Existing, 16))
                    .col(string_len(ContactImports::FileName, 255))
                    .col(string_len(ContactImports::FilePath, 512))
                    .col(integer(ContactImports::Total))
                    .col(integer(ContactImports::Processed))
                    .col(integer(ContactImports::Created))
                    .col(integer(ContactImports::Updated))
                    .col(integer(ContactImports::Skipped))
                    .col(integer(ContactImports::Rejected))
                    // JSON: the first rejected rows with their reasons.
                    .col(text(ContactImports::Errors))
                    .col(text_null(ContactImports::Error))
                    .col(timestamp_with_time_zone(ContactImports::CreatedAt))
                    // Touched by every batch: a running job not touched for a while has lost its server.
                    .col(timestamp_with_time_zone(ContactImports::UpdatedAt))
                    .col(timestamp_with_time_zone_null(ContactImports::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contact_imports_company")
                            .from(ContactImports::Table, ContactImports::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contact_imports_user")
                            .from(ContactImports::Table, ContactImports::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_contact_imports_status")
                    .table(ContactImports::Table)
                    .col(ContactImports::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ContactImports::Table).to_owned()).await
    }
}
