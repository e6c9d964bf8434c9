//! The core loop: contacts, connections (channels), tickets, messages, ticket logs, the per-company
//! counters (ticket numbers, event sequence) and the events table that WebSocket clients resume from.

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
enum Queues {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CompanyCounters {
    Table,
    CompanyId,
    Name,
    Value,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    CompanyId,
    Name,
    Number,
    Email,
    PhotoUrl,
    Extra,
    IsGroup,
    Blocked,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Connections {
    Table,
    Id,
    CompanyId,
    Name,
    Kind,
    Status,
    DefaultQueueId,
    Settings,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    CompanyId,
    Number,
    Status,
    Kind,
    ContactId,
    ConnectionId,
    QueueId,
    UserId,
    UnreadCount,
    LastMessageBody,
    LastMessageAt,
    LastMessageFromMe,
    QueuedAt,
    ClosedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    CompanyId,
    TicketId,
    ConnectionId,
    ContactId,
    UserId,
    FromMe,
    Kind,
    Body,
    MediaPath,
    MediaMime,
    MediaName,
    Status,
    Error,
    ExternalId,
    QuotedId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TicketLogs {
    Table,
    Id,
    CompanyId,
    TicketId,
    UserId,
    Kind,
    Details,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    CompanyId,
    Seq,
    Kind,
    QueueId,
    UserId,
    Payload,
    CreatedAt,
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
                    .table(CompanyCounters::Table)
                    .col(big_integer(CompanyCounters::CompanyId))
                    .col(string_len(CompanyCounters::Name, 32))
                    .col(big_integer(CompanyCounters::Value).default(0))
                    .primary_key(Index::create().col(CompanyCounters::CompanyId).col(CompanyCounters::Name))
                    .foreign_key(&mut fk(
                        "fk_counters_company",
                        (CompanyCounters::Table, CompanyCounters::CompanyId),
                        (Companies::Table, Companies::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .col(pk_auto(Contacts::Id).big_integer())
                    .col(big_integer(Contacts::CompanyId))
                    .col(string_len(Contacts::Name, 120))
                    .col(string_len(Contacts::Number, 64))
                    .col(string_len_null(Contacts::Email, 254))
                    .col(string_len_null(Contacts::PhotoUrl, 1024))
                    .col(text(Contacts::Extra).default("{}"))
                    .col(boolean(Contacts::IsGroup).default(false))
                    .col(boolean(Contacts::Blocked).default(false))
                    .col(timestamp_with_time_zone(Contacts::CreatedAt))
                    .col(timestamp_with_time_zone(Contacts::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_contacts_company",
                        (Contacts::Table, Contacts::CompanyId),
                        (Companies::Table, Companies::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_contacts_company_number")
                    .table(Contacts::Table)
                    .col(Contacts::CompanyId)
                    .col(Contacts::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Connections::Table)
                    .col(pk_auto(Connections::Id).big_integer())
                    .col(big_integer(Connections::CompanyId))
                    .col(string_len(Connections::Name, 120))
                    .col(string_len(Connections::Kind, 16))
                    .col(string_len(Connections::Status, 16))
                    .col(big_integer_null(Connections::DefaultQueueId))
                    .col(text(Connections::Settings).default("{}"))
                    .col(timestamp_with_time_zone(Connections::CreatedAt))
                    .col(timestamp_with_time_zone(Connections::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_connections_company",
                        (Connections::Table, Connections::CompanyId),
                        (Companies::Table, Companies::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_connections_queue",
                        (Connections::Table, Connections::DefaultQueueId),
                        (Queues::Table, Queues::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Tickets::Table)
                    .col(pk_auto(Tickets::Id).big_integer())
                    .col(big_integer(Tickets::CompanyId))
                    .col(big_integer(Tickets::Number))
                    .col(string_len(Tickets::Status, 16))
                    .col(string_len(Tickets::Kind, 16))
                    .col(big_integer(Tickets::ContactId))
                    .col(big_integer(Tickets::ConnectionId))
                    .col(big_integer_null(Tickets::QueueId))
                    .col(big_integer_null(Tickets::UserId))
                    .col(integer(Tickets::UnreadCount).default(0))
                    .col(text_null(Tickets::LastMessageBody))
                    .col(timestamp_with_time_zone_null(Tickets::LastMessageAt))
                    .col(boolean(Tickets::LastMessageFromMe).default(false))
                    .col(timestamp_with_time_zone(Tickets::QueuedAt))
                    .col(timestamp_with_time_zone_null(Tickets::ClosedAt))
                    .col(timestamp_with_time_zone(Tickets::CreatedAt))
                    .col(timestamp_with_time_zone(Tickets::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_tickets_company",
                        (Tickets::Table, Tickets::CompanyId),
                        (Companies::Table, Companies::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_tickets_contact",
                        (Tickets::Table, Tickets::ContactId),
                        (Contacts::Table, Contacts::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_tickets_connection",
                        (Tickets::Table, Tickets::ConnectionId),
                        (Connections::Table, Connections::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_tickets_queue",
                        (Tickets::Table, Tickets::QueueId),
                        (Queues::Table, Queues::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_tickets_user",
                        (Tickets::Table, Tickets::UserId),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_tickets_company_number")
                    .table(Tickets::Table)
                    .col(Tickets::CompanyId)
                    .col(Tickets::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The list's hot path: a company's tickets of one status, most recently active first.
        manager
            .create_index(
                Index::create()
                    .name("idx_tickets_company_status_updated")
                    .table(Tickets::Table)
                    .col(Tickets::CompanyId)
                    .col(Tickets::Status)
                    .col(Tickets::UpdatedAt)
                    .col(Tickets::Id)
                    .to_owned(),
            )
            .await?;
        // The database itself guarantees at most one open-or-pending ticket per contact and connection.
        // Partial unique indexes exist with the same syntax on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_tickets_one_active ON tickets (contact_id, connection_id) WHERE status <> 'closed'",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(pk_auto(Messages::Id).big_integer())
                    .col(big_integer(Messages::CompanyId))
                    .col(big_integer(Messages::TicketId))
                    .col(big_integer(Messages::ConnectionId))
                    .col(big_integer(Messages::ContactId))
                    .col(big_integer_null(Messages::UserId))
                    .col(boolean(Messages::FromMe))
                    .col(string_len(Messages::Kind, 16))
                    .col(text(Messages::Body))
                    .col(string_len_null(Messages::MediaPath, 512))
                    .col(string_len_null(Messages::MediaMime, 128))
                    .col(string_len_null(Messages::MediaName, 255))
                    .col(string_len(Messages::Status, 16))
                    .col(text_null(Messages::Error))
                    .col(string_len_null(Messages::ExternalId, 255))
                    .col(big_integer_null(Messages::QuotedId))
                    .col(timestamp_with_time_zone(Messages::CreatedAt))
                    .col(timestamp_with_time_zone(Messages::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_messages_company",
                        (Messages::Table, Messages::CompanyId),
                        (Companies::Table, Companies::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_messages_ticket",
                        (Messages::Table, Messages::TicketId),
                        (Tickets::Table, Tickets::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_messages_user",
                        (Messages::Table, Messages::UserId),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // One message per provider id on a connection: a webhook delivered twice is stored once.
        manager
            .create_index(
                Index::create()
                    .name("uq_messages_connection_external")
                    .table(Messages::Table)
                    .col(Messages::ConnectionId)
                    .col(Messages::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_ticket")
                    .table(Messages::Table)
                    .col(Messages::TicketId)
                    .col(Messages::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TicketLogs::Table)
                    .col(pk_auto(TicketLogs::Id).big_integer())
                    .col(big_integer(TicketLogs::CompanyId))
                    .col(big_integer(TicketLogs::TicketId))
                    .col(big_integer_null(TicketLogs::UserId))
                    .col(string_len(TicketLogs::Kind, 32))
                    .col(text(TicketLogs::Details).default("{}"))
                    .col(timestamp_with_time_zone(TicketLogs::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_ticket_logs_ticket",
                        (TicketLogs::Table, TicketLogs::TicketId),
                        (Tickets::Table, Tickets::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_ticket_logs_user",
                        (TicketLogs::Table, TicketLogs::UserId),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ticket_logs_ticket")
                    .table(TicketLogs::Table)
                    .col(TicketLogs::TicketId)
                    .col(TicketLogs::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(big_integer(Events::CompanyId))
                    .col(big_integer(Events::Seq))
                    .col(string_len(Events::Kind, 48))
                    .col(big_integer_null(Events::QueueId))
                    .col(big_integer_null(Events::UserId))
                    .col(text(Events::Payload))
                    .col(timestamp_with_time_zone(Events::CreatedAt))
                    .primary_key(Index::create().col(Events::CompanyId).col(Events::Seq))
                    .foreign_key(&mut fk(
                        "fk_events_company",
                        (Events::Table, Events::CompanyId),
                        (Companies::Table, Companies::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Events::Table.into_iden(),
            TicketLogs::Table.into_iden(),
            Messages::Table.into_iden(),
            Tickets::Table.into_iden(),
            Connections::Table.into_iden(),
            Contacts::Table.into_iden(),
            CompanyCounters::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
