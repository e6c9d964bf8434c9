//! A search box that applies what is typed once typing pauses.

use std::time::Duration;

use leptos::prelude::*;

use crate::components::icons;
use crate::debounce::debounce;
use crate::i18n::{Key, use_i18n};

#[component]
pub fn SearchInput(
    /// The search as applied (set `delay` after the last keystroke).
    applied: RwSignal<String>,
    delay: Duration,
    placeholder: Key,
    label: Key,
    testid: &'static str,
    /// Classes added to `search-box`.
    #[prop(optional)]
    class: &'static str,
    #[prop(optional)] node_ref: NodeRef<leptos::html::Input>,
    #[prop(optional, into)] on_keydown: Option<Callback<web_sys::KeyboardEvent>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(applied.get_untracked());
    let apply = debounce(delay, move |value: String| applied.set(value));
    let on_input = move |value: String| {
        typed.set(value.clone());
        apply(value);
    };
    let class = if class.is_empty() { "search-box".to_owned() } else { format!("search-box {class}") };
    view! {
        <span class=class>
            {icons::search()}
            <input
                type="search"
                node_ref=node_ref
                placeholder=move || i18n.t(placeholder)
                aria-label=move || i18n.t(label)
                data-testid=testid
                prop:value=move || typed.get()
                on:input=move |event| on_input(event_target_value(&event))
                on:change=move |event| {
                    let value = event_target_value(&event);
                    if value != typed.get_untracked() {
                        on_input(value);
                    }
                }
                on:keydown=move |event: web_sys::KeyboardEvent| {
                    if let Some(on_keydown) = on_keydown {
                        on_keydown.run(event);
                    }
                }
            />
        </span>
    }
}
