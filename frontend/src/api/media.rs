//! Media behind the API (message attachments, contact photos) need the bearer token, so they are
//! fetched as blobs and shown through object URLs, cached for the page's life.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::ApiError;
use super::client::{self, BASE, Method};

thread_local! {
    static CACHE: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// Whether `url` is served by our API (and so needs the token).
pub fn needs_token(url: &str) -> bool {
    url.starts_with(BASE)
}

/// An object URL for the media at `url` (an `/api/v1/...` path).
pub async fn object_url(url: &str) -> Result<String, ApiError> {
    if let Some(hit) = CACHE.with(|cache| cache.borrow().get(url).cloned()) {
        return Ok(hit);
    }
    let path = url.strip_prefix(BASE).unwrap_or(url);
    let response = client::authed(Method::Get, path, None).await?;
    if !response.ok() {
        return Err(client::error_from(response).await);
    }
    let raw: web_sys::Response = response.into();
    let promise = raw.blob().map_err(|_| ApiError::Decode)?;
    let blob: web_sys::Blob =
        JsFuture::from(promise).await.map_err(|_| ApiError::Network)?.dyn_into().map_err(|_| ApiError::Decode)?;
    let object = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::Decode)?;
    CACHE.with(|cache| cache.borrow_mut().insert(url.to_owned(), object.clone()));
    Ok(object)
}
