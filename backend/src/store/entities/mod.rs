//! sea-orm entities, one per table. They mirror the migrations crate and never leave `store`
//! and `domain`: the wire types live in `shared`.

pub mod active_ticket_counts;
pub mod api_tokens;
pub mod auth_sessions;
pub mod bot_jobs;
pub mod companies;
pub mod company_counters;
pub mod company_settings;
pub mod connections;
pub mod contact_imports;
pub mod contacts;
pub mod events;
pub mod kanban_boards;
pub mod kanban_cards;
pub mod kanban_lanes;
pub mod messages;
pub mod notes;
pub mod outbound_jobs;
pub mod outgoing_webhooks;
pub mod protocols;
pub mod queues;
pub mod quick_replies;
pub mod ratings;
pub mod refresh_tokens;
pub mod schedules;
pub mod stickers;
pub mod tags;
pub mod ticket_logs;
pub mod ticket_tags;
pub mod tickets;
pub mod user_queues;
pub mod users;
pub mod webhook_deliveries;
pub mod whatsapp_web_sessions;
