//! What can be done to a ticket in its state (accept, return to the queue, transfer, resolve,
//! reopen), and what follows each: the list and the tabs catch up, a toast, sometimes back to the
//! list.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::auth::Role;
use shared::ids::TicketId;
use shared::tickets::{Ticket, TicketStatus};

use super::dialogs::Dialog;
use crate::api::tickets::Action;
use crate::api::{self, ApiError};
use crate::components::icons;
use crate::components::toast::{Toasts, use_toasts};
use crate::i18n::{Key, use_i18n};
use crate::pages::tickets::{TicketsUi, use_tickets_ui};
use crate::state::session::{Session, use_session};
use crate::state::tickets::viewer_of;

/// Which buttons a ticket offers is the server's own rule (`shared::lifecycle`), so the header and
/// the API cannot disagree.
pub use shared::lifecycle::{TicketAction, actions_for};

/// How a life-cycle action looks as a header button.
pub trait ButtonLook {
    /// `action-{name}` is the button's test id.
    fn name(self) -> &'static str;
    fn label(self) -> Key;
    fn class(self) -> &'static str;
    fn icon(self) -> AnyView;
}

impl ButtonLook for TicketAction {
    fn name(self) -> &'static str {
        match self {
            TicketAction::Accept => "accept",
            TicketAction::Reopen => "reopen",
            TicketAction::ReturnToQueue => "return",
            TicketAction::Transfer => "transfer",
            TicketAction::Resolve => "resolve",
        }
    }

    fn label(self) -> Key {
        match self {
            TicketAction::Accept => Key::Accept,
            TicketAction::Reopen => Key::Reopen,
            TicketAction::ReturnToQueue => Key::ReturnToQueue,
            TicketAction::Transfer => Key::Transfer,
            TicketAction::Resolve => Key::Resolve,
        }
    }

    fn class(self) -> &'static str {
        match self {
            TicketAction::Accept | TicketAction::Reopen => "btn btn-primary btn-small",
            TicketAction::ReturnToQueue | TicketAction::Transfer => "btn btn-small",
            TicketAction::Resolve => "btn btn-small btn-success",
        }
    }

    fn icon(self) -> AnyView {
        match self {
            TicketAction::Accept => icons::check().into_any(),
            TicketAction::Reopen => icons::reopen().into_any(),
            TicketAction::ReturnToQueue => icons::undo().into_any(),
            TicketAction::Transfer => icons::transfer().into_any(),
            TicketAction::Resolve => icons::check_circle().into_any(),
        }
    }
}

/// The actions on the open ticket: which dialog is up, whether a call is running, its error.
#[derive(Clone, Copy)]
pub struct TicketActions {
    id: TicketId,
    ticket: RwSignal<Option<Ticket>>,
    pub dialog: RwSignal<Option<Dialog>>,
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    ui: TicketsUi,
    session: Session,
    toasts: Toasts,
    back_to_list: StoredValue<Box<dyn Fn()>, LocalStorage>,
}

impl TicketActions {
    pub fn new(id: TicketId, ticket: RwSignal<Option<Ticket>>) -> Self {
        let navigate = use_navigate();
        let back_to_list: Box<dyn Fn()> = Box::new(move || navigate("/tickets", NavigateOptions::default()));
        Self {
            id,
            ticket,
            dialog: RwSignal::new(None),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            ui: use_tickets_ui(),
            session: use_session(),
            toasts: use_toasts(),
            back_to_list: StoredValue::new_local(back_to_list),
        }
    }

    fn back_to_list(&self) {
        self.back_to_list.try_with_value(|back| back());
    }

    /// A header button was pressed: act at once, or ask first.
    pub fn choose(&self, action: TicketAction) {
        self.error.set(None);
        match action {
            TicketAction::Accept => self.run(Action::Accept),
            TicketAction::Reopen => self.run(Action::Reopen),
            TicketAction::ReturnToQueue => self.dialog.set(Some(Dialog::Return)),
            TicketAction::Transfer => self.dialog.set(Some(Dialog::Transfer)),
            TicketAction::Resolve => self.dialog.set(Some(Dialog::Resolve)),
        }
    }

    /// Shows a changed ticket here and in the list.
    pub fn apply(&self, updated: Ticket) {
        if let Some(me) = self.session.me_untracked() {
            self.ui.store.apply(updated.clone(), &viewer_of(&me));
        }
        self.ticket.set(Some(updated));
    }

    pub fn run(&self, action: Action) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        let (this, id) = (*self, self.id);
        spawn_local(async move {
            let result = api::tickets::act(id, action).await;
            this.busy.try_set(false);
            match result {
                Ok(updated) => {
                    this.dialog.try_set(None);
                    let status = updated.status;
                    this.apply(updated);
                    this.done(action, status);
                }
                Err(err) => {
                    if matches!(&err, ApiError::Api { status: 409, .. }) {
                        // Someone else changed it meanwhile: show its real state.
                        if let Ok(detail) = api::tickets::get(id).await {
                            this.ticket.try_set(Some(detail.ticket));
                        }
                    }
                    this.error.try_set(Some(err));
                }
            }
        });
    }

    /// What follows a successful action.
    fn done(&self, action: Action, status: TicketStatus) {
        match action {
            Action::Accept | Action::Reopen => {
                // Now it is ours: what is on screen has been read. Then follow the ticket to the
                // tab it moved to.
                let id = self.id;
                spawn_local(async move {
                    let _ = api::tickets::messages(id, None, 1).await;
                });
                self.ui.set_tab(status);
                self.toasts.push(if action == Action::Accept { Key::TicketAccepted } else { Key::TicketReopened });
            }
            Action::Resolve { .. } => self.toasts.push(Key::TicketResolved),
            Action::ReturnToQueue => {
                self.toasts.push(Key::TicketReturned);
                self.back_to_list();
            }
        }
    }

    /// The transfer dialog moved the ticket: an agent who no longer has it goes back to the list.
    pub fn transferred(&self, updated: Ticket) {
        self.dialog.set(None);
        self.toasts.push(Key::TicketTransferred);
        let still_mine = self
            .session
            .me_untracked()
            .is_some_and(|me| me.role != Role::Agent || updated.user.as_ref().is_some_and(|u| u.id == me.id));
        self.apply(updated);
        if !still_mine {
            self.back_to_list();
        }
    }
}

#[component]
pub fn ActionButton(actions: TicketActions, action: TicketAction) -> impl IntoView {
    let i18n = use_i18n();
    let label = action.label();
    view! {
        <button
            type="button"
            class=action.class()
            data-testid=format!("action-{}", action.name())
            disabled=move || actions.busy.get()
            title=move || i18n.t(label)
            on:click=move |_| actions.choose(action)
        >
            {action.icon()}
            <span class="btn-label">{move || i18n.t(label)}</span>
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_offers_its_actions() {
        let names = |status| actions_for(status).iter().map(|a| a.name()).collect::<Vec<_>>();
        assert_eq!(names(TicketStatus::Pending), ["accept", "transfer", "resolve"]);
        assert_eq!(names(TicketStatus::Open), ["return", "transfer", "resolve"]);
        assert_eq!(names(TicketStatus::Closed), ["reopen"]);
    }
}
