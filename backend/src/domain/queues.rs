//! Queues (sectors): teams that tickets wait in.

use sea_orm::{IntoActiveModel, Set};
use shared::org::{NewQueue, Queue, UpdateQueue};
use shared::validate::{HexColor, Name};
use shared::{ErrorCode, Page, QueueId};

use crate::auth::CurrentUser;
use crate::domain::page::PageRequest;
use crate::error::{AppError, AppResult, FieldErrors, OnUnique};
use crate::state::AppState;
use crate::store::entities::queues;
use crate::store::tickets::TicketsOf;
use crate::store::{self, UniqueKey};

pub fn to_dto(queue: queues::Model) -> Queue {
    Queue {
        id: QueueId(queue.id),
        name: queue.name,
        color: queue.color,
        created_at: queue.created_at,
        default_bot: queue.default_bot.map(Into::into),
    }
}

pub async fn list(state: &AppState, caller: &CurrentUser, page: PageRequest) -> AppResult<Page<Queue>> {
    let rows = store::queues::page(&state.db, caller.company_id, page.after_id, page.limit).await?;
    Ok(page.finish(rows, |q| q.id, to_dto))
}

async fn find(state: &AppState, caller: &CurrentUser, id: QueueId) -> AppResult<queues::Model> {
    store::queues::get_in_company(&state.db, caller.company_id, id).await?.ok_or(AppError::NotFound("queue"))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: QueueId) -> AppResult<Queue> {
    find(state, caller, id).await.map(to_dto)
}

pub async fn create(state: &AppState, caller: &CurrentUser, new: NewQueue) -> AppResult<Queue> {
    caller.require_admin()?;
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(&new.name));
    let color = errors.check("color", HexColor::parse(&new.color));
    let (Some(name), Some(color)) = (name, color) else {
        return Err(AppError::Invalid(errors));
    };
    let txn = state.begin().await?;
    let queue = store::queues::insert(&txn, caller.company_id, name.as_str(), color.as_str())
        .await
        .on_unique(UniqueKey::QueueName, "name")?;
    let queue = match new.default_bot {
        None => queue,
        Some(bot) => {
            let mut row = queue.into_active_model();
            row.default_bot = Set(Some(bot.into()));
            store::queues::update(&txn, row).await?
        }
    };
    txn.commit().await?;
    Ok(to_dto(queue))
}

pub async fn update(state: &AppState, caller: &CurrentUser, id: QueueId, change: UpdateQueue) -> AppResult<Queue> {
    caller.require_admin()?;
    let queue = find(state, caller, id).await?;
    let mut errors = FieldErrors::new();
    let name = change.name.as_deref().and_then(|n| errors.check("name", Name::parse(n)));
    let color = change.color.as_deref().and_then(|c| errors.check("color", HexColor::parse(c)));
    errors.into_result()?;
    let mut row = queue.clone().into_active_model();
    if let Some(name) = name {
        row.name = Set(name.into_inner());
    }
    if let Some(color) = color {
        row.color = Set(color.into_inner());
    }
    if let Some(bot) = change.default_bot {
        row.default_bot = Set(bot.map(Into::into));
    }
    if !sea_orm::ActiveModelTrait::is_changed(&row) {
        return Ok(to_dto(queue));
    }
    let txn = state.begin().await?;
    let queue = store::queues::update(&txn, row).await.on_unique(UniqueKey::QueueName, "name")?;
    txn.commit().await?;
    Ok(to_dto(queue))
}

pub async fn delete(state: &AppState, caller: &CurrentUser, id: QueueId) -> AppResult<()> {
    caller.require_admin()?;
    find(state, caller, id).await?;
    let txn = state.begin().await?;
    // Waiting in no queue, its tickets would show to every agent (review #19): they are moved or
    // resolved first. Closed ones stay in the history, in no queue.
    let active = store::tickets::all_of(&txn, caller.company_id, TicketsOf::Queue(id), true).await?;
    if !active.is_empty() {
        return Err(AppError::conflict(
            ErrorCode::QueueInUse,
            format!("the queue has {} open or pending tickets: transfer or resolve them first", active.len()),
        ));
    }
    // Its quick replies go with it (the foreign key cascades): their files too.
    let files = store::quick_replies::file_paths_of_queue(&txn, caller.company_id, id).await?;
    store::queues::delete(&txn, id).await?;
    txn.commit().await?;
    state.media.remove_all(&files).await;
    Ok(())
}
