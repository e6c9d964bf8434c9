//! The bot a queue's or a connection's new tickets start with (used when its integration is on).

use leptos::prelude::*;
use shared::tickets::BotKind;

use super::form::unique_id;
use crate::i18n::use_i18n;
use crate::t;

#[component]
pub fn BotSelect(value: RwSignal<Option<BotKind>>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let id = unique_id(testid);
    view! {
        <div class="field">
            <label for=id.clone()>{t!(i18n, DefaultBot)}</label>
            <select id=id data-testid=testid on:change=move |event| value.set(BotKind::parse(&event_target_value(&event)))>
                <option value="" selected=move || value.get().is_none()>{t!(i18n, NoBot)}</option>
                {BotKind::ALL
                    .iter()
                    .map(|bot| {
                        let bot = *bot;
                        view! { <option value=bot.as_str() selected=move || value.get() == Some(bot)>{bot.label()}</option> }
                    })
                    .collect_view()}
            </select>
            <p class="field-hint">{t!(i18n, DefaultBotHint)}</p>
        </div>
    }
}
