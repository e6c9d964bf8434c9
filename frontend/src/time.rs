//! Times as people read them, in the browser's time zone: "14:05", "Ontem", "12 de março de 2025",
//! "3 min 20 s". The browser's clock and zone come from `js_sys::Date` (chrono has no clock in
//! wasm32); the arithmetic is plain Rust so it is unit-tested on the host.

use chrono::{DateTime, Utc};
use wasm_bindgen::JsValue;

use crate::i18n::{Key, Locale};

/// A local calendar day as one comparable number: 20250312.
pub type DayKey = i32;

pub fn day_key(year: i32, month: u32, day: u32) -> DayKey {
    year * 10_000 + month as i32 * 100 + day as i32
}

fn js_date(at: &DateTime<Utc>) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64))
}

fn local_day(date: &js_sys::Date) -> DayKey {
    day_key(date.get_full_year() as i32, date.get_month() + 1, date.get_date())
}

/// The local day of an instant.
pub fn day_of(at: &DateTime<Utc>) -> DayKey {
    local_day(&js_date(at))
}

pub fn today() -> DayKey {
    local_day(&js_sys::Date::new_0())
}

fn yesterday() -> DayKey {
    let date = js_sys::Date::new_0();
    date.set_date(date.get_date() - 1);
    local_day(&date)
}

/// "14:05" in local time.
pub fn clock(at: &DateTime<Utc>) -> String {
    let date = js_date(at);
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

fn locale_date(at: &DateTime<Utc>, locale: Locale, long: bool) -> String {
    let options = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
    };
    if long {
        set("day", "numeric");
        set("month", "long");
        set("year", "numeric");
    } else {
        set("day", "2-digit");
        set("month", "2-digit");
        set("year", "2-digit");
    }
    js_date(at).to_locale_date_string(locale.tag(), &options).into()
}

/// The time beside a ticket in the list: the hour today, "Ontem", else the date.
pub fn list_time(at: &DateTime<Utc>, locale: Locale) -> String {
    let day = day_of(at);
    if day == today() {
        clock(at)
    } else if day == yesterday() {
        Key::Yesterday.text(locale).to_owned()
    } else {
        locale_date(at, locale, false)
    }
}

/// The label of a day separator in a conversation.
pub fn day_label(at: &DateTime<Utc>, locale: Locale) -> String {
    let day = day_of(at);
    if day == today() {
        Key::Today.text(locale).to_owned()
    } else if day == yesterday() {
        Key::Yesterday.text(locale).to_owned()
    } else {
        locale_date(at, locale, true)
    }
}

/// Date and time in full, for tooltips and logs.
pub fn full(at: &DateTime<Utc>, locale: Locale) -> String {
    format!("{} {}", locale_date(at, locale, false), clock(at))
}

/// `YYYY-MM-DD` (an `<input type=date>` value) as numbers.
pub fn parse_day(raw: &str) -> Option<(i32, u32, u32)> {
    let mut parts = raw.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

/// The instant a local day starts (`days_after` = 1: the next day's start, an exclusive end).
pub fn local_day_start(raw: &str, days_after: u32) -> Option<DateTime<Utc>> {
    let (year, month, day) = parse_day(raw)?;
    let date = js_sys::Date::new_with_year_month_day(year as u32, month as i32 - 1, (day + days_after) as i32);
    DateTime::from_timestamp_millis(date.get_time() as i64)
}

/// "45 s", "3 min 20 s", "2 h 05 min".
pub fn duration(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    let (hours, minutes, secs) = (total / 3600, total % 3600 / 60, total % 60);
    if hours > 0 {
        format!("{hours} h {minutes:02} min")
    } else if minutes > 0 {
        if secs == 0 { format!("{minutes} min") } else { format!("{minutes} min {secs} s") }
    } else {
        format!("{secs} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0.0), "0 s");
        assert_eq!(duration(44.6), "45 s");
        assert_eq!(duration(180.0), "3 min");
        assert_eq!(duration(200.0), "3 min 20 s");
        assert_eq!(duration(7500.0), "2 h 05 min");
        assert_eq!(duration(-3.0), "0 s");
    }

    #[test]
    fn days_parse_and_compare() {
        assert_eq!(parse_day("2025-03-09"), Some((2025, 3, 9)));
        assert_eq!(parse_day("2025-13-01"), None);
        assert_eq!(parse_day(""), None);
        assert!(day_key(2025, 3, 9) < day_key(2025, 3, 10));
        assert!(day_key(2024, 12, 31) < day_key(2025, 1, 1));
    }
}
