//! The dialogs of the header's actions: "are you sure?" before resolving or returning to the
//! queue, and the transfer dialog.

use leptos::prelude::*;
use shared::ids::TicketId;
use shared::tickets::Ticket;

use super::actions::TicketActions;
use crate::api::tickets::Action;
use crate::components::confirm_dialog::ConfirmAction;
use crate::components::transfer_dialog::TransferDialog;
use crate::i18n::{Key, use_i18n};
use crate::state::settings::use_settings;
use crate::t;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialog {
    Resolve,
    Return,
    Transfer,
}

/// The dialog that is up, if any.
#[component]
pub fn ActionDialogs(id: TicketId, ticket: RwSignal<Option<Ticket>>, actions: TicketActions) -> impl IntoView {
    move || {
        actions.dialog.get().map(|which| match which {
            Dialog::Transfer => view! {
                <TransferDialog
                    id=id
                    current=ticket.get_untracked()
                    on_done=move |updated| actions.transferred(updated)
                    on_close=move || actions.dialog.set(None)
                />
            }
            .into_any(),
            Dialog::Resolve => view! { <ResolveConfirm actions=actions/> }.into_any(),
            Dialog::Return => view! {
                <Confirm actions=actions question=Key::ConfirmReturn label=Key::ReturnToQueue action=Action::ReturnToQueue/>
            }
            .into_any(),
        })
    }
}

/// "Are you sure?", titled and confirmed with the action's own name.
#[component]
fn Confirm(actions: TicketActions, question: Key, label: Key, action: Action) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ConfirmAction
            title=Signal::derive(move || i18n.t(label).to_owned())
            question=Signal::derive(move || i18n.t(question).to_owned())
            confirm_label=Signal::derive(move || i18n.t(label).to_owned())
            busy=actions.busy
            error=Signal::derive(move || actions.error.get().map(|e| e.user_message(i18n.locale())))
            on_confirm=move |()| actions.run(action)
            on_cancel=move || actions.dialog.set(None)
        />
    }
}

/// "Are you sure?" before resolving, with the satisfaction survey as an option when ratings are on
/// (and a word that it goes anyway when the settings send it on every resolution).
#[component]
fn ResolveConfirm(actions: TicketActions) -> impl IntoView {
    let i18n = use_i18n();
    let settings = use_settings();
    let send_rating = RwSignal::new(false);
    let ratings = move || settings.general().ratings;
    view! {
        <ConfirmAction
            title=Signal::derive(move || i18n.t(Key::Resolve).to_owned())
            question=Signal::derive(move || i18n.t(Key::ConfirmResolve).to_owned())
            confirm_label=Signal::derive(move || i18n.t(Key::Resolve).to_owned())
            busy=actions.busy
            error=Signal::derive(move || actions.error.get().map(|e| e.user_message(i18n.locale())))
            on_confirm=move |()| actions.run(Action::Resolve { send_rating: send_rating.get_untracked() })
            on_cancel=move || actions.dialog.set(None)
        >
            {move || {
                let ratings = ratings();
                if !ratings.enabled {
                    None
                } else if ratings.on_resolve {
                    Some(view! { <p class="muted" data-testid="resolve-rating-auto">{t!(i18n, RatingSentOnResolve)}</p> }.into_any())
                } else {
                    Some(view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                data-testid="resolve-send-rating"
                                prop:checked=move || send_rating.get()
                                on:change=move |event| send_rating.set(event_target_checked(&event))
                            />
                            <span>{t!(i18n, SendRatingOnResolve)}</span>
                        </label>
                    }.into_any())
                }
            }}
        </ConfirmAction>
    }
}
