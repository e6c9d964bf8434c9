//! Transferir: choose the queue and/or the user who continues the ticket. To a user it is theirs
//! (open); to a queue only, it waits there (pending).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::{QueueId, TicketId, UserId};
use shared::tickets::{Ticket, TransferTicket};

use super::modal::Modal;
use crate::api::{self, ApiError};
use crate::i18n::{Key, use_i18n};
use crate::pages::tickets::use_tickets_ui;
use crate::t;

#[component]
pub fn TransferDialog(
    id: TicketId,
    current: Option<Ticket>,
    #[prop(into)] on_done: Callback<Ticket>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let directory = use_tickets_ui().directory;
    let queue = RwSignal::new(None::<QueueId>);
    let user = RwSignal::new(None::<UserId>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let current_user = current.as_ref().and_then(|t| t.user.as_ref().map(|u| u.id));
    let current_queue = current.as_ref().and_then(|t| t.queue.as_ref().map(|q| q.id));

    // With a queue chosen, its members are offered (everyone else stays reachable below them).
    let users = Memo::new(move |_| {
        let chosen = queue.get();
        let mut users: Vec<_> = directory.users.get().into_iter().filter(|u| Some(u.id) != current_user).collect();
        users.sort_by_key(|u| (chosen.is_some_and(|q| !u.queue_ids.contains(&q)), u.name.to_lowercase()));
        users
    });

    let submit = move |_| {
        let target = TransferTicket { queue_id: queue.get_untracked(), user_id: user.get_untracked() };
        if target.queue_id.is_none() && target.user_id.is_none() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::tickets::transfer(id, &target).await {
                Ok(ticket) => {
                    on_done.try_run(ticket);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
            busy.try_set(false);
        });
    };

    view! {
        <Modal title=Signal::derive(move || i18n.t(Key::TransferTicket).to_owned()) on_close=on_close testid="transfer-dialog">
            <div class="form">
                <label class="field">
                    <span>{t!(i18n, Queue)}</span>
                    <select
                        data-testid="transfer-queue"
                        on:change=move |e| queue.set(event_target_value(&e).parse().ok().map(QueueId))
                    >
                        <option value="">{t!(i18n, KeepQueue)}</option>
                        {move || directory.queues.get().into_iter().map(|q| {
                            let label = if Some(q.id) == current_queue { format!("{} ✓", q.name) } else { q.name.clone() };
                            view! { <option value=q.id.to_string()>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{t!(i18n, User)}</span>
                    <select
                        data-testid="transfer-user"
                        on:change=move |e| user.set(event_target_value(&e).parse().ok().map(UserId))
                    >
                        <option value="">{t!(i18n, AnyoneInQueue)}</option>
                        {move || users.get().into_iter().map(|u| view! {
                            <option value=u.id.to_string() data-testid="transfer-user-option">{u.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <p class="field-hint">{t!(i18n, TransferHint)}</p>
                {move || error.get().map(|err| view! {
                    <div class="alert alert-error" role="alert" data-testid="transfer-error">{move || err.user_message(i18n.locale())}</div>
                })}
                <div class="form-actions">
                    <button type="button" class="btn" on:click=move |_| on_close.run(())>{t!(i18n, Cancel)}</button>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="transfer-confirm"
                        disabled=move || busy.get() || (queue.get().is_none() && user.get().is_none())
                        on:click=submit
                    >
                        {t!(i18n, Transfer)}
                    </button>
                </div>
            </div>
        </Modal>
    }
}
