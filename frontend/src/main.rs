//! Atende's browser client: a Leptos single-page app (client-side rendered, compiled to wasm32).

mod api;
mod app;
mod components;
mod debounce;
mod fill;
mod i18n;
mod pages;
mod routes;
mod state;
mod time;
mod video_call;
mod zone;

fn main() {
    console_error_panic_hook::set_once();
    // The page shows a spinner until the app takes over.
    if let Some(boot) = leptos::prelude::document().get_element_by_id("boot") {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
