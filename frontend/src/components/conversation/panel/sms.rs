//! SMS by Comtele: shown when the integration is on in Configurações. The SMS joins the thread as
//! a message marked SMS (`message.created`), with its delivery result.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::TicketId;

use crate::api::{self, ApiError};
use crate::i18n::{Key, use_i18n};
use crate::t;

#[component]
pub fn SmsSection(id: TicketId) -> impl IntoView {
    let i18n = use_i18n();
    let enabled = RwSignal::new(false);
    let open = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(settings) = api::settings::get().await {
            enabled.try_set(settings.comtele.enabled);
        }
    });
    let send = move |_| {
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        sending.set(true);
        error.set(None);
        sent.set(false);
        spawn_local(async move {
            match api::tickets::send_sms(id, &body).await {
                Ok(_) => {
                    text.try_set(String::new());
                    sent.try_set(true);
                    open.try_set(false);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
            sending.try_set(false);
        });
    };
    view! {
        <Show when=move || enabled.get()>
            <h4 class="section-title">{t!(i18n, Sms)}</h4>
            <div class="sms-section" data-testid="ticket-sms">
                <Show when=move || !open.get()>
                    <button type="button" class="btn btn-small" data-testid="sms-open" on:click=move |_| open.set(true)>
                        {t!(i18n, SendSms)}
                    </button>
                </Show>
                <Show when=move || open.get()>
                    <textarea
                        class="sms-input"
                        rows="3"
                        aria-label=t!(i18n, SmsText)
                        placeholder=move || i18n.t(Key::SmsText)
                        data-testid="sms-input"
                        prop:value=move || text.get()
                        on:input=move |event| text.set(event_target_value(&event))
                    ></textarea>
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary btn-small" data-testid="sms-send"
                            disabled=move || sending.get() || text.with(|t| t.trim().is_empty()) on:click=send>
                            {t!(i18n, Send)}
                        </button>
                        <button type="button" class="btn btn-small" data-testid="sms-cancel" on:click=move |_| open.set(false)>
                            {t!(i18n, Cancel)}
                        </button>
                    </div>
                </Show>
                <Show when=move || sent.get()>
                    <p class="muted" role="status" data-testid="sms-sent">{t!(i18n, SmsSent)}</p>
                </Show>
                {move || error.get().map(|err| view! {
                    <div class="alert alert-error" role="alert" data-testid="sms-error">{move || err.user_message(i18n.locale())}</div>
                })}
            </div>
        </Show>
    }
}
