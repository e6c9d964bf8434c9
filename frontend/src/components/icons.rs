//! Inline SVG icons (decorative: hidden from screen readers; buttons carry their own labels).

use leptos::prelude::*;

fn icon(path: &'static str) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
    }
}

pub fn home() -> impl IntoView {
    icon("M3 11 12 3l9 8M5 9.5V21h5v-6h4v6h5V9.5")
}

pub fn users() -> impl IntoView {
    icon(
        "M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8M22 21v-2a4 4 0 0 0-3-3.87M16 3.13a4 4 0 0 1 0 7.75",
    )
}

pub fn queues() -> impl IntoView {
    icon("M12 2 2 7l10 5 10-5-10-5zM2 17l10 5 10-5M2 12l10 5 10-5")
}

pub fn close() -> impl IntoView {
    icon("M18 6 6 18M6 6l12 12")
}

pub fn chevron_down() -> impl IntoView {
    icon("m6 9 6 6 6-6")
}

pub fn user() -> impl IntoView {
    icon("M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8")
}

pub fn logout() -> impl IntoView {
    icon("M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9")
}

pub fn plus() -> impl IntoView {
    icon("M12 5v14M5 12h14")
}

pub fn info() -> impl IntoView {
    icon("M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 16v-4M12 8h.01")
}

pub fn chat() -> impl IntoView {
    icon("M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z")
}

pub fn search() -> impl IntoView {
    icon("M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM21 21l-4.35-4.35")
}

pub fn filter() -> impl IntoView {
    icon("M22 3H2l8 9.46V19l4 2v-8.54L22 3z")
}

pub fn contacts() -> impl IntoView {
    icon(
        "M4 4h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4zM4 4v16M12 11a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM8 16c.6-1.8 2.2-3 4-3s3.4 1.2 4 3M22 8v2M22 14v2",
    )
}

pub fn check() -> impl IntoView {
    icon("M20 6 9 17l-5-5")
}

pub fn check_circle() -> impl IntoView {
    icon("M22 11.08V12a10 10 0 1 1-5.93-9.14M22 4 12 14.01l-3-3")
}

pub fn reopen() -> impl IntoView {
    icon("M1 4v6h6M3.51 15a9 9 0 1 0 2.13-9.36L1 10")
}

pub fn undo() -> impl IntoView {
    icon("M9 14 4 9l5-5M4 9h11a5 5 0 0 1 0 10h-4")
}

pub fn transfer() -> impl IntoView {
    icon("M17 3l4 4-4 4M21 7H9M7 21l-4-4 4-4M3 17h12")
}

pub fn arrow_left() -> impl IntoView {
    icon("M19 12H5M12 19l-7-7 7-7")
}

pub fn paperclip() -> impl IntoView {
    icon(
        "m21.44 11.05-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48",
    )
}

pub fn sticker() -> impl IntoView {
    icon(
        "M15.5 3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V8.5zM15 3v4a2 2 0 0 0 2 2h4M8 13h.01M16 13h.01M10 16s.8 1 2 1 2-1 2-1",
    )
}

/// A price tag (Etiquetas).
pub fn tag() -> impl IntoView {
    icon("M20.59 13.41l-7.17 7.17a2 2 0 0 1-2.83 0L2 12V2h10l8.59 8.59a2 2 0 0 1 0 2.82zM7 7h.01")
}

/// A lightning bolt (quick replies).
pub fn zap() -> impl IntoView {
    icon("M13 2 3 14h9l-1 8 10-12h-9l1-8z")
}

/// A video camera (the video-call link).
pub fn video() -> impl IntoView {
    icon("M15 10l5-3v10l-5-3M3 7h12v10H3z")
}

pub fn smile() -> impl IntoView {
    icon("M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM8 14s1.5 2 4 2 4-2 4-2M9 9h.01M15 9h.01")
}

pub fn signature() -> impl IntoView {
    icon("M3 17c3-1 4-6 6-6s1 5 3 5 2-3 4-3 2 2 5 2M3 21h18")
}

pub fn send() -> impl IntoView {
    icon("M22 2 11 13M22 2l-7 20-4-9-9-4 20-7z")
}

pub fn mic() -> impl IntoView {
    icon("M12 2a3 3 0 0 0-3 3v7a3 3 0 0 0 6 0V5a3 3 0 0 0-3-3zM19 10v2a7 7 0 0 1-14 0v-2M12 19v3M8 22h8")
}

pub fn play() -> impl IntoView {
    icon("M7 4l13 8-13 8z")
}

pub fn pause() -> impl IntoView {
    icon("M8 5v14M16 5v14")
}

pub fn stop() -> impl IntoView {
    icon("M6 6h12v12H6z")
}

pub fn trash() -> impl IntoView {
    icon("M3 6h18M8 6V4a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6M10 11v6M14 11v6")
}

pub fn wifi_off() -> impl IntoView {
    icon(
        "M1 1l22 22M16.72 11.06A10.94 10.94 0 0 1 19 12.55M5 12.55a10.94 10.94 0 0 1 5.17-2.39M10.71 5.05A16 16 0 0 1 22.58 9M1.42 9a15.91 15.91 0 0 1 4.7-2.88M8.53 16.11a6 6 0 0 1 6.95 0M12 20h.01",
    )
}

/// A phone: connections (the WhatsApp numbers).
pub fn phone() -> impl IntoView {
    icon("M5 2h14v20H5zM12 18h.01")
}

/// A slider panel: settings.
pub fn settings() -> impl IntoView {
    icon("M4 21v-7M4 10V3M12 21v-9M12 8V3M20 21v-5M20 12V3M1 14h6M9 8h6M17 16h6")
}

pub fn clock() -> impl IntoView {
    icon("M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 6v6l4 2")
}

/// Three columns of cards: the kanban.
pub fn kanban() -> impl IntoView {
    icon(
        "M4 3h4a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zM10 3h4a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1h-4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zM16 3h4a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1h-4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z",
    )
}
