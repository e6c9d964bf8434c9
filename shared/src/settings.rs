//! The company's settings (Configurações), by section. A section is stored whole and read with
//! defaults for what it does not hold, so a field added later needs no migration.

use serde::{Deserialize, Serialize};

/// The time zone a new company starts in: most users of these products are in Brazil.
pub const DEFAULT_TIME_ZONE: &str = "America/Sao_Paulo";
pub const DEFAULT_VIDEO_CALL_BASE_URL: &str = "https://meet.jit.si";
/// WhatsApp's own limit for documents is 100 MB; images, audio and video stop at 16 MB there.
pub const MAX_UPLOAD_MB_LIMIT: u32 = 100;
pub const DEFAULT_MAX_UPLOAD_MB: u32 = 16;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settings {
    pub general: GeneralSettings,
    #[serde(default)]
    pub typebot: TypebotSettings,
    #[serde(default)]
    pub chatgpt: ChatgptSettings,
    #[serde(default)]
    pub dialogflow: DialogflowSettings,
    #[serde(default)]
    pub comtele: ComteleSettings,
}

/// The integrations a section of the settings configures (`POST /api/v1/settings/{section}/test`).
pub const INTEGRATIONS: [&str; 4] = ["typebot", "chatgpt", "dialogflow", "comtele"];

pub const DEFAULT_CHATGPT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_CHATGPT_MODEL: &str = "gpt-4o-mini";
pub const DEFAULT_COMTELE_BASE_URL: &str = "https://sms.comtele.com.br/api/v2";
pub const DEFAULT_DIALOGFLOW_LANGUAGE: &str = "pt-BR";
/// The largest answer a bot may ask the model for.
pub const MAX_CHATGPT_TOKENS: u32 = 32_000;
pub const MAX_SYSTEM_PROMPT_CHARS: usize = 8_000;

/// Typebot: a bot published on a Typebot server (cloud or self-hosted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypebotSettings {
    pub enabled: bool,
    /// The Typebot server, e.g. `https://typebot.io` (its API lives under `/api/v1`).
    pub base_url: String,
    /// The published bot's public id.
    pub public_id: String,
    /// A word the contact may write to leave the bot for a person (compared without case or
    /// accents); empty: only the end of the flow hands over.
    pub handover_keyword: String,
}

/// Any OpenAI-compatible chat-completions endpoint. The key is write-only: reads say whether one is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatgptSettings {
    pub enabled: bool,
    pub base_url: String,
    pub api_key_set: bool,
    pub model: String,
    pub system_prompt: String,
    /// 0 to 2.
    pub temperature: f64,
    pub max_tokens: u32,
}

impl Default for ChatgptSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            base_url: DEFAULT_CHATGPT_BASE_URL.to_owned(),
            api_key_set: false,
            model: DEFAULT_CHATGPT_MODEL.to_owned(),
            system_prompt: String::new(),
            temperature: 0.7,
            max_tokens: 512,
        }
    }
}

/// DialogFlow ES (no `agent_id`) or CX (`location` and `agent_id`), reached with a service-account key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DialogflowSettings {
    pub enabled: bool,
    pub project_id: String,
    pub language: String,
    pub service_account_json_set: bool,
    pub location: Option<String>,
    pub agent_id: Option<String>,
}

impl Default for DialogflowSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            project_id: String::new(),
            language: DEFAULT_DIALOGFLOW_LANGUAGE.to_owned(),
            service_account_json_set: false,
            location: None,
            agent_id: None,
        }
    }
}

/// SMS through Comtele's REST API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComteleSettings {
    pub enabled: bool,
    pub base_url: String,
    pub api_key_set: bool,
    /// The sender id Comtele shows (may be empty: the account's default).
    pub sender: String,
}

impl Default for ComteleSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            base_url: DEFAULT_COMTELE_BASE_URL.to_owned(),
            api_key_set: false,
            sender: String::new(),
        }
    }
}

/// `POST /api/v1/settings/{section}/test`: what the provider answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionTest {
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeneralSettings {
    /// IANA name (`America/Sao_Paulo`): schedules are written and greetings chosen in it.
    pub time_zone: String,
    /// Whether a new user's signature starts switched on.
    pub signature_default: bool,
    /// Where the composer's video-call links point (a Jitsi-style server: any path is a room).
    pub video_call_base_url: String,
    /// The largest file an agent may send, in megabytes.
    pub max_upload_mb: u32,
    pub ratings: RatingSettings,
    /// What a contact receives when an agent sends them a protocol number; `{{protocol}}` (or
    /// `{{protocolo}}`) becomes the number.
    pub protocol_message: String,
}

pub const DEFAULT_PROTOCOL_MESSAGE: &str = "Seu número de protocolo é {{protocol}}.";
pub const MAX_PROTOCOL_MESSAGE_CHARS: usize = 1000;

impl Default for GeneralSettings {
    fn default() -> Self {
        Self {
            time_zone: DEFAULT_TIME_ZONE.to_owned(),
            signature_default: true,
            video_call_base_url: DEFAULT_VIDEO_CALL_BASE_URL.to_owned(),
            max_upload_mb: DEFAULT_MAX_UPLOAD_MB,
            ratings: RatingSettings::default(),
            protocol_message: DEFAULT_PROTOCOL_MESSAGE.to_owned(),
        }
    }
}

impl GeneralSettings {
    pub fn max_upload_bytes(&self) -> usize {
        self.max_upload_mb as usize * 1024 * 1024
    }
}

/// The satisfaction survey (Avaliação).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingSettings {
    pub enabled: bool,
    /// Ask automatically when a ticket is resolved.
    pub on_resolve: bool,
    pub question: String,
    /// The highest score (the lowest is 1).
    pub scale: u8,
    /// How long after the question an answer still counts.
    pub window_minutes: u32,
}

impl Default for RatingSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            on_resolve: false,
            // The scale is added when it is sent ("De 1 a 5, …"), so it follows the setting.
            question: "Como você avalia o nosso atendimento?".to_owned(),
            scale: 5,
            window_minutes: 60 * 24,
        }
    }
}

/// `PATCH /api/v1/settings`: each section given is merged field by field into the stored one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettingsPatch {
    pub general: Option<GeneralPatch>,
    #[serde(default)]
    pub typebot: Option<TypebotPatch>,
    #[serde(default)]
    pub chatgpt: Option<ChatgptPatch>,
    #[serde(default)]
    pub dialogflow: Option<DialogflowPatch>,
    #[serde(default)]
    pub comtele: Option<ComtelePatch>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypebotPatch {
    pub enabled: Option<bool>,
    pub base_url: Option<String>,
    pub public_id: Option<String>,
    #[serde(default)]
    pub handover_keyword: Option<String>,
}

/// `api_key`: a new key replaces the stored one; an empty string removes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatgptPatch {
    pub enabled: Option<bool>,
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub model: Option<String>,
    pub system_prompt: Option<String>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u32>,
}

/// `service_account_json`: the key file's text; an empty string removes it. `location` and
/// `agent_id`: an empty string clears them (back to DialogFlow ES).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DialogflowPatch {
    pub enabled: Option<bool>,
    pub project_id: Option<String>,
    pub language: Option<String>,
    pub service_account_json: Option<String>,
    pub location: Option<String>,
    pub agent_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComtelePatch {
    pub enabled: Option<bool>,
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub sender: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeneralPatch {
    pub time_zone: Option<String>,
    pub signature_default: Option<bool>,
    pub video_call_base_url: Option<String>,
    pub max_upload_mb: Option<u32>,
    pub ratings: Option<RatingsPatch>,
    pub protocol_message: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingsPatch {
    pub enabled: Option<bool>,
    pub on_resolve: Option<bool>,
    pub question: Option<String>,
    pub scale: Option<u8>,
    pub window_minutes: Option<u32>,
}

/// The scales a survey may use.
pub const RATING_SCALES: [u8; 3] = [3, 5, 10];
pub const MAX_RATING_WINDOW_MINUTES: u32 = 60 * 24 * 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_section_missing_fields_reads_with_defaults() {
        let general: GeneralSettings = serde_json::from_str(r#"{"time_zone":"Europe/Lisbon"}"#).unwrap();
        assert_eq!(general.time_zone, "Europe/Lisbon");
        assert_eq!(general.max_upload_mb, DEFAULT_MAX_UPLOAD_MB);
        assert_eq!(general.ratings.scale, 5);
        assert_eq!(general.protocol_message, DEFAULT_PROTOCOL_MESSAGE);
    }

    #[test]
    fn a_patch_refuses_unknown_fields() {
        assert!(serde_json::from_str::<SettingsPatch>(r#"{"general":{"timezone":"UTC"}}"#).is_err());
    }
}
