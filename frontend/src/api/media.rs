//! Media behind the API (message attachments, contact photos) need the bearer token, so they are
//! fetched as blobs and shown through object URLs, cached for the page's life.
//!
//! A blob is never given the type the server declared: it is rebuilt with a type from a short list
//! for its use (raster images, audio, video), or as `application/octet-stream`. Only a blob of a
//! listed type may be shown or linked to; any other is offered as a download. A `blob:` URL opened
//! in a tab runs on the app's origin, so an `image/svg+xml` or `text/html` blob there would run its
//! script with the session's tokens in reach.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::ApiError;
use super::client::{self, BASE, Method};

/// What a media file is for, which decides the types it may keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Use {
    /// An image or a sticker in the thread, a contact's photo.
    Image,
    Audio,
    Video,
    /// A document: only ever downloaded.
    File,
}

const IMAGE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];
const AUDIO_TYPES: &[&str] =
    &["audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/webm", "audio/wav", "audio/x-wav", "audio/amr"];
const VIDEO_TYPES: &[&str] = &["video/mp4", "video/webm", "video/ogg", "video/3gpp"];

/// The type a download gets: the browser saves it and never renders it.
pub const DOWNLOAD_TYPE: &str = "application/octet-stream";

/// The type a blob declared as `declared` may have for `usage`: `Some` (lower-case, without
/// parameters) when it is on the list for that use, `None` when it may only be downloaded.
pub fn safe_type(usage: Use, declared: &str) -> Option<&'static str> {
    let essence = declared.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let allowed = match usage {
        Use::Image => IMAGE_TYPES,
        Use::Audio => AUDIO_TYPES,
        Use::Video => VIDEO_TYPES,
        Use::File => return None,
    };
    // Ogg/Opus (a WhatsApp voice note) as the server typed it before naming it `audio/ogg; codecs=opus`.
    if usage == Use::Audio && essence == "audio/opus" {
        return Some("audio/ogg");
    }
    allowed.iter().copied().find(|listed| *listed == essence)
}

/// A fetched media file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Media {
    /// A `blob:` URL.
    pub url: String,
    /// Whether it may be shown or opened (its type is on the list); otherwise it is
    /// `application/octet-stream` and only fit for a download link.
    pub inline: bool,
}

thread_local! {
    static CACHE: RefCell<HashMap<(Use, String), Media>> = RefCell::new(HashMap::new());
}

/// Whether `url` is served by our API (and so needs the token).
pub fn needs_token(url: &str) -> bool {
    url.starts_with(BASE)
}

/// The media at `url` (an `/api/v1/...` path) as an object URL with a safe type for `usage`.
pub async fn fetch(url: &str, usage: Use) -> Result<Media, ApiError> {
    let key = (usage, url.to_owned());
    if let Some(hit) = CACHE.with(|cache| cache.borrow().get(&key).cloned()) {
        return Ok(hit);
    }
    let path = url.strip_prefix(BASE).unwrap_or(url);
    let response = client::authed(Method::Get, path, None).await?;
    if !response.ok() {
        return Err(client::error_from(response).await);
    }
    let raw: web_sys::Response = response.into();
    let promise = raw.blob().map_err(|_| ApiError::Decode)?;
    let served: web_sys::Blob =
        JsFuture::from(promise).await.map_err(|_| ApiError::Network)?.dyn_into().map_err(|_| ApiError::Decode)?;
    let kept = safe_type(usage, &served.type_());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kept.unwrap_or(DOWNLOAD_TYPE));
    let parts = js_sys::Array::of1(&served);
    let blob = web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options).map_err(|_| ApiError::Decode)?;
    let object = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::Decode)?;
    let media = Media { url: object, inline: kept.is_some() };
    CACHE.with(|cache| cache.borrow_mut().insert(key, media.clone()));
    Ok(media)
}

#[cfg(test)]
mod tests {
    use super::{Use, safe_type};

    #[test]
    fn images_keep_only_raster_types() {
        assert_eq!(safe_type(Use::Image, "image/png"), Some("image/png"));
        assert_eq!(safe_type(Use::Image, "IMAGE/JPEG"), Some("image/jpeg"));
        assert_eq!(safe_type(Use::Image, "image/webp; q=1"), Some("image/webp"));
        for bad in ["image/svg+xml", "text/html", "application/xhtml+xml", "image/png+xml", "", "video/mp4"] {
            assert_eq!(safe_type(Use::Image, bad), None, "{bad} must not be shown as an image");
        }
    }

    #[test]
    fn audio_and_video_have_their_own_lists() {
        assert_eq!(safe_type(Use::Audio, "audio/ogg; codecs=opus"), Some("audio/ogg"));
        assert_eq!(safe_type(Use::Audio, "audio/opus"), Some("audio/ogg"), "an Ogg/Opus voice note");
        assert_eq!(safe_type(Use::Video, "video/mp4"), Some("video/mp4"));
        assert_eq!(safe_type(Use::Audio, "video/mp4"), None);
        assert_eq!(safe_type(Use::Video, "text/html"), None);
        assert_eq!(safe_type(Use::Audio, "image/svg+xml"), None);
    }

    #[test]
    fn documents_are_never_shown() {
        assert_eq!(safe_type(Use::File, "application/pdf"), None);
        assert_eq!(safe_type(Use::File, "image/png"), None);
    }
}
