//! Quick replies (Mensagens rápidas): a company's saved messages, for the whole company or one
//! queue, each with an optional file kept under the data dir.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Queues {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum QuickReplies {
    Table,
    Id,
    CompanyId,
    QueueId,
    Shortcut,
    Body,
    FilePath,
    FileName,
    FileMime,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QuickReplies::Table)
                    .col(pk_auto(QuickReplies::Id).big_integer())
                    .col(big_integer(QuickReplies::CompanyId))
                    .col(big_integer_null(QuickReplies::QueueId))
                    .col(string_len(QuickReplies::Shortcut, 32))
                    .col(text(QuickReplies::Body))
                    .col(string_len_null(QuickReplies::FilePath, 512))
                    .col(string_len_null(QuickReplies::FileName, 255))
                    .col(string_len_null(QuickReplies::FileMime, 128))
                    .col(timestamp_with_time_zone(QuickReplies::CreatedAt))
                    .col(timestamp_with_time_zone(QuickReplies::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quick_replies_company")
                            .from(QuickReplies::Table, QuickReplies::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    // A queue's replies go with it (the domain removes their files).
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quick_replies_queue")
                            .from(QuickReplies::Table, QuickReplies::QueueId)
                            .to(Queues::Table, Queues::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One shortcut per company and scope: NULLs are distinct in a plain unique index, so the
        // company-wide scope (no queue) is folded to 0. Expression indexes exist with the same
        // syntax on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_quick_replies_shortcut ON quick_replies (company_id, COALESCE(queue_id, 0), shortcut)",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_quick_replies_queue")
                    .table(QuickReplies::Table)
                    .col(QuickReplies::QueueId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(QuickReplies::Table).to_owned()).await
    }
}
