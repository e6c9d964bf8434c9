//! "Are you sure?" before deleting something.

use leptos::prelude::*;

use super::modal::Modal;
use crate::i18n::{Key, use_i18n};
use crate::t;

#[component]
pub fn ConfirmDelete(
    /// The question, e.g. "Delete the queue “Vendas”?" (reactive, to follow the language).
    #[prop(into)]
    question: Signal<String>,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    /// An error from a failed attempt.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Modal
            title=Signal::derive(move || i18n.t(Key::ConfirmDeleteTitle).to_owned())
            on_close=on_cancel
            testid="confirm-dialog"
        >
            <p class="confirm-question" data-testid="confirm-question">{move || question.get()}</p>
            <p class="muted">{t!(i18n, CannotUndo)}</p>
            {move || error.get().map(|text| view! { <div class="alert alert-error" role="alert">{text}</div> })}
            <div class="form-actions">
                <button type="button" class="btn" on:click=move |_| on_cancel.run(())>{t!(i18n, Cancel)}</button>
                <button
                    type="button"
                    class="btn btn-danger"
                    data-testid="confirm-delete"
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {move || if busy.get() { i18n.t(Key::Deleting) } else { i18n.t(Key::Delete) }}
                </button>
            </div>
        </Modal>
    }
}

/// "Are you sure?" before an action that is costly to undo (resolve, return to the queue).
#[component]
pub fn ConfirmAction(
    #[prop(into)] title: Signal<String>,
    #[prop(into)] question: Signal<String>,
    #[prop(into)] confirm_label: Signal<String>,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] error: Signal<Option<String>>,
    /// Options of the action, under the question (resolve: send the survey).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Modal title=title on_close=on_cancel testid="confirm-dialog">
            <p class="confirm-question" data-testid="confirm-question">{move || question.get()}</p>
            {children.map(|children| children())}
            {move || error.get().map(|text| view! { <div class="alert alert-error" role="alert">{text}</div> })}
            <div class="form-actions">
                <button type="button" class="btn" on:click=move |_| on_cancel.run(())>{t!(i18n, Cancel)}</button>
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="confirm-action"
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {move || confirm_label.get()}
                </button>
            </div>
        </Modal>
    }
}
