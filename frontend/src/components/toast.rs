//! Short confirmations ("Perfil atualizado.") that fade away on their own.

use std::time::Duration;

use leptos::prelude::*;

use crate::i18n::{Key, use_i18n};

#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<(u32, Key)>>,
    next: StoredValue<u32>,
}

impl Toasts {
    pub fn new() -> Self {
        Self { items: RwSignal::new(Vec::new()), next: StoredValue::new(0) }
    }

    pub fn push(&self, key: Key) {
        let id = self.next.get_value();
        self.next.set_value(id.wrapping_add(1));
        self.items.update(|items| items.push((id, key)));
        let items = self.items;
        set_timeout(move || items.update(|items| items.retain(|(other, _)| *other != id)), Duration::from_millis(3500));
    }
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    let i18n = use_i18n();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.items.get() key=|(id, _)| *id let:item>
                <div class="toast" data-testid="toast">{move || i18n.t(item.1)}</div>
            </For>
        </div>
    }
}
