//! Screen 2, a selected ticket: the header (photo, name, assignee, ticket number), the actions
//! valid for its state, the message history and the composer, kept live by the event stream.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::ids::{MessageId, TicketId};
use shared::tickets::{Message, Ticket, TicketLog, TicketLogKind, TicketStatus};

use super::avatar::Avatar;
use super::composer::Composer;
use super::confirm_dialog::ConfirmAction;
use super::icons;
use super::message_thread::{MessageStore, MessageThread, ThreadScroll};
use super::toast::use_toasts;
use super::transfer_dialog::TransferDialog;
use crate::api::tickets::Action;
use crate::api::{self, ApiError};
use crate::i18n::{self, Key, use_i18n};
use crate::pages::tickets::use_tickets_ui;
use crate::state::realtime::{self, LiveEvent};
use crate::state::session::use_session;
use crate::t;
use crate::time;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialog {
    Resolve,
    Return,
    Transfer,
}

/// The actions a ticket in this state offers.
pub fn actions_for(status: TicketStatus) -> &'static [&'static str] {
    match status {
        TicketStatus::Pending => &["accept", "transfer", "resolve"],
        TicketStatus::Open => &["return", "transfer", "resolve"],
        TicketStatus::Closed => &["reopen"],
    }
}

#[component]
pub fn Conversation(id: TicketId) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let toasts = use_toasts();
    let ui = use_tickets_ui();
    let navigate = use_navigate();

    let ticket = RwSignal::new(None::<Ticket>);
    let load_error = RwSignal::new(None::<ApiError>);
    let store = MessageStore::new(id);
    let scroll = ThreadScroll { el: NodeRef::new(), stick: StoredValue::new(true) };
    let unseen = RwSignal::new(0u32);
    let reply_to = RwSignal::new(None::<MessageId>);
    let dialog = RwSignal::new(None::<Dialog>);
    let busy = RwSignal::new(false);
    let action_error = RwSignal::new(None::<ApiError>);
    let show_info = RwSignal::new(false);

    let viewer = move || session.me_untracked().map(|me| crate::state::tickets::viewer_of(&me));
    let mine = move || {
        let me = session.me().map(|me| me.id);
        ticket.with(|t| t.as_ref().and_then(|t| t.user.as_ref().map(|u| u.id)) == me && me.is_some())
    };

    // The ticket (its opening is logged by the server), then the newest page of messages.
    spawn_local(async move {
        match api::tickets::get(id).await {
            Ok(detail) => {
                ticket.try_set(Some(detail.ticket));
            }
            Err(err) => {
                load_error.try_set(Some(err));
                return;
            }
        }
        match store.load_newest().await {
            Ok(()) => scroll.scroll_to_bottom(),
            Err(err) => {
                store.error.try_set(Some(err));
            }
        }
    });

    // Reading while assigned marks the ticket read: do it again when the contact writes.
    let mark_read = StoredValue::new(None::<TimeoutHandle>);
    let schedule_mark_read = move || {
        if let Some(handle) = mark_read.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
                if visible {
                    spawn_local(async move {
                        let _ = api::tickets::messages(id, None, 1).await;
                    });
                }
            },
            Duration::from_millis(300),
        );
        mark_read.set_value(handle.ok());
    };

    realtime::subscribe(move |event| match event {
        LiveEvent::TicketUpdated(updated) | LiveEvent::TicketCreated(updated) if updated.id == id => {
            ticket.try_set(Some(updated.clone()));
        }
        LiveEvent::MessageCreated(message) if message.ticket_id == id => {
            let was_near = scroll.near_bottom();
            if store.insert(vec![message.clone()]) {
                if was_near || scroll.stick.get_value() {
                    scroll.scroll_to_bottom();
                } else {
                    unseen.update(|n| *n += 1);
                }
                if !message.from_me && mine() {
                    schedule_mark_read();
                }
            }
        }
        LiveEvent::MessageUpdated(update) if update.ticket_id == id => store.update_status(update),
        LiveEvent::Resync => {
            spawn_local(async move {
                if let Ok(detail) = api::tickets::get(id).await {
                    ticket.try_set(Some(detail.ticket));
                }
                let _ = store.load_newest().await;
            });
        }
        _ => {}
    });

    let apply_result = move |updated: Ticket| {
        if let Some(viewer) = viewer() {
            ui.store.apply(updated.clone(), &viewer);
        }
        ticket.set(Some(updated));
    };

    let run = {
        let navigate = navigate.clone();
        move |action: Action| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            action_error.set(None);
            let navigate = navigate.clone();
            spawn_local(async move {
                let result = api::tickets::act(id, action).await;
                busy.try_set(false);
                match result {
                    Ok(updated) => {
                        dialog.try_set(None);
                        let status = updated.status;
                        apply_result(updated);
                        match action {
                            Action::Accept | Action::Reopen => {
                                // Now it is ours: what is on screen has been read. Then follow
                                // the ticket to the tab it moved to.
                                spawn_local(async move {
                                    let _ = api::tickets::messages(id, None, 1).await;
                                });
                                ui.set_tab(status);
                                toasts.push(if action == Action::Accept {
                                    Key::TicketAccepted
                                } else {
                                    Key::TicketReopened
                                });
                            }
                            Action::Resolve => toasts.push(Key::TicketResolved),
                            Action::ReturnToQueue => {
                                toasts.push(Key::TicketReturned);
                                navigate("/tickets", NavigateOptions::default());
                            }
                        }
                    }
                    Err(err) => {
                        if matches!(&err, ApiError::Api { status: 409, .. }) {
                            // Someone else changed it meanwhile: show its real state.
                            if let Ok(detail) = api::tickets::get(id).await {
                                ticket.try_set(Some(detail.ticket));
                            }
                        }
                        action_error.try_set(Some(err));
                    }
                }
            });
        }
    };

    let on_transferred = {
        let navigate = navigate.clone();
        move |updated: Ticket| {
            dialog.set(None);
            toasts.push(Key::TicketTransferred);
            let still_mine = session.me_untracked().is_some_and(|me| {
                me.role != shared::auth::Role::Agent || updated.user.as_ref().is_some_and(|u| u.id == me.id)
            });
            apply_result(updated);
            if !still_mine {
                navigate("/tickets", NavigateOptions::default());
            }
        }
    };

    let on_sent = move |message: Message| {
        store.insert(vec![message.clone()]);
        if let Some(viewer) = viewer() {
            ui.store.touch(&message, &viewer);
        }
        unseen.set(0);
        scroll.scroll_to_bottom();
    };

    let back = {
        let navigate = navigate.clone();
        move |_| navigate("/tickets", NavigateOptions::default())
    };

    let action_button = {
        let run = run.clone();
        move |name: &'static str| {
            let run = run.clone();
            let (label, class, icon) = match name {
                "accept" => (Key::Accept, "btn btn-primary btn-small", icons::check().into_any()),
                "reopen" => (Key::Reopen, "btn btn-primary btn-small", icons::reopen().into_any()),
                "return" => (Key::ReturnToQueue, "btn btn-small", icons::undo().into_any()),
                "transfer" => (Key::Transfer, "btn btn-small", icons::transfer().into_any()),
                _ => (Key::Resolve, "btn btn-small btn-success", icons::check_circle().into_any()),
            };
            view! {
                <button
                    type="button"
                    class=class
                    data-testid=format!("action-{name}")
                    disabled=move || busy.get()
                    title=move || i18n.t(label)
                    on:click=move |_| {
                        action_error.set(None);
                        match name {
                            "accept" => run(Action::Accept),
                            "reopen" => run(Action::Reopen),
                            "return" => dialog.set(Some(Dialog::Return)),
                            "transfer" => dialog.set(Some(Dialog::Transfer)),
                            _ => dialog.set(Some(Dialog::Resolve)),
                        }
                    }
                >
                    {icon}
                    <span class="btn-label">{move || i18n.t(label)}</span>
                </button>
            }
        }
    };

    let header = move || {
        ticket.get().map(|t| {
            let name = t.contact.name.clone();
            let photo = t.contact.photo_url.clone();
            let assignee = match (&t.user, &t.queue, t.status) {
                (Some(user), _, _) => i18n::assigned_to(i18n.locale(), &user.name),
                (None, Some(queue), _) => i18n::waiting_in(i18n.locale(), &queue.name),
                (None, None, TicketStatus::Closed) => i18n.t(Key::NotAssigned).to_owned(),
                (None, None, _) => i18n.t(Key::WaitingNoQueue).to_owned(),
            };
            let status = t.status;
            let buttons = actions_for(status).iter().map(|name| action_button(name)).collect_view();
            view! {
                <header class="conv-header" data-testid="conversation-header">
                    <button type="button" class="icon-button back-button" aria-label=t!(i18n, Back) data-testid="conversation-back" on:click=back.clone()>
                        {icons::arrow_left()}
                    </button>
                    <Avatar name=name.clone() photo=photo large=true/>
                    <div class="conv-title">
                        <h2 data-testid="conversation-name">{name}</h2>
                        <p class="conv-sub">
                            <span class="ticket-number" data-testid="conversation-number">{format!("#{}", t.number)}</span>
                            <span class=format!("status-pill status-{}", status.as_str()) data-testid="conversation-status">
                                {move || i18n.t(super::ticket_list::tab_key(status))}
                            </span>
                            <span data-testid="conversation-assignee">{assignee}</span>
                            <span class="muted">{t.contact.number.clone()}</span>
                        </p>
                    </div>
                    <div class="conv-actions" role="toolbar" aria-label=t!(i18n, Actions)>
                        {buttons}
                        <button
                            type="button"
                            class="icon-button"
                            aria-pressed=move || show_info.get().to_string()
                            aria-label=t!(i18n, TicketInfo)
                            title=t!(i18n, TicketInfo)
                            data-testid="action-info"
                            on:click=move |_| show_info.update(|s| *s = !*s)
                        >
                            {icons::info()}
                        </button>
                    </div>
                </header>
            }
        })
    };

    let run_confirm = run.clone();
    view! {
        <div class="conversation" data-testid="conversation" data-ticket-id=id.to_string()>
            {move || load_error.get().map(|err| view! {
                <div class="conversation-empty">
                    <div class="alert alert-error" role="alert" data-testid="conversation-error">{move || err.user_message(i18n.locale())}</div>
                    <a class="btn" href="/tickets">{t!(i18n, BackToList)}</a>
                </div>
            })}
            {header}
            {move || action_error.get().filter(|_| dialog.get().is_none()).map(|err| view! {
                <div class="alert alert-error conv-alert" role="alert" data-testid="action-error">{move || err.user_message(i18n.locale())}</div>
            })}
            <div class="conv-body">
                <div class="conv-main">
                    <Show when=move || ticket.with(Option::is_some)>
                        <MessageThread store=store scroll=scroll unseen=unseen on_reply=move |id| reply_to.set(Some(id))/>
                        <Composer id=id ticket=ticket store=store reply_to=reply_to on_sent=on_sent/>
                    </Show>
                </div>
                <Show when=move || show_info.get()>
                    <TicketInfo id=id ticket=ticket on_close=move || show_info.set(false)/>
                </Show>
            </div>
            {move || dialog.get().map(|which| {
                let run = run_confirm.clone();
                match which {
                    Dialog::Transfer => view! {
                        <TransferDialog
                            id=id
                            current=ticket.get_untracked()
                            on_done=on_transferred.clone()
                            on_close=move || dialog.set(None)
                        />
                    }
                    .into_any(),
                    Dialog::Resolve | Dialog::Return => {
                        let (title, question, label, action) = if which == Dialog::Resolve {
                            (Key::Resolve, Key::ConfirmResolve, Key::Resolve, Action::Resolve)
                        } else {
                            (Key::ReturnToQueue, Key::ConfirmReturn, Key::ReturnToQueue, Action::ReturnToQueue)
                        };
                        view! {
                            <ConfirmAction
                                title=Signal::derive(move || i18n.t(title).to_owned())
                                question=Signal::derive(move || i18n.t(question).to_owned())
                                confirm_label=Signal::derive(move || i18n.t(label).to_owned())
                                busy=busy
                                error=Signal::derive(move || action_error.get().map(|e| e.user_message(i18n.locale())))
                                on_confirm=move |()| run(action)
                                on_cancel=move || dialog.set(None)
                            />
                        }
                        .into_any()
                    }
                }
            })}
        </div>
    }
}

fn log_key(kind: TicketLogKind) -> Key {
    match kind {
        TicketLogKind::Access => Key::LogAccess,
        TicketLogKind::Created => Key::LogCreated,
        TicketLogKind::Accepted => Key::LogAccepted,
        TicketLogKind::Transferred => Key::LogTransferred,
        TicketLogKind::Returned => Key::LogReturned,
        TicketLogKind::Resolved => Key::LogResolved,
        TicketLogKind::Reopened => Key::LogReopened,
        TicketLogKind::Tagged => Key::LogTagged,
        TicketLogKind::Untagged => Key::LogUntagged,
        TicketLogKind::NoteAdded => Key::LogNoteAdded,
        TicketLogKind::WalletSet => Key::LogWalletSet,
        TicketLogKind::ProtocolGenerated => Key::LogProtocolGenerated,
        TicketLogKind::RatingRequested => Key::LogRatingRequested,
        TicketLogKind::RatingReceived => Key::LogRatingReceived,
        TicketLogKind::BotSwitched => Key::LogBotSwitched,
        TicketLogKind::KanbanMoved => Key::LogKanbanMoved,
    }
}

/// The side panel: the contact's details and the ticket's logs (who opened it and did what).
#[component]
fn TicketInfo(id: TicketId, ticket: RwSignal<Option<Ticket>>, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let logs = RwSignal::new(None::<Result<Vec<TicketLog>, ApiError>>);
    spawn_local(async move {
        let result = api::tickets::logs(id).await;
        logs.try_set(Some(result));
    });
    view! {
        <aside class="ticket-info" aria-label=t!(i18n, TicketInfo) data-testid="ticket-info">
            <header class="info-header">
                <h3>{t!(i18n, TicketInfo)}</h3>
                <button type="button" class="icon-button" aria-label=t!(i18n, Close) on:click=move |_| on_close.run(())>{icons::close()}</button>
            </header>
            {move || ticket.get().map(|t| view! {
                <div class="info-contact">
                    <Avatar name=t.contact.name.clone() photo=t.contact.photo_url.clone() large=true/>
                    <strong>{t.contact.name.clone()}</strong>
                    <span class="muted">{t.contact.number.clone()}</span>
                    <a class="btn btn-small" href="/contacts">{t!(i18n, Contacts)}</a>
                </div>
            })}
            <h4 class="section-title">{t!(i18n, Logs)}</h4>
            <ol class="logs" data-testid="ticket-logs">
                {move || match logs.get() {
                    None => view! { <li class="muted">{t!(i18n, Loading)}</li> }.into_any(),
                    Some(Err(err)) => view! { <li class="alert alert-error">{move || err.user_message(i18n.locale())}</li> }.into_any(),
                    Some(Ok(items)) => items
                        .into_iter()
                        .rev()
                        .map(|log| {
                            let what = log_key(log.kind);
                            let who = log.user.map(|u| u.name).unwrap_or_default();
                            let at = log.created_at;
                            view! {
                                <li data-testid="ticket-log">
                                    <span class="log-what">{move || i18n.t(what)}</span>
                                    <span class="log-who">{who}</span>
                                    <time class="muted">{move || time::full(&at, i18n.locale())}</time>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any(),
                }}
            </ol>
        </aside>
    }
}
