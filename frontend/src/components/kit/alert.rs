//! A failed call, in the user's language.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::use_i18n;

/// Shows the error when there is one (nothing otherwise).
#[component]
pub fn ErrorAlert(
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(optional, into)] testid: Option<String>,
    /// Classes added to `alert alert-error`.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let class = if class.is_empty() { "alert alert-error".to_owned() } else { format!("alert alert-error {class}") };
    move || {
        error.get().map(|err| {
            view! {
                <div class=class.clone() role="alert" data-testid=testid.clone()>
                    {move || err.user_message(i18n.locale())}
                </div>
            }
        })
    }
}
