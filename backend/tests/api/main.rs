#![allow(clippy::unwrap_used, clippy::expect_used)]
//! HTTP tests: the real application on a random port, a fresh SQLite database in a temp dir
//! for each test.

mod helpers;
mod ws_client;

mod auth;
mod cloud_api;
mod cluster;
mod conformance;
mod contacts_io;
mod errors;
mod files;
mod isolation;
mod kanban;
mod notes;
mod object_store;
mod ops;
mod org;
mod outbox;
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
