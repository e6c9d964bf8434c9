//! The bots' switches: Typebot, ChatGPT and DialogFlow, each shown only when its integration is on
//! in Configurações. A ticket runs at most one bot, so switching one on switches the others off
//! (the server decides; the ticket's `bot` follows through `ticket.updated`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::events::Event;
use shared::ids::TicketId;
use shared::settings::Settings;
use shared::tickets::{BotKind, SetTicketBots, Ticket};

use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::state::realtime::{self, LiveEvent};
use crate::t;

#[component]
pub fn BotsSection(id: TicketId, ticket: RwSignal<Option<Ticket>>) -> impl IntoView {
    let i18n = use_i18n();
    let available = RwSignal::new(Vec::<BotKind>::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let offer = move |settings: &Settings| {
        let on = [
            (BotKind::Typebot, settings.typebot.enabled),
            (BotKind::Chatgpt, settings.chatgpt.enabled),
            (BotKind::Dialogflow, settings.dialogflow.enabled),
        ];
        available.try_set(on.into_iter().filter(|(_, on)| *on).map(|(bot, _)| bot).collect());
    };
    spawn_local(async move {
        if let Ok(settings) = api::settings::get().await {
            offer(&settings);
        }
    });
    // An admin switching an integration on or off: the open panel follows.
    realtime::subscribe(move |event| {
        if let LiveEvent::Other(Event::SettingsUpdated(settings)) = event {
            offer(settings);
        }
    });
    let current = Memo::new(move |_| ticket.with(|t| t.as_ref().and_then(|t| t.bot)));
    let switch = move |bot: BotKind, on: bool| {
        let change = match bot {
            BotKind::Typebot => SetTicketBots { typebot: Some(on), ..SetTicketBots::default() },
            BotKind::Chatgpt => SetTicketBots { chatgpt: Some(on), ..SetTicketBots::default() },
            BotKind::Dialogflow => SetTicketBots { dialogflow: Some(on), ..SetTicketBots::default() },
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::tickets::set_bots(id, &change).await {
                Ok(bots) => {
                    let now = BotKind::ALL.iter().copied().find(|b| match b {
                        BotKind::Typebot => bots.typebot,
                        BotKind::Chatgpt => bots.chatgpt,
                        BotKind::Dialogflow => bots.dialogflow,
                    });
                    ticket.try_update(|t| {
                        if let Some(t) = t {
                            t.bot = now;
                        }
                    });
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <Show when=move || available.with(|a| !a.is_empty())>
            <section class="panel-section bots-section" data-testid="ticket-bots">
                <h4 class="section-title">{t!(i18n, Bots)}</h4>
                <For each=move || available.get() key=|bot| *bot let:bot>
                    // The label is what a person clicks (the input itself is hidden by the switch's style).
                    <label class="switch bot-switch" data-testid=format!("bot-switch-{}", bot.as_str())>
                        <input type="checkbox" role="switch"
                            data-testid=format!("bot-switch-{}-input", bot.as_str())
                            disabled=move || busy.get()
                            prop:checked=move || current.get() == Some(bot)
                            on:change=move |event| switch(bot, event_target_checked(&event))/>
                        <span class="switch-track" aria-hidden="true"></span>
                        <span class="switch-text">{bot.label()}</span>
                    </label>
                </For>
                {move || error.get().map(|err| view! {
                    <div class="alert alert-error" role="alert" data-testid="bots-error">{move || err.user_message(i18n.locale())}</div>
                })}
            </section>
        </Show>
    }
}
