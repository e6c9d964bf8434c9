//! The dashboard reads only the day's accept and resolve logs of a company: an index on
//! `(company_id, created_at)` keeps that read to the day's rows instead of the whole history.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TicketLogs {
    Table,
    CompanyId,
    CreatedAt,
}

const INDEX: &str = "idx_ticket_logs_company_created";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(TicketLogs::Table)
                    .col(TicketLogs::CompanyId)
                    .col(TicketLogs::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(INDEX).table(TicketLogs::Table).to_owned()).await
    }
}
