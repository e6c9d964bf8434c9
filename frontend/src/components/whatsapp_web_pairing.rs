//! A WhatsApp Web connection's pairing: its live status and reason, the QR code to scan (drawn
//! here from `connection.qr`, refreshed by `connection.updated` as WhatsApp rotates it), pairing by
//! phone-number code, and connect / log out. The parent keeps `connection` current.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::contacts::{Connection, ConnectionStatus};

use crate::api::{self, ApiError};
use crate::components::kit::ErrorAlert;
use crate::i18n::{Key, use_i18n};
use crate::t;

/// The QR code of `text` as SVG markup (black on white, scannable at 256 px and up).
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(256, 256)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    )
}

fn status_key(status: ConnectionStatus) -> Key {
    match status {
        ConnectionStatus::Connected => Key::WaStatusConnected,
        ConnectionStatus::Pairing => Key::WaStatusPairing,
        ConnectionStatus::Disconnected => Key::WaStatusDisconnected,
        ConnectionStatus::Error => Key::WaStatusError,
    }
}

#[component]
pub fn WhatsappWebPairing(#[prop(into)] connection: Signal<Connection>) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let phone = RwSignal::new(String::new());
    let code = RwSignal::new(None::<String>);

    let run = move |call: &'static str| {
        let id = connection.with_untracked(|c| c.id);
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match call {
                "connect" => api::whatsapp_web::connect(id).await.map(|_| ()),
                _ => api::whatsapp_web::logout(id).await.map(|_| ()),
            };
            busy.try_set(false);
            if let Err(err) = result {
                error.try_set(Some(err));
            }
        });
    };
    let ask_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = connection.with_untracked(|c| c.id);
        let number = phone.get_untracked();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::whatsapp_web::pair_code(id, number).await;
            busy.try_set(false);
            match result {
                Ok(answer) => {
                    code.try_set(Some(answer.code));
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    let status = move || connection.with(|c| c.status);
    let qr = Memo::new(move |_| connection.with(|c| c.qr.clone()).filter(|_| status() == ConnectionStatus::Pairing));

    view! {
        <section class="wa-pairing" data-testid="wa-pairing" data-status=move || status().as_str()>
            <p class="wa-status">
                <span class="badge" data-testid="wa-status">{move || i18n.t(status_key(status())).to_owned()}</span>
                {move || connection.with(|c| c.status_reason.clone()).map(|reason| view! {
                    " "<span class="muted" data-testid="wa-reason">{reason}</span>
                })}
            </p>
            {move || qr.get().and_then(|text| qr_svg(&text).map(|svg| (text, svg))).map(|(text, svg)| view! {
                <figure class="wa-qr">
                    <div class="wa-qr-code" data-testid="wa-qr" data-qr=text inner_html=svg></div>
                    <figcaption class="muted">{t!(i18n, WaScanQr)}</figcaption>
                </figure>
            })}
            <div class="wa-actions">
                <Show when=move || status() != ConnectionStatus::Connected>
                    <button type="button" class="btn btn-primary" data-testid="wa-connect" disabled=move || busy.get() on:click=move |_| run("connect")>
                        {t!(i18n, WaConnect)}
                    </button>
                </Show>
                <button type="button" class="btn" data-testid="wa-logout" disabled=move || busy.get() on:click=move |_| run("logout")>
                    {t!(i18n, WaLogout)}
                </button>
            </div>
            <Show when=move || status() != ConnectionStatus::Connected>
                <form class="wa-pair-code" on:submit=ask_code>
                    <h4 class="section-title">{t!(i18n, WaPairByCode)}</h4>
                    <label>
                        <span>{t!(i18n, WaPhoneNumber)}</span>
                        <input
                            type="tel"
                            data-testid="wa-phone"
                            prop:value=move || phone.get()
                            on:input=move |e| phone.set(event_target_value(&e))
                        />
                    </label>
                    <button type="submit" class="btn" data-testid="wa-pair-code" disabled=move || busy.get()>{t!(i18n, WaGetCode)}</button>
                    {move || code.get().map(|c| view! {
                        <p>{t!(i18n, WaTypeCode)}" "<strong class="wa-code" data-testid="wa-code">{c}</strong></p>
                    })}
                </form>
            </Show>
            <ErrorAlert error=error testid="wa-error"/>
        </section>
    }
}
