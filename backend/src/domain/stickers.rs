//! The company's sticker library (figurinhas): WebP files administrators upload or keep from a
//! customer's message, that everyone in the company may send. A sent sticker is a copy of the file,
//! so deleting it from the library never breaks a message.

use shared::stickers::{Sticker, StickerFromMessage, StickerImage, UpdateSticker};
use shared::tickets::MessageKind;
use shared::validate::{Invalid, Name};
use shared::{Page, StickerId, TicketId};

use crate::auth::CurrentUser;
use crate::domain::media;
use crate::domain::messages::Attachment;
use crate::domain::page::PageRequest;
use crate::domain::tickets::find_visible;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::stickers;

/// A sticker without a name of its own.
const DEFAULT_NAME: &str = "Figurinha";

pub fn to_dto(sticker: stickers::Model) -> Sticker {
    Sticker {
        id: StickerId(sticker.id),
        url: format!("/api/v1/stickers/{}/file", sticker.id),
        name: sticker.name,
        animated: sticker.animated,
        size: sticker.size.max(0) as u64,
        created_at: sticker.created_at,
    }
}

/// Everyone in the company may list the library (the composer's picker shows it).
pub async fn list(state: &AppState, caller: &CurrentUser, page: PageRequest) -> AppResult<Page<Sticker>> {
    let rows = store::stickers::page(&state.db, caller.company_id, page.after_id, page.limit).await?;
    Ok(page.finish(rows, |s| s.id, to_dto))
}

async fn find(state: &AppState, caller: &CurrentUser, id: StickerId) -> AppResult<stickers::Model> {
    store::stickers::get_in_company(&state.db, caller.company_id, id).await?.ok_or(AppError::NotFound("sticker"))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: StickerId) -> AppResult<Sticker> {
    find(state, caller, id).await.map(to_dto)
}

/// A file uploaded for the library.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub file_name: Option<String>,
    pub name: Option<String>,
}

/// The name given, else the file's name without its extension, else "Figurinha".
fn name_of(given: Option<&str>, file_name: Option<&str>) -> AppResult<String> {
    if let Some(given) = given.filter(|n| !n.trim().is_empty()) {
        return Name::parse(given).map(Name::into_inner).map_err(|problem| FieldErrors::one("name", problem));
    }
    let cleaned = media::clean_file_name(file_name, DEFAULT_NAME);
    let stem = cleaned.rsplit_once('.').map_or(cleaned.as_str(), |(stem, _)| stem);
    let stem: String = stem.chars().take(120).collect();
    Ok(Name::parse(&stem).map_or_else(|_| DEFAULT_NAME.to_owned(), Name::into_inner))
}

/// Adds an uploaded WebP to the library (administrators).
pub async fn create(state: &AppState, caller: &CurrentUser, upload: Upload) -> AppResult<Sticker> {
    caller.require_admin()?;
    let image = StickerImage::parse(&upload.bytes).map_err(|problem| FieldErrors::one("file", problem))?;
    let name = name_of(upload.name.as_deref(), upload.file_name.as_deref())?;
    add(state, caller, &name, &upload.bytes, image).await
}

/// Keeps the sticker of a message the caller may see (administrators): a copy of its file.
pub async fn save_from_message(state: &AppState, caller: &CurrentUser, from: StickerFromMessage) -> AppResult<Sticker> {
    caller.require_admin()?;
    let name = name_of(from.name.as_deref(), None)?;
    let not_found = || FieldErrors::one("message_id", Invalid::NotInCompany);
    let message =
        store::messages::get_in_company(&state.db, caller.company_id, from.message_id).await?.ok_or_else(not_found)?;
    find_visible(&state.db, caller, TicketId(message.ticket_id)).await.map_err(|_| not_found())?;
    let path = match (MessageKind::from(message.kind), &message.media_path) {
        (MessageKind::Sticker, Some(path)) => path.clone(),
        _ => return Err(FieldErrors::one("message_id", Invalid::NotASticker)),
    };
    let bytes = state.media.read(&path).await?.ok_or_else(|| FieldErrors::one("message_id", Invalid::NotASticker))?;
    // A customer's sticker is whatever their phone sent: it joins the library only if WhatsApp
    // would take it back.
    let image = StickerImage::parse(&bytes).map_err(|problem| FieldErrors::one("message_id", problem))?;
    add(state, caller, &name, &bytes, image).await
}

async fn add(
    state: &AppState,
    caller: &CurrentUser,
    name: &str,
    bytes: &[u8],
    image: StickerImage,
) -> AppResult<Sticker> {
    let path = state.media.save(caller.company_id.0, bytes).await?;
    let stored = async {
        let txn = state.begin().await?;
        let row = store::stickers::NewStickerRow {
            company_id: caller.company_id,
            name,
            media_path: &path,
            size: bytes.len() as i64,
            animated: image.animated,
        };
        let sticker = store::stickers::insert(&txn, row).await?;
        txn.commit().await?;
        AppResult::Ok(sticker)
    }
    .await;
    if stored.is_err() {
        state.media.remove(&path).await;
    }
    stored.map(to_dto)
}

pub async fn update(
    state: &AppState,
    caller: &CurrentUser,
    id: StickerId,
    change: UpdateSticker,
) -> AppResult<Sticker> {
    caller.require_admin()?;
    let sticker = find(state, caller, id).await?;
    let Some(name) = change.name else {
        return Ok(to_dto(sticker));
    };
    let name = Name::parse(&name).map_err(|problem| FieldErrors::one("name", problem))?;
    let txn = state.begin().await?;
    let sticker = store::stickers::rename(&txn, sticker, name.as_str()).await?;
    txn.commit().await?;
    Ok(to_dto(sticker))
}

/// Removes the sticker and its file. Messages that sent it keep their own copy.
pub async fn delete(state: &AppState, caller: &CurrentUser, id: StickerId) -> AppResult<()> {
    caller.require_admin()?;
    let sticker = find(state, caller, id).await?;
    let txn = state.begin().await?;
    store::stickers::delete(&txn, caller.company_id, id).await?;
    txn.commit().await?;
    state.media.remove(&sticker.media_path).await;
    Ok(())
}

/// The image of a sticker of the caller's company: (its name in the media store, file name).
pub async fn file_of(state: &AppState, caller: &CurrentUser, id: StickerId) -> AppResult<(String, String)> {
    let sticker = find(state, caller, id).await?;
    Ok((sticker.media_path, format!("{}.webp", sticker.name)))
}

/// The sticker as a file to send in a ticket.
async fn attachment(state: &AppState, caller: &CurrentUser, id: StickerId) -> AppResult<Attachment> {
    let sticker = store::stickers::get_in_company(&state.db, caller.company_id, id)
        .await?
        .ok_or_else(|| FieldErrors::one("sticker_id", Invalid::NotInCompany))?;
    let body = crate::domain::media::FileBody::stored(&state.media, &sticker.media_path)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the file of sticker {} is gone", sticker.id)))?;
    Ok(Attachment {
        body,
        file_name: Some(format!("{}.webp", sticker.name)),
        kind_hint: Some(MessageKind::Sticker.as_str().to_owned()),
    })
}

/// For a message's `sticker_id`: the sticker's file, unless the message also has text.
pub async fn to_send(state: &AppState, caller: &CurrentUser, id: StickerId, body: &str) -> AppResult<Attachment> {
    if !body.trim().is_empty() {
        return Err(FieldErrors::one("body", Invalid::StickerNoText));
    }
    attachment(state, caller, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sticker_is_named_as_given_else_after_its_file() {
        let name = |given: Option<&str>, file: Option<&str>| name_of(given, file).ok();
        assert_eq!(name(Some("  Joinha "), Some("x.webp")), Some("Joinha".into()));
        assert_eq!(name(None, Some("C:\\fotos\\gato feliz.webp")), Some("gato feliz".into()));
        assert_eq!(name(Some(" "), None), Some("Figurinha".into()));
        assert_eq!(name(None, Some(".webp")), Some("Figurinha".into()));
        assert!(name_of(Some(&"x".repeat(121)), None).is_err());
    }
}
