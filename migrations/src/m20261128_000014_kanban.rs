//! Kanban: boards, their ordered lanes, and the cards placing tickets in lanes. A card's key is its
//! ticket, so a ticket is in at most one lane of the company; deleting a lane (or its board, or
//! the ticket) takes its cards with it.

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
enum KanbanBoards {
    Table,
    Id,
    CompanyId,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum KanbanLanes {
    Table,
    Id,
    CompanyId,
    BoardId,
    Name,
    Color,
    Position,
}

#[derive(DeriveIden)]
enum KanbanCards {
    Table,
    TicketId,
    CompanyId,
    LaneId,
    MovedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KanbanBoards::Table)
                    .col(pk_auto(KanbanBoards::Id).big_integer())
                    .col(big_integer(KanbanBoards::CompanyId))
                    .col(string_len(KanbanBoards::Name, 120))
                    .col(timestamp_with_time_zone(KanbanBoards::CreatedAt))
                    .col(timestamp_with_time_zone(KanbanBoards::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_kanban_boards_company")
                            .from(KanbanBoards::Table, KanbanBoards::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KanbanLanes::Table)
                    .col(pk_auto(KanbanLanes::Id).big_integer())
                    .col(big_integer(KanbanLanes::CompanyId))
                    .col(big_integer(KanbanLanes::BoardId))
                    .col(string_len(KanbanLanes::Name, 120))
                    .col(string_len(KanbanLanes::Color, 16))
                    .col(integer(KanbanLanes::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_kanban_lanes_company")
                            .from(KanbanLanes::Table, KanbanLanes::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_kanban_lanes_board")
                            .from(KanbanLanes::Table, KanbanLanes::BoardId)
                            .to(KanbanBoards::Table, KanbanBoards::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_kanban_lanes_board")
                    .table(KanbanLanes::Table)
                    .col(KanbanLanes::BoardId)
                    .col(KanbanLanes::Position)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KanbanCards::Table)
                    // One card per ticket: a ticket is in at most one lane of the company.
                    .col(big_integer(KanbanCards::TicketId).primary_key())
                    .col(big_integer(KanbanCards::CompanyId))
                    .col(big_integer(KanbanCards::LaneId))
                    .col(timestamp_with_time_zone(KanbanCards::MovedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_kanban_cards_company")
                            .from(KanbanCards::Table, KanbanCards::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_kanban_cards_ticket")
                            .from(KanbanCards::Table, KanbanCards::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_kanban_cards_lane")
                            .from(KanbanCards::Table, KanbanCards::LaneId)
                            .to(KanbanLanes::Table, KanbanLanes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_kanban_cards_lane")
                    .table(KanbanCards::Table)
                    .col(KanbanCards::LaneId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(KanbanCards::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(KanbanLanes::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(KanbanBoards::Table).to_owned()).await
    }
}
