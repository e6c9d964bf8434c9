//! Agendamento de Mensagem: date and time (in the company's time zone, a setting), the text with
//! emoji, and an optional file or a voice note recorded here. Also edits a message still waiting.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::{ContactId, TicketId};
use shared::schedules::{NewSchedule, Schedule, UpdateSchedule};

use super::emoji::EmojiPicker;
use super::form::unique_id;
use super::icons;
use super::modal::Modal;
use super::voice_recorder::VoiceRecorder;
use crate::api::{self, ApiError};
use crate::i18n::{self, Key, use_i18n};
use crate::state::settings::use_settings;
use crate::t;
use crate::zone;

/// Now plus an hour, on the next quarter hour, as the company's clocks show it.
fn suggested(zone_name: &str) -> NaiveDateTime {
    let now = DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    let wall = zone::wall_clock(now + Duration::hours(1), zone_name).unwrap_or_else(|| now.naive_utc());
    round_up_to_quarter(wall)
}

fn round_up_to_quarter(wall: NaiveDateTime) -> NaiveDateTime {
    let minutes = wall.minute();
    let up = (15 - minutes % 15) % 15;
    let rounded = wall + Duration::minutes(i64::from(up));
    rounded.with_second(0).and_then(|w| w.with_nanosecond(0)).unwrap_or(rounded)
}

/// The instant of the fields' date and time in `zone_name`.
fn chosen_instant(date: &str, time: &str, zone_name: &str) -> Option<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    zone::to_utc(date.and_time(time), zone_name)
}

#[component]
pub fn ScheduleDialog(
    contact_id: ContactId,
    ticket_id: Option<TicketId>,
    /// The schedule being edited; `None` writes a new one.
    existing: Option<Schedule>,
    #[prop(into)] on_done: Callback<Schedule>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let settings = use_settings();
    let zone_name = settings.time_zone();
    let start = match &existing {
        Some(schedule) => {
            zone::wall_clock(schedule.send_at, &zone_name).unwrap_or_else(|| schedule.send_at.naive_utc())
        }
        None => suggested(&zone_name),
    };
    let date = RwSignal::new(start.format("%Y-%m-%d").to_string());
    let time = RwSignal::new(start.format("%H:%M").to_string());
    let body = RwSignal::new(existing.as_ref().map(|s| s.body.clone()).unwrap_or_default());
    let file = StoredValue::new_local(None::<web_sys::File>);
    let file_name = RwSignal::new(None::<String>);
    let emoji_open = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let editing = existing.as_ref().map(|s| s.id);
    let has_file = existing.as_ref().is_some_and(|s| s.media_name.is_some());
    let (date_id, time_id, body_id) =
        (unique_id("schedule-date"), unique_id("schedule-time"), unique_id("schedule-body"));
    let zone_for_submit = zone_name.clone();

    let submit = move |_| {
        if busy.get_untracked() {
            return;
        }
        let locale = i18n.locale_untracked();
        let Some(send_at) = chosen_instant(&date.get_untracked(), &time.get_untracked(), &zone_for_submit) else {
            error.set(Some(Key::ChooseDateTime.text(locale).to_owned()));
            return;
        };
        let text = body.get_untracked().trim().to_owned();
        let attached = file.with_value(|f| f.clone());
        if text.is_empty() && attached.is_none() && !has_file {
            error.set(Some(Key::Required.text(locale).to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result: Result<Schedule, ApiError> = match editing {
                Some(id) => {
                    api::schedules::update(id, &UpdateSchedule { body: Some(text), send_at: Some(send_at) }).await
                }
                None => {
                    let new = NewSchedule { contact_id, ticket_id, body: text, send_at };
                    match attached {
                        Some(file) => api::schedules::create_with_file(&new, &file).await,
                        None => api::schedules::create(&new).await,
                    }
                }
            };
            match result {
                Ok(schedule) => {
                    on_done.try_run(schedule);
                }
                Err(err) => {
                    let fields = err.field_errors();
                    let text = if fields.is_empty() {
                        err.user_message(i18n.locale_untracked())
                    } else {
                        fields
                            .values()
                            .map(|p| i18n::validation_text(i18n.locale_untracked(), p))
                            .collect::<Vec<_>>()
                            .join(" ")
                    };
                    error.try_set(Some(text));
                }
            }
            busy.try_set(false);
        });
    };

    let title = if editing.is_some() { Key::EditSchedule } else { Key::ScheduleMessage };
    view! {
        <Modal title=Signal::derive(move || i18n.t(title).to_owned()) on_close=on_close testid="schedule-dialog">
            <div class="form">
                <div class="field-row">
                    <div class="field">
                        <label for=date_id.clone()>{t!(i18n, Date)}</label>
                        <input id=date_id type="date" data-testid="schedule-date" bind:value=date/>
                    </div>
                    <div class="field">
                        <label for=time_id.clone()>{t!(i18n, Time)}</label>
                        <input id=time_id type="time" data-testid="schedule-time" bind:value=time/>
                    </div>
                </div>
                <p class="field-hint" data-testid="schedule-zone">{move || format!("{} {}", i18n.t(Key::TimeZone), zone_name)}</p>
                <div class="field">
                    <label for=body_id.clone()>{t!(i18n, Message)}</label>
                    <textarea id=body_id rows="4" data-testid="schedule-body" bind:value=body></textarea>
                </div>
                <div class="schedule-tools">
                    <span class="emoji-anchor">
                        <button type="button" class="icon-button" aria-label=t!(i18n, Emoji) title=t!(i18n, Emoji)
                            data-testid="schedule-emoji" on:click=move |_| emoji_open.update(|o| *o = !*o)>
                            {icons::smile()}
                        </button>
                        <Show when=move || emoji_open.get()>
                            <EmojiPicker
                                on_pick=move |emoji: &'static str| {
                                    body.update(|b| b.push_str(emoji));
                                    emoji_open.set(false);
                                }
                                on_close=move || emoji_open.set(false)
                            />
                        </Show>
                    </span>
                    <Show when=move || editing.is_none()>
                        <label class="btn btn-small">
                            {icons::paperclip()}
                            <span>{t!(i18n, AttachFileOrAudio)}</span>
                            <input type="file" class="sr-only" data-testid="schedule-file"
                                on:change=move |event| {
                                    let input: web_sys::HtmlInputElement = event_target(&event);
                                    let chosen = input.files().and_then(|files| files.get(0));
                                    file_name.set(chosen.as_ref().map(|f| f.name()));
                                    file.set_value(chosen);
                                }/>
                        </label>
                    </Show>
                    <Show when=move || editing.is_none()>
                        <VoiceRecorder
                            error=error
                            keep=move |recorded: web_sys::File| {
                                file_name.set(Some(recorded.name()));
                                file.set_value(Some(recorded));
                            }
                        />
                    </Show>
                    {move || file_name.get().map(|name| view! { <span class="muted" data-testid="schedule-file-name">{name}</span> })}
                </div>
                {move || error.get().map(|text| view! { <div class="alert alert-error" role="alert" data-testid="schedule-error">{text}</div> })}
                <div class="form-actions">
                    <button type="button" class="btn" on:click=move |_| on_close.run(())>{t!(i18n, Cancel)}</button>
                    <button type="button" class="btn btn-primary" data-testid="schedule-save" disabled=move || busy.get() on:click=submit>
                        {move || if busy.get() { i18n.t(Key::Saving) } else { i18n.t(Key::Schedule) }}
                    </button>
                </div>
            </div>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wall(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn suggestions_land_on_a_quarter_hour() {
        assert_eq!(round_up_to_quarter(wall(10, 1)), wall(10, 15));
        assert_eq!(round_up_to_quarter(wall(10, 15)), wall(10, 15));
        assert_eq!(
            round_up_to_quarter(wall(23, 50)),
            NaiveDate::from_ymd_opt(2026, 11, 29).unwrap().and_hms_opt(0, 0, 0).unwrap()
        );
    }
}
