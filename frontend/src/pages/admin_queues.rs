//! /admin/queues: list (paged), create, edit (name and colour), delete.

use leptos::prelude::*;
use shared::org::Queue;

use super::AdminGate;
use crate::api::queues::QUEUES;
use crate::components::kit::{CrudPage, RowActions};
use crate::components::queue_form::{PALETTE, QueueForm};
use crate::i18n::{self, Key, use_i18n};
use crate::state::crud::{CrudState, Notices};
use crate::t;

const NOTICES: Notices = Notices { created: Key::QueueCreated, updated: Key::QueueUpdated, deleted: Key::QueueDeleted };

#[component]
pub fn AdminQueuesPage() -> impl IntoView {
    view! { <AdminGate><QueuesAdmin/></AdminGate> }
}

#[component]
fn QueuesAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let crud = CrudState::of(QUEUES, NOTICES);
    crud.list.reload();

    let row = move |queue: Queue| {
        view! {
            <tr data-testid="queue-row" data-queue-id=queue.id.to_string()>
                <td data-label=t!(i18n, Name)>
                    <span class="queue-name">
                        <span class="dot dot-large" style:background-color=queue.color.clone()></span>
                        <span class="cell-strong" data-testid="queue-row-name">{queue.name.clone()}</span>
                    </span>
                </td>
                <td data-label=t!(i18n, Color)>
                    <code data-testid="queue-row-color">{queue.color.clone()}</code>
                </td>
                <RowActions crud=crud row=queue.clone() singular="queue"/>
            </tr>
        }
        .into_any()
    };

    let form = move |queue: Option<Queue>| {
        let default_color = PALETTE[crud.list.items.with_untracked(Vec::len) % PALETTE.len()];
        view! {
            <QueueForm
                queue=queue
                default_color=default_color
                on_saved=move |saved| crud.saved(saved)
                on_close=move || crud.close_form()
            />
        }
        .into_any()
    };

    view! {
        <CrudPage crud=crud plural="queues" singular="queue" title=Key::Queues subtitle=Key::Administration new_label=Key::NewQueue
            columns=&[Key::Name, Key::Color] row=row form=form
            empty=Key::NoQueues
            question=|locale, queue: &Queue| i18n::confirm_delete_queue(locale, &queue.name)
        />
    }
}
