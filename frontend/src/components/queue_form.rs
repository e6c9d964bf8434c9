//! Create or edit a queue (administrators): name and colour.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::org::{NewQueue, Queue, UpdateQueue};
use shared::validate::{HexColor, Name};

use super::bot_select::BotSelect;
use super::form::{ColorField, FormActions, FormState, TextInput, check};
use super::modal::Modal;
use crate::api::queues::QUEUES;
use crate::i18n::{Key, use_i18n};

/// Colours offered to a new queue, in turn.
pub const PALETTE: [&str; 8] = ["#0f766e", "#2563eb", "#7c3aed", "#db2777", "#ea580c", "#ca8a04", "#16a34a", "#0891b2"];

#[component]
pub fn QueueForm(
    /// `None` to create a queue.
    queue: Option<Queue>,
    /// The colour a new queue starts with.
    #[prop(default = PALETTE[0])]
    default_color: &'static str,
    /// Called with the saved queue and whether it was created.
    #[prop(into)]
    on_saved: Callback<(Queue, bool)>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let creating = queue.is_none();
    let name = RwSignal::new(queue.as_ref().map(|q| q.name.clone()).unwrap_or_default());
    let color = RwSignal::new(queue.as_ref().map_or_else(|| default_color.to_owned(), |q| q.color.clone()));
    let bot = RwSignal::new(queue.as_ref().and_then(|q| q.default_bot));
    let original = StoredValue::new(queue);
    let form = FormState::new();

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut errors = BTreeMap::new();
        let valid_name = check(&mut errors, "name", Name::parse(&name.get_untracked()));
        let valid_color = check(&mut errors, "color", HexColor::parse(&color.get_untracked()));
        if form.refuse(errors) {
            return;
        }
        let (Some(valid_name), Some(valid_color)) = (valid_name, valid_color) else { return };
        if !form.begin() {
            return;
        }
        let before = original.get_value();
        let call = async move {
            match before {
                None => {
                    let new_queue = NewQueue {
                        name: valid_name.into_inner(),
                        color: valid_color.into_inner(),
                        default_bot: bot.get_untracked(),
                    };
                    QUEUES.create(&new_queue).await.map(|queue| (queue, true))
                }
                Some(before) => {
                    let changes = UpdateQueue {
                        name: (valid_name.as_str() != before.name).then(|| valid_name.into_inner()),
                        color: (valid_color.as_str() != before.color).then(|| valid_color.into_inner()),
                        default_bot: (bot.get_untracked() != before.default_bot).then(|| bot.get_untracked()),
                    };
                    QUEUES.update(before.id, &changes).await.map(|queue| (queue, false))
                }
            }
        };
        form.save(call, move |saved| on_saved.run(saved));
    };

    let title = Signal::derive(move || i18n.t(if creating { Key::NewQueue } else { Key::EditQueue }).to_owned());
    view! {
        <Modal title=title on_close=on_close testid="queue-dialog">
            <form class="form" novalidate on:submit=submit data-testid="queue-form">
                <TextInput label=Key::Name value=name error=form.error("name") testid="queue-name" required=true/>
                <ColorField value=color error=form.error("color") testid="queue-color"/>
                <BotSelect value=bot testid="queue-default-bot"/>
                <FormActions form=form on_cancel=on_close banner_testid="queue-form-error" save_testid="queue-save"/>
            </form>
        </Modal>
    }
}
