//! Companies (tenants), their users and queues, login sessions with rotating refresh tokens,
//! and integrators' API tokens.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    CompanyId,
    Name,
    Email,
    PasswordHash,
    Role,
    PlatformAdmin,
    SignatureEnabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Queues {
    Table,
    Id,
    CompanyId,
    Name,
    Color,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserQueues {
    Table,
    UserId,
    QueueId,
}

#[derive(DeriveIden)]
enum AuthSessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    CompanyId,
    CreatedBy,
    Name,
    Prefix,
    TokenHash,
    CreatedAt,
    LastUsedAt,
}

fn cascade(fk: &mut ForeignKeyCreateStatement) -> &mut ForeignKeyCreateStatement {
    fk.on_delete(ForeignKeyAction::Cascade).on_update(ForeignKeyAction::Cascade)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Companies::Table)
                    .col(pk_auto(Companies::Id).big_integer())
                    .col(string_len(Companies::Name, 120))
                    .col(timestamp_with_time_zone(Companies::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_auto(Users::Id).big_integer())
                    .col(big_integer(Users::CompanyId))
                    .col(string_len(Users::Name, 120))
                    .col(string_len_uniq(Users::Email, 254))
                    .col(string(Users::PasswordHash))
                    .col(string_len(Users::Role, 16))
                    .col(boolean(Users::PlatformAdmin).default(false))
                    .col(boolean(Users::SignatureEnabled).default(true))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .foreign_key(cascade(
                        ForeignKey::create()
                            .name("fk_users_company")
                            .from(Users::Table, Users::CompanyId)
                            .to(Companies::Table, Companies::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_company")
                    .table(Users::Table)
                    .col(Users::CompanyId)
                    .col(Users::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Queues::Table)
                    .col(pk_auto(Queues::Id).big_integer())
                    .col(big_integer(Queues::CompanyId))
                    .col(string_len(Queues::Name, 120))
                    .col(string_len(Queues::Color, 7))
                    .col(timestamp_with_time_zone(Queues::CreatedAt))
                    .foreign_key(cascade(
                        ForeignKey::create()
                            .name("fk_queues_company")
                            .from(Queues::Table, Queues::CompanyId)
                            .to(Companies::Table, Companies::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_queues_company_name")
                    .table(Queues::Table)
                    .col(Queues::CompanyId)
                    .col(Queues::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserQueues::Table)
                    .col(big_integer(UserQueues::UserId))
                    .col(big_integer(UserQueues::QueueId))
                    .primary_key(Index::create().col(UserQueues::UserId).col(UserQueues::QueueId))
                    .foreign_key(cascade(
                        ForeignKey::create()
                            .name("fk_user_queues_user")
                            .from(UserQueues::Table, UserQueues::UserId)
                            .to(Users::Table, Users::Id),
                    ))
                    .foreign_key(cascade(
                        ForeignKey::create()
                            .name("fk_user_queues_queue")
                            .from(UserQueues::Table, UserQueues::QueueId)
                            .to(Queues::Table, Queues::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_user_queues_queue")
                    .table(UserQueues::Table)
                    .col(UserQueues::QueueId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthSessions::Table)
                    .col(pk_auto(AuthSessions::Id).big_integer())
                    .col(big_integer(AuthSessions::UserId))
                    .col(timestamp_with_time_zone(AuthSessions::CreatedAt))
                    .col(timestamp_with_time_zone(AuthSessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuthSessions::RevokedAt))
                    .foreign_key(cascade(
                        ForeignKey::create()
                            .name("fk_auth_sessions_user")
                            .from(AuthSessions::Table, AuthSessions::UserId)
                            .to(Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(pk_auto(RefreshTokens::Id).big_integer())
                    .col(big_integer(RefreshTokens::SessionId))
                    .col(string_len_uniq(RefreshTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .foreign_key(cascade(
                        ForeignKey::create()
                            .name("fk_refresh_tokens_session")
                            .from(RefreshTokens::Table, RefreshTokens::SessionId)
                            .to(AuthSessions::Table, AuthSessions::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(pk_auto(ApiTokens::Id).big_integer())
                    .col(big_integer(ApiTokens::CompanyId))
                    .col(big_integer(ApiTokens::CreatedBy))
                    .col(string_len(ApiTokens::Name, 120))
                    .col(string_len(ApiTokens::Prefix, 16))
                    .col(string_len_uniq(ApiTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                    .foreign_key(cascade(
                        ForeignKey::create()
                            .name("fk_api_tokens_company")
                            .from(ApiTokens::Table, ApiTokens::CompanyId)
                            .to(Companies::Table, Companies::Id),
                    ))
                    .foreign_key(cascade(
                        ForeignKey::create()
                            .name("fk_api_tokens_user")
                            .from(ApiTokens::Table, ApiTokens::CreatedBy)
                            .to(Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApiTokens::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            AuthSessions::Table.into_iden(),
            UserQueues::Table.into_iden(),
            Queues::Table.into_iden(),
            Users::Table.into_iden(),
            Companies::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
