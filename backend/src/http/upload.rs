//! A multipart file field received straight to disk (`domain::media::spool`), cut off at the
//! company's upload limit: no upload is ever held whole in memory.

use axum::extract::multipart::Field;
use shared::CompanyId;

use super::tickets::multipart_error;
use crate::domain;
use crate::domain::media::spool::{Spool, Spooled};
use crate::error::AppResult;
use crate::state::AppState;

pub async fn spool_file(state: &AppState, company: CompanyId, mut field: Field<'_>) -> AppResult<Spooled> {
    let limit = domain::settings::upload_limit(state, company).await?;
    let mut spool = Spool::create(&state.config.data_dir, limit).await?;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        spool.write(&chunk).await?;
    }
    spool.finish().await
}
