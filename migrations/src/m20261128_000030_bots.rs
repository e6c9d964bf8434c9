//! Bots: which bot answers a ticket (at most one) and its provider state (Typebot's session), the
//! bot a queue's or a connection's new tickets start with, which bot wrote a message, and the
//! durable queue of customer messages a bot still has to answer.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    Bot,
    BotState,
}

#[derive(DeriveIden)]
enum Queues {
    Table,
    DefaultBot,
}

#[derive(DeriveIden)]
enum Connections {
    Table,
    DefaultBot,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    Bot,
}

#[derive(DeriveIden)]
enum BotJobs {
    Table,
    Id,
    CompanyId,
    TicketId,
    MessageId,
    LeaseOwner,
    LeaseUntil,
    AttemptStartedAt,
    CreatedAt,
}

/// One column per statement: SQLite's ALTER TABLE adds one at a time.
async fn add_text_column(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: impl IntoIden,
) -> Result<(), DbErr> {
    manager.alter_table(Table::alter().table(table).add_column(ColumnDef::new(column).text().null()).to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_text_column(manager, Tickets::Table, Tickets::Bot).await?;
        add_text_column(manager, Tickets::Table, Tickets::BotState).await?;
        add_text_column(manager, Queues::Table, Queues::DefaultBot).await?;
        add_text_column(manager, Connections::Table, Connections::DefaultBot).await?;
        add_text_column(manager, Messages::Table, Messages::Bot).await?;
        manager
            .create_table(
                Table::create()
                    .table(BotJobs::Table)
                    .col(pk_auto(BotJobs::Id).big_integer())
                    .col(big_integer(BotJobs::CompanyId))
                    .col(big_integer(BotJobs::TicketId))
                    // A customer message is answered once, however often it is delivered.
                    .col(big_integer(BotJobs::MessageId).unique_key())
                    .col(string_len_null(BotJobs::LeaseOwner, 64))
                    .col(timestamp_with_time_zone_null(BotJobs::LeaseUntil))
                    .col(timestamp_with_time_zone_null(BotJobs::AttemptStartedAt))
                    .col(timestamp_with_time_zone(BotJobs::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bot_jobs_message")
                            .from(BotJobs::Table, BotJobs::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bot_jobs_ticket")
                            .from(BotJobs::Table, BotJobs::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_bot_jobs_ticket").table(BotJobs::Table).col(BotJobs::TicketId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BotJobs::Table).to_owned()).await?;
        for (table, column) in [
            (Tickets::Table.into_iden(), Tickets::Bot.into_iden()),
            (Tickets::Table.into_iden(), Tickets::BotState.into_iden()),
            (Queues::Table.into_iden(), Queues::DefaultBot.into_iden()),
            (Connections::Table.into_iden(), Connections::DefaultBot.into_iden()),
            (Messages::Table.into_iden(), Messages::Bot.into_iden()),
        ] {
            manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
