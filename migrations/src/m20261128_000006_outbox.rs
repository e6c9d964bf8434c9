//! The durable outbox: one row per outbound message still to hand to its provider, claimed with a
//! lease so exactly one instance sends it, surviving restarts. A row goes away when the provider
//! answered (the message then says sent, failed or unknown).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OutboundJobs {
    Table,
    Id,
    CompanyId,
    MessageId,
    TicketId,
    RunAt,
    Attempts,
    LeaseOwner,
    LeaseUntil,
    AttemptStartedAt,
    LastError,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboundJobs::Table)
                    .col(pk_auto(OutboundJobs::Id).big_integer())
                    .col(big_integer(OutboundJobs::CompanyId))
                    .col(big_integer(OutboundJobs::MessageId).unique_key())
                    .col(big_integer(OutboundJobs::TicketId))
                    .col(timestamp_with_time_zone(OutboundJobs::RunAt))
                    .col(integer(OutboundJobs::Attempts).default(0))
                    .col(string_len_null(OutboundJobs::LeaseOwner, 64))
                    .col(timestamp_with_time_zone_null(OutboundJobs::LeaseUntil))
                    .col(timestamp_with_time_zone_null(OutboundJobs::AttemptStartedAt))
                    .col(text_null(OutboundJobs::LastError))
                    .col(timestamp_with_time_zone(OutboundJobs::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outbound_jobs_message")
                            .from(OutboundJobs::Table, OutboundJobs::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outbound_jobs_ticket")
                            .from(OutboundJobs::Table, OutboundJobs::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The claim looks for due rows, and for an earlier row of the same ticket (messages of one
        // conversation go out in order).
        manager
            .create_index(
                Index::create()
                    .name("ix_outbound_jobs_run_at")
                    .table(OutboundJobs::Table)
                    .col(OutboundJobs::RunAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbound_jobs_ticket")
                    .table(OutboundJobs::Table)
                    .col(OutboundJobs::TicketId)
                    .col(OutboundJobs::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(OutboundJobs::Table).to_owned()).await
    }
}
