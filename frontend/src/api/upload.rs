//! Sending a file into a conversation: a multipart POST through `XMLHttpRequest`, whose upload
//! events report progress (fetch cannot), and which can be cancelled.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use shared::ids::TicketId;
use shared::tickets::Message;
use shared::{ErrorBody, ErrorCode};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::ApiError;
use super::client::{self, BASE};

/// A running upload; dropping it does not cancel it, [`Upload::abort`] does.
#[derive(Clone)]
pub struct Upload {
    xhr: web_sys::XmlHttpRequest,
}

impl Upload {
    pub fn abort(&self) {
        let _ = self.xhr.abort();
    }
}

enum Outcome {
    Done(u16, String),
    Failed,
    Aborted,
}

/// Posts `file` (and an optional caption) to the ticket. `started` receives the handle to cancel
/// with; `progress` gets the fraction sent, 0.0 to 1.0.
pub async fn send_file(
    ticket: TicketId,
    file: web_sys::File,
    caption: Option<String>,
    started: impl Fn(Upload) + 'static,
    progress: impl Fn(f64) + 'static,
) -> Result<Message, ApiError> {
    send_file_as(ticket, file, caption, None, started, progress).await
}

/// [`send_file`], asking the server to send the file as `kind` (`audio`: a voice note).
pub async fn send_file_as(
    ticket: TicketId,
    file: web_sys::File,
    caption: Option<String>,
    kind: Option<&'static str>,
    started: impl Fn(Upload) + 'static,
    progress: impl Fn(f64) + 'static,
) -> Result<Message, ApiError> {
    let progress = Rc::new(progress);
    let mut retried = false;
    loop {
        let token = client::access_token().await?;
        let (status, text) =
            match post_once(ticket, &file, caption.as_deref(), kind, &token, &started, progress.clone()).await {
                Outcome::Done(status, text) => (status, text),
                Outcome::Failed => return Err(ApiError::Network),
                Outcome::Aborted => return Err(ApiError::Aborted),
            };
        if status == 401 && !retried {
            retried = true;
            client::refresh().await?;
            continue;
        }
        if (200..300).contains(&status) {
            return serde_json::from_str(&text).map_err(|_| ApiError::Decode);
        }
        return Err(match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => ApiError::Api {
                status,
                code: body.error.code,
                message: body.error.message,
                details: body.error.details,
                retry_after: None,
            },
            Err(_) => ApiError::Api {
                status,
                code: ErrorCode::Unknown,
                message: String::new(),
                details: None,
                retry_after: None,
            },
        });
    }
}

async fn post_once(
    ticket: TicketId,
    file: &web_sys::File,
    caption: Option<&str>,
    kind: Option<&str>,
    token: &str,
    started: &impl Fn(Upload),
    progress: Rc<dyn Fn(f64)>,
) -> Outcome {
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else { return Outcome::Failed };
    let Ok(form) = web_sys::FormData::new() else { return Outcome::Failed };
    if form.append_with_blob_and_filename("file", file, &file.name()).is_err() {
        return Outcome::Failed;
    }
    if let Some(caption) = caption.filter(|c| !c.trim().is_empty()) {
        let _ = form.append_with_str("body", caption);
    }
    if let Some(kind) = kind {
        let _ = form.append_with_str("kind", kind);
    }
    if xhr.open("POST", &format!("{BASE}/tickets/{ticket}/messages")).is_err() {
        return Outcome::Failed;
    }
    let _ = xhr.set_request_header("Authorization", &format!("Bearer {token}"));
    let _ = xhr.set_request_header("Accept", "application/json");

    let (tx, rx) = oneshot::channel::<Outcome>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let finish = {
        let tx = tx.clone();
        move |outcome: Outcome| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(outcome);
            }
        }
    };
    let on_load = {
        let xhr = xhr.clone();
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || {
            let text = xhr.response_text().ok().flatten().unwrap_or_default();
            finish(Outcome::Done(xhr.status().unwrap_or(0), text));
        })
    };
    let on_error = {
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || finish(Outcome::Failed))
    };
    let on_abort = Closure::<dyn FnMut()>::new(move || finish(Outcome::Aborted));
    let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            progress(event.loaded() / event.total());
        }
    });
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    if xhr.send_with_opt_form_data(Some(&form)).is_err() {
        return Outcome::Failed;
    }
    started(Upload { xhr: xhr.clone() });
    let outcome = rx.await.unwrap_or(Outcome::Failed);
    // The closures must live until the request ended; detach them before they are dropped.
    xhr.set_onload(None);
    xhr.set_onerror(None);
    xhr.set_onabort(None);
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(None);
    }
    drop((on_load, on_error, on_abort, on_progress));
    outcome
}
