//! Configurações (admin): the company's general settings. Each section saves on its own; the
//! server merges what was sent and answers the whole settings, which every open tab then receives.

use std::collections::BTreeMap;

use leptos::prelude::*;
use shared::settings::{GeneralPatch, GeneralSettings, RATING_SCALES, RatingsPatch, SettingsPatch};
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::form::{FieldError, FormBanner, FormState, Msg, TextInput, unique_id};
use crate::components::integration_settings::IntegrationSettings;
use crate::components::toast::use_toasts;
use crate::i18n::{Key, use_i18n};
use crate::state::settings::use_settings;
use crate::t;

/// The browser's list of IANA zones, for the time-zone field's suggestions.
fn known_time_zones() -> Vec<String> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok();
    let supported = intl
        .as_ref()
        .and_then(|intl| js_sys::Reflect::get(intl, &"supportedValuesOf".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match (intl, supported) {
        (Some(intl), Some(supported)) => supported
            .call1(&intl, &"timeZone".into())
            .ok()
            .map(|zones| js_sys::Array::from(&zones).iter().filter_map(|z| z.as_string()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[component]
pub fn AdminSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let settings = use_settings();
    let toasts = use_toasts();
    let form = FormState::new();

    let time_zone = RwSignal::new(String::new());
    let video = RwSignal::new(String::new());
    let max_upload = RwSignal::new(String::new());
    let signature_default = RwSignal::new(false);
    let ratings_enabled = RwSignal::new(false);
    let ratings_on_resolve = RwSignal::new(false);
    let question = RwSignal::new(String::new());
    let scale = RwSignal::new(5u8);
    let window = RwSignal::new(String::new());
    let protocol_message = RwSignal::new(String::new());

    // The fields follow the saved settings (loaded, or changed in another tab) until edited.
    let fill = move |general: GeneralSettings| {
        time_zone.set(general.time_zone);
        video.set(general.video_call_base_url);
        max_upload.set(general.max_upload_mb.to_string());
        signature_default.set(general.signature_default);
        ratings_enabled.set(general.ratings.enabled);
        ratings_on_resolve.set(general.ratings.on_resolve);
        question.set(general.ratings.question);
        scale.set(general.ratings.scale);
        window.set(general.ratings.window_minutes.to_string());
        protocol_message.set(general.protocol_message);
    };
    Effect::new(move || fill(settings.general()));

    let zones_id = unique_id("time-zones");
    let zones = known_time_zones();

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let mut errors = BTreeMap::new();
        let number = |errors: &mut BTreeMap<String, Msg>, field: &str, raw: &str, max: u32| {
            let parsed = raw.trim().parse::<u32>().ok().filter(|n| (1..=max).contains(n));
            if parsed.is_none() {
                errors.insert(
                    field.to_owned(),
                    Msg::Validation(shared::validate::Invalid::NumberBetween { min: 1, max }),
                );
            }
            parsed
        };
        let max_upload_mb = number(
            &mut errors,
            "general.max_upload_mb",
            &max_upload.get_untracked(),
            shared::settings::MAX_UPLOAD_MB_LIMIT,
        );
        let window_minutes = number(
            &mut errors,
            "general.ratings.window_minutes",
            &window.get_untracked(),
            shared::settings::MAX_RATING_WINDOW_MINUTES,
        );
        if form.refuse(errors) || !form.begin() {
            return;
        }
        let patch = SettingsPatch {
            general: Some(GeneralPatch {
                time_zone: Some(time_zone.get_untracked()),
                signature_default: Some(signature_default.get_untracked()),
                video_call_base_url: Some(video.get_untracked()),
                max_upload_mb,
                ratings: Some(RatingsPatch {
                    enabled: Some(ratings_enabled.get_untracked()),
                    on_resolve: Some(ratings_on_resolve.get_untracked()),
                    question: Some(question.get_untracked()),
                    scale: Some(scale.get_untracked()),
                    window_minutes,
                }),
                protocol_message: Some(protocol_message.get_untracked()),
            }),
            ..SettingsPatch::default()
        };
        form.save(async move { api::settings::update(&patch).await }, move |saved| {
            settings.set_general(saved.general);
            toasts.push(Key::SettingsSaved);
        });
    };

    let check = move |label: Key, value: RwSignal<bool>, testid: &'static str| {
        view! {
            <label class="check">
                <input
                    type="checkbox"
                    data-testid=testid
                    prop:checked=move || value.get()
                    on:change=move |event| value.set(event_target_checked(&event))
                />
                <span>{move || i18n.t(label)}</span>
            </label>
        }
    };
    let scale_id = unique_id("ratings-scale");

    view! {
        <section class="page" data-testid="settings-page">
            <header class="page-header">
                <div>
                    <h1>{t!(i18n, Settings)}</h1>
                    <p class="muted">{t!(i18n, SettingsSubtitle)}</p>
                </div>
            </header>
            <form class="form settings-form" novalidate on:submit=submit data-testid="settings-form">
                <FormBanner form=form testid="settings"/>
                <fieldset class="settings-section">
                    <legend>{t!(i18n, SettingsGeneral)}</legend>
                    <div class="field">
                        <TextInput label=Key::TimeZone value=time_zone error=form.error("general.time_zone")
                            testid="settings-time-zone" hint=Key::TimeZoneHint list=zones_id.clone()/>
                        <p class="field-hint" data-testid="settings-time-zone-now">
                            {move || {
                                let now = chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
                                time_zone.with(|zone| crate::zone::wall_clock(now, zone.trim()))
                                    .map(|wall| format!("{} {}", i18n.t(Key::NowThere), wall.format("%H:%M")))
                                    .unwrap_or_default()
                            }}
                        </p>
                        <datalist id=zones_id>
                            {zones.into_iter().map(|zone| view! { <option value=zone></option> }).collect_view()}
                        </datalist>
                    </div>
                    <TextInput label=Key::MaxUploadMb value=max_upload error=form.error("general.max_upload_mb")
                        testid="settings-max-upload" kind="number"/>
                    <TextInput label=Key::VideoCallBaseUrl value=video error=form.error("general.video_call_base_url")
                        testid="settings-video-url" kind="url" hint=Key::VideoCallBaseUrlHint/>
                    {check(Key::SignatureDefault, signature_default, "settings-signature-default")}
                    <TextInput label=Key::ProtocolMessage value=protocol_message error=form.error("general.protocol_message")
                        testid="settings-protocol-message" hint=Key::ProtocolMessageHint/>
                </fieldset>
                <fieldset class="settings-section">
                    <legend>{t!(i18n, Ratings)}</legend>
                    {check(Key::RatingsEnabled, ratings_enabled, "settings-ratings-enabled")}
                    {check(Key::RatingsOnResolve, ratings_on_resolve, "settings-ratings-on-resolve")}
                    <TextInput label=Key::RatingsQuestion value=question error=form.error("general.ratings.question")
                        testid="settings-ratings-question"/>
                    <div class="field">
                        <label for=scale_id.clone()>{t!(i18n, RatingsScale)}</label>
                        <select
                            id=scale_id
                            data-testid="settings-ratings-scale"
                            on:change=move |event| {
                                if let Ok(value) = event_target_value(&event).parse() {
                                    scale.set(value);
                                }
                            }
                        >
                            {RATING_SCALES.into_iter().map(|option| view! {
                                <option value=option.to_string() selected=move || scale.get() == option>{option}</option>
                            }).collect_view()}
                        </select>
                        <FieldError id="ratings-scale-error" error=form.error("general.ratings.scale") testid="settings-ratings-scale"/>
                    </div>
                    <TextInput label=Key::RatingsWindow value=window error=form.error("general.ratings.window_minutes")
                        testid="settings-ratings-window" kind="number"/>
                </fieldset>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="settings-save" disabled=move || form.busy.get()>
                        {move || if form.busy.get() { i18n.t(Key::Saving) } else { i18n.t(Key::Save) }}
                    </button>
                </div>
            </form>
            <IntegrationSettings/>
        </section>
    }
}
