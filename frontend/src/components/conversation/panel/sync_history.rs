//! Sincronizar histórico (WhatsApp Web tickets only): ask the phone for older messages of this chat;
//! a progress bar fed by `sync.progress`, then how many were imported and how many were already here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::contacts::ConnectionKind;
use shared::events::{Event, SyncProgress};
use shared::ids::{JobId, TicketId};
use shared::tickets::Ticket;

use crate::api::{self, ApiError};
use crate::components::kit::ErrorAlert;
use crate::i18n::{Key, use_i18n};
use crate::state::realtime::{self, LiveEvent};
use crate::t;

#[component]
pub fn SyncHistorySection(id: TicketId, ticket: RwSignal<Option<Ticket>>) -> impl IntoView {
    let i18n = use_i18n();
    let web = RwSignal::new(false);
    let limit = RwSignal::new(100u32);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let job = RwSignal::new(None::<JobId>);
    let progress = RwSignal::new(None::<SyncProgress>);
    let connection = Memo::new(move |_| ticket.with(|t| t.as_ref().map(|t| t.connection_id)));

    // Only a WhatsApp Web connection has a phone to ask.
    Effect::new(move |_| {
        let Some(connection) = connection.get() else { return };
        spawn_local(async move {
            if let Ok(all) = api::connections::list_all().await {
                let kind = all.iter().find(|c| c.id == connection).map(|c| c.kind);
                web.try_set(kind == Some(ConnectionKind::WhatsappWeb));
            }
        });
    });
    realtime::subscribe(move |event| {
        if let LiveEvent::Other(Event::SyncProgress(update)) = event
            && update.ticket_id == id
            && job.get_untracked().is_none_or(|j| j == update.job_id)
        {
            progress.set(Some(update.clone()));
        }
    });

    let start = move |_| {
        busy.set(true);
        error.set(None);
        progress.set(None);
        let wanted = limit.get_untracked();
        spawn_local(async move {
            let result = api::whatsapp_web::sync_history(id, wanted).await;
            busy.try_set(false);
            match result {
                Ok(started) => {
                    job.try_set(Some(started.job_id));
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    let running = move || progress.with(|p| p.as_ref().is_some_and(|p| !p.finished));

    view! {
        <Show when=move || web.get()>
            <section class="panel-section" data-testid="panel-sync-history">
                <h4 class="section-title">{t!(i18n, SyncHistory)}</h4>
                <p class="muted">{t!(i18n, SyncHistoryHint)}</p>
                <div class="protocol-actions">
                    <label>
                        <span class="sr-only">{t!(i18n, SyncHistoryLimit)}</span>
                        <input
                            type="number"
                            min="1"
                            max="500"
                            title=t!(i18n, SyncHistoryLimit)
                            data-testid="sync-history-limit"
                            prop:value=move || limit.get().to_string()
                            on:input=move |e| limit.set(event_target_value(&e).parse::<u32>().unwrap_or(100).clamp(1, 500))
                        />
                    </label>
                    <button type="button" class="btn btn-small" data-testid="sync-history" disabled=move || busy.get() || running() on:click=start>
                        {t!(i18n, SyncHistory)}
                    </button>
                </div>
                <ErrorAlert error=error testid="sync-history-error"/>
                {move || progress.get().map(|p| view! {
                    <div class="import-progress" data-testid="sync-history-progress" data-finished=p.finished.to_string()>
                        <progress max=p.total.max(1) value=p.done></progress>
                        <span class="muted">
                            {i18n.t(if p.finished { Key::SyncHistoryDone } else { Key::SyncHistoryRunning })}
                            " · "{t!(i18n, SyncImported)}": "<strong data-testid="sync-imported">{p.imported}</strong>
                            " · "{t!(i18n, SyncAlready)}": "<strong data-testid="sync-already">{p.already}</strong>
                        </span>
                        {p.error.map(|e| view! { <p class="alert alert-error">{e}</p> })}
                    </div>
                })}
            </section>
        </Show>
    }
}
