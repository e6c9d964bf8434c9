//! Queues (sectors): teams that tickets wait in.

use sea_orm::{IntoActiveModel, Set};
use shared::org::{NewQueue, Queue, UpdateQueue};
use shared::validate::{HexColor, Name};
use shared::{Page, QueueId};

use crate::auth::CurrentUser;
use crate::domain::page::PageRequest;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;
use crate::store::entities::queues;

pub fn to_dto(queue: queues::Model) -> Queue {
    Queue { id: QueueId(queue.id), name: queue.name, color: queue.color, created_at: queue.created_at }
}

pub async fn list(state: &AppState, caller: &CurrentUser, page: PageRequest) -> AppResult<Page<Queue>> {
    let rows = store::queues::page(&state.db, caller.company_id.0, page.after_id, page.limit).await?;
    Ok(page.finish(rows, |q| q.id, to_dto))
}

async fn find(state: &AppState, caller: &CurrentUser, id: QueueId) -> AppResult<queues::Model> {
    store::queues::get_in_company(&state.db, caller.company_id.0, id.0).await?.ok_or(AppError::NotFound("queue"))
}

pub async fn get(state: &AppState, caller: &CurrentUser, id: QueueId) -> AppResult<Queue> {
    find(state, caller, id).await.map(to_dto)
}

fn name_taken(error: sea_orm::DbErr) -> AppError {
    if store::is_unique_violation(&error) {
        FieldErrors::one("name", "another queue already has this name")
    } else {
        error.into()
    }
}

pub async fn create(state: &AppState, caller: &CurrentUser, new: NewQueue) -> AppResult<Queue> {
    caller.require_admin()?;
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(&new.name));
    let color = errors.check("color", HexColor::parse(&new.color));
    let (Some(name), Some(color)) = (name, color) else {
        return Err(AppError::Invalid(errors));
    };
    let queue = store::queues::insert(&state.db, caller.company_id.0, name.as_str(), color.as_str())
        .await
        .map_err(name_taken)?;
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
    if !sea_orm::ActiveModelTrait::is_changed(&row) {
        return Ok(to_dto(queue));
    }
    store::queues::update(&state.db, row).await.map(to_dto).map_err(name_taken)
}

pub async fn delete(state: &AppState, caller: &CurrentUser, id: QueueId) -> AppResult<()> {
    caller.require_admin()?;
    let queue = find(state, caller, id).await?;
    store::queues::delete(&state.db, queue.id).await?;
    Ok(())
}
