#![allow(clippy::unwrap_used, clippy::expect_used)]
//! HTTP tests: the real application on a random port, a fresh SQLite database in a temp dir
//! for each test.

mod helpers;
mod ws_client;

mod auth;
mod bots;
mod bots_providers;
mod cloud_api;
mod cluster;
mod companies_admin;
mod conformance;
mod connections_admin;
mod contacts_io;
mod demo;
mod errors;
mod files;
mod inbound_burst;
mod inbound_kinds;
mod integrations;
mod isolation;
mod kanban;
mod lists_and_search;
mod notes;
mod object_store;
mod ops;
mod org;
mod outbox;
mod outgoing_webhooks;
mod protocols;
mod quick_replies;
mod ratings;
mod schedules;
mod seams;
mod settings;
mod stickers;
mod tags;
mod tickets;
mod voice;
mod wallet;
mod whatsapp_web;
mod ws;
// The SPA's precompressed files.
mod spa_assets;
