//! Screen 2, a selected ticket: the header with the actions valid for its state, the message
//! history and the composer, kept live by the event stream, and the info panel.

mod actions;
mod dialogs;
mod header;
mod panel;

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::events::Event;
use shared::ids::{MessageId, TicketId};
use shared::tickets::{Message, Ticket};

use self::actions::TicketActions;
use self::dialogs::ActionDialogs;
use self::header::ConversationHeader;
use self::panel::TicketInfo;
use super::attachments::{DropOverlay, Tray};
use super::composer::Composer;
use super::kit::ErrorAlert;
use super::thread::{MessageThread, ThreadScroll};
use crate::api::{self, ApiError};
use crate::debounce::debounce;
use crate::i18n::use_i18n;
use crate::pages::tickets::use_tickets_ui;
use crate::state::messages::MessageStore;
use crate::state::notes::NoteStore;
use crate::state::realtime::{self, LiveEvent};
use crate::state::session::use_session;
use crate::state::tickets::viewer_of;
use crate::t;

#[component]
pub fn Conversation(id: TicketId) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let ui = use_tickets_ui();

    let ticket = RwSignal::new(None::<Ticket>);
    let protocols = RwSignal::new(Vec::<shared::protocols::Protocol>::new());
    // The panel's Protocolo section adds to it, so `{{protocolo}}` has the newest at once.
    provide_context(panel::TicketProtocols(protocols));
    let load_error = RwSignal::new(None::<ApiError>);
    let store = MessageStore::new(id);
    // Internal notes: the panel's Nota section writes them, the thread shows them.
    let notes = NoteStore::new(id);
    provide_context(notes);
    let scroll = ThreadScroll::new();
    let unseen = RwSignal::new(0u32);
    let reply_to = RwSignal::new(None::<MessageId>);
    let show_info = RwSignal::new(false);
    let actions = TicketActions::new(id, ticket);
    let tray = Tray::new(ticket);

    let mine = move || {
        let me = session.me().map(|me| me.id);
        ticket.with(|t| t.as_ref().and_then(|t| t.user.as_ref().map(|u| u.id)) == me && me.is_some())
    };

    // The ticket (its opening is logged by the server), its notes and the newest page of
    // messages, side by side (one round trip, not three).
    spawn_local(async move {
        let (detail, (), newest) =
            futures::future::join3(api::tickets::get(id), notes.load(), store.load_newest()).await;
        match detail {
            Ok(detail) => {
                ticket.try_set(Some(detail.ticket));
                protocols.try_set(detail.protocols);
            }
            Err(err) => {
                load_error.try_set(Some(err));
                return;
            }
        }
        match newest {
            Ok(()) => scroll.scroll_to_bottom(),
            Err(err) => {
                store.error.try_set(Some(err));
            }
        }
    });

    // Reading while assigned marks the ticket read: do it again when the contact writes.
    let mark_read = debounce(Duration::from_millis(300), move |()| {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            spawn_local(async move {
                let _ = api::tickets::messages(id, None, 1).await;
            });
        }
    });

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
                    mark_read(());
                }
            }
        }
        LiveEvent::MessageUpdated(update) if update.ticket_id == id => store.update_status(update),
        LiveEvent::Other(Event::ContactUpdated(contact)) => {
            ticket.update(|t| {
                if let Some(t) = t.as_mut() {
                    t.contact.follow(contact);
                }
            });
        }
        LiveEvent::Other(Event::NoteCreated(note)) if note.ticket_id == id => {
            let was_near = scroll.near_bottom();
            notes.upsert(note.clone());
            if was_near {
                scroll.scroll_to_bottom();
            }
        }
        LiveEvent::Other(Event::NoteDeleted(gone)) if gone.ticket_id == id => notes.remove(gone.id),
        // A history sync imported older messages (no `message.created` for each): read them.
        LiveEvent::Other(Event::SyncProgress(sync)) if sync.ticket_id == id && sync.finished && sync.imported > 0 => {
            spawn_local(async move {
                let _ = store.load_newest().await;
            });
        }
        LiveEvent::Resync => {
            spawn_local(async move {
                notes.load().await;
                if let Ok(detail) = api::tickets::get(id).await {
                    ticket.try_set(Some(detail.ticket));
                    protocols.try_set(detail.protocols);
                }
                let _ = store.load_newest().await;
            });
        }
        _ => {}
    });

    // The file tray takes room from the thread: the newest message stays in view if it was.
    Effect::new(move |_| {
        tray.count();
        scroll.settle();
    });

    let on_sent = move |message: Message| {
        store.insert(vec![message.clone()]);
        if let Some(me) = session.me_untracked() {
            ui.store.touch(&message, &viewer_of(&me));
        }
        unseen.set(0);
        scroll.scroll_to_bottom();
    };

    view! {
        <div class="conversation" data-testid="conversation" data-ticket-id=id.to_string()>
            <Show when=move || load_error.with(Option::is_some)>
                <div class="conversation-empty">
                    <ErrorAlert error=load_error testid="conversation-error"/>
                    <a class="btn" href="/tickets">{t!(i18n, BackToList)}</a>
                </div>
            </Show>
            {move || {
                ticket.get().map(|t| view! { <ConversationHeader ticket=t actions=actions show_info=show_info/> })
            }}
            <ErrorAlert
                error=Signal::derive(move || actions.error.get().filter(|_| actions.dialog.get().is_none()))
                testid="action-error"
                class="conv-alert"
            />
            <div class="conv-body">
                // Files dropped anywhere on the conversation go to the composer's tray.
                <div
                    class="conv-main"
                    on:dragenter=move |event| tray.drag_enter(&event)
                    on:dragover=move |event| tray.drag_over(&event)
                    on:drop=move |event| tray.drop_files(&event)
                >
                    <Show when=move || ticket.with(Option::is_some)>
                        <MessageThread store=store scroll=scroll unseen=unseen on_reply=move |id| reply_to.set(Some(id))/>
                        <Composer id=id ticket=ticket store=store reply_to=reply_to protocols=protocols on_sent=on_sent tray=tray/>
                    </Show>
                    <DropOverlay tray=tray/>
                </div>
                <Show when=move || show_info.get()>
                    <TicketInfo id=id ticket=ticket on_close=move || show_info.set(false)/>
                </Show>
            </div>
            <ActionDialogs id=id ticket=ticket actions=actions/>
        </div>
    }
}
