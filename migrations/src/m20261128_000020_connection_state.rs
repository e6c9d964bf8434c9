//! What a connection's status needs beside itself: why it is in error or disconnected, and while a
//! WhatsApp Web connection pairs, the QR code to scan (kept in the database so every instance
//! answers `GET /connections/{id}` with the same one).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Connections {
    Table,
    StatusReason,
    Qr,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [Connections::StatusReason, Connections::Qr] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Connections::Table)
                        .add_column(ColumnDef::new(column).text().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Connections::Qr, Connections::StatusReason] {
            manager.alter_table(Table::alter().table(Connections::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
