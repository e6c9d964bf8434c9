//! The schema's source of truth. Every migration is written with sea-query's builder so that
//! the same code creates the same tables on SQLite and on PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_tenancy_and_auth;
mod m20261125_000002_core_loop;
mod m20261125_000003_message_search;
mod m20261128_000004_typed_events;
mod m20261128_000005_settings;
mod m20261128_000006_outbox;
mod m20261128_000007_schedules;
mod m20261128_000008_stickers;
mod m20261128_000010_quick_replies;
mod m20261128_000011_notes_and_tags;
mod m20261128_000012_wallet_and_protocols;
mod m20261128_000013_ratings;
mod m20261128_000014_kanban;
mod m20261128_000015_contact_imports;
mod m20261128_000016_event_subjects;
mod m20261128_000018_dashboard_index;
mod m20261128_000019_event_admins;
mod m20261128_000020_connection_state;
mod m20261128_000023_message_metadata;
mod m20261128_000024_integration_settings;
mod m20261128_000028_outgoing_webhooks;
mod m20261128_000029_message_channel;
mod m20261128_000030_bots;
mod m20261128_000031_list_and_search_indexes;
mod m20261128_000032_whatsapp_web_sessions;
mod m20261129_000033_agent_counts_index;
mod m20261129_000034_active_ticket_counts;
mod m20261129_000035_dashboard_indexes;
mod m20261129_000036_agent_closed_index;

pub use m20261128_000031_list_and_search_indexes::fold_for_search;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_tenancy_and_auth::Migration),
            Box::new(m20261125_000002_core_loop::Migration),
            Box::new(m20261125_000003_message_search::Migration),
            Box::new(m20261128_000004_typed_events::Migration),
            Box::new(m20261128_000005_settings::Migration),
            Box::new(m20261128_000006_outbox::Migration),
            Box::new(m20261128_000007_schedules::Migration),
            Box::new(m20261128_000008_stickers::Migration),
            Box::new(m20261128_000010_quick_replies::Migration),
            Box::new(m20261128_000011_notes_and_tags::Migration),
            Box::new(m20261128_000012_wallet_and_protocols::Migration),
            Box::new(m20261128_000014_kanban::Migration),
            Box::new(m20261128_000013_ratings::Migration),
            Box::new(m20261128_000015_contact_imports::Migration),
            Box::new(m20261128_000016_event_subjects::Migration),
            Box::new(m20261128_000018_dashboard_index::Migration),
            Box::new(m20261128_000019_event_admins::Migration),
            Box::new(m20261128_000020_connection_state::Migration),
            Box::new(m20261128_000023_message_metadata::Migration),
            Box::new(m20261128_000024_integration_settings::Migration),
            Box::new(m20261128_000028_outgoing_webhooks::Migration),
            Box::new(m20261128_000029_message_channel::Migration),
            Box::new(m20261128_000030_bots::Migration),
            Box::new(m20261128_000031_list_and_search_indexes::Migration),
            Box::new(m20261128_000032_whatsapp_web_sessions::Migration),
            Box::new(m20261129_000033_agent_counts_index::Migration),
            Box::new(m20261129_000034_active_ticket_counts::Migration),
            Box::new(m20261129_000035_dashboard_indexes::Migration),
            Box::new(m20261129_000036_agent_closed_index::Migration),
        ]
    }
}
