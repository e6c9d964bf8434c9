//! Wall-clock time in the company's time zone (a setting), which may differ from the browser's:
//! schedules are written in it and greetings follow it. The zone's offsets come from the
//! browser's `Intl` (no time-zone database in the bundle); the arithmetic is plain Rust, tested on
//! the host.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::Key;

/// The wall-clock time in `zone` at `at`. `None` when the browser does not know the zone.
pub fn wall_clock(at: DateTime<Utc>, zone: &str) -> Option<NaiveDateTime> {
    let options = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
    };
    set("timeZone", zone);
    set("hourCycle", "h23");
    for part in ["year", "month", "day", "hour", "minute", "second"] {
        set(part, "numeric");
    }
    // An unknown zone throws a RangeError: constructed through Reflect, which catches it.
    let intl = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
    let constructor = js_sys::Reflect::get(&intl, &JsValue::from_str("DateTimeFormat")).ok()?;
    let format = js_sys::Reflect::construct(
        constructor.unchecked_ref::<js_sys::Function>(),
        &js_sys::Array::of2(&JsValue::from_str("en-US"), &options),
    )
    .ok()?;
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let parts = js_sys::Reflect::apply(
        &js_sys::Reflect::get(&format, &JsValue::from_str("formatToParts")).ok()?.into(),
        &format,
        &js_sys::Array::of1(&date),
    )
    .ok()?;
    let mut fields = [0u32; 6];
    for part in js_sys::Array::from(&parts).iter() {
        let kind = js_sys::Reflect::get(&part, &JsValue::from_str("type")).ok()?.as_string()?;
        let value = js_sys::Reflect::get(&part, &JsValue::from_str("value")).ok()?.as_string()?;
        let slot = match kind.as_str() {
            "year" => 0,
            "month" => 1,
            "day" => 2,
            "hour" => 3,
            "minute" => 4,
            "second" => 5,
            _ => continue,
        };
        fields[slot] = value.parse().ok()?;
    }
    let [year, month, day, hour, minute, second] = fields;
    NaiveDate::from_ymd_opt(year as i32, month, day)?.and_hms_opt(hour % 24, minute, second)
}

/// The instant at which `zone`'s clocks show `wall`.
pub fn to_utc(wall: NaiveDateTime, zone: &str) -> Option<DateTime<Utc>> {
    let mut failed = false;
    let instant = instant_showing(wall, |at| {
        wall_clock(at, zone).unwrap_or_else(|| {
            failed = true;
            at.naive_utc()
        })
    });
    (!failed).then_some(instant)
}

/// Solves `clock(t) == wall` for `t`, given the zone's clock: start from the wall time read as UTC,
/// correct by the offset there, and once more in case that crossed a daylight-saving change. A
/// wall time skipped by a change lands just after it; one that happens twice, on the first.
fn instant_showing(wall: NaiveDateTime, mut clock: impl FnMut(DateTime<Utc>) -> NaiveDateTime) -> DateTime<Utc> {
    let guess = wall.and_utc();
    let offset = clock(guess) - guess.naive_utc();
    let first = guess - offset;
    let offset_there = clock(first) - first.naive_utc();
    if offset_there == offset { first } else { guess - offset_there }
}

/// "Bom dia", "Boa tarde" or "Boa noite" for an hour of the day (0–23).
pub fn greeting(hour: u32) -> Key {
    match hour {
        5..=11 => Key::GoodMorning,
        12..=17 => Key::GoodAfternoon,
        _ => Key::GoodEvening,
    }
}

/// The greeting for now in `zone` (the browser's own hour when the zone is unknown).
pub fn greeting_now(zone: &str) -> Key {
    let now = DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    let hour = wall_clock(now, zone).map(|wall| wall.hour()).unwrap_or_else(|| js_sys::Date::new_0().get_hours());
    greeting(hour)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};

    use super::*;

    fn wall(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }

    /// São Paulo: UTC-3 all year.
    fn sao_paulo(at: DateTime<Utc>) -> NaiveDateTime {
        (at - Duration::hours(3)).naive_utc()
    }

    /// A zone that moves from UTC+0 to UTC+1 at 2026-03-29 01:00 UTC (Lisbon).
    fn lisbon(at: DateTime<Utc>) -> NaiveDateTime {
        let change = wall(2026, 3, 29, 1, 0).and_utc();
        let offset = if at >= change { Duration::hours(1) } else { Duration::zero() };
        (at + offset).naive_utc()
    }

    #[test]
    fn a_fixed_offset_zone() {
        assert_eq!(instant_showing(wall(2026, 11, 28, 9, 30), sao_paulo), wall(2026, 11, 28, 12, 30).and_utc());
    }

    #[test]
    fn either_side_of_a_daylight_saving_change() {
        assert_eq!(instant_showing(wall(2026, 3, 28, 12, 0), lisbon), wall(2026, 3, 28, 12, 0).and_utc());
        assert_eq!(instant_showing(wall(2026, 3, 29, 12, 0), lisbon), wall(2026, 3, 29, 11, 0).and_utc());
        // 01:30 never shows on Lisbon's clocks that night: the answer is a real instant nearby.
        let skipped = instant_showing(wall(2026, 3, 29, 1, 30), lisbon);
        assert!((skipped - wall(2026, 3, 29, 1, 0).and_utc()).num_minutes().abs() <= 60, "{skipped}");
    }

    #[test]
    fn greetings_by_hour() {
        assert_eq!(greeting(5), Key::GoodMorning);
        assert_eq!(greeting(11), Key::GoodMorning);
        assert_eq!(greeting(12), Key::GoodAfternoon);
        assert_eq!(greeting(17), Key::GoodAfternoon);
        assert_eq!(greeting(18), Key::GoodEvening);
        assert_eq!(greeting(2), Key::GoodEvening);
    }
}
