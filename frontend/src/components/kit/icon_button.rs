//! A button that shows an icon and says what it does to screen readers and on hover.

use leptos::prelude::*;

use crate::i18n::{Key, use_i18n};

#[component]
pub fn IconButton(
    label: Key,
    testid: &'static str,
    /// Classes added to `icon-button`.
    #[prop(optional)]
    class: &'static str,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(into)] on_click: Callback<()>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let class = if class.is_empty() { "icon-button".to_owned() } else { format!("{class} icon-button") };
    view! {
        <button
            type="button"
            class=class
            aria-label=move || i18n.t(label)
            title=move || i18n.t(label)
            data-testid=testid
            disabled=move || disabled.get()
            on:click=move |_| on_click.run(())
        >
            {children()}
        </button>
    }
}
