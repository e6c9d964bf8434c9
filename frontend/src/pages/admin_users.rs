//! /admin/users: list (paged), create, edit, delete.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::org::{Queue, User};

use super::AdminOnly;
use crate::api::{self, ApiError};
use crate::components::confirm_dialog::ConfirmDelete;
use crate::components::icons;
use crate::components::toast::use_toasts;
use crate::components::user_form::UserForm;
use crate::i18n::{self, Key, role_key, use_i18n};
use crate::state::paged::Paged;
use crate::state::session::use_session;
use crate::t;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let session = use_session();
    let admin = Memo::new(move |_| session.is_admin());
    move || if admin.get() { view! { <UsersAdmin/> }.into_any() } else { view! { <AdminOnly/> }.into_any() }
}

async fn fetch(cursor: Option<String>) -> Result<shared::Page<User>, ApiError> {
    api::users::list(cursor.as_deref()).await
}

#[component]
fn UsersAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let toasts = use_toasts();
    let users = Paged::<User>::new();
    let queues = RwSignal::new(Vec::<Queue>::new());
    // Some(None): creating; Some(Some(user)): editing.
    let editing = RwSignal::new(None::<Option<User>>);
    let deleting = RwSignal::new(None::<User>);
    let delete_busy = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<ApiError>);

    users.load(fetch, false);
    spawn_local(async move {
        if let Ok(all) = api::queues::list_all().await {
            queues.set(all);
        }
    });

    let on_saved = move |(user, created): (User, bool)| {
        editing.set(None);
        if created {
            toasts.push(Key::UserCreated);
            users.load(fetch, false);
        } else {
            toasts.push(Key::UserUpdated);
            if session.me_untracked().is_some_and(|me| me.id == user.id) {
                session.reload_me();
            }
            users.items.update(|items| {
                if let Some(slot) = items.iter_mut().find(|other| other.id == user.id) {
                    *slot = user;
                }
            });
        }
    };

    let confirm_delete = move |()| {
        let Some(user) = deleting.get_untracked() else { return };
        delete_busy.set(true);
        delete_error.set(None);
        spawn_local(async move {
            match api::users::delete(user.id).await {
                Ok(()) => {
                    users.items.update(|items| items.retain(|other| other.id != user.id));
                    deleting.set(None);
                    toasts.push(Key::UserDeleted);
                }
                Err(err) => delete_error.set(Some(err)),
            }
            delete_busy.set(false);
        });
    };

    let queue_chips = move |user: &User| {
        let ids = user.queue_ids.clone();
        move || {
            queues.with(|all| {
                all.iter()
                    .filter(|queue| ids.contains(&queue.id))
                    .map(|queue| {
                        view! {
                            <span class="chip">
                                <span class="dot" style:background-color=queue.color.clone()></span>
                                {queue.name.clone()}
                            </span>
                        }
                    })
                    .collect_view()
            })
        }
    };

    let row = move |user: User| {
        let is_me = session.me_untracked().is_some_and(|me| me.id == user.id);
        let role = user.role;
        let (for_edit, for_delete) = (user.clone(), user.clone());
        view! {
            <tr data-testid="user-row" data-user-id=user.id.to_string()>
                <td data-label=t!(i18n, Name)>
                    <span class="name-cell">
                        <span class="cell-strong" data-testid="user-row-name">{user.name.clone()}</span>
                        {is_me.then(|| view! { <span class="badge">{t!(i18n, You)}</span> })}
                    </span>
                </td>
                <td data-label=t!(i18n, Email) data-testid="user-row-email">{user.email.clone()}</td>
                <td data-label=t!(i18n, Role)>
                    <span class=format!("role role-{}", role.as_str())>{move || i18n.t(role_key(role))}</span>
                </td>
                <td data-label=t!(i18n, Queues)>
                    <span class="chips">{queue_chips(&user)}</span>
                </td>
                <td class="actions">
                    <button
                        type="button"
                        class="btn btn-small"
                        data-testid="user-edit"
                        on:click=move |_| editing.set(Some(Some(for_edit.clone())))
                    >
                        {t!(i18n, Edit)}
                    </button>
                    <button
                        type="button"
                        class="btn btn-small btn-danger-ghost"
                        data-testid="user-delete"
                        disabled=is_me
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
        <section class="page" data-testid="users-page">
            <header class="page-header">
                <div>
                    <h1>{t!(i18n, Users)}</h1>
                    <p class="muted">{t!(i18n, Administration)}</p>
                </div>
                <button type="button" class="btn btn-primary" data-testid="user-new" on:click=move |_| editing.set(Some(None))>
                    {icons::plus()}
                    <span>{t!(i18n, NewUser)}</span>
                </button>
            </header>
            {move || {
                users.error.get().map(|err| {
                    view! {
                        <div class="alert alert-error" role="alert">
                            {move || err.user_message(i18n.locale())}
                        </div>
                    }
                })
            }}
            <div class="table-card">
                <table class="table" data-testid="users-table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, Name)}</th>
                            <th scope="col">{t!(i18n, Email)}</th>
                            <th scope="col">{t!(i18n, Role)}</th>
                            <th scope="col">{t!(i18n, Queues)}</th>
                            <th scope="col" class="actions">
                                <span class="sr-only">{t!(i18n, Actions)}</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>{move || users.items.get().into_iter().map(row).collect_view()}</tbody>
                </table>
                <Show when=move || users.is_empty()>
                    <p class="empty">{t!(i18n, NoUsers)}</p>
                </Show>
            </div>
            <div class="list-footer">
                <Show when=move || users.next.with(Option::is_some)>
                    <button
                        type="button"
                        class="btn"
                        data-testid="users-load-more"
                        disabled=move || users.loading.get()
                        on:click=move |_| users.load(fetch, true)
                    >
                        {t!(i18n, LoadMore)}
                    </button>
                </Show>
                <Show when=move || users.loading.get()>
                    <span class="muted" role="status">{t!(i18n, Loading)}</span>
                </Show>
            </div>
            {move || {
                editing.get().map(|user| {
                    view! {
                        <UserForm user=user queues=queues on_saved=on_saved on_close=move || editing.set(None)/>
                    }
                })
            }}
            {move || {
                deleting.get().map(|user| {
                    let name = user.name.clone();
                    view! {
                        <ConfirmDelete
                            question=Signal::derive(move || i18n::confirm_delete_user(i18n.locale(), &name))
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
