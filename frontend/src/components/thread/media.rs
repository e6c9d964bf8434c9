//! Media in a bubble: images and stickers, voice notes and videos, documents. Files are fetched
//! with the token (see [`crate::api::media`]); one whose type is not on the list for its use is
//! offered as a download, never shown or opened in a tab.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::scroll::ThreadScroll;
use super::voice::VoiceNote;
use crate::api::media::{self, Media, Use};
use crate::i18n::{Key, use_i18n};
use crate::t;

type Source = RwSignal<Option<Result<Media, ()>>>;

/// Fetches the media at `url` into `source` (an error when there is no URL or it fails).
fn fetch_into(source: Source, url: Option<String>, usage: Use) {
    spawn_local(async move {
        let result = match url {
            Some(url) => media::fetch(&url, usage).await.map_err(|_| ()),
            None => Err(()),
        };
        source.try_set(Some(result));
    });
}

#[component]
fn Loading(#[prop(optional)] sticker: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class="media-loading" class:sticker=sticker aria-label=t!(i18n, Loading)></span> }
}

#[component]
fn Unavailable() -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class="media-missing">{t!(i18n, MediaUnavailable)}</span> }
}

/// A file that may not be shown: a link that saves it.
#[component]
fn DownloadLink(href: String, label: Key, name: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let file_name = name.clone().unwrap_or_default();
    view! {
        <a class="document" href=href download=file_name data-testid="message-download">
            <span class="document-icon" aria-hidden="true">"📄"</span>
            <span class="document-name">{move || name.clone().unwrap_or_else(|| i18n.t(label).to_owned())}</span>
        </a>
    }
}

#[component]
pub fn MediaImage(url: Option<String>, name: Option<String>, sticker: bool, scroll: ThreadScroll) -> impl IntoView {
    let i18n = use_i18n();
    let source: Source = RwSignal::new(None);
    fetch_into(source, url, Use::Image);
    let label = if sticker { Key::Sticker } else { Key::Image };
    move || match source.get() {
        None => view! { <Loading sticker=sticker/> }.into_any(),
        Some(Ok(Media { url, inline: true })) => view! {
            <a href=url.clone() target="_blank" rel="noopener" class="media-link">
                <img
                    class=if sticker { "sticker" } else { "media-image" }
                    src=url.clone()
                    alt=move || i18n.t(label)
                    on:load=move |_| scroll.settle()
                />
            </a>
        }
        .into_any(),
        Some(Ok(Media { url, inline: false })) => {
            view! { <DownloadLink href=url label=label name=name.clone()/> }.into_any()
        }
        Some(Err(())) => view! { <Unavailable/> }.into_any(),
    }
}

#[component]
pub fn MediaPlayer(url: Option<String>, name: Option<String>, video: bool) -> impl IntoView {
    let i18n = use_i18n();
    // Video can be large: fetched when asked for. Voice notes are small: fetched at once.
    let requested = RwSignal::new(!video);
    let source: Source = RwSignal::new(None);
    Effect::new(move || {
        if requested.get() && source.get_untracked().is_none() {
            fetch_into(source, url.clone(), if video { Use::Video } else { Use::Audio });
        }
    });
    let label = if video { Key::Video } else { Key::Audio };
    move || match (requested.get(), source.get()) {
        (false, _) => view! {
            <button type="button" class="btn btn-small media-play" on:click=move |_| requested.set(true)>
                "▶ " {t!(i18n, Video)}
            </button>
        }
        .into_any(),
        (true, None) => view! { <Loading/> }.into_any(),
        (true, Some(Ok(Media { url, inline: true }))) if video => {
            view! { <video class="media-video" controls=true autoplay=true src=url></video> }.into_any()
        }
        (true, Some(Ok(Media { url, inline: true }))) => view! { <VoiceNote url=url/> }.into_any(),
        (true, Some(Ok(Media { url, inline: false }))) => {
            view! { <DownloadLink href=url label=label name=name.clone()/> }.into_any()
        }
        (true, Some(Err(()))) => view! { <Unavailable/> }.into_any(),
    }
}

/// Saves a file through a temporary link with `download`.
fn save(href: &str, name: &str) {
    let link = document().create_element("a").ok().and_then(|el| el.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(link) = link {
        link.set_href(href);
        link.set_download(name);
        link.click();
    }
}

#[component]
pub fn Document(url: Option<String>, name: String, mime: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let failed = RwSignal::new(false);
    let label = if name.is_empty() { i18n.t(Key::Document).to_owned() } else { name.clone() };
    let download = move |_| {
        let (url, name) = (url.clone(), name.clone());
        spawn_local(async move {
            let Some(url) = url else {
                failed.set(true);
                return;
            };
            match media::fetch(&url, Use::File).await {
                Ok(file) => save(&file.url, &name),
                Err(_) => failed.set(true),
            }
        });
    };
    view! {
        <button type="button" class="document" on:click=download data-testid="message-document">
            <span class="document-icon" aria-hidden="true">"📄"</span>
            <span class="document-name">{label}</span>
            {mime.map(|mime| view! { <span class="document-mime">{mime}</span> })}
        </button>
        <Show when=move || failed.get()>
            <Unavailable/>
        </Show>
    }
}
