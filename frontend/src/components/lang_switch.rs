//! PT | EN: switches the language at once and remembers the choice.

use leptos::prelude::*;

use crate::i18n::{Locale, use_i18n};
use crate::t;

#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="lang-switch" role="group" aria-label=t!(i18n, Language)>
            {Locale::ALL
                .into_iter()
                .map(|locale| {
                    view! {
                        <button
                            type="button"
                            lang=locale.tag()
                            title=locale.native_name()
                            aria-label=locale.native_name()
                            aria-pressed=move || (i18n.locale() == locale).to_string()
                            data-testid=format!("lang-{}", locale.short().to_lowercase())
                            on:click=move |_| i18n.set(locale)
                        >
                            {locale.short()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
