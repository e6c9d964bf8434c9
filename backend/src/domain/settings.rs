//! The company's settings (Configurações): read by everyone who works there (the composer needs
//! the time zone and the video-call server), changed by admins, merged section by section.

use chrono_tz::Tz;
use shared::CompanyId;
use shared::events::Event;
use shared::settings::{
    GeneralPatch, GeneralSettings, MAX_PROTOCOL_MESSAGE_CHARS, MAX_RATING_WINDOW_MINUTES, MAX_UPLOAD_MB_LIMIT,
    RATING_SCALES, RatingSettings, RatingsPatch, Settings, SettingsPatch,
};
use shared::validate::Invalid;
use shared::visibility::Audience;

use crate::auth::CurrentUser;
use crate::domain::events::Outbox;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::store;

const MAX_QUESTION_CHARS: usize = 1000;
const MAX_URL_CHARS: usize = 512;

/// The general section as stored, with defaults for what was never saved. A row that no longer
/// parses is an error, never silently reset to defaults.
pub async fn general_of(db: &impl sea_orm::ConnectionTrait, company: CompanyId) -> AppResult<GeneralSettings> {
    match store::settings::get(db, company).await? {
        None => Ok(GeneralSettings::default()),
        Some(row) => serde_json::from_str(&row.general)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("company {} settings unreadable: {e}", company.0))),
    }
}

pub async fn get(state: &AppState, caller: &CurrentUser) -> AppResult<Settings> {
    Ok(Settings { general: general_of(&state.db, caller.company_id).await? })
}

pub async fn update(state: &AppState, caller: &CurrentUser, patch: SettingsPatch) -> AppResult<Settings> {
    caller.require_admin()?;
    let txn = state.begin().await?;
    let mut general = general_of(&txn, caller.company_id).await?;
    if let Some(change) = patch.general {
        merge_general(&mut general, change)?;
        let json = serde_json::to_string(&general).map_err(anyhow::Error::from)?;
        store::settings::put_general(&txn, caller.company_id, &json).await?;
    }
    let settings = Settings { general };
    let mut outbox = Outbox::new();
    outbox.add(&txn, caller.company_id, Audience::Company, Event::SettingsUpdated(settings.clone())).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(settings)
}

/// Checks every field given and applies them all, or none.
fn merge_general(general: &mut GeneralSettings, change: GeneralPatch) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    if let Some(zone) = change.time_zone {
        match parse_time_zone(&zone) {
            Ok(zone) => general.time_zone = zone.name().to_owned(),
            Err(problem) => errors.add("general.time_zone", problem),
        }
    }
    if let Some(on) = change.signature_default {
        general.signature_default = on;
    }
    if let Some(url) = change.video_call_base_url {
        match parse_link_base(&url) {
            Ok(url) => general.video_call_base_url = url,
            Err(problem) => errors.add("general.video_call_base_url", problem),
        }
    }
    if let Some(mb) = change.max_upload_mb {
        if (1..=MAX_UPLOAD_MB_LIMIT).contains(&mb) {
            general.max_upload_mb = mb;
        } else {
            errors.add("general.max_upload_mb", Invalid::NumberBetween { min: 1, max: MAX_UPLOAD_MB_LIMIT });
        }
    }
    if let Some(ratings) = change.ratings {
        merge_ratings(&mut general.ratings, ratings, &mut errors);
    }
    if let Some(message) = change.protocol_message {
        let message = message.trim();
        if message.is_empty() {
            errors.add("general.protocol_message", Invalid::Required);
        } else if message.chars().count() > MAX_PROTOCOL_MESSAGE_CHARS {
            errors.add("general.protocol_message", Invalid::TooLong { max: MAX_PROTOCOL_MESSAGE_CHARS as u32 });
        } else {
            general.protocol_message = message.to_owned();
        }
    }
    errors.into_result()
}

fn merge_ratings(ratings: &mut RatingSettings, change: RatingsPatch, errors: &mut FieldErrors) {
    if let Some(on) = change.enabled {
        ratings.enabled = on;
    }
    if let Some(on) = change.on_resolve {
        ratings.on_resolve = on;
    }
    if let Some(question) = change.question {
        let question = question.trim();
        if question.is_empty() {
            errors.add("general.ratings.question", Invalid::Required);
        } else if question.chars().count() > MAX_QUESTION_CHARS {
            errors.add("general.ratings.question", Invalid::TooLong { max: MAX_QUESTION_CHARS as u32 });
        } else {
            ratings.question = question.to_owned();
        }
    }
    if let Some(scale) = change.scale {
        if RATING_SCALES.contains(&scale) {
            ratings.scale = scale;
        } else {
            errors.add("general.ratings.scale", Invalid::OneOf { choices: RATING_SCALES.map(u32::from).to_vec() });
        }
    }
    if let Some(minutes) = change.window_minutes {
        if (1..=MAX_RATING_WINDOW_MINUTES).contains(&minutes) {
            ratings.window_minutes = minutes;
        } else {
            errors.add(
                "general.ratings.window_minutes",
                Invalid::NumberBetween { min: 1, max: MAX_RATING_WINDOW_MINUTES },
            );
        }
    }
}

/// An IANA zone name, in its canonical spelling.
pub fn parse_time_zone(raw: &str) -> Result<Tz, Invalid> {
    raw.trim().parse::<Tz>().map_err(|_| Invalid::UnknownTimeZone)
}

/// A link users open in their browser (never fetched by the server): `https`, or `http` for a
/// server on the local network, without a query or fragment so a room name can be appended.
fn parse_link_base(raw: &str) -> Result<String, Invalid> {
    let raw = raw.trim().trim_end_matches('/');
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(Invalid::TooLong { max: MAX_URL_CHARS as u32 });
    }
    let url = reqwest::Url::parse(raw).map_err(|_| Invalid::NotUrl)?;
    let fits = matches!(url.scheme(), "https" | "http")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !fits {
        return Err(Invalid::NotUrl);
    }
    Ok(raw.to_owned())
}

/// Refuses the request when the company keeps files smaller than `bytes`.
pub async fn check_upload_size(state: &AppState, company: CompanyId, bytes: u64) -> AppResult<()> {
    if bytes > upload_limit(state, company).await? {
        return Err(AppError::PayloadTooLarge);
    }
    Ok(())
}

/// The largest file the company keeps, in bytes (an upload is cut off when it passes this).
pub async fn upload_limit(state: &AppState, company: CompanyId) -> AppResult<u64> {
    Ok(general_of(&state.db, company).await?.max_upload_bytes() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(parse_time_zone(" America/Manaus ").map(|z| z.name().to_owned()), Ok("America/Manaus".into()));
        assert_eq!(parse_time_zone("Brasilia"), Err(Invalid::UnknownTimeZone));
        assert_eq!(parse_time_zone(""), Err(Invalid::UnknownTimeZone));
    }

    #[test]
    fn link_bases_are_plain_web_addresses() {
        assert_eq!(parse_link_base("https://meet.example.com/"), Ok("https://meet.example.com".into()));
        assert_eq!(parse_link_base("https://meet.example.com/salas"), Ok("https://meet.example.com/salas".into()));
        for bad in ["javascript:alert(1)", "ftp://x.com", "https://a.com/?x=1", "https://u:p@a.com", "meet.jit.si"] {
            assert_eq!(parse_link_base(bad), Err(Invalid::NotUrl), "{bad}");
        }
    }

    #[test]
    fn a_bad_field_changes_nothing() {
        let mut general = GeneralSettings::default();
        let change =
            GeneralPatch { time_zone: Some("Europe/Lisbon".into()), max_upload_mb: Some(0), ..GeneralPatch::default() };
        let refused = merge_general(&mut general.clone(), change);
        assert!(matches!(refused, Err(AppError::Invalid(_))));
        let change = GeneralPatch { time_zone: Some("Europe/Lisbon".into()), ..GeneralPatch::default() };
        merge_general(&mut general, change).unwrap();
        assert_eq!(general.time_zone, "Europe/Lisbon");
    }
}
