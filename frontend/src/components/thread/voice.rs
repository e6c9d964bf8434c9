//! An audio message in the thread, played like a voice note: a play/pause button, a position
//! slider, and the length (the position while playing), read from the file's metadata.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::icons;
use crate::i18n::{Key, use_i18n};
use crate::t;

/// `m:ss` (or `h:mm:ss`), counted in whole seconds like a stopwatch and the browser's own player.
pub fn clock(seconds: f64) -> String {
    let total = if seconds.is_finite() && seconds > 0.0 { seconds.floor() as u64 } else { 0 };
    let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
    if hours > 0 { format!("{hours}:{minutes:02}:{seconds:02}") } else { format!("{minutes}:{seconds:02}") }
}

/// The `<audio>` element an event came from.
fn audio_of(event: &web_sys::Event) -> Option<web_sys::HtmlMediaElement> {
    event.target().and_then(|target| target.dyn_into().ok())
}

#[component]
pub fn VoiceNote(url: String) -> impl IntoView {
    let i18n = use_i18n();
    let audio = NodeRef::<leptos::html::Audio>::new();
    // A recording whose header has no length reports Infinity until it has been played through.
    let length = RwSignal::new(None::<f64>);
    let position = RwSignal::new(0.0_f64);
    let playing = RwSignal::new(false);

    let read_length = move |event: web_sys::Event| {
        if let Some(seconds) = audio_of(&event).map(|a| a.duration()).filter(|s| s.is_finite() && *s > 0.0) {
            length.set(Some(seconds));
        }
    };
    let toggle = move |_| {
        let Some(element) = audio.get_untracked() else { return };
        if element.paused() {
            let _ = element.play();
        } else {
            let _ = element.pause();
        }
    };
    let seek = move |event: web_sys::Event| {
        let Some(element) = audio.get_untracked() else { return };
        if let Ok(seconds) = event_target_value(&event).parse::<f64>() {
            element.set_current_time(seconds);
            position.set(seconds);
        }
    };
    let shown = move || {
        let at = position.get();
        if playing.get() || at > 0.0 { clock(at) } else { length.get().map(clock).unwrap_or_default() }
    };

    view! {
        <div class="voice-note" data-testid="message-audio">
            <audio
                node_ref=audio
                preload="metadata"
                src=url
                on:loadedmetadata=read_length
                on:durationchange=read_length
                on:timeupdate=move |event| {
                    if let Some(element) = audio_of(&event) {
                        position.set(element.current_time());
                    }
                }
                on:play=move |_| playing.set(true)
                on:pause=move |_| playing.set(false)
                on:ended=move |_| {
                    playing.set(false);
                    position.set(0.0);
                }
            ></audio>
            <button
                type="button"
                class="icon-button voice-note-play"
                aria-label=move || i18n.t(if playing.get() { Key::Pause } else { Key::Play })
                title=move || i18n.t(if playing.get() { Key::Pause } else { Key::Play })
                data-testid="message-audio-play"
                on:click=toggle
            >
                {move || if playing.get() { icons::pause().into_any() } else { icons::play().into_any() }}
            </button>
            <input
                type="range"
                class="voice-note-position"
                min="0"
                step="0.1"
                max=move || length.get().unwrap_or(0.0).to_string()
                prop:value=move || position.get().to_string()
                aria-label=t!(i18n, PlaybackPosition)
                on:input=seek
            />
            <span class="voice-note-length" data-testid="message-audio-length">{shown}</span>
            <span class="voice-note-mic" aria-hidden="true">{icons::mic()}</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn lengths_read_like_a_stopwatch() {
        assert_eq!(clock(0.0), "0:00");
        assert_eq!(clock(2.7), "0:02");
        assert_eq!(clock(59.9), "0:59");
        assert_eq!(clock(754.0), "12:34");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(clock(f64::INFINITY), "0:00");
        assert_eq!(clock(f64::NAN), "0:00");
    }
}
