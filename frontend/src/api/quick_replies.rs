//! `/quick-replies`: everyone lists the ones they may use (the composer's `/` list); only
//! administrators change them and their files.

use gloo_net::http::Request;
use shared::Page;
use shared::ids::QuickReplyId;
use shared::quick_replies::{NewQuickReply, QuickReply, UpdateQuickReply};

use super::client::{self, BASE, Method};
use super::resource::{HasId, Resource};
use super::{ApiError, encode};

pub const QUICK_REPLIES: Resource<QuickReply, NewQuickReply, UpdateQuickReply> = Resource::new("/quick-replies");

/// How many the composer's list shows at most.
pub const PICKER_LIMIT: u32 = 20;

impl HasId for QuickReply {
    type Id = QuickReplyId;
    fn id(&self) -> QuickReplyId {
        self.id
    }
}

/// The replies whose shortcut starts with `typed` (or whose text holds it), for the composer.
pub async fn matching(typed: &str) -> Result<Vec<QuickReply>, ApiError> {
    let mut path = format!("/quick-replies?limit={PICKER_LIMIT}");
    if !typed.is_empty() {
        path.push_str(&format!("&q={}", encode(typed)));
    }
    client::get::<Page<QuickReply>>(&path).await.map(|page| page.items)
}

/// Puts `file` on the reply (replacing its file), as multipart `file`.
pub async fn upload_file(id: QuickReplyId, file: &web_sys::File) -> Result<QuickReply, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    form.append_with_blob_and_filename("file", file, &file.name()).map_err(|_| ApiError::Network)?;
    let url = format!("{BASE}/quick-replies/{id}/file");
    let mut retried = false;
    loop {
        let token = client::access_token().await?;
        let response = Request::put(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .header("Accept", "application/json")
            .body(form.clone())
            .map_err(|_| ApiError::Network)?
            .send()
            .await
            .map_err(|_| ApiError::Network)?;
        // An access token that expired on the way: refresh once, as the JSON client does.
        if response.status() == 401 && !retried {
            retried = true;
            client::refresh().await?;
            continue;
        }
        return client::read(response).await;
    }
}

/// Takes the file off the reply; answers the reply without it.
pub async fn remove_file(id: QuickReplyId) -> Result<QuickReply, ApiError> {
    client::read(client::authed(Method::Delete, &format!("/quick-replies/{id}/file"), None).await?).await
}
