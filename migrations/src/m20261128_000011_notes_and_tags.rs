//! Notes (internal, never sent to the contact) and tags (a company's labels, put on tickets).

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
enum Tags {
    Table,
    Id,
    CompanyId,
    Name,
    Color,
    Position,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TicketTags {
    Table,
    TicketId,
    TagId,
    CompanyId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notes {
    Table,
    Id,
    CompanyId,
    TicketId,
    UserId,
    UserName,
    Body,
    CreatedAt,
}

fn cascade(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tags::Table)
                    .col(pk_auto(Tags::Id).big_integer())
                    .col(big_integer(Tags::CompanyId))
                    .col(string_len(Tags::Name, 120))
                    .col(string_len(Tags::Color, 7))
                    .col(integer(Tags::Position))
                    .col(timestamp_with_time_zone(Tags::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_tags_company",
                        (Tags::Table, Tags::CompanyId),
                        (Companies::Table, Companies::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_tags_company_name")
                    .table(Tags::Table)
                    .col(Tags::CompanyId)
                    .col(Tags::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // A tag on a ticket; both foreign keys cascade, so deleting a tag (or a ticket) takes its
        // rows along.
        manager
            .create_table(
                Table::create()
                    .table(TicketTags::Table)
                    .col(big_integer(TicketTags::TicketId))
                    .col(big_integer(TicketTags::TagId))
                    .col(big_integer(TicketTags::CompanyId))
                    .col(timestamp_with_time_zone(TicketTags::CreatedAt))
                    .primary_key(Index::create().col(TicketTags::TicketId).col(TicketTags::TagId))
                    .foreign_key(&mut cascade(
                        "fk_ticket_tags_ticket",
                        (TicketTags::Table, TicketTags::TicketId),
                        (Tickets::Table, Tickets::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_ticket_tags_tag",
                        (TicketTags::Table, TicketTags::TagId),
                        (Tags::Table, Tags::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_ticket_tags_tag").table(TicketTags::Table).col(TicketTags::TagId).to_owned(),
            )
            .await?;
        // The author's id stays without a foreign key and their name is kept: a note outlives its
        // author's user (users are deleted for real), like the history it belongs to.
        manager
            .create_table(
                Table::create()
                    .table(Notes::Table)
                    .col(pk_auto(Notes::Id).big_integer())
                    .col(big_integer(Notes::CompanyId))
                    .col(big_integer(Notes::TicketId))
                    .col(big_integer(Notes::UserId))
                    .col(string_len(Notes::UserName, 120))
                    .col(text(Notes::Body))
                    .col(timestamp_with_time_zone(Notes::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_notes_company",
                        (Notes::Table, Notes::CompanyId),
                        (Companies::Table, Companies::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_notes_ticket",
                        (Notes::Table, Notes::TicketId),
                        (Tickets::Table, Tickets::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notes_ticket")
                    .table(Notes::Table)
                    .col(Notes::TicketId)
                    .col(Notes::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Notes::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(TicketTags::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Tags::Table).to_owned()).await
    }
}
