//! Ratings (Avaliação): each survey sent to a contact, awaiting their answer until `expires_at`,
//! and the score they gave. A request is one row; it gets at most one score.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Queues {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Ratings {
    Table,
    Id,
    CompanyId,
    TicketId,
    ContactId,
    ConnectionId,
    UserId,
    QueueId,
    RequestedBy,
    Scale,
    Score,
    Reasked,
    Abandoned,
    RequestedAt,
    ExpiresAt,
    AnsweredAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(on_delete).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        manager
            .create_table(
                Table::create()
                    .table(Ratings::Table)
                    .col(pk_auto(Ratings::Id).big_integer())
                    .col(big_integer(Ratings::CompanyId))
                    .col(big_integer(Ratings::TicketId))
                    // Where the answer will come from: the ticket's contact on the ticket's connection.
                    .col(big_integer(Ratings::ContactId))
                    .col(big_integer(Ratings::ConnectionId))
                    // Who and which queue are rated: the ticket's agent and queue when it was asked.
                    .col(big_integer_null(Ratings::UserId))
                    .col(big_integer_null(Ratings::QueueId))
                    .col(big_integer_null(Ratings::RequestedBy))
                    .col(small_integer(Ratings::Scale))
                    .col(small_integer_null(Ratings::Score))
                    .col(boolean(Ratings::Reasked).default(false))
                    .col(boolean(Ratings::Abandoned).default(false))
                    .col(timestamp_with_time_zone(Ratings::RequestedAt))
                    .col(timestamp_with_time_zone(Ratings::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Ratings::AnsweredAt))
                    .foreign_key(&mut fk(
                        "fk_ratings_company",
                        (Ratings::Table, Ratings::CompanyId),
                        (Companies::Table, Companies::Id),
                        Cascade,
                    ))
                    // The ticket goes with its contact or connection; its ratings go with it.
                    .foreign_key(&mut fk(
                        "fk_ratings_ticket",
                        (Ratings::Table, Ratings::TicketId),
                        (Tickets::Table, Tickets::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_ratings_user",
                        (Ratings::Table, Ratings::UserId),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_ratings_queue",
                        (Ratings::Table, Ratings::QueueId),
                        (Queues::Table, Queues::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_ratings_requested_by",
                        (Ratings::Table, Ratings::RequestedBy),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // Every inbound message asks: is this contact's answer awaited on this connection?
        manager
            .create_index(
                Index::create()
                    .name("idx_ratings_awaiting")
                    .table(Ratings::Table)
                    .col(Ratings::ContactId)
                    .col(Ratings::ConnectionId)
                    .col(Ratings::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        // Reports by period.
        manager
            .create_index(
                Index::create()
                    .name("idx_ratings_answered")
                    .table(Ratings::Table)
                    .col(Ratings::CompanyId)
                    .col(Ratings::AnsweredAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_ratings_ticket").table(Ratings::Table).col(Ratings::TicketId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Ratings::Table).to_owned()).await
    }
}
