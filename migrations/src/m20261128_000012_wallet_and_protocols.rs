//! Wallets (Carteira: a contact's fixed agent) and protocol numbers (Protocolo).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    CompanyId,
    WalletUserId,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Protocols {
    Table,
    Id,
    CompanyId,
    TicketId,
    ContactId,
    UserId,
    Number,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // sea-query cannot add a foreign key to an existing SQLite table, but this statement reads
        // the same on SQLite and PostgreSQL. A deleted user leaves their contacts without a wallet
        // (back to queue routing).
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE contacts ADD COLUMN wallet_user_id BIGINT NULL REFERENCES users (id) ON DELETE SET NULL",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_contacts_wallet_user")
                    .table(Contacts::Table)
                    .col(Contacts::CompanyId)
                    .col(Contacts::WalletUserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Protocols::Table)
                    .col(pk_auto(Protocols::Id).big_integer())
                    .col(big_integer(Protocols::CompanyId))
                    .col(big_integer(Protocols::TicketId))
                    .col(big_integer(Protocols::ContactId))
                    .col(big_integer_null(Protocols::UserId))
                    .col(string_len(Protocols::Number, 32))
                    .col(timestamp_with_time_zone(Protocols::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_protocols_company")
                            .from(Protocols::Table, Protocols::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_protocols_ticket")
                            .from(Protocols::Table, Protocols::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_protocols_contact")
                            .from(Protocols::Table, Protocols::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_protocols_user")
                            .from(Protocols::Table, Protocols::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // Unique per company, and what a search by number looks up.
        manager
            .create_index(
                Index::create()
                    .name("uq_protocols_company_number")
                    .table(Protocols::Table)
                    .col(Protocols::CompanyId)
                    .col(Protocols::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_protocols_ticket")
                    .table(Protocols::Table)
                    .col(Protocols::TicketId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_protocols_contact")
                    .table(Protocols::Table)
                    .col(Protocols::ContactId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Protocols::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("idx_contacts_wallet_user").table(Contacts::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Contacts::Table).drop_column(Contacts::WalletUserId).to_owned()).await
    }
}
