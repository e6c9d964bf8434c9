//! /admin/users: list (paged), create, edit, delete.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::org::{Queue, User};

use super::AdminGate;
use crate::api::queues::QUEUES;
use crate::api::users::USERS;
use crate::components::kit::{CrudPage, RowActions};
use crate::components::user_form::UserForm;
use crate::i18n::{self, Key, role_key, use_i18n};
use crate::state::crud::{CrudState, Notices};
use crate::state::session::use_session;
use crate::t;

const NOTICES: Notices = Notices { created: Key::UserCreated, updated: Key::UserUpdated, deleted: Key::UserDeleted };

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    view! { <AdminGate><UsersAdmin/></AdminGate> }
}

/// A user's queues as chips.
#[component]
fn QueueChips(user: User, queues: RwSignal<Vec<Queue>>) -> impl IntoView {
    let ids = user.queue_ids;
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
}

#[component]
fn UsersAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let crud = CrudState::of(USERS, NOTICES);
    let queues = RwSignal::new(Vec::<Queue>::new());
    crud.list.reload();
    spawn_local(async move {
        if let Ok(all) = QUEUES.list_all().await {
            queues.try_set(all);
        }
    });
    let is_me = move |user: &User| session.me_untracked().is_some_and(|me| me.id == user.id);

    let on_saved = move |(user, created): (User, bool)| {
        if !created && is_me(&user) {
            session.reload_me();
        }
        crud.saved((user, created));
    };

    let row = move |user: User| {
        let me = is_me(&user);
        let role = user.role;
        view! {
            <tr data-testid="user-row" data-user-id=user.id.to_string()>
                <td data-label=t!(i18n, Name)>
                    <span class="name-cell">
                        <span class="cell-strong" data-testid="user-row-name">{user.name.clone()}</span>
                        {me.then(|| view! { <span class="badge">{t!(i18n, You)}</span> })}
                    </span>
                </td>
                <td data-label=t!(i18n, Email) data-testid="user-row-email">{user.email.clone()}</td>
                <td data-label=t!(i18n, Role)>
                    <span class=format!("role role-{}", role.as_str())>{move || i18n.t(role_key(role))}</span>
                </td>
                <td data-label=t!(i18n, Queues)>
                    <span class="chips"><QueueChips user=user.clone() queues=queues/></span>
                </td>
                <RowActions crud=crud row=user.clone() singular="user" delete_disabled=me/>
            </tr>
        }
        .into_any()
    };

    let form = move |user: Option<User>| {
        view! { <UserForm user=user queues=queues on_saved=on_saved on_close=move || crud.close_form()/> }.into_any()
    };

    view! {
        <CrudPage crud=crud plural="users" singular="user" title=Key::Users subtitle=Key::Administration new_label=Key::NewUser
            columns=&[Key::Name, Key::Email, Key::Role, Key::Queues] row=row form=form
            empty=Key::NoUsers
            question=|locale, user: &User| i18n::confirm_delete_user(locale, &user.name)
        />
    }
}
