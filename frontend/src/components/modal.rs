//! A modal dialog: `role="dialog"`, focus moved inside on open and given back on close, Esc and a
//! click on the backdrop close it.

use leptos::ev;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

use super::form::unique_id;
use super::icons;
use crate::i18n::use_i18n;

const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), \
    textarea:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";

/// Tab from the last control goes to the first (Shift+Tab the other way), so focus stays in the
/// dialog while it is open.
fn keep_focus_inside(event: &web_sys::KeyboardEvent, dialog: &web_sys::HtmlDivElement) {
    let Ok(controls) = dialog.query_selector_all(FOCUSABLE) else { return };
    let count = controls.length();
    let (Some(first), Some(last)) = (controls.get(0), count.checked_sub(1).and_then(|i| controls.get(i))) else {
        return;
    };
    let active: Option<web_sys::Node> = document().active_element().map(Into::into);
    let outside = !dialog.contains(active.as_ref());
    let target = if event.shift_key() {
        (outside || active.as_ref() == Some(&first)).then_some(last)
    } else {
        (outside || active.as_ref() == Some(&last)).then_some(first)
    };
    if let Some(element) = target.and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok()) {
        event.prevent_default();
        let _ = element.focus();
    }
}

#[component]
pub fn Modal(
    #[prop(into)] title: Signal<String>,
    #[prop(into)] on_close: Callback<()>,
    testid: &'static str,
    #[prop(optional)] wide: bool,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let title_id = unique_id("dialog-title");
    let labelled_by = title_id.clone();
    let dialog_ref = NodeRef::<leptos::html::Div>::new();

    let keys = window_event_listener(ev::keydown, move |event| match event.key().as_str() {
        "Escape" => {
            event.prevent_default();
            on_close.run(());
        }
        "Tab" => {
            if let Some(dialog) = dialog_ref.get_untracked() {
                keep_focus_inside(&event, &dialog);
            }
        }
        _ => {}
    });
    // Give focus back to whatever opened the dialog.
    let opener = SendWrapper::new(document().active_element());
    on_cleanup(move || {
        keys.remove();
        if let Some(element) = opener.take().and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = element.focus();
        }
    });
    Effect::new(move || {
        if let Some(dialog) = dialog_ref.get() {
            let first = dialog
                .query_selector("input:not([type=hidden]), select, textarea, .modal-body button")
                .ok()
                .flatten()
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
            let _ = first.map_or_else(|| dialog.focus(), |el| el.focus());
        }
    });

    view! {
        <div class="modal-layer">
            <div class="modal-backdrop" on:click=move |_| on_close.run(())></div>
            <div
                class="modal"
                class:modal-wide=wide
                role="dialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                tabindex="-1"
                data-testid=testid
                node_ref=dialog_ref
            >
                <header class="modal-header">
                    <h2 id=title_id>{move || title.get()}</h2>
                    <button
                        type="button"
                        class="icon-button"
                        aria-label=move || i18n.t(crate::i18n::Key::Close)
                        data-testid="dialog-close"
                        on:click=move |_| on_close.run(())
                    >
                        {icons::close()}
                    </button>
                </header>
                <div class="modal-body">{children()}</div>
            </div>
        </div>
    }
}
