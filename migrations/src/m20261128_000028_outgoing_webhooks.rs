//! Outgoing webhooks and their deliveries: one delivery row per event and subscribed webhook,
//! written in the event's transaction (none is lost), claimed with a lease like the message outbox
//! (two instances never send one twice), kept as the delivery log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OutgoingWebhooks {
    Table,
    Id,
    CompanyId,
    Url,
    Events,
    Secret,
    Enabled,
    ConsecutiveFailures,
    DisabledReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    CompanyId,
    WebhookId,
    Seq,
    EventType,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseOwner,
    LeaseUntil,
    ResponseStatus,
    LatencyMs,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutgoingWebhooks::Table)
                    .col(pk_auto(OutgoingWebhooks::Id).big_integer())
                    .col(big_integer(OutgoingWebhooks::CompanyId))
                    .col(text(OutgoingWebhooks::Url))
                    .col(text(OutgoingWebhooks::Events))
                    .col(text(OutgoingWebhooks::Secret))
                    .col(boolean(OutgoingWebhooks::Enabled))
                    .col(integer(OutgoingWebhooks::ConsecutiveFailures).default(0))
                    .col(text_null(OutgoingWebhooks::DisabledReason))
                    .col(timestamp_with_time_zone(OutgoingWebhooks::CreatedAt))
                    .col(timestamp_with_time_zone(OutgoingWebhooks::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outgoing_webhooks_company")
                            .from(OutgoingWebhooks::Table, OutgoingWebhooks::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outgoing_webhooks_company")
                    .table(OutgoingWebhooks::Table)
                    .col(OutgoingWebhooks::CompanyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(pk_auto(WebhookDeliveries::Id).big_integer())
                    .col(big_integer(WebhookDeliveries::CompanyId))
                    .col(big_integer(WebhookDeliveries::WebhookId))
                    .col(big_integer(WebhookDeliveries::Seq))
                    .col(text(WebhookDeliveries::EventType))
                    .col(text(WebhookDeliveries::Payload))
                    .col(text(WebhookDeliveries::Status))
                    .col(integer(WebhookDeliveries::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::NextAttemptAt))
                    .col(text_null(WebhookDeliveries::LeaseOwner))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::LeaseUntil))
                    .col(integer_null(WebhookDeliveries::ResponseStatus))
                    .col(big_integer_null(WebhookDeliveries::LatencyMs))
                    .col(text_null(WebhookDeliveries::LastError))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::DeliveredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_webhook")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::WebhookId)
                            .to(OutgoingWebhooks::Table, OutgoingWebhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_webhook")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::WebhookId)
                    .col(WebhookDeliveries::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(OutgoingWebhooks::Table).to_owned()).await
    }
}
