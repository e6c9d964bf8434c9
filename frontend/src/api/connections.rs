//! `/connections`: the numbers the company receives messages on (for the filters and to start a
//! conversation).

use shared::contacts::Connection;

use super::ApiError;

pub async fn list_all() -> Result<Vec<Connection>, ApiError> {
    super::all_pages("/connections").await
}
