//! Scheduled messages: the row is the promise; sending it turns it `sent` in the same transaction
//! that stores the message and queues it in the outbox, so it is sent once whatever restarts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Schedules {
    Table,
    Id,
    CompanyId,
    ContactId,
    TicketId,
    Body,
    MediaPath,
    MediaMime,
    MediaName,
    MediaKind,
    SendAt,
    Status,
    SentAt,
    Late,
    Error,
    MessageId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Schedules::Table)
                    .col(pk_auto(Schedules::Id).big_integer())
                    .col(big_integer(Schedules::CompanyId))
                    .col(big_integer(Schedules::ContactId))
                    .col(big_integer_null(Schedules::TicketId))
                    .col(text(Schedules::Body))
                    .col(string_len_null(Schedules::MediaPath, 255))
                    .col(string_len_null(Schedules::MediaMime, 128))
                    .col(string_len_null(Schedules::MediaName, 255))
                    .col(string_len_null(Schedules::MediaKind, 16))
                    .col(timestamp_with_time_zone(Schedules::SendAt))
                    .col(string_len(Schedules::Status, 16))
                    .col(timestamp_with_time_zone_null(Schedules::SentAt))
                    .col(boolean(Schedules::Late).default(false))
                    .col(text_null(Schedules::Error))
                    .col(big_integer_null(Schedules::MessageId))
                    // No foreign key: a schedule outlives the user who wrote it.
                    .col(big_integer(Schedules::CreatedBy))
                    .col(timestamp_with_time_zone(Schedules::CreatedAt))
                    .col(timestamp_with_time_zone(Schedules::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_schedules_company")
                            .from(Schedules::Table, Schedules::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_schedules_contact")
                            .from(Schedules::Table, Schedules::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_schedules_ticket")
                            .from(Schedules::Table, Schedules::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // The sender looks for due ones; lists go by company (newest first) or by ticket.
        manager
            .create_index(
                Index::create()
                    .name("ix_schedules_due")
                    .table(Schedules::Table)
                    .col(Schedules::Status)
                    .col(Schedules::SendAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_schedules_company")
                    .table(Schedules::Table)
                    .col(Schedules::CompanyId)
                    .col(Schedules::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_schedules_ticket").table(Schedules::Table).col(Schedules::TicketId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Schedules::Table).to_owned()).await
    }
}
