//! Issue 13: the dashboard counts open and pending tickets from `active_ticket_counts` (migration
//! `m20261129_000034`), so the two indexes it used to count them from are read by nothing and
//! only cost every ticket's insert and move.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Tickets {
    Table,
    CompanyId,
    Status,
    QueueId,
    UserId,
    CreatedAt,
}

/// Each index and its columns (to recreate it on the way down).
const INDEXES: &[(&str, [Tickets; 5])] = &[
    (
        "idx_tickets_company_status_counts",
        [Tickets::CompanyId, Tickets::Status, Tickets::QueueId, Tickets::UserId, Tickets::CreatedAt],
    ),
    (
        "idx_tickets_company_status_user_counts",
        [Tickets::CompanyId, Tickets::Status, Tickets::UserId, Tickets::QueueId, Tickets::CreatedAt],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager.drop_index(Index::drop().name(*name).table(Tickets::Table).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in INDEXES {
            let mut index = Index::create().name(*name).table(Tickets::Table).to_owned();
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }
}
