//! `/contacts`: the company's customers (listed with a search), blocking them, and importing and
//! exporting them as CSV.

use shared::Page;
use shared::contact_imports::{ContactImport, ImportColumn, ImportExisting, ImportPreview, PREVIEW_BYTES};
use shared::contacts::{Contact, NewContact, SetWallet, UpdateContact};
use shared::ids::{ContactId, ContactImportId, TicketId, UserId};
use shared::protocols::Protocol;
use wasm_bindgen::JsCast;

use super::client::{self, Method};
use super::resource::{HasId, PAGE_SIZE, Resource};
use super::{ApiError, encode, page_query};

pub const CONTACTS: Resource<Contact, NewContact, UpdateContact> = Resource::new("/contacts");

impl HasId for Contact {
    type Id = ContactId;
    fn id(&self) -> ContactId {
        self.id
    }
}

pub async fn set_blocked(id: ContactId, blocked: bool) -> Result<Contact, ApiError> {
    let action = if blocked { "block" } else { "unblock" };
    client::send(Method::Post, &format!("{}/{action}", CONTACTS.item(id)), &serde_json::json!({})).await
}

/// Posts a multipart form to `path`, refreshing the token once on a 401 as the JSON client does.
async fn post_form<T: serde::de::DeserializeOwned>(path: &str, form: &web_sys::FormData) -> Result<T, ApiError> {
    let url = format!("{}{path}", client::BASE);
    let mut retried = false;
    loop {
        let token = client::access_token().await?;
        // No Content-Type of our own: the browser writes the multipart boundary.
        let response = gloo_net::http::Request::post(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .header("Accept", "application/json")
            .body(form.clone())
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

/// How the server reads the start of `file` (its first [`PREVIEW_BYTES`]).
pub async fn preview_import(file: &web_sys::File) -> Result<ImportPreview, ApiError> {
    let size = file.size();
    let truncated = size > PREVIEW_BYTES as f64;
    let start = file.slice_with_f64_and_f64(0.0, size.min(PREVIEW_BYTES as f64)).map_err(|_| ApiError::Decode)?;
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    form.append_with_blob_and_filename("file", &start, &file.name()).map_err(|_| ApiError::Network)?;
    form.append_with_str("truncated", if truncated { "true" } else { "false" }).map_err(|_| ApiError::Network)?;
    post_form("/contacts/import/preview", &form).await
}

/// Starts importing `file` with this column mapping; answers the job.
pub async fn start_import(
    file: &web_sys::File,
    mapping: &[ImportColumn],
    existing: ImportExisting,
) -> Result<ContactImport, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    form.append_with_blob_and_filename("file", file, &file.name()).map_err(|_| ApiError::Network)?;
    form.append_with_str("mapping", &client::to_json(mapping)?).map_err(|_| ApiError::Network)?;
    form.append_with_str("existing", existing.as_str()).map_err(|_| ApiError::Network)?;
    post_form("/contacts/import", &form).await
}

pub async fn get_import(id: ContactImportId) -> Result<ContactImport, ApiError> {
    client::get(&format!("/contacts/imports/{id}")).await
}

/// The contacts matching `search` (and `wallet`) as a CSV file, saved by the browser as `contatos.csv`.
pub async fn export(search: &str, wallet: Option<UserId>) -> Result<(), ApiError> {
    // The list's own filters, without its paging.
    let query = list_query(search, wallet, None);
    let filters = query.split_once('&').map(|(_, rest)| format!("?{rest}")).unwrap_or_default();
    let path = format!("/contacts/export{filters}");
    let response = client::authed(Method::Get, &path, None).await?;
    if !response.ok() {
        return Err(client::error_from(response).await);
    }
    let raw: web_sys::Response = response.into();
    let promise = raw.blob().map_err(|_| ApiError::Decode)?;
    let blob: web_sys::Blob = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| ApiError::Network)?
        .dyn_into()
        .map_err(|_| ApiError::Decode)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::Decode)?;
    let link = leptos::prelude::document()
        .create_element("a")
        .ok()
        .and_then(|element| element.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or(ApiError::Decode)?;
    link.set_href(&url);
    link.set_download("contatos.csv");
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// A page of contacts matching `q` (all when empty), only those in `wallet`'s wallet when given.
pub async fn list(q: &str, wallet: Option<UserId>, cursor: Option<&str>) -> Result<Page<Contact>, ApiError> {
    match wallet {
        None => CONTACTS.search(q, cursor).await,
        Some(_) => client::get(&format!("/contacts{}", list_query(q, wallet, cursor))).await,
    }
}

fn list_query(q: &str, wallet: Option<UserId>, cursor: Option<&str>) -> String {
    let mut query = page_query(PAGE_SIZE, cursor);
    let q = q.trim();
    if !q.is_empty() {
        query.push_str(&format!("&q={}", encode(q)));
    }
    if let Some(user) = wallet {
        query.push_str(&format!("&wallet_user_id={user}"));
    }
    query
}

/// Makes `user_id` the contact's fixed agent; from a ticket's panel, `ticket_id` logs it there.
pub async fn set_wallet(id: ContactId, user_id: UserId, ticket_id: Option<TicketId>) -> Result<Contact, ApiError> {
    client::send(Method::Put, &format!("{}/wallet", CONTACTS.item(id)), &SetWallet { user_id, ticket_id }).await
}

pub async fn clear_wallet(id: ContactId, ticket_id: Option<TicketId>) -> Result<Contact, ApiError> {
    let query = ticket_id.map(|t| format!("?ticket_id={t}")).unwrap_or_default();
    let response = client::authed(Method::Delete, &format!("{}/wallet{query}", CONTACTS.item(id)), None).await?;
    client::read(response).await
}

/// The contact's protocols, newest first.
pub async fn protocols(id: ContactId) -> Result<Vec<Protocol>, ApiError> {
    client::get(&format!("{}/protocols", CONTACTS.item(id))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_query_carries_search_and_wallet() {
        assert_eq!(list_query(" ana ", Some(UserId(7)), None), format!("?limit={PAGE_SIZE}&q=ana&wallet_user_id=7"));
        assert_eq!(list_query("", None, Some("c")), format!("?limit={PAGE_SIZE}&cursor=c"));
        let query = list_query("", Some(UserId(7)), None);
        assert_eq!(query.split_once('&').map(|(_, rest)| rest), Some("wallet_user_id=7"), "what the export sends");
    }
}
