//! The company's settings (Configurações): read by everyone who works there (the composer needs
//! the time zone and the video-call server), changed by admins, merged section by section.

use chrono_tz::Tz;
use shared::CompanyId;
use shared::events::Event;
use shared::settings::{
    ChatgptPatch, ChatgptSettings, ComtelePatch, ComteleSettings, ConnectionTest, DialogflowPatch, DialogflowSettings,
    GeneralPatch, GeneralSettings, MAX_CHATGPT_TOKENS, MAX_PROTOCOL_MESSAGE_CHARS, MAX_RATING_WINDOW_MINUTES,
    MAX_SYSTEM_PROMPT_CHARS, MAX_UPLOAD_MB_LIMIT, RATING_SCALES, RatingSettings, RatingsPatch, Settings, SettingsPatch,
    TypebotPatch, TypebotSettings,
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
    let row = store::settings::get(&state.db, caller.company_id).await?;
    view(caller.company_id, row.as_ref())
}

/// Purposes the integrations' secrets are sealed for (a value sealed for one does not open as another).
pub const CHATGPT_KEY: &str = "settings.chatgpt.api_key";
pub const DIALOGFLOW_KEY: &str = "settings.dialogflow.service_account_json";
pub const COMTELE_KEY: &str = "settings.comtele.api_key";

/// An integration's section as stored: what everyone may read, and its secret sealed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Stored<T> {
    #[serde(flatten)]
    pub view: T,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl<T> Stored<T> {
    /// The secret in the clear, if one is set.
    pub fn open(&self, state: &AppState, purpose: &str) -> AppResult<Option<String>> {
        match &self.secret {
            None => Ok(None),
            Some(sealed) => state
                .sealer
                .open_str(purpose, sealed)
                .map(Some)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{purpose} does not open: {e}"))),
        }
    }
}

fn section<T: Default + serde::de::DeserializeOwned>(
    company: CompanyId,
    name: &str,
    raw: Option<&String>,
) -> AppResult<Stored<T>> {
    match raw {
        None => Ok(Stored::default()),
        Some(json) => serde_json::from_str(json)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("company {} settings.{name} unreadable: {e}", company.0))),
    }
}

/// Every section as stored (defaults for what was never saved).
pub struct Sections {
    pub general: GeneralSettings,
    pub typebot: Stored<TypebotSettings>,
    pub chatgpt: Stored<ChatgptSettings>,
    pub dialogflow: Stored<DialogflowSettings>,
    pub comtele: Stored<ComteleSettings>,
}

fn sections_of(company: CompanyId, row: Option<&store::entities::company_settings::Model>) -> AppResult<Sections> {
    let general = match row {
        None => GeneralSettings::default(),
        Some(row) => serde_json::from_str(&row.general)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("company {} settings unreadable: {e}", company.0)))?,
    };
    Ok(Sections {
        general,
        typebot: section(company, "typebot", row.and_then(|r| r.typebot.as_ref()))?,
        chatgpt: section(company, "chatgpt", row.and_then(|r| r.chatgpt.as_ref()))?,
        dialogflow: section(company, "dialogflow", row.and_then(|r| r.dialogflow.as_ref()))?,
        comtele: section(company, "comtele", row.and_then(|r| r.comtele.as_ref()))?,
    })
}

/// The company's sections as stored, secrets still sealed (for the integrations' clients).
pub async fn sections(db: &impl sea_orm::ConnectionTrait, company: CompanyId) -> AppResult<Sections> {
    let row = store::settings::get(db, company).await?;
    sections_of(company, row.as_ref())
}

impl Sections {
    /// What the API answers: secrets only as `*_set`.
    pub fn view(self) -> Settings {
        let mut chatgpt = self.chatgpt.view;
        chatgpt.api_key_set = self.chatgpt.secret.is_some();
        let mut dialogflow = self.dialogflow.view;
        dialogflow.service_account_json_set = self.dialogflow.secret.is_some();
        let mut comtele = self.comtele.view;
        comtele.api_key_set = self.comtele.secret.is_some();
        Settings { general: self.general, typebot: self.typebot.view, chatgpt, dialogflow, comtele }
    }
}

fn view(company: CompanyId, row: Option<&store::entities::company_settings::Model>) -> AppResult<Settings> {
    Ok(sections_of(company, row)?.view())
}

/// The base URLs a patch changes, checked by the SSRF guard before the transaction (the check
/// resolves names, which must not hold SQLite's write turn). An empty one clears the field; one
/// equal to what is stored (or to the default) was checked before, or needs no check.
async fn check_urls(state: &AppState, company: CompanyId, patch: &SettingsPatch) -> AppResult<FieldErrors> {
    let allow_private = state.config.allow_private_urls;
    let stored = sections(&state.db, company).await?;
    let mut errors = FieldErrors::new();
    let urls = [
        ("typebot.base_url", patch.typebot.as_ref().and_then(|p| p.base_url.as_ref()), stored.typebot.view.base_url),
        ("chatgpt.base_url", patch.chatgpt.as_ref().and_then(|p| p.base_url.as_ref()), stored.chatgpt.view.base_url),
        ("comtele.base_url", patch.comtele.as_ref().and_then(|p| p.base_url.as_ref()), stored.comtele.view.base_url),
    ];
    for (field, url, current) in urls {
        let Some(url) = url.map(|u| u.trim()).filter(|u| !u.is_empty()) else { continue };
        if url.trim_end_matches('/') == current {
            continue;
        }
        if url.chars().count() > MAX_URL_CHARS {
            errors.add(field, Invalid::TooLong { max: MAX_URL_CHARS as u32 });
        } else if let Err(refused) = crate::domain::outbound_url::check(url, allow_private).await {
            errors.add(field, refused.into());
        }
    }
    Ok(errors)
}

pub async fn update(state: &AppState, caller: &CurrentUser, patch: SettingsPatch) -> AppResult<Settings> {
    caller.require_admin()?;
    let mut errors = check_urls(state, caller.company_id, &patch).await?;
    let txn = state.begin().await?;
    let row = store::settings::get(&txn, caller.company_id).await?;
    let mut sections = sections_of(caller.company_id, row.as_ref())?;
    if let Some(change) = patch.general
        && let Err(AppError::Invalid(problems)) = merge_general(&mut sections.general, change)
    {
        errors.extend(problems);
    }
    let mut write = store::settings::Sections::default();
    if let Some(change) = patch.typebot {
        merge_typebot(&mut sections.typebot.view, change, &mut errors);
        write.typebot = Some(to_json(&sections.typebot)?);
    }
    if let Some(change) = patch.chatgpt {
        merge_chatgpt(state, &mut sections.chatgpt, change, &mut errors)?;
        write.chatgpt = Some(to_json(&sections.chatgpt)?);
    }
    if let Some(change) = patch.dialogflow {
        merge_dialogflow(state, &mut sections.dialogflow, change, &mut errors)?;
        write.dialogflow = Some(to_json(&sections.dialogflow)?);
    }
    if let Some(change) = patch.comtele {
        merge_comtele(state, &mut sections.comtele, change, &mut errors)?;
        write.comtele = Some(to_json(&sections.comtele)?);
    }
    errors.into_result()?;
    write.general = to_json(&sections.general)?;
    store::settings::put(&txn, caller.company_id, write).await?;
    let settings = sections.view();
    let mut outbox = Outbox::new();
    outbox.add(&txn, caller.company_id, Audience::Company, Event::SettingsUpdated(settings.clone())).await?;
    txn.commit().await?;
    outbox.publish(state);
    Ok(settings)
}

fn to_json<T: serde::Serialize>(value: &T) -> AppResult<String> {
    Ok(serde_json::to_string(value).map_err(anyhow::Error::from)?)
}

/// A short text field: trimmed, at most `max` characters.
fn text(field: &str, raw: String, max: usize, errors: &mut FieldErrors) -> Option<String> {
    let value = raw.trim();
    if value.chars().count() > max {
        errors.add(field, Invalid::TooLong { max: max as u32 });
        return None;
    }
    if value.chars().any(char::is_control) && max <= MAX_URL_CHARS {
        errors.add(field, Invalid::ControlCharacters);
        return None;
    }
    Some(value.to_owned())
}

fn required(field: &str, present: bool, errors: &mut FieldErrors) {
    if !present {
        errors.add(field, Invalid::Required);
    }
}

/// A new secret sealed, `""` removes it, `None` keeps it.
fn replace_secret(
    state: &AppState,
    purpose: &str,
    secret: &mut Option<String>,
    given: Option<String>,
) -> AppResult<()> {
    match given.map(|s| s.trim().to_owned()) {
        None => {}
        Some(plain) if plain.is_empty() => *secret = None,
        Some(plain) => *secret = Some(state.sealer.seal_str(purpose, &plain)?),
    }
    Ok(())
}

fn base_url(raw: String) -> String {
    raw.trim().trim_end_matches('/').to_owned()
}

fn merge_typebot(typebot: &mut TypebotSettings, change: TypebotPatch, errors: &mut FieldErrors) {
    if let Some(on) = change.enabled {
        typebot.enabled = on;
    }
    if let Some(url) = change.base_url {
        typebot.base_url = base_url(url);
    }
    if let Some(id) = change.public_id.and_then(|v| text("typebot.public_id", v, 200, errors)) {
        typebot.public_id = id;
    }
    // Empty: no keyword (only the end of the flow hands over).
    if let Some(keyword) = change.handover_keyword.and_then(|v| text("typebot.handover_keyword", v, 60, errors)) {
        typebot.handover_keyword = keyword;
    }
    if typebot.enabled {
        required("typebot.base_url", !typebot.base_url.is_empty(), errors);
        required("typebot.public_id", !typebot.public_id.is_empty(), errors);
    }
}

fn merge_chatgpt(
    state: &AppState,
    chatgpt: &mut Stored<ChatgptSettings>,
    change: ChatgptPatch,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    let view = &mut chatgpt.view;
    if let Some(on) = change.enabled {
        view.enabled = on;
    }
    if let Some(url) = change.base_url {
        view.base_url = base_url(url);
    }
    if let Some(model) = change.model.and_then(|v| text("chatgpt.model", v, 200, errors)) {
        view.model = model;
    }
    if let Some(prompt) =
        change.system_prompt.and_then(|v| text("chatgpt.system_prompt", v, MAX_SYSTEM_PROMPT_CHARS, errors))
    {
        view.system_prompt = prompt;
    }
    if let Some(temperature) = change.temperature {
        if (0.0..=2.0).contains(&temperature) {
            view.temperature = temperature;
        } else {
            errors.add("chatgpt.temperature", Invalid::NumberBetween { min: 0, max: 2 });
        }
    }
    if let Some(tokens) = change.max_tokens {
        if (1..=MAX_CHATGPT_TOKENS).contains(&tokens) {
            view.max_tokens = tokens;
        } else {
            errors.add("chatgpt.max_tokens", Invalid::NumberBetween { min: 1, max: MAX_CHATGPT_TOKENS });
        }
    }
    replace_secret(state, CHATGPT_KEY, &mut chatgpt.secret, change.api_key)?;
    if chatgpt.view.enabled {
        required("chatgpt.base_url", !chatgpt.view.base_url.is_empty(), errors);
        required("chatgpt.model", !chatgpt.view.model.is_empty(), errors);
        required("chatgpt.api_key", chatgpt.secret.is_some(), errors);
    }
    Ok(())
}

fn merge_dialogflow(
    state: &AppState,
    dialogflow: &mut Stored<DialogflowSettings>,
    change: DialogflowPatch,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    let view = &mut dialogflow.view;
    if let Some(on) = change.enabled {
        view.enabled = on;
    }
    if let Some(id) = change.project_id.and_then(|v| text("dialogflow.project_id", v, 200, errors)) {
        view.project_id = id;
    }
    if let Some(language) = change.language.and_then(|v| text("dialogflow.language", v, 20, errors)) {
        view.language = language;
    }
    if let Some(location) = change.location.and_then(|v| text("dialogflow.location", v, 100, errors)) {
        view.location = Some(location).filter(|l| !l.is_empty());
    }
    if let Some(agent) = change.agent_id.and_then(|v| text("dialogflow.agent_id", v, 200, errors)) {
        view.agent_id = Some(agent).filter(|a| !a.is_empty());
    }
    match change.service_account_json.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => {
            if let Err(problem) = crate::integrations::dialogflow::ServiceAccount::parse(raw) {
                errors.add("dialogflow.service_account_json", problem);
            } else {
                dialogflow.secret = Some(state.sealer.seal_str(DIALOGFLOW_KEY, raw)?);
            }
        }
        Some(_) => dialogflow.secret = None,
        None => {}
    }
    let view = &dialogflow.view;
    if view.enabled {
        required("dialogflow.project_id", !view.project_id.is_empty(), errors);
        required("dialogflow.language", !view.language.is_empty(), errors);
        required("dialogflow.service_account_json", dialogflow.secret.is_some(), errors);
        // DialogFlow CX names an agent in a region.
        if view.agent_id.is_some() {
            required("dialogflow.location", view.location.is_some(), errors);
        }
    }
    Ok(())
}

fn merge_comtele(
    state: &AppState,
    comtele: &mut Stored<ComteleSettings>,
    change: ComtelePatch,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    let view = &mut comtele.view;
    if let Some(on) = change.enabled {
        view.enabled = on;
    }
    if let Some(url) = change.base_url {
        view.base_url = base_url(url);
    }
    if let Some(sender) = change.sender.and_then(|v| text("comtele.sender", v, 64, errors)) {
        view.sender = sender;
    }
    replace_secret(state, COMTELE_KEY, &mut comtele.secret, change.api_key)?;
    if comtele.view.enabled {
        required("comtele.base_url", !comtele.view.base_url.is_empty(), errors);
        required("comtele.api_key", comtele.secret.is_some(), errors);
    }
    Ok(())
}

/// `POST /api/v1/settings/{section}/test` (admin): the lightest real call to the provider with what
/// is saved. A failed call is an answer (`ok: false` with the reason), not an error.
pub async fn test(state: &AppState, caller: &CurrentUser, name: &str) -> AppResult<ConnectionTest> {
    use crate::integrations::{self, ProviderError};
    caller.require_admin()?;
    let sections = sections(&state.db, caller.company_id).await?;
    let allow_private = state.config.allow_private_urls;
    let http = integrations::http_client(allow_private).map_err(anyhow::Error::from)?;
    let guard = |url: &str| crate::domain::outbound_url::check_literal(url, allow_private).map(|_| ());
    let result: Result<String, ProviderError> = match name {
        "typebot" => {
            let typebot = sections.typebot.view;
            match typebot.base_url.as_str() {
                "" => Err(ProviderError::NotConfigured("the Typebot server's URL is not set")),
                url => match guard(url) {
                    Err(refused) => Err(refused.into()),
                    Ok(()) => integrations::typebot::Typebot { http, base_url: url.to_owned() }
                        .reachable()
                        .await
                        .map(|status| format!("the server answered HTTP {status}")),
                },
            }
        }
        "chatgpt" => match sections.chatgpt.open(state, CHATGPT_KEY)? {
            None => Err(ProviderError::NotConfigured("the API key is not set")),
            Some(api_key) => {
                let base = sections.chatgpt.view.base_url;
                match guard(&base) {
                    Err(refused) => Err(refused.into()),
                    Ok(()) => integrations::chatgpt::Chatgpt { http, base_url: base, api_key }
                        .models()
                        .await
                        .map(|models| format!("key accepted; {} models available", models.len())),
                }
            }
        },
        "dialogflow" => match sections.dialogflow.open(state, DIALOGFLOW_KEY)? {
            None => Err(ProviderError::NotConfigured("the service-account key is not set")),
            Some(raw) => match integrations::dialogflow::ServiceAccount::parse(&raw) {
                Err(_) => Err(ProviderError::NotConfigured("the service-account key is not readable")),
                Ok(account) => integrations::dialogflow::access_token(&http, &account, allow_private)
                    .await
                    .map(|_| format!("access token granted to {}", account.client_email)),
            },
        },
        "comtele" => match sections.comtele.open(state, COMTELE_KEY)? {
            None => Err(ProviderError::NotConfigured("the API key is not set")),
            Some(api_key) => {
                let base = sections.comtele.view.base_url;
                match guard(&base) {
                    Err(refused) => Err(refused.into()),
                    Ok(()) => integrations::comtele::Comtele { http, base_url: base, api_key }.credits().await,
                }
            }
        },
        _ => return Err(AppError::NotFound("settings section")),
    };
    Ok(match result {
        Ok(detail) => ConnectionTest { ok: true, detail },
        Err(error) => ConnectionTest { ok: false, detail: error.to_string() },
    })
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
