//! The company's settings for every screen of the signed-in frame: loaded once, kept current by
//! `settings.updated` events. Until loaded, the defaults (what a new company has) stand in.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::events::Event;
use shared::settings::GeneralSettings;

use super::realtime::{self, LiveEvent};
use crate::api;

#[derive(Clone, Copy)]
pub struct CompanySettings {
    general: RwSignal<GeneralSettings>,
}

impl CompanySettings {
    /// Loads the settings and follows their changes; call once, in the signed-in frame.
    pub fn start() -> Self {
        let general = RwSignal::new(GeneralSettings::default());
        let settings = Self { general };
        settings.reload();
        realtime::subscribe(move |event| match event {
            LiveEvent::Other(Event::SettingsUpdated(settings)) => general.set(settings.general.clone()),
            LiveEvent::Resync => settings.reload(),
            _ => {}
        });
        settings
    }

    fn reload(self) {
        spawn_local(async move {
            if let Ok(settings) = api::settings::get().await {
                self.general.try_set(settings.general);
            }
        });
    }

    /// The general section (tracked).
    pub fn general(&self) -> GeneralSettings {
        self.general.get()
    }

    /// After the admin saved: the page has the answer before the event arrives.
    pub fn set_general(&self, general: GeneralSettings) {
        self.general.set(general);
    }

    pub fn time_zone(&self) -> String {
        self.general.with(|g| g.time_zone.clone())
    }
}

pub fn use_settings() -> CompanySettings {
    expect_context::<CompanySettings>()
}
