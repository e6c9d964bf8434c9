//! Configurações › integrations: one form per provider (Typebot, ChatGPT, DialogFlow, Comtele),
//! each saved on its own (the server merges the section) with a "test connection" button that asks
//! the server to call the provider with what is saved. Secrets are write-only: a saved one shows as
//! "definido" and the field below it replaces it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::settings::{
    ChatgptPatch, ComtelePatch, ConnectionTest, DialogflowPatch, Settings, SettingsPatch, TypebotPatch,
};

use crate::api;
use crate::components::form::{FormBanner, FormState, TextInput};
use crate::components::toast::use_toasts;
use crate::i18n::{Key, use_i18n};
use crate::t;

/// A secret typed in, or `None` to keep the saved one.
fn secret(value: RwSignal<String>) -> Option<String> {
    Some(value.get_untracked().trim().to_owned()).filter(|s| !s.is_empty())
}

#[component]
fn EnabledSwitch(value: RwSignal<bool>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="check">
            <input type="checkbox" data-testid=testid prop:checked=move || value.get()
                on:change=move |event| value.set(event_target_checked(&event))/>
            <span>{t!(i18n, IntegrationEnabled)}</span>
        </label>
    }
}

/// "definido" beside a secret that is saved.
#[component]
fn SecretState(set: RwSignal<bool>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || set.get()>
            <p class="field-hint" data-testid=testid><span class="badge">{t!(i18n, SecretSet)}</span>" "{t!(i18n, SecretReplaceHint)}</p>
        </Show>
    }
}

/// Save and "test connection", with the last test's answer.
#[component]
fn SectionActions(form: FormState, section: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let result = RwSignal::new(None::<ConnectionTest>);
    let testing = RwSignal::new(false);
    let test = move |_| {
        testing.set(true);
        result.set(None);
        spawn_local(async move {
            let answer = api::settings::test(section).await;
            testing.try_set(false);
            match answer {
                Ok(answer) => {
                    result.try_set(Some(answer));
                }
                Err(err) => form.fail(err),
            }
        });
    };
    view! {
        <div class="form-actions">
            <button type="submit" class="btn btn-primary" data-testid=format!("settings-{section}-save")
                disabled=move || form.busy.get()>
                {move || if form.busy.get() { i18n.t(Key::Saving) } else { i18n.t(Key::Save) }}
            </button>
            <button type="button" class="btn" data-testid=format!("settings-{section}-test")
                disabled=move || testing.get() on:click=test>
                {t!(i18n, TestConnection)}
            </button>
        </div>
        {move || result.get().map(|answer| {
            let class = if answer.ok { "alert alert-success" } else { "alert alert-error" };
            let head = if answer.ok { i18n.t(Key::TestOk) } else { i18n.t(Key::TestFailed) };
            view! {
                <p class=class role="status" data-testid=format!("settings-{section}-test-result")>
                    {head}" "{answer.detail}
                </p>
            }
        })}
    }
}

#[component]
pub fn IntegrationSettings() -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();

    let typebot_form = FormState::new();
    let typebot_on = RwSignal::new(false);
    let typebot_url = RwSignal::new(String::new());
    let typebot_id = RwSignal::new(String::new());
    let typebot_keyword = RwSignal::new(String::new());

    let chatgpt_form = FormState::new();
    let chatgpt_on = RwSignal::new(false);
    let chatgpt_url = RwSignal::new(String::new());
    let chatgpt_key = RwSignal::new(String::new());
    let chatgpt_key_set = RwSignal::new(false);
    let chatgpt_model = RwSignal::new(String::new());
    let chatgpt_prompt = RwSignal::new(String::new());
    let chatgpt_temperature = RwSignal::new(String::new());
    let chatgpt_tokens = RwSignal::new(String::new());

    let dialogflow_form = FormState::new();
    let dialogflow_on = RwSignal::new(false);
    let dialogflow_project = RwSignal::new(String::new());
    let dialogflow_language = RwSignal::new(String::new());
    let dialogflow_key = RwSignal::new(String::new());
    let dialogflow_key_set = RwSignal::new(false);
    let dialogflow_location = RwSignal::new(String::new());
    let dialogflow_agent = RwSignal::new(String::new());

    let comtele_form = FormState::new();
    let comtele_on = RwSignal::new(false);
    let comtele_url = RwSignal::new(String::new());
    let comtele_key = RwSignal::new(String::new());
    let comtele_key_set = RwSignal::new(false);
    let comtele_sender = RwSignal::new(String::new());

    let fill = move |s: Settings| {
        typebot_on.set(s.typebot.enabled);
        typebot_url.set(s.typebot.base_url);
        typebot_id.set(s.typebot.public_id);
        typebot_keyword.set(s.typebot.handover_keyword);
        chatgpt_on.set(s.chatgpt.enabled);
        chatgpt_url.set(s.chatgpt.base_url);
        chatgpt_key.set(String::new());
        chatgpt_key_set.set(s.chatgpt.api_key_set);
        chatgpt_model.set(s.chatgpt.model);
        chatgpt_prompt.set(s.chatgpt.system_prompt);
        chatgpt_temperature.set(s.chatgpt.temperature.to_string());
        chatgpt_tokens.set(s.chatgpt.max_tokens.to_string());
        dialogflow_on.set(s.dialogflow.enabled);
        dialogflow_project.set(s.dialogflow.project_id);
        dialogflow_language.set(s.dialogflow.language);
        dialogflow_key.set(String::new());
        dialogflow_key_set.set(s.dialogflow.service_account_json_set);
        dialogflow_location.set(s.dialogflow.location.unwrap_or_default());
        dialogflow_agent.set(s.dialogflow.agent_id.unwrap_or_default());
        comtele_on.set(s.comtele.enabled);
        comtele_url.set(s.comtele.base_url);
        comtele_key.set(String::new());
        comtele_key_set.set(s.comtele.api_key_set);
        comtele_sender.set(s.comtele.sender);
    };
    spawn_local(async move {
        if let Ok(settings) = api::settings::get().await {
            fill(settings);
        }
    });
    let save = move |form: FormState, patch: SettingsPatch| {
        if !form.begin() {
            return;
        }
        form.save(async move { api::settings::update(&patch).await }, move |saved| {
            fill(saved);
            toasts.push(Key::SettingsSaved);
        });
    };

    let save_typebot = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let patch = TypebotPatch {
            enabled: Some(typebot_on.get_untracked()),
            base_url: Some(typebot_url.get_untracked()),
            public_id: Some(typebot_id.get_untracked()),
            handover_keyword: Some(typebot_keyword.get_untracked()),
        };
        save(typebot_form, SettingsPatch { typebot: Some(patch), ..SettingsPatch::default() });
    };
    let save_chatgpt = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let patch = ChatgptPatch {
            enabled: Some(chatgpt_on.get_untracked()),
            base_url: Some(chatgpt_url.get_untracked()),
            api_key: secret(chatgpt_key),
            model: Some(chatgpt_model.get_untracked()),
            system_prompt: Some(chatgpt_prompt.get_untracked()),
            // A number the server refuses comes back as its field's error.
            temperature: Some(chatgpt_temperature.get_untracked().trim().replace(',', ".").parse().unwrap_or(-1.0)),
            max_tokens: Some(chatgpt_tokens.get_untracked().trim().parse().unwrap_or(0)),
        };
        save(chatgpt_form, SettingsPatch { chatgpt: Some(patch), ..SettingsPatch::default() });
    };
    let save_dialogflow = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let patch = DialogflowPatch {
            enabled: Some(dialogflow_on.get_untracked()),
            project_id: Some(dialogflow_project.get_untracked()),
            language: Some(dialogflow_language.get_untracked()),
            service_account_json: secret(dialogflow_key),
            location: Some(dialogflow_location.get_untracked()),
            agent_id: Some(dialogflow_agent.get_untracked()),
        };
        save(dialogflow_form, SettingsPatch { dialogflow: Some(patch), ..SettingsPatch::default() });
    };
    let save_comtele = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let patch = ComtelePatch {
            enabled: Some(comtele_on.get_untracked()),
            base_url: Some(comtele_url.get_untracked()),
            api_key: secret(comtele_key),
            sender: Some(comtele_sender.get_untracked()),
        };
        save(comtele_form, SettingsPatch { comtele: Some(patch), ..SettingsPatch::default() });
    };

    view! {
        <h2 data-testid="settings-integrations">{t!(i18n, Integrations)}</h2>
        <form class="form settings-form" novalidate on:submit=save_typebot data-testid="settings-typebot-form">
            <FormBanner form=typebot_form testid="settings-typebot"/>
            <fieldset class="settings-section">
                <legend>"Typebot"</legend>
                <EnabledSwitch value=typebot_on testid="settings-typebot-enabled"/>
                <TextInput label=Key::BaseUrl value=typebot_url error=typebot_form.error("typebot.base_url")
                    testid="settings-typebot-base-url" kind="url"/>
                <TextInput label=Key::PublicId value=typebot_id error=typebot_form.error("typebot.public_id")
                    testid="settings-typebot-public-id"/>
                <TextInput label=Key::TypebotHandoverKeyword value=typebot_keyword
                    error=typebot_form.error("typebot.handover_keyword") testid="settings-typebot-handover-keyword"/>
            </fieldset>
            <SectionActions form=typebot_form section="typebot"/>
        </form>
        <form class="form settings-form" novalidate on:submit=save_chatgpt data-testid="settings-chatgpt-form">
            <FormBanner form=chatgpt_form testid="settings-chatgpt"/>
            <fieldset class="settings-section">
                <legend>"ChatGPT"</legend>
                <EnabledSwitch value=chatgpt_on testid="settings-chatgpt-enabled"/>
                <TextInput label=Key::BaseUrl value=chatgpt_url error=chatgpt_form.error("chatgpt.base_url")
                    testid="settings-chatgpt-base-url" kind="url"/>
                <SecretState set=chatgpt_key_set testid="settings-chatgpt-api-key-set"/>
                <TextInput label=Key::ApiKeyField value=chatgpt_key error=chatgpt_form.error("chatgpt.api_key")
                    testid="settings-chatgpt-api-key" kind="password"/>
                <TextInput label=Key::AiModel value=chatgpt_model error=chatgpt_form.error("chatgpt.model")
                    testid="settings-chatgpt-model"/>
                <TextInput label=Key::SystemPrompt value=chatgpt_prompt error=chatgpt_form.error("chatgpt.system_prompt")
                    testid="settings-chatgpt-system-prompt"/>
                <TextInput label=Key::Temperature value=chatgpt_temperature error=chatgpt_form.error("chatgpt.temperature")
                    testid="settings-chatgpt-temperature"/>
                <TextInput label=Key::MaxTokens value=chatgpt_tokens error=chatgpt_form.error("chatgpt.max_tokens")
                    testid="settings-chatgpt-max-tokens" kind="number"/>
            </fieldset>
            <SectionActions form=chatgpt_form section="chatgpt"/>
        </form>
        <form class="form settings-form" novalidate on:submit=save_dialogflow data-testid="settings-dialogflow-form">
            <FormBanner form=dialogflow_form testid="settings-dialogflow"/>
            <fieldset class="settings-section">
                <legend>"DialogFlow"</legend>
                <EnabledSwitch value=dialogflow_on testid="settings-dialogflow-enabled"/>
                <TextInput label=Key::ProjectId value=dialogflow_project error=dialogflow_form.error("dialogflow.project_id")
                    testid="settings-dialogflow-project-id"/>
                <TextInput label=Key::BotLanguage value=dialogflow_language error=dialogflow_form.error("dialogflow.language")
                    testid="settings-dialogflow-language"/>
                <SecretState set=dialogflow_key_set testid="settings-dialogflow-key-set"/>
                <TextInput label=Key::ServiceAccountJson value=dialogflow_key
                    error=dialogflow_form.error("dialogflow.service_account_json")
                    testid="settings-dialogflow-key" kind="password"/>
                <TextInput label=Key::CxLocation value=dialogflow_location error=dialogflow_form.error("dialogflow.location")
                    testid="settings-dialogflow-location"/>
                <TextInput label=Key::CxAgentId value=dialogflow_agent error=dialogflow_form.error("dialogflow.agent_id")
                    testid="settings-dialogflow-agent-id"/>
            </fieldset>
            <SectionActions form=dialogflow_form section="dialogflow"/>
        </form>
        <form class="form settings-form" novalidate on:submit=save_comtele data-testid="settings-comtele-form">
            <FormBanner form=comtele_form testid="settings-comtele"/>
            <fieldset class="settings-section">
                <legend>"Comtele (SMS)"</legend>
                <EnabledSwitch value=comtele_on testid="settings-comtele-enabled"/>
                <TextInput label=Key::BaseUrl value=comtele_url error=comtele_form.error("comtele.base_url")
                    testid="settings-comtele-base-url" kind="url"/>
                <SecretState set=comtele_key_set testid="settings-comtele-api-key-set"/>
                <TextInput label=Key::ApiKeyField value=comtele_key error=comtele_form.error("comtele.api_key")
                    testid="settings-comtele-api-key" kind="password"/>
                <TextInput label=Key::SmsSender value=comtele_sender error=comtele_form.error("comtele.sender")
                    testid="settings-comtele-sender"/>
            </fieldset>
            <SectionActions form=comtele_form section="comtele"/>
        </form>
    }
}
