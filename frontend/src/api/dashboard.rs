//! `/dashboard`: today's figures for the home page, and the ratings of a period.

use chrono::{DateTime, SecondsFormat, Utc};
use shared::tickets::Dashboard;

use super::ApiError;
use super::client;

/// The figures, with the ratings received since `ratings_from`.
pub async fn get(ratings_from: DateTime<Utc>) -> Result<Dashboard, ApiError> {
    let from = super::encode(&ratings_from.to_rfc3339_opts(SecondsFormat::Secs, true));
    client::get(&format!("/dashboard?from={from}")).await
}
