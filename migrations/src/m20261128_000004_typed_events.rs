//! Events carry the status of the ticket they concern, so the WebSocket applies the same
//! visibility rule as REST; system messages keep what happened as data, so each reader sees it in
//! their own language.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    TicketStatus,
    UserId,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    SystemNote,
}

#[derive(DeriveIden)]
enum Connections {
    Table,
    Status,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .add_column(ColumnDef::new(Events::TicketStatus).string_len(16).null())
                    .to_owned(),
            )
            .await?;
        // Older events: assigned ones as open, the others as waiting (the rule they were sent by).
        for (status, assigned) in [("open", true), ("pending", false)] {
            let user =
                if assigned { Expr::col(Events::UserId).is_not_null() } else { Expr::col(Events::UserId).is_null() };
            manager
                .exec_stmt(
                    Query::update().table(Events::Table).value(Events::TicketStatus, status).and_where(user).to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(ColumnDef::new(Messages::SystemNote).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Connections::Table)
                    .value(Connections::Status, "pairing")
                    .and_where(Expr::col(Connections::Status).eq("qrcode"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Messages::Table).drop_column(Messages::SystemNote).to_owned()).await?;
        manager.alter_table(Table::alter().table(Events::Table).drop_column(Events::TicketStatus).to_owned()).await
    }
}
