//! A WhatsApp Web connection's session (its keys, sealed with the server's encryption key) and who
//! holds it: with several instances only one may be linked to the phone at a time, so the holder
//! keeps a lease on the row like the outbox keeps one on a job.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Connections {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum WhatsappWebSessions {
    Table,
    ConnectionId,
    Session,
    Wanted,
    LeaseOwner,
    LeaseUntil,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WhatsappWebSessions::Table)
                    .col(big_integer(WhatsappWebSessions::ConnectionId).primary_key())
                    .col(text_null(WhatsappWebSessions::Session))
                    // Whether the session should be running (connect asked, no logout since): what a
                    // restarted server resumes.
                    .col(boolean(WhatsappWebSessions::Wanted).default(false))
                    .col(string_len_null(WhatsappWebSessions::LeaseOwner, 64))
                    .col(timestamp_with_time_zone_null(WhatsappWebSessions::LeaseUntil))
                    .col(timestamp_with_time_zone(WhatsappWebSessions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_whatsapp_web_sessions_connection")
                            .from(WhatsappWebSessions::Table, WhatsappWebSessions::ConnectionId)
                            .to(Connections::Table, Connections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WhatsappWebSessions::Table).to_owned()).await
    }
}
