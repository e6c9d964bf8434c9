//! Issue 13: the dashboard's indexes, now that it counts open and pending tickets from
//! `active_ticket_counts` (migration `m20261129_000034`):
//! - the two ticket indexes it counted them from are read by nothing and only cost every
//!   ticket's insert and move: dropped;
//! - today's accept and resolve logs are read from an index that also holds their kind and ticket
//!   (SQLite read each of the day's logs from the table to test its kind: 8 → 5.5 ms on the bench).

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

#[derive(DeriveIden, Clone, Copy)]
enum TicketLogs {
    Table,
    CompanyId,
    CreatedAt,
    Kind,
    TicketId,
}

/// Each dropped index and its columns (to recreate it on the way down).
const DROPPED: &[(&str, [Tickets; 5])] = &[
    (
        "idx_tickets_company_status_counts",
        [Tickets::CompanyId, Tickets::Status, Tickets::QueueId, Tickets::UserId, Tickets::CreatedAt],
    ),
    (
        "idx_tickets_company_status_user_counts",
        [Tickets::CompanyId, Tickets::Status, Tickets::UserId, Tickets::QueueId, Tickets::CreatedAt],
    ),
];

const LOGS_OF_THE_DAY: &str = "idx_ticket_logs_company_created";
const LOGS_OF_THE_DAY_COVERING: &str = "idx_ticket_logs_company_created_kind";

fn logs_index(name: &str, columns: &[TicketLogs]) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(TicketLogs::Table).to_owned();
    for column in columns {
        index.col(*column);
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in DROPPED {
            manager.drop_index(Index::drop().name(*name).table(Tickets::Table).to_owned()).await?;
        }
        use TicketLogs as L;
        let covering = [L::CompanyId, L::CreatedAt, L::Kind, L::TicketId];
        manager.create_index(logs_index(LOGS_OF_THE_DAY_COVERING, &covering)).await?;
        manager.drop_index(Index::drop().name(LOGS_OF_THE_DAY).table(L::Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use TicketLogs as L;
        manager.create_index(logs_index(LOGS_OF_THE_DAY, &[L::CompanyId, L::CreatedAt])).await?;
        manager.drop_index(Index::drop().name(LOGS_OF_THE_DAY_COVERING).table(L::Table).to_owned()).await?;
        for (name, columns) in DROPPED {
            let mut index = Index::create().name(*name).table(Tickets::Table).to_owned();
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }
}
