//! What each live event is about: its ticket and its contact. A replay checks the ticket's
//! visibility as it stands now, and deleting a contact (or a connection) deletes the events
//! that carried its data (review #15: LGPD). Rows written before this migration have neither.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    CompanyId,
    TicketId,
    ContactId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time. No foreign keys: the rows
        // are deleted explicitly with what they are about, in the same transaction.
        for column in [Events::TicketId, Events::ContactId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Events::Table)
                        .add_column(ColumnDef::new(column).big_integer().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_events_company_ticket")
                    .table(Events::Table)
                    .col(Events::CompanyId)
                    .col(Events::TicketId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_events_company_contact")
                    .table(Events::Table)
                    .col(Events::CompanyId)
                    .col(Events::ContactId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in ["idx_events_company_contact", "idx_events_company_ticket"] {
            manager.drop_index(Index::drop().name(index).table(Events::Table).to_owned()).await?;
        }
        for column in [Events::ContactId, Events::TicketId] {
            manager.alter_table(Table::alter().table(Events::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
