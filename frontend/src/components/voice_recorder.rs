//! Recording a voice note in the composer: the microphone button; while recording, the elapsed
//! time, a level meter, discard and stop; then a preview to listen to before sending or discarding.
//!
//! Firefox records Opus in Ogg, what WhatsApp plays as a voice note; Chromium records Opus in
//! WebM, which the server moves into Ogg. A browser that records neither (Safari: AAC in MP4)
//! sends its own format, which reaches the contact as an ordinary audio file.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::TicketId;
use shared::tickets::Message;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::composer::send_error;
use super::icons;
use super::kit::IconButton;
use super::thread::voice::clock;
use crate::api::upload;
use crate::i18n::{Key, use_i18n};
use crate::t;

/// What the recorder asks for, best first: Ogg/Opus needs no work on the server.
const PREFERRED_TYPES: [&str; 2] = ["audio/ogg;codecs=opus", "audio/webm;codecs=opus"];
/// Speech needs little: Opus at 32 kbit/s is clear, and a minute is 240 kB.
const BITS_PER_SECOND: u32 = 32_000;
/// Longer than any voice note, and far below the 16 MiB upload limit at that rate.
const MAX_SECONDS: f64 = 15.0 * 60.0;
/// How often the elapsed time and the level meter are updated.
const TICK: Duration = Duration::from_millis(100);
/// Samples the level meter looks at each tick (about 21 ms at 48 kHz).
const METER_SAMPLES: u32 = 1024;

/// The first of the preferred types the browser can record, or `None` for its own default.
pub fn recording_type(supported: impl Fn(&str) -> bool) -> Option<&'static str> {
    PREFERRED_TYPES.into_iter().find(|t| supported(t))
}

/// The file name extension of a recording of type `mime`.
pub fn extension(mime: &str) -> &'static str {
    match mime.split(';').next().unwrap_or("").trim().to_ascii_lowercase().as_str() {
        "audio/ogg" => "ogg",
        "audio/webm" | "video/webm" => "webm",
        "audio/mp4" | "video/mp4" => "m4a",
        "audio/mpeg" => "mp3",
        "audio/wav" | "audio/x-wav" => "wav",
        _ => "audio",
    }
}

/// Why the microphone could not be had, from the name of the error `getUserMedia` gave.
pub fn microphone_error(name: &str) -> Key {
    match name {
        "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => Key::MicrophoneDenied,
        "NotFoundError" | "OverconstrainedError" | "DevicesNotFoundError" => Key::NoMicrophone,
        "NotReadableError" | "TrackStartError" => Key::MicrophoneBusy,
        _ => Key::RecordingFailed,
    }
}

/// The level meter's reading, 0.0 to 1.0, for a signal's RMS: -60 dBFS and below read empty.
pub fn meter(rms: f64) -> f64 {
    if rms.is_nan() || rms <= 0.0 {
        return 0.0;
    }
    ((20.0 * rms.log10() + 60.0) / 60.0).clamp(0.0, 1.0)
}

fn rms(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|s| f64::from(*s) * f64::from(*s)).sum();
    (sum / samples.len() as f64).sqrt()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    /// Waiting for the browser (and the person) to allow the microphone.
    Opening,
    Recording,
    /// Stopped; the recorder is handing over its last data.
    Stopping,
    Preview,
    Sending,
}

/// A recording under way. Dropping it stops the recorder and lets go of the microphone, so the
/// browser's "recording" indicator never outlives the composer.
struct Live {
    /// Tells this recording's `stop` event from an earlier one's.
    id: u32,
    started: f64,
    stream: web_sys::MediaStream,
    recorder: web_sys::MediaRecorder,
    audio: Option<web_sys::AudioContext>,
    ticker: Option<IntervalHandle>,
    /// Whether what was recorded is to be thrown away when the recorder stops.
    discard: Rc<Cell<bool>>,
    released: Cell<bool>,
    _on_data: Closure<dyn FnMut(web_sys::BlobEvent)>,
    _on_stop: Closure<dyn FnMut()>,
}

impl Live {
    fn seconds(&self) -> f64 {
        (js_sys::Date::now() - self.started) / 1000.0
    }

    /// Stops recording (the recorder then fires `stop` with the data) and releases the microphone.
    fn stop(&self, discard: bool) {
        self.discard.set(self.discard.get() || discard);
        if self.released.replace(true) {
            return;
        }
        if let Some(ticker) = self.ticker {
            ticker.clear();
        }
        if self.recorder.state() != web_sys::RecordingState::Inactive {
            let _ = self.recorder.stop();
        }
        release(&self.stream);
        if let Some(audio) = &self.audio {
            let _ = audio.close();
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        // The handlers are freed with this value: the recorder must not call them afterwards.
        self.recorder.set_ondataavailable(None);
        self.recorder.set_onstop(None);
        self.stop(true);
    }
}

/// A finished recording, waiting to be sent or discarded.
struct Take {
    blob: web_sys::Blob,
    url: String,
}

impl Drop for Take {
    fn drop(&mut self) {
        let _ = web_sys::Url::revoke_object_url(&self.url);
    }
}

fn release(stream: &web_sys::MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// Asks for the microphone.
async fn open_microphone() -> Result<web_sys::MediaStream, Key> {
    // `navigator.mediaDevices` exists only on HTTPS pages (and localhost).
    let devices = window().navigator().media_devices().map_err(|_| Key::RecordingUnsupported)?;
    if JsValue::from(devices.clone()).is_undefined() {
        return Err(Key::RecordingUnsupported);
    }
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::TRUE);
    let asked = devices.get_user_media_with_constraints(&constraints).map_err(|_| Key::RecordingUnsupported)?;
    let stream = JsFuture::from(asked).await.map_err(|error| {
        let name = match error.dyn_ref::<web_sys::DomException>() {
            Some(exception) => exception.name(),
            None => js_sys::Reflect::get(&error, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default(),
        };
        microphone_error(&name)
    })?;
    stream.dyn_into().map_err(|_| Key::RecordingFailed)
}

/// An analyser on the stream for the level meter; `None` where Web Audio is missing (the
/// recording works without it).
fn analyser_for(stream: &web_sys::MediaStream) -> Option<(web_sys::AudioContext, web_sys::AnalyserNode)> {
    let audio = web_sys::AudioContext::new().ok()?;
    let analyser = audio.create_analyser().ok()?;
    analyser.set_fft_size(METER_SAMPLES * 2);
    let source = audio.create_media_stream_source(stream).ok()?;
    source.connect_with_audio_node(&analyser).ok()?;
    // Created after the click that asked for the microphone, so it may run; resume in case not.
    let _ = audio.resume();
    Some((audio, analyser))
}

#[component]
pub fn VoiceRecorder(
    /// The ticket a recording is sent to (unless it is kept, see `keep`).
    #[prop(optional)]
    ticket: Option<TicketId>,
    /// Where problems are shown: the composer's error line.
    error: RwSignal<Option<String>>,
    #[prop(optional, into)] on_sent: Option<Callback<Message>>,
    /// Hands the recording over instead of sending it (the schedule dialog attaches it).
    #[prop(optional, into)]
    keep: Option<Callback<web_sys::File>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let phase = RwSignal::new(Phase::Idle);
    let elapsed = RwSignal::new(0.0_f64);
    let level = RwSignal::new(0.0_f64);
    let preview = RwSignal::new(None::<String>);
    let live = StoredValue::new_local(None::<Live>);
    let take = StoredValue::new_local(None::<Take>);
    let recordings = StoredValue::new(0_u32);

    let fail = move |key: Key| {
        error.try_set(Some(i18n.t(key).to_owned()));
        phase.try_set(Phase::Idle);
    };

    // The recorder's `stop` event: everything recording `id` captured.
    let finished = move |id: u32, blob: Option<web_sys::Blob>, discarded: bool| {
        let current = live.try_with_value(|l| l.as_ref().is_some_and(|l| l.id == id)).unwrap_or(false);
        if !current {
            return;
        }
        // This runs inside a handler that `Live` owns: free it once the handler has returned.
        spawn_local(async move {
            live.try_update_value(|l| {
                if l.as_ref().is_some_and(|l| l.id == id) {
                    *l = None;
                }
            });
        });
        level.try_set(0.0);
        if discarded {
            return;
        }
        let Some(blob) = blob.filter(|b| b.size() > 0.0) else { return fail(Key::RecordingFailed) };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return fail(Key::RecordingFailed) };
        take.try_set_value(Some(Take { blob, url: url.clone() }));
        preview.try_set(Some(url));
        phase.try_set(Phase::Preview);
    };

    let begin = move |stream: web_sys::MediaStream| -> Result<Live, Key> {
        let options = web_sys::MediaRecorderOptions::new();
        options.set_audio_bits_per_second(BITS_PER_SECOND);
        if let Some(mime) = recording_type(web_sys::MediaRecorder::is_type_supported) {
            options.set_mime_type(mime);
        }
        let recorder = web_sys::MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options)
            .map_err(|_| Key::RecordingUnsupported)?;
        let id = recordings.with_value(|n| n + 1);
        recordings.set_value(id);
        let chunks = Rc::new(RefCell::new(Vec::<web_sys::Blob>::new()));
        let discard = Rc::new(Cell::new(false));
        let on_data = {
            let chunks = chunks.clone();
            Closure::<dyn FnMut(web_sys::BlobEvent)>::new(move |event: web_sys::BlobEvent| {
                if let Some(data) = event.data().filter(|d| d.size() > 0.0) {
                    chunks.borrow_mut().push(data);
                }
            })
        };
        let on_stop = {
            let (recorder, discard) = (recorder.clone(), discard.clone());
            Closure::<dyn FnMut()>::new(move || {
                let parts = js_sys::Array::new();
                for chunk in chunks.borrow_mut().drain(..) {
                    parts.push(&chunk);
                }
                let bag = web_sys::BlobPropertyBag::new();
                bag.set_type(&recorder.mime_type());
                let blob = web_sys::Blob::new_with_blob_sequence_and_options(&parts, &bag).ok();
                finished(id, blob, discard.get());
            })
        };
        recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
        let (audio, analyser) = analyser_for(&stream).unzip();
        let mut recording = Live {
            id,
            started: js_sys::Date::now(),
            stream,
            recorder,
            audio,
            ticker: None,
            discard,
            released: Cell::new(false),
            _on_data: on_data,
            _on_stop: on_stop,
        };
        recording.recorder.start().map_err(|_| Key::RecordingFailed)?;
        let (started, samples) = (recording.started, RefCell::new(vec![0.0_f32; METER_SAMPLES as usize]));
        let tick = move || {
            let seconds = (js_sys::Date::now() - started) / 1000.0;
            elapsed.try_set(seconds);
            if let Some(analyser) = &analyser {
                let mut samples = samples.borrow_mut();
                analyser.get_float_time_domain_data(&mut samples);
                level.try_set(meter(rms(&samples)));
            }
            if seconds >= MAX_SECONDS && phase.get_untracked() == Phase::Recording {
                phase.set(Phase::Stopping);
                live.with_value(|l| {
                    if let Some(l) = l {
                        l.stop(false);
                    }
                });
            }
        };
        recording.ticker = set_interval_with_handle(tick, TICK).ok();
        Ok(recording)
    };

    let start = move || {
        if phase.get_untracked() != Phase::Idle {
            return;
        }
        error.set(None);
        elapsed.set(0.0);
        phase.set(Phase::Opening);
        spawn_local(async move {
            let opened = open_microphone().await;
            // Discarded, or the composer went away, while the browser asked.
            if phase.try_get_untracked() != Some(Phase::Opening) {
                if let Ok(stream) = &opened {
                    release(stream);
                }
                return;
            }
            let stream = match opened {
                Ok(stream) => stream,
                Err(key) => return fail(key),
            };
            match begin(stream.clone()) {
                Ok(recording) => {
                    live.set_value(Some(recording));
                    phase.set(Phase::Recording);
                }
                Err(key) => {
                    release(&stream);
                    fail(key);
                }
            }
        });
    };

    let stop = move || {
        if phase.get_untracked() != Phase::Recording {
            return;
        }
        phase.set(Phase::Stopping);
        live.with_value(|l| {
            if let Some(l) = l {
                elapsed.set(l.seconds());
                l.stop(false);
            }
        });
    };

    let cancel = move || {
        live.with_value(|l| {
            if let Some(l) = l {
                l.stop(true);
            }
        });
        level.set(0.0);
        phase.set(Phase::Idle);
    };

    let discard = move || {
        take.set_value(None);
        preview.set(None);
        phase.set(Phase::Idle);
    };

    let send = move || {
        if phase.get_untracked() != Phase::Preview {
            return;
        }
        let Some(blob) = take.with_value(|t| t.as_ref().map(|t| t.blob.clone())) else { return };
        let name = format!("{}.{}", i18n.t(Key::VoiceNoteName), extension(&blob.type_()));
        let bag = web_sys::FilePropertyBag::new();
        bag.set_type(&blob.type_());
        let Ok(file) = web_sys::File::new_with_blob_sequence_and_options(&js_sys::Array::of1(&blob), &name, &bag)
        else {
            return fail(Key::RecordingFailed);
        };
        error.set(None);
        let ticket = match (keep, ticket) {
            (Some(keep), _) => {
                take.set_value(None);
                preview.set(None);
                phase.set(Phase::Idle);
                keep.run(file);
                return;
            }
            (None, Some(ticket)) => ticket,
            (None, None) => return fail(Key::RecordingFailed),
        };
        phase.set(Phase::Sending);
        spawn_local(async move {
            match upload::send_file_as(ticket, file, None, Some("audio"), |_| {}, |_| {}).await {
                Ok(message) => {
                    take.try_set_value(None);
                    preview.try_set(None);
                    phase.try_set(Phase::Idle);
                    if let Some(on_sent) = on_sent {
                        on_sent.try_run(message);
                    }
                }
                Err(err) => {
                    phase.try_set(Phase::Preview);
                    error.try_set(Some(send_error(&err, i18n.locale_untracked())));
                }
            }
        });
    };

    let sending = Signal::derive(move || phase.get() == Phase::Sending);
    let percent = move || (level.get() * 100.0).round();
    move || {
        match phase.get() {
        Phase::Idle | Phase::Opening => view! {
            <IconButton
                label=Key::RecordVoice
                testid="composer-voice"
                class="voice-button"
                disabled=Signal::derive(move || phase.get() == Phase::Opening)
                on_click=move || start()
            >
                {icons::mic()}
            </IconButton>
        }
        .into_any(),
        Phase::Recording | Phase::Stopping => view! {
            <div class="voice-recorder" data-testid="voice-recorder">
                <IconButton label=Key::DiscardRecording testid="voice-cancel" on_click=move || cancel()>
                    {icons::trash()}
                </IconButton>
                <span class="voice-dot" aria-hidden="true"></span>
                <span class="voice-time" role="timer" aria-label=t!(i18n, Recording) data-testid="voice-elapsed">
                    {move || clock(elapsed.get())}
                </span>
                <span
                    class="voice-level"
                    role="meter"
                    aria-label=t!(i18n, MicrophoneLevel)
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=move || percent().to_string()
                    data-testid="voice-level"
                >
                    <span class="voice-level-bar" style:width=move || format!("{}%", percent())></span>
                </span>
                <IconButton
                    label=Key::StopRecording
                    testid="voice-stop"
                    class="voice-stop"
                    disabled=Signal::derive(move || phase.get() == Phase::Stopping)
                    on_click=move || stop()
                >
                    {icons::stop()}
                </IconButton>
            </div>
        }
        .into_any(),
        Phase::Preview | Phase::Sending => view! {
            <div class="voice-recorder" data-testid="voice-preview">
                <IconButton label=Key::DiscardRecording testid="voice-discard" disabled=sending on_click=move || discard()>
                    {icons::trash()}
                </IconButton>
                <audio
                    class="media-audio"
                    controls=true
                    src=move || preview.get().unwrap_or_default()
                    data-testid="voice-preview-audio"
                ></audio>
                <span class="voice-time" data-testid="voice-length">{move || clock(elapsed.get())}</span>
                <Show when=move || sending.get()>
                    <span class="voice-sending" role="status">{t!(i18n, SendingVoice)}</span>
                </Show>
                <IconButton
                    label=if keep.is_some() { Key::AttachVoice } else { Key::SendVoice }
                    testid="voice-send"
                    class="send-button"
                    disabled=sending
                    on_click=move || send()
                >
                    {icons::send()}
                </IconButton>
            </div>
        }
        .into_any(),
    }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ogg_opus_is_asked_for_first_then_webm_then_the_default() {
        assert_eq!(recording_type(|_| true), Some("audio/ogg;codecs=opus"), "Firefox");
        assert_eq!(recording_type(|t| t.starts_with("audio/webm")), Some("audio/webm;codecs=opus"), "Chromium");
        assert_eq!(recording_type(|_| false), None, "Safari records its own default");
    }

    #[test]
    fn recordings_are_named_by_their_type() {
        assert_eq!(extension("audio/webm;codecs=opus"), "webm");
        assert_eq!(extension("audio/ogg; codecs=opus"), "ogg");
        assert_eq!(extension("audio/mp4"), "m4a");
        assert_eq!(extension(""), "audio");
    }

    #[test]
    fn microphone_errors_are_told_apart() {
        assert_eq!(microphone_error("NotAllowedError"), Key::MicrophoneDenied);
        assert_eq!(microphone_error("SecurityError"), Key::MicrophoneDenied);
        assert_eq!(microphone_error("NotFoundError"), Key::NoMicrophone);
        assert_eq!(microphone_error("NotReadableError"), Key::MicrophoneBusy);
        assert_eq!(microphone_error("AbortError"), Key::RecordingFailed);
        assert_eq!(microphone_error(""), Key::RecordingFailed);
    }

    #[test]
    fn the_meter_reads_decibels() {
        assert_eq!(meter(0.0), 0.0);
        assert_eq!(meter(f64::NAN), 0.0);
        assert_eq!(meter(0.0005), 0.0, "below -60 dBFS");
        assert!((meter(0.01) - 1.0 / 3.0).abs() < 1e-9, "-40 dBFS");
        assert_eq!(meter(1.0), 1.0);
        assert_eq!(meter(2.0), 1.0);
        assert!((rms(&[0.5, -0.5, 0.5, -0.5]) - 0.5).abs() < 1e-9);
        assert_eq!(rms(&[]), 0.0);
    }
}
