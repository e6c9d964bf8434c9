//! The integrations' sections of the settings (Typebot, ChatGPT, DialogFlow, Comtele), one JSON
//! column each like `general` (secrets inside are sealed by the server), and a company's
//! `suspended` flag (its users can neither sign in nor call the API).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CompanySettings {
    Table,
    Typebot,
    Chatgpt,
    Dialogflow,
    Comtele,
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Suspended,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in
            [CompanySettings::Typebot, CompanySettings::Chatgpt, CompanySettings::Dialogflow, CompanySettings::Comtele]
        {
            manager
                .alter_table(
                    Table::alter()
                        .table(CompanySettings::Table)
                        .add_column(ColumnDef::new(column).text().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .add_column(ColumnDef::new(Companies::Suspended).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Companies::Table).drop_column(Companies::Suspended).to_owned())
            .await?;
        for column in
            [CompanySettings::Comtele, CompanySettings::Dialogflow, CompanySettings::Chatgpt, CompanySettings::Typebot]
        {
            manager.alter_table(Table::alter().table(CompanySettings::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
