//! /admin/quick-replies (Mensagens rápidas): list (paged), create, edit (shortcut, text, who sees
//! it, file), delete.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::org::Queue;
use shared::quick_replies::QuickReply;

use super::AdminGate;
use crate::api::queues::QUEUES;
use crate::api::quick_replies::QUICK_REPLIES;
use crate::components::icons;
use crate::components::kit::{CrudPage, RowActions};
use crate::components::quick_reply_form::QuickReplyForm;
use crate::i18n::{self, Key, use_i18n};
use crate::state::crud::{CrudState, Notices};
use crate::t;

const NOTICES: Notices =
    Notices { created: Key::QuickReplyCreated, updated: Key::QuickReplyUpdated, deleted: Key::QuickReplyDeleted };

/// How much of the text the table shows.
const PREVIEW_CHARS: usize = 80;

#[component]
pub fn AdminQuickRepliesPage() -> impl IntoView {
    view! { <AdminGate><QuickRepliesAdmin/></AdminGate> }
}

/// The first line of the text, cut to [`PREVIEW_CHARS`] with an ellipsis.
fn preview(body: &str) -> String {
    let first = body.lines().next().unwrap_or_default();
    let cut: String = first.chars().take(PREVIEW_CHARS).collect();
    if cut.len() < body.trim_end().len() { format!("{cut}…") } else { cut }
}

#[component]
fn QuickRepliesAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let crud = CrudState::of(QUICK_REPLIES, NOTICES);
    let queues = RwSignal::new(Vec::<Queue>::new());
    crud.list.reload();
    spawn_local(async move {
        if let Ok(all) = QUEUES.list_all().await {
            queues.try_set(all);
        }
    });

    let row = move |reply: QuickReply| {
        let queue_id = reply.queue_id;
        let scope = move || match queue_id {
            None => i18n.t(Key::AllQueues).to_owned(),
            Some(id) => queues.with(|all| all.iter().find(|q| q.id == id).map(|q| q.name.clone())).unwrap_or_default(),
        };
        view! {
            <tr data-testid="quick-reply-row" data-quick-reply-id=reply.id.to_string()>
                <td data-label=t!(i18n, Shortcut)>
                    <code class="cell-strong" data-testid="quick-reply-row-shortcut">{format!("/{}", reply.shortcut)}</code>
                </td>
                <td data-label=t!(i18n, QuickReplyText) class="quick-reply-text" data-testid="quick-reply-row-text" title=reply.body.clone()>
                    {preview(&reply.body)}
                </td>
                <td data-label=t!(i18n, QuickReplyScope) data-testid="quick-reply-row-scope">{scope}</td>
                <td data-label=t!(i18n, File) data-testid="quick-reply-row-file">
                    {match reply.file.clone() {
                        Some(file) => view! { <span class="file-name">{icons::paperclip()}{file.name}</span> }.into_any(),
                        None => view! { <span class="muted">{t!(i18n, NoFile)}</span> }.into_any(),
                    }}
                </td>
                <RowActions crud=crud row=reply.clone() singular="quick-reply"/>
            </tr>
        }
        .into_any()
    };

    let form = move |reply: Option<QuickReply>| {
        view! {
            <QuickReplyForm
                quick_reply=reply
                queues=queues
                on_saved=move |saved| crud.saved(saved)
                on_close=move || crud.close_form()
            />
        }
        .into_any()
    };

    view! {
        <CrudPage crud=crud plural="quick-replies" singular="quick-reply" title=Key::QuickReplies
            subtitle=Key::QuickRepliesSubtitle new_label=Key::NewQuickReply
            columns=&[Key::Shortcut, Key::QuickReplyText, Key::QuickReplyScope, Key::File] row=row form=form
            empty=Key::NoQuickReplies
            question=|locale, reply: &QuickReply| i18n::confirm_delete_quick_reply(locale, &reply.shortcut)
        />
    }
}

#[cfg(test)]
mod tests {
    use super::preview;

    #[test]
    fn previews_show_the_first_line_and_say_when_there_is_more() {
        assert_eq!(preview("Olá!"), "Olá!");
        assert_eq!(preview("Olá!\nTudo bem?"), "Olá!…");
        assert_eq!(preview(&"ç".repeat(81)), format!("{}…", "ç".repeat(80)));
        assert_eq!(preview(&"ç".repeat(80)), "ç".repeat(80));
    }
}
