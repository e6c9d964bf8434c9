//! Channels: how messages get in and out of WhatsApp. Each adapter turns its provider's wire format
//! into `types`, so the inbound path is one whatever the channel.

pub mod cloud_api;
pub mod types;

pub mod outbound;
pub mod whatsapp;
pub mod whatsapp_web;
