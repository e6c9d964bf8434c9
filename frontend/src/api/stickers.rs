//! `/stickers`: the company's sticker library. Everyone lists it; administrators upload (a
//! multipart POST), keep a customer's sticker, rename and delete.

use gloo_net::http::Request;
use shared::ids::{MessageId, StickerId, TicketId};
use shared::stickers::{Sticker, StickerFromMessage, UpdateSticker};
use shared::tickets::{Message, NewMessage};

use super::ApiError;
use super::client::{self, BASE, Method};
use super::resource::{HasId, Resource};

pub const STICKERS: Resource<Sticker, StickerFromMessage, UpdateSticker> = Resource::new("/stickers");

impl HasId for Sticker {
    type Id = StickerId;
    fn id(&self) -> StickerId {
        self.id
    }
}

/// Adds a WebP file to the library; an empty `name` lets the server use the file's.
pub async fn upload(file: &web_sys::File, name: &str) -> Result<Sticker, ApiError> {
    let mut retried = false;
    loop {
        let token = client::access_token().await?;
        let form = web_sys::FormData::new().map_err(|_| ApiError::Decode)?;
        form.append_with_blob_and_filename("file", file, &file.name()).map_err(|_| ApiError::Decode)?;
        if !name.trim().is_empty() {
            form.append_with_str("name", name.trim()).map_err(|_| ApiError::Decode)?;
        }
        // No Content-Type of our own: the browser writes the multipart boundary.
        let response = Request::post(&format!("{BASE}/stickers"))
            .header("Authorization", &format!("Bearer {token}"))
            .header("Accept", "application/json")
            .body(form)
            .map_err(|_| ApiError::Network)?
            .send()
            .await
            .map_err(|_| ApiError::Network)?;
        if response.status() == 401 && !retried {
            retried = true;
            client::refresh().await?;
            continue;
        }
        return client::read(response).await;
    }
}

/// Keeps the sticker a customer sent (a copy of the message's file).
pub async fn keep(message_id: MessageId) -> Result<Sticker, ApiError> {
    STICKERS.create(&StickerFromMessage { message_id, name: None }).await
}

/// Sends a sticker of the library in the ticket.
pub async fn send(ticket: TicketId, sticker: StickerId) -> Result<Message, ApiError> {
    let message = NewMessage { body: String::new(), quoted_id: None, sticker_id: Some(sticker), quick_reply_id: None };
    client::send(Method::Post, &format!("/tickets/{ticket}/messages"), &message).await
}
