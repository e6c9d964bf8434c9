//! The ticket's timeline: who opened it and what each user did, when, newest first, in pages.
//! Each row is a sentence in the reader's language built from the row's kind and details.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use shared::events::Event;
use shared::ids::TicketId;
use shared::tickets::{TicketLog, TicketLogKind};

use crate::api::{self, ApiError};
use crate::components::kit::ErrorAlert;
use crate::debounce::debounce;
use crate::i18n::{Locale, use_i18n};
use crate::state::realtime::{self, LiveEvent};
use crate::t;
use crate::time;

const PAGE: u32 = 30;

/// `details[field].name`, e.g. the queue a ticket went to.
fn name_at<'a>(details: &'a Value, field: &str) -> Option<&'a str> {
    details.get(field)?.get("name")?.as_str()
}

/// Where a transfer came from or went to: the user, or else the queue.
fn place(details: &Value, side: &str) -> Option<String> {
    let user = name_at(details, &format!("{side}_user"));
    let queue = name_at(details, &format!("{side}_queue"));
    match (queue, user) {
        (Some(queue), Some(user)) => Some(format!("{user} ({queue})")),
        (None, Some(name)) | (Some(name), None) => Some(name.to_owned()),
        (None, None) => None,
    }
}

/// The sentence a log row reads as.
pub fn describe(locale: Locale, log: &TicketLog) -> String {
    let pt = locale == Locale::Pt;
    let who =
        log.user.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| if pt { "O sistema" } else { "The system" }.into());
    let d = &log.details;
    let say = |pt_text: String, en_text: String| if pt { pt_text } else { en_text };
    match log.kind {
        TicketLogKind::Access => say(format!("{who} abriu o atendimento"), format!("{who} opened the ticket")),
        TicketLogKind::Created => match d.get("by").and_then(Value::as_str) {
            Some("contact") => {
                say("Criado por uma mensagem do contato".into(), "Created by a message from the contact".into())
            }
            Some("schedule") => {
                say(format!("Criado por um agendamento de {who}"), format!("Created by a message {who} scheduled"))
            }
            _ => say(format!("{who} iniciou a conversa"), format!("{who} started the conversation")),
        },
        TicketLogKind::Accepted => say(format!("{who} aceitou o atendimento"), format!("{who} accepted the ticket")),
        TicketLogKind::Transferred => match (place(d, "from"), place(d, "to")) {
            (Some(from), Some(to)) => say(
                format!("{who} transferiu de {from} para {to}"),
                format!("{who} transferred it from {from} to {to}"),
            ),
            (None, Some(to)) => say(format!("{who} transferiu para {to}"), format!("{who} transferred it to {to}")),
            _ => say(format!("{who} transferiu o atendimento"), format!("{who} transferred the ticket")),
        },
        TicketLogKind::Returned => match d.get("reason").and_then(Value::as_str) {
            Some("user_deleted") => say(
                "Voltou para a fila: o usuário que o atendia foi removido".into(),
                "Back in the queue: the user handling it was removed".into(),
            ),
            _ => say(
                format!("{who} devolveu o atendimento para a fila"),
                format!("{who} returned the ticket to the queue"),
            ),
        },
        TicketLogKind::Resolved => say(format!("{who} resolveu o atendimento"), format!("{who} resolved the ticket")),
        TicketLogKind::Reopened => say(format!("{who} reabriu o atendimento"), format!("{who} reopened the ticket")),
        TicketLogKind::Tagged => {
            let tag = name_at(d, "tag").unwrap_or("?");
            say(format!("{who} adicionou a etiqueta {tag}"), format!("{who} added the tag {tag}"))
        }
        TicketLogKind::Untagged => {
            let tag = name_at(d, "tag").unwrap_or("?");
            say(format!("{who} removeu a etiqueta {tag}"), format!("{who} removed the tag {tag}"))
        }
        TicketLogKind::NoteAdded => say(format!("{who} escreveu uma nota"), format!("{who} wrote a note")),
        TicketLogKind::WalletSet => match name_at(d, "user") {
            Some(agent) => say(
                format!("{who} pôs o contato na carteira de {agent}"),
                format!("{who} put the contact in {agent}'s wallet"),
            ),
            None => {
                say(format!("{who} tirou o contato da carteira"), format!("{who} took the contact out of the wallet"))
            }
        },
        TicketLogKind::ProtocolGenerated => {
            let number = d.get("number").and_then(Value::as_str).unwrap_or("?");
            say(format!("{who} gerou o protocolo {number}"), format!("{who} generated protocol {number}"))
        }
        TicketLogKind::RatingRequested => {
            say(format!("{who} pediu uma avaliação"), format!("{who} asked for a rating"))
        }
        TicketLogKind::RatingReceived => match d.get("score").and_then(Value::as_i64) {
            Some(score) => say(format!("O contato avaliou com nota {score}"), format!("The contact rated it {score}")),
            None => say("O contato respondeu a avaliação".into(), "The contact answered the rating".into()),
        },
        TicketLogKind::BotSwitched => {
            let raw = d.get("bot").and_then(Value::as_str).unwrap_or("bot");
            let bot = shared::tickets::BotKind::parse(raw).map(|b| b.label()).unwrap_or(raw);
            match (d.get("enabled").and_then(Value::as_bool), d.get("reason").and_then(Value::as_str)) {
                (Some(false), Some("hand_over")) => say(
                    format!("O {bot} passou o atendimento para a fila"),
                    format!("{bot} handed the ticket to the queue"),
                ),
                (Some(false), Some("error")) => {
                    say(format!("O {bot} falhou e foi desligado"), format!("{bot} failed and was switched off"))
                }
                (Some(false), _) => say(format!("{who} desligou o {bot}"), format!("{who} switched {bot} off")),
                _ => say(format!("{who} ligou o {bot}"), format!("{who} switched {bot} on")),
            }
        }
        TicketLogKind::KanbanMoved => match (name_at(d, "lane"), name_at(d, "board")) {
            (Some(lane), Some(board)) => say(
                format!("{who} moveu para {lane} no quadro {board}"),
                format!("{who} moved it to {lane} on board {board}"),
            ),
            (Some(lane), None) => say(format!("{who} moveu para {lane}"), format!("{who} moved it to {lane}")),
            _ => say(format!("{who} tirou do kanban"), format!("{who} took it off the kanban")),
        },
    }
}

/// Consecutive openings by the same user read as one row (with how many), the newest first: a
/// ticket someone keeps coming back to would otherwise bury what was done in it.
pub fn fold_openings(items: &[TicketLog]) -> Vec<(TicketLog, usize)> {
    let mut rows: Vec<(TicketLog, usize)> = Vec::new();
    for log in items {
        let same_opener = |prev: &TicketLog| {
            prev.kind == TicketLogKind::Access
                && log.kind == TicketLogKind::Access
                && prev.user.as_ref().map(|u| u.id) == log.user.as_ref().map(|u| u.id)
        };
        match rows.last_mut() {
            Some((prev, count)) if same_opener(prev) => *count += 1,
            _ => rows.push((log.clone(), 1)),
        }
    }
    rows
}

#[component]
pub fn TicketLogs(id: TicketId) -> impl IntoView {
    let i18n = use_i18n();
    let items = RwSignal::new(Vec::<TicketLog>::new());
    let next = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    // The newest page; rows already shown stay, new ones go on top.
    let refresh = move || {
        spawn_local(async move {
            match api::tickets::logs(id, None, PAGE).await {
                Ok(page) => {
                    let first = !loaded.get_untracked();
                    items.update(|items| {
                        let newest = items.first().map(|l| l.id);
                        let fresh: Vec<TicketLog> =
                            page.items.into_iter().take_while(|l| Some(l.id) != newest).collect();
                        items.splice(0..0, fresh);
                    });
                    if first {
                        next.set(page.next_cursor);
                        loaded.set(true);
                    }
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    refresh();
    let more = move |_| {
        let Some(cursor) = next.get_untracked() else { return };
        loading.set(true);
        spawn_local(async move {
            let result = api::tickets::logs(id, Some(&cursor), PAGE).await;
            loading.try_set(false);
            match result {
                Ok(page) => {
                    items.update(|items| items.extend(page.items));
                    next.set(page.next_cursor);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    // Actions on the ticket announce it (or their own event): their new rows follow. Every
    // incoming message updates the ticket too, so a burst costs one request, not one each.
    let refresh_soon = debounce(Duration::from_millis(400), move |()| refresh());
    realtime::subscribe(move |event| match event {
        LiveEvent::TicketUpdated(ticket) if ticket.id == id => refresh_soon(()),
        LiveEvent::Other(Event::NoteCreated(note)) if note.ticket_id == id => refresh_soon(()),
        LiveEvent::Other(Event::RatingUpdated(rating)) if rating.ticket_id == id => refresh_soon(()),
        LiveEvent::Resumed | LiveEvent::Resync => refresh_soon(()),
        _ => {}
    });

    view! {
        <h4 class="section-title">{t!(i18n, Logs)}</h4>
        <ErrorAlert error=error testid="ticket-logs-error"/>
        <ol class="logs" data-testid="ticket-logs">
            <Show when=move || loaded.get() fallback=move || view! { <li class="muted">{t!(i18n, Loading)}</li> }>
                <For each=move || items.with(|items| fold_openings(items)) key=|(log, count)| (log.id, *count) let:row>
                    {
                        let (log, count) = row;
                        let at = log.created_at;
                        let kind = log.kind.as_str();
                        let times = (count > 1).then(|| format!(" ({count}×)"));
                        view! {
                            <li data-testid="ticket-log" data-kind=kind>
                                <span class="log-what">{move || describe(i18n.locale(), &log)}{times}</span>
                                <time class="muted">{move || time::full(&at, i18n.locale())}</time>
                            </li>
                        }
                    }
                </For>
            </Show>
        </ol>
        <Show when=move || next.with(Option::is_some)>
            <button type="button" class="btn btn-small" data-testid="ticket-logs-more" disabled=move || loading.get() on:click=more>
                {t!(i18n, LoadMore)}
            </button>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;
    use shared::ids::{TicketLogId, UserId};
    use shared::tickets::UserRef;

    use super::*;

    fn log(kind: TicketLogKind, details: Value) -> TicketLog {
        TicketLog {
            id: TicketLogId(1),
            kind,
            user: Some(UserRef { id: UserId(1), name: "Ana".into() }),
            details,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn rows_read_as_sentences_with_their_details_in_both_languages() {
        let transfer = log(
            TicketLogKind::Transferred,
            json!({"from_user": {"id": 1, "name": "Ana"}, "to_queue": {"id": 2, "name": "Vendas"}, "to_user": null}),
        );
        assert_eq!(describe(Locale::Pt, &transfer), "Ana transferiu de Ana para Vendas");
        assert_eq!(describe(Locale::En, &transfer), "Ana transferred it from Ana to Vendas");
        let tagged = log(TicketLogKind::Tagged, json!({"tag": {"id": 3, "name": "VIP", "color": "#f00"}}));
        assert_eq!(describe(Locale::Pt, &tagged), "Ana adicionou a etiqueta VIP");
        let lane = log(
            TicketLogKind::KanbanMoved,
            json!({"board": {"id": 1, "name": "Vendas"}, "lane": {"id": 2, "name": "Proposta"}}),
        );
        assert_eq!(describe(Locale::En, &lane), "Ana moved it to Proposta on board Vendas");
        let mut rating = log(TicketLogKind::RatingReceived, json!({"score": 5}));
        rating.user = None;
        assert_eq!(describe(Locale::Pt, &rating), "O contato avaliou com nota 5");
    }

    #[test]
    fn consecutive_openings_by_one_user_fold_into_one_row() {
        let mut bia = log(TicketLogKind::Access, json!({}));
        bia.user = Some(UserRef { id: UserId(2), name: "Bia".into() });
        let ana = log(TicketLogKind::Access, json!({}));
        let accepted = log(TicketLogKind::Accepted, json!({}));
        let items = [ana.clone(), ana.clone(), bia.clone(), ana.clone(), accepted.clone(), ana.clone(), ana.clone()];
        let counts: Vec<(TicketLogKind, Option<UserId>, usize)> =
            fold_openings(&items).into_iter().map(|(log, count)| (log.kind, log.user.map(|u| u.id), count)).collect();
        assert_eq!(
            counts,
            [
                (TicketLogKind::Access, Some(UserId(1)), 2),
                (TicketLogKind::Access, Some(UserId(2)), 1),
                (TicketLogKind::Access, Some(UserId(1)), 1),
                (TicketLogKind::Accepted, Some(UserId(1)), 1),
                (TicketLogKind::Access, Some(UserId(1)), 2),
            ]
        );
    }

    #[test]
    fn every_kind_reads_as_something_even_without_details() {
        for kind in TicketLogKind::ALL {
            for locale in Locale::ALL {
                assert!(!describe(locale, &log(*kind, json!({}))).is_empty(), "{kind:?}");
            }
        }
    }
}
