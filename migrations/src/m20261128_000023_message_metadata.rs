//! What an inbound message carries beside its text (a button's payload, a list reply's id, an
//! order, a shared contact card, the ad that brought the customer…) as JSON, and in a group who
//! wrote it (name and number), kept apart from the body.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    Metadata,
    ParticipantName,
    ParticipantNumber,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [Messages::Metadata, Messages::ParticipantName, Messages::ParticipantNumber] {
            manager
                .alter_table(
                    Table::alter().table(Messages::Table).add_column(ColumnDef::new(column).text().null()).to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Messages::ParticipantNumber, Messages::ParticipantName, Messages::Metadata] {
            manager.alter_table(Table::alter().table(Messages::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
