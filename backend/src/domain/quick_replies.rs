//! Quick replies (Mensagens rápidas): administrators write them, for the whole company or one
//! queue; agents see the company-wide ones and their queues' (admins and supervisors see all). A
//! reply may carry a file, kept in the media store like message media, which a message sent with
//! the reply gets a copy of.

use sea_orm::{ConnectionTrait, IntoActiveModel, Set};
use shared::quick_replies::{NewQuickReply, QuickReply, QuickReplyFile, UpdateQuickReply};
use shared::validate::{Invalid, MessageText, Shortcut};
use shared::visibility::Viewer;
use shared::{Page, QueueId, QuickReplyId};

use crate::auth::CurrentUser;
use crate::domain::auth::viewer_of;
use crate::domain::media;
use crate::domain::messages::Attachment;
use crate::domain::page::PageRequest;
use crate::error::{AppError, AppResult, FieldErrors, OnUnique};
use crate::state::AppState;
use crate::store::entities::quick_replies;
use crate::store::quick_replies::Scope;
use crate::store::{self, UniqueKey};

/// The longest search the list takes: nobody types more, and it bounds the query.
const MAX_SEARCH_CHARS: usize = 100;

pub fn to_dto(row: quick_replies::Model) -> QuickReply {
    let file = match (row.file_path.as_ref(), row.file_name, row.file_mime) {
        (Some(_), Some(name), Some(mime)) => {
            Some(QuickReplyFile { url: format!("/api/v1/quick-replies/{}/file", row.id), name, mime })
        }
        _ => None,
    };
    QuickReply {
        id: QuickReplyId(row.id),
        shortcut: row.shortcut,
        body: row.body,
        queue_id: row.queue_id.map(QueueId),
        file,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Whether `viewer` may see and use a reply of this scope: admins and supervisors all of them,
/// agents the company-wide ones and their queues'.
pub fn may_use(viewer: &Viewer, queue_id: Option<QueueId>) -> bool {
    !viewer.is_scoped() || queue_id.is_none_or(|queue| viewer.queue_ids.contains(&queue))
}

/// The reply, if it is the caller's company's and the caller may use it (else 404, as if it did
/// not exist).
async fn find_visible(
    db: &impl ConnectionTrait,
    caller: &CurrentUser,
    id: QuickReplyId,
) -> AppResult<quick_replies::Model> {
    let row = store::quick_replies::get_in_company(db, caller.company_id, id)
        .await?
        .ok_or(AppError::NotFound("quick reply"))?;
    let viewer = viewer_of(db, caller).await?;
    if may_use(&viewer, row.queue_id.map(QueueId)) { Ok(row) } else { Err(AppError::NotFound("quick reply")) }
}

pub async fn list(
    state: &AppState,
    caller: &CurrentUser,
    search: Option<&str>,
    page: PageRequest,
) -> AppResult<Page<QuickReply>> {
    let search: Option<String> = search.map(|q| q.chars().take(MAX_SEARCH_CHARS).collect());
    let viewer = viewer_of(&state.db, caller).await?;
    let scope = if viewer.is_scoped() { Scope::Queues(&viewer.queue_ids) } else { Scope::All };
    let rows =
        store::quick_replies::page(&state.db, caller.company_id, scope, search.as_deref(), page.after_id, page.limit)
            .await?;
    Ok(page.finish(rows, |r| r.id, to_dto))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: QuickReplyId) -> AppResult<QuickReply> {
    find_visible(&state.db, caller, id).await.map(to_dto)
}

/// Refuses a queue that is not the company's.
async fn check_queue(
    state: &AppState,
    caller: &CurrentUser,
    queue_id: Option<QueueId>,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    if let Some(queue) = queue_id
        && store::queues::get_in_company(&state.db, caller.company_id, queue).await?.is_none()
    {
        errors.add("queue_id", Invalid::NotInCompany);
    }
    Ok(())
}

pub async fn create(state: &AppState, caller: &CurrentUser, new: NewQuickReply) -> AppResult<QuickReply> {
    caller.require_admin()?;
    let mut errors = FieldErrors::new();
    let shortcut = errors.check("shortcut", Shortcut::parse(&new.shortcut));
    let body = errors.check("body", MessageText::parse(&new.body));
    check_queue(state, caller, new.queue_id, &mut errors).await?;
    let (Some(shortcut), Some(body), true) = (shortcut, body, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let txn = state.begin().await?;
    let row = store::quick_replies::insert(&txn, caller.company_id, new.queue_id, shortcut.as_str(), body.as_str())
        .await
        .on_unique(UniqueKey::QuickReplyShortcut, "shortcut")?;
    txn.commit().await?;
    Ok(to_dto(row))
}

pub async fn update(
    state: &AppState,
    caller: &CurrentUser,
    id: QuickReplyId,
    change: UpdateQuickReply,
) -> AppResult<QuickReply> {
    caller.require_admin()?;
    let row = find_visible(&state.db, caller, id).await?;
    let mut errors = FieldErrors::new();
    let shortcut = change.shortcut.as_deref().and_then(|s| errors.check("shortcut", Shortcut::parse(s)));
    let body = change.body.as_deref().and_then(|b| errors.check("body", MessageText::parse(b)));
    if let Some(queue_id) = change.queue_id {
        check_queue(state, caller, queue_id, &mut errors).await?;
    }
    errors.into_result()?;
    let mut active = row.clone().into_active_model();
    if let Some(shortcut) = shortcut {
        active.shortcut = Set(shortcut.into_inner());
    }
    if let Some(body) = body {
        active.body = Set(body.into_inner());
    }
    if let Some(queue_id) = change.queue_id {
        active.queue_id = Set(queue_id.map(i64::from));
    }
    if !sea_orm::ActiveModelTrait::is_changed(&active) {
        return Ok(to_dto(row));
    }
    let txn = state.begin().await?;
    let row = store::quick_replies::update(&txn, active).await.on_unique(UniqueKey::QuickReplyShortcut, "shortcut")?;
    txn.commit().await?;
    Ok(to_dto(row))
}

/// Deletes the reply and its file. Messages sent with it keep their own copy.
pub async fn delete(state: &AppState, caller: &CurrentUser, id: QuickReplyId) -> AppResult<()> {
    caller.require_admin()?;
    let row = find_visible(&state.db, caller, id).await?;
    let txn = state.begin().await?;
    store::quick_replies::delete(&txn, id).await?;
    txn.commit().await?;
    if let Some(path) = row.file_path {
        state.media.remove(&path).await;
    }
    Ok(())
}

/// A file as uploaded.
pub struct Upload {
    pub body: media::FileBody,
    pub file_name: Option<String>,
}

/// Puts `upload` on the reply, replacing its file if it had one. The same rules as a file sent in
/// a conversation: the company's size limit, the type sniffed from the bytes, no executables.
pub async fn set_file(
    state: &AppState,
    caller: &CurrentUser,
    id: QuickReplyId,
    upload: Upload,
) -> AppResult<QuickReply> {
    caller.require_admin()?;
    find_visible(&state.db, caller, id).await?;
    crate::domain::settings::check_upload_size(state, caller.company_id, upload.body.len()).await?;
    let sniffed = media::sniff(upload.body.head(), None)?;
    let name = media::clean_file_name(upload.file_name.as_deref(), "arquivo");
    let path = upload.body.keep(&state.media, caller.company_id.0).await?;
    let stored = store_file(state, caller, id, Some((path.clone(), name, sniffed.mime))).await;
    if stored.is_err() {
        state.media.remove(&path).await;
    }
    stored
}

/// Takes the file off the reply (the text stays).
pub async fn remove_file(state: &AppState, caller: &CurrentUser, id: QuickReplyId) -> AppResult<QuickReply> {
    caller.require_admin()?;
    find_visible(&state.db, caller, id).await?;
    store_file(state, caller, id, None).await
}

/// Writes the reply's file columns (read again inside the transaction, so two uploads at once
/// each remove only the file they replaced), then removes the file they pointed at before.
async fn store_file(
    state: &AppState,
    caller: &CurrentUser,
    id: QuickReplyId,
    file: Option<(String, String, String)>,
) -> AppResult<QuickReply> {
    let txn = state.begin().await?;
    let row = store::quick_replies::get_in_company(&txn, caller.company_id, id)
        .await?
        .ok_or(AppError::NotFound("quick reply"))?;
    let previous = row.file_path.clone();
    let mut active = row.into_active_model();
    let (path, name, mime) = match file {
        Some((path, name, mime)) => (Some(path), Some(name), Some(mime)),
        None => (None, None, None),
    };
    active.file_path = Set(path);
    active.file_name = Set(name);
    active.file_mime = Set(mime);
    let row = store::quick_replies::update(&txn, active).await?;
    txn.commit().await?;
    if let Some(previous) = previous {
        state.media.remove(&previous).await;
    }
    Ok(to_dto(row))
}

/// The reply's file, for a user who may use the reply: (its name in the media store, mime, file name).
pub async fn file_of(state: &AppState, caller: &CurrentUser, id: QuickReplyId) -> AppResult<(String, String, String)> {
    let row = find_visible(&state.db, caller, id).await.map_err(|_| AppError::NotFound("file"))?;
    let path = row.file_path.ok_or(AppError::NotFound("file"))?;
    Ok((
        path,
        row.file_mime.unwrap_or_else(|| media::OCTET_STREAM.into()),
        row.file_name.unwrap_or_else(|| "arquivo".into()),
    ))
}

/// What a message sent with reply `id` attaches: a copy of the reply's bytes (the message keeps
/// its own file), or nothing when the reply has no file. A reply the caller may not use is refused
/// as a field of the message.
pub async fn attachment_for(state: &AppState, caller: &CurrentUser, id: QuickReplyId) -> AppResult<Option<Attachment>> {
    let row = match find_visible(&state.db, caller, id).await {
        Ok(row) => row,
        Err(AppError::NotFound(_)) => return Err(FieldErrors::one("quick_reply_id", Invalid::NotInCompany)),
        Err(other) => return Err(other),
    };
    let Some(path) = row.file_path else {
        return Ok(None);
    };
    let body = media::FileBody::stored(&state.media, &path)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the quick reply file {path} is gone")))?;
    Ok(Some(Attachment { body, file_name: row.file_name, kind_hint: None }))
}

#[cfg(test)]
mod tests {
    use shared::UserId;
    use shared::auth::Role;

    use super::*;

    #[test]
    fn agents_use_company_wide_replies_and_their_queues_only() {
        let viewer = |role| Viewer { user_id: UserId(1), role, queue_ids: vec![QueueId(2)] };
        let agent = viewer(Role::Agent);
        assert!(may_use(&agent, None));
        assert!(may_use(&agent, Some(QueueId(2))));
        assert!(!may_use(&agent, Some(QueueId(3))));
        for role in [Role::Admin, Role::Supervisor] {
            assert!(may_use(&viewer(role), Some(QueueId(3))), "{role:?}");
        }
    }
}
