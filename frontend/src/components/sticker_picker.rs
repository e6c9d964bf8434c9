//! Stickers (figurinhas) in the composer: a button that opens the company's library in a popover;
//! picking one sends it at once. [`StickerPreview`] shows a library sticker anywhere.

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::TicketId;
use shared::stickers::Sticker;
use shared::tickets::Message;

use super::icons;
use super::kit::IconButton;
use crate::api::media::{self, Use};
use crate::api::stickers::{self, STICKERS};
use crate::api::{ApiError, HasId};
use crate::i18n::{self, Key, Locale, use_i18n};
use crate::state::session::use_session;
use crate::t;

/// A library sticker's image, fetched with the token (see [`crate::api::media`]).
#[component]
pub fn StickerPreview(url: String, name: String, #[prop(optional)] class: &'static str) -> impl IntoView {
    let source = RwSignal::new(None::<Result<media::Media, ()>>);
    spawn_local(async move {
        let result = media::fetch(&url, Use::Image).await.map_err(|_| ());
        source.try_set(Some(result));
    });
    let class = format!("sticker-preview {class}");
    move || match source.get() {
        Some(Ok(image)) if image.inline => {
            view! { <img class=class.clone() src=image.url alt=name.clone() title=name.clone() loading="lazy"/> }
                .into_any()
        }
        Some(_) => view! { <span class=format!("{class} sticker-missing") title=name.clone()>"🖼"</span> }.into_any(),
        None => view! { <span class=format!("{class} media-loading")></span> }.into_any(),
    }
}

/// What went wrong, in the user's words (a field's problem when the server named one).
fn problem_text(err: &ApiError, locale: Locale) -> String {
    let fields = err.field_errors();
    if fields.is_empty() {
        return err.user_message(locale);
    }
    fields.values().map(|invalid| i18n::validation_text(locale, invalid)).collect::<Vec<_>>().join(" ")
}

/// The composer's sticker button and its picker.
#[component]
pub fn StickerButton(
    ticket: TicketId,
    #[prop(into)] on_sent: Callback<Message>,
    #[prop(into)] on_error: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let sending = RwSignal::new(false);
    let pick = move |sticker: Sticker| {
        open.set(false);
        if sending.get_untracked() {
            return;
        }
        sending.set(true);
        spawn_local(async move {
            match stickers::send(ticket, sticker.id()).await {
                Ok(message) => on_sent.run(message),
                Err(err) => on_error.run(problem_text(&err, i18n.locale_untracked())),
            }
            sending.try_set(false);
        });
    };
    view! {
        <span class="popover-anchor">
            <IconButton
                label=Key::SendSticker
                testid="composer-sticker"
                disabled=Signal::derive(move || sending.get())
                on_click=move || open.update(|open| *open = !*open)
            >
                {icons::sticker()}
            </IconButton>
            <Show when=move || open.get()>
                <StickerPicker on_pick=pick on_close=move || open.set(false)/>
            </Show>
        </span>
    }
}

/// The library as a grid; loaded each time it opens, so a sticker just added is there.
#[component]
fn StickerPicker(#[prop(into)] on_pick: Callback<Sticker>, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let library = RwSignal::new(None::<Result<Vec<Sticker>, ApiError>>);
    spawn_local(async move {
        let result = STICKERS.list_all().await;
        library.try_set(Some(result));
    });
    let keys = window_event_listener(ev::keydown, move |event| {
        if event.key() == "Escape" {
            on_close.run(());
        }
    });
    on_cleanup(move || keys.remove());
    let grid = move || match library.get() {
        None => view! { <p class="picker-note muted" role="status">{t!(i18n, Loading)}</p> }.into_any(),
        Some(Err(err)) => view! {
            <p class="picker-note alert alert-error" role="alert">{move || err.user_message(i18n.locale())}</p>
        }
        .into_any(),
        Some(Ok(all)) if all.is_empty() => view! {
            <p class="picker-note muted" data-testid="sticker-picker-empty">
                {t!(i18n, NoStickers)}
                <Show when=move || session.is_admin()>
                    " " <a href="/admin/stickers">{t!(i18n, NewSticker)}</a>
                </Show>
            </p>
        }
        .into_any(),
        Some(Ok(all)) => all
            .into_iter()
            .map(|sticker| {
                let (url, name, label) = (sticker.url.clone(), sticker.name.clone(), sticker.name.clone());
                view! {
                    <button
                        type="button"
                        class="sticker-option"
                        aria-label=label.clone()
                        title=label
                        data-testid="sticker-option"
                        on:click=move |_| on_pick.run(sticker.clone())
                    >
                        <StickerPreview url=url name=name/>
                    </button>
                }
            })
            .collect_view()
            .into_any(),
    };
    view! {
        <div class="popover-backdrop" on:click=move |_| on_close.run(())></div>
        <div class="sticker-picker" role="dialog" aria-label=t!(i18n, Stickers) data-testid="sticker-picker">
            {grid}
        </div>
    }
}
