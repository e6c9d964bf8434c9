//! One ticket of the list: contact, time, last message, unread count, number, queue, tags and
//! agent. Each row follows its own ticket signal.

use leptos::prelude::*;
use shared::ids::TicketId;
use shared::tickets::Ticket;

use crate::components::avatar::Avatar;
use crate::components::icons;
use crate::i18n::{Key, use_i18n};
use crate::pages::tickets::use_tickets_ui;
use crate::time;

/// An outgoing message's text without the `*Name*:` line the agent's signature puts first
/// (see the backend's `domain::messages`).
pub fn without_signature(body: &str) -> &str {
    match body.split_once('\n') {
        Some((first, rest)) if first.len() > 3 && first.starts_with('*') && first.ends_with("*:") => rest,
        _ => body,
    }
}

/// The first line of a message for the list, without the signature of an outgoing one.
pub fn preview_text(body: &str, from_me: bool) -> String {
    let body = if from_me { without_signature(body) } else { body };
    body.lines().find(|line| !line.trim().is_empty()).unwrap_or("").trim().to_owned()
}

fn preview(ticket: &Ticket) -> String {
    ticket.last_message.as_ref().map(|m| preview_text(&m.body, m.from_me)).unwrap_or_default()
}

#[component]
pub fn TicketRow(id: TicketId, selector: StoredValue<Selector<Option<TicketId>>>) -> impl IntoView {
    let i18n = use_i18n();
    let ui = use_tickets_ui();
    let Some(row) = ui.store.row(id) else {
        return ().into_any();
    };
    let row: RwSignal<Ticket> = row.into();
    let selected = move || selector.with_value(|s| s.selected(&Some(id)));
    let name = Signal::derive(move || row.with(|t| t.contact.name.clone()));
    let photo = Signal::derive(move || row.with(|t| t.contact.photo_url.clone()));
    view! {
        <a
            class="ticket-row"
            class:selected=selected
            role="listitem"
            href=format!("/tickets/{id}")
            aria-current=move || selected().then_some("page")
            data-testid="ticket-row"
            data-ticket-id=id.to_string()
            style:--queue-color=move || row.with(|t| t.queue.as_ref().map(|q| q.color.clone()).unwrap_or_default())
        >
            <Avatar name=name photo=photo/>
            <span class="ticket-main">
                <span class="ticket-line">
                    <span class="ticket-name" data-testid="ticket-row-name">{name}</span>
                    <time class="ticket-time">
                        {move || {
                            let locale = i18n.locale();
                            row.with(|t| {
                                let at = t.last_message.as_ref().map_or(t.updated_at, |m| m.created_at);
                                time::list_time(&at, locale)
                            })
                        }}
                    </time>
                </span>
                <span class="ticket-line">
                    <span class="ticket-preview" data-testid="ticket-row-preview">
                        {move || row.with(|t| t.last_message.as_ref().is_some_and(|m| m.from_me)).then(|| view! {
                            <span class="preview-you">{move || i18n.t(Key::YouPrefix)}</span>
                        })}
                        {move || row.with(preview)}
                    </span>
                    <Unread row=row/>
                </span>
                <Meta row=row/>
            </span>
        </a>
    }
    .into_any()
}

/// The unread badge.
#[component]
fn Unread(row: RwSignal<Ticket>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let unread = row.with(|t| t.unread_count);
        (unread > 0).then(|| {
            view! {
                <span class="unread" data-testid="ticket-row-unread" aria-label=move || crate::i18n::unread(i18n.locale(), unread)>
                    {if unread > 99 { "99+".to_owned() } else { unread.to_string() }}
                </span>
            }
        })
    }
}

/// Number, queue, tags and agent.
#[component]
fn Meta(row: RwSignal<Ticket>) -> impl IntoView {
    view! {
        <span class="ticket-meta">
            <span class="ticket-number">{move || format!("#{}", row.with(|t| t.number))}</span>
            {move || row.with(|t| t.queue.clone()).map(|queue| view! {
                <span class="chip chip-small" data-testid="ticket-row-queue">
                    <span class="dot" style:background-color=queue.color.clone()></span>
                    {queue.name.clone()}
                </span>
            })}
            {move || row.with(|t| t.tags.clone()).into_iter().map(|tag| view! {
                <span class="chip chip-small tag" style:border-color=tag.color.clone() data-testid="ticket-row-tag">{tag.name.clone()}</span>
            }).collect_view()}
            {move || row.with(|t| t.user.clone()).map(|user| view! {
                <span class="ticket-agent" data-testid="ticket-row-agent">{icons::user()}{user.name.clone()}</span>
            })}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::{preview_text, without_signature};

    #[test]
    fn the_signature_line_is_left_out_of_outgoing_previews() {
        assert_eq!(without_signature("*Ana Souza*:\nBom dia"), "Bom dia");
        assert_eq!(preview_text("*Ana Souza*:\nBom dia\ntudo bem?", true), "Bom dia");
        assert_eq!(preview_text("*Ana Souza*:\n\n  Olá  ", true), "Olá");
    }

    #[test]
    fn other_text_is_kept() {
        // A contact's message is theirs, whatever it looks like.
        assert_eq!(preview_text("*Ana Souza*:\nBom dia", false), "*Ana Souza*:");
        // Not a signature: bold text, no colon, or nothing between the stars.
        assert_eq!(without_signature("*Promoção* hoje\nsó"), "*Promoção* hoje\nsó");
        assert_eq!(without_signature("*Ana*\nBom dia"), "*Ana*\nBom dia");
        assert_eq!(without_signature("**:\nBom dia"), "**:\nBom dia");
        assert_eq!(preview_text("Bom dia", true), "Bom dia");
        assert_eq!(preview_text("", true), "");
    }
}
