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
