//! The ticket's timeline: who opened it and what each user did, when.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::TicketId;
use shared::tickets::{TicketLog, TicketLogKind};

use crate::api::{self, ApiError};
use crate::i18n::{Key, use_i18n};
use crate::t;
use crate::time;

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

#[component]
pub fn TicketLogs(id: TicketId) -> impl IntoView {
    let i18n = use_i18n();
    let logs = RwSignal::new(None::<Result<Vec<TicketLog>, ApiError>>);
    spawn_local(async move {
        let result = api::tickets::logs(id).await;
        logs.try_set(Some(result));
    });
    view! {
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
    }
}
