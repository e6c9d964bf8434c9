//! /admin/queues: list (paged), create, edit (name and colour), delete.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::org::Queue;

use super::AdminOnly;
use crate::api::{self, ApiError};
use crate::components::confirm_dialog::ConfirmDelete;
use crate::components::icons;
use crate::components::queue_form::{PALETTE, QueueForm};
use crate::components::toast::use_toasts;
use crate::i18n::{self, Key, use_i18n};
use crate::state::paged::Paged;
use crate::state::session::use_session;
use crate::t;

#[component]
pub fn AdminQueuesPage() -> impl IntoView {
    let session = use_session();
    let admin = Memo::new(move |_| session.is_admin());
    move || if admin.get() { view! { <QueuesAdmin/> }.into_any() } else { view! { <AdminOnly/> }.into_any() }
}

async fn fetch(cursor: Option<String>) -> Result<shared::Page<Queue>, ApiError> {
    api::queues::list(cursor.as_deref()).await
}

#[component]
fn QueuesAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let queues = Paged::<Queue>::new();
    // Some(None): creating; Some(Some(queue)): editing.
    let editing = RwSignal::new(None::<Option<Queue>>);
    let deleting = RwSignal::new(None::<Queue>);
    let delete_busy = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<ApiError>);

    queues.load(fetch, false);

    let on_saved = move |(queue, created): (Queue, bool)| {
        editing.set(None);
        if created {
            toasts.push(Key::QueueCreated);
            queues.load(fetch, false);
        } else {
            toasts.push(Key::QueueUpdated);
            queues.items.update(|items| {
                if let Some(slot) = items.iter_mut().find(|other| other.id == queue.id) {
                    *slot = queue;
                }
            });
        }
    };

    let confirm_delete = move |()| {
        let Some(queue) = deleting.get_untracked() else { return };
        delete_busy.set(true);
        delete_error.set(None);
        spawn_local(async move {
            match api::queues::delete(queue.id).await {
                Ok(()) => {
                    queues.items.update(|items| items.retain(|other| other.id != queue.id));
                    deleting.set(None);
                    toasts.push(Key::QueueDeleted);
                }
                Err(err) => delete_error.set(Some(err)),
            }
            delete_busy.set(false);
        });
    };

    let row = move |queue: Queue| {
        let (for_edit, for_delete) = (queue.clone(), queue.clone());
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
                <td class="actions">
                    <button
                        type="button"
                        class="btn btn-small"
                        data-testid="queue-edit"
                        on:click=move |_| editing.set(Some(Some(for_edit.clone())))
                    >
                        {t!(i18n, Edit)}
                    </button>
                    <button
                        type="button"
                        class="btn btn-small btn-danger-ghost"
                        data-testid="queue-delete"
                        on:click=move |_| {
                            delete_error.set(None);
                            deleting.set(Some(for_delete.clone()));
                        }
                    >
                        {t!(i18n, Delete)}
                    </button>
                </td>
            </tr>
        }
    };

    view! {
        <section class="page" data-testid="queues-page">
            <header class="page-header">
                <div>
                    <h1>{t!(i18n, Queues)}</h1>
                    <p class="muted">{t!(i18n, Administration)}</p>
                </div>
                <button type="button" class="btn btn-primary" data-testid="queue-new" on:click=move |_| editing.set(Some(None))>
                    {icons::plus()}
                    <span>{t!(i18n, NewQueue)}</span>
                </button>
            </header>
            {move || {
                queues.error.get().map(|err| {
                    view! {
                        <div class="alert alert-error" role="alert">
                            {move || err.user_message(i18n.locale())}
                        </div>
                    }
                })
            }}
            <div class="table-card">
                <table class="table" data-testid="queues-table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, Name)}</th>
                            <th scope="col">{t!(i18n, Color)}</th>
                            <th scope="col" class="actions">
                                <span class="sr-only">{t!(i18n, Actions)}</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>{move || queues.items.get().into_iter().map(row).collect_view()}</tbody>
                </table>
                <Show when=move || queues.is_empty()>
                    <p class="empty">{t!(i18n, NoQueues)}</p>
                </Show>
            </div>
            <div class="list-footer">
                <Show when=move || queues.next.with(Option::is_some)>
                    <button
                        type="button"
                        class="btn"
                        data-testid="queues-load-more"
                        disabled=move || queues.loading.get()
                        on:click=move |_| queues.load(fetch, true)
                    >
                        {t!(i18n, LoadMore)}
                    </button>
                </Show>
                <Show when=move || queues.loading.get()>
                    <span class="muted" role="status">{t!(i18n, Loading)}</span>
                </Show>
            </div>
            {move || {
                editing.get().map(|queue| {
                    let default_color = PALETTE[queues.items.with_untracked(Vec::len) % PALETTE.len()];
                    view! {
                        <QueueForm
                            queue=queue
                            default_color=default_color
                            on_saved=on_saved
                            on_close=move || editing.set(None)
                        />
                    }
                })
            }}
            {move || {
                deleting.get().map(|queue| {
                    let name = queue.name.clone();
                    view! {
                        <ConfirmDelete
                            question=Signal::derive(move || i18n::confirm_delete_queue(i18n.locale(), &name))
                            busy=delete_busy
                            error=Signal::derive(move || delete_error.get().map(|err| err.user_message(i18n.locale())))
                            on_confirm=confirm_delete
                            on_cancel=move || deleting.set(None)
                        />
                    }
                })
            }}
        </section>
    }
}
