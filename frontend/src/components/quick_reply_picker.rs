//! The composer's quick-reply list (Mensagens rápidas).
//!
//! It opens while the message is `/` followed by one word (no space yet): `/bo` lists the replies
//! whose shortcut starts with `bo` (then those whose text holds it). A `/` anywhere else is only a
//! character, so links and fractions never open it. ↑/↓ move, Enter or Tab inserts, Esc closes it
//! until the text changes, a click inserts too. Enter never sends while the list is open, even
//! before its answer arrived (a lone `/word` is rarely meant for the customer: Esc, then Enter
//! sends it). Focus stays in the text field, which points at the highlighted option with
//! `aria-activedescendant`.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::quick_replies::QuickReply;

use super::form::unique_id;
use super::icons;
use crate::api;
use crate::debounce::debounce;
use crate::i18n::use_i18n;
use crate::t;

/// The word typed after `/` when the whole message is `/word` (the list is open), else `None`.
pub fn typed_shortcut(text: &str) -> Option<&str> {
    let word = text.strip_prefix('/')?;
    (!word.chars().any(char::is_whitespace)).then_some(word)
}

/// The replies `typed` matches, best first: the exact shortcut, then shortcuts starting with it
/// (alphabetically), then replies whose text holds it (as the server listed them).
pub fn ranked(replies: &[QuickReply], typed: &str) -> Vec<QuickReply> {
    let typed = typed.to_lowercase();
    let mut by_shortcut: Vec<&QuickReply> = replies.iter().filter(|r| r.shortcut.starts_with(&typed)).collect();
    by_shortcut.sort_by(|a, b| (a.shortcut != typed, &a.shortcut).cmp(&(b.shortcut != typed, &b.shortcut)));
    let by_text = replies.iter().filter(|r| !r.shortcut.starts_with(&typed) && r.body.to_lowercase().contains(&typed));
    by_shortcut.into_iter().chain(by_text).cloned().collect()
}

/// The list's state, shared by the text field (keys, ARIA) and the list itself.
#[derive(Clone, Copy)]
pub struct Picker {
    text: RwSignal<String>,
    /// The text the list was closed at (Esc, or a pick); it opens again once the text changes.
    dismissed: RwSignal<Option<String>>,
    /// The server's last answer, narrowed locally while the next one is on its way.
    fetched: RwSignal<Vec<QuickReply>>,
    /// The word `fetched` answers.
    fetched_for: RwSignal<Option<String>>,
    active: RwSignal<usize>,
    listbox_id: StoredValue<String>,
    on_pick: Callback<QuickReply>,
}

impl Picker {
    /// A list over the composer's `text`; `on_pick` inserts the chosen reply.
    pub fn new(text: RwSignal<String>, on_pick: Callback<QuickReply>) -> Self {
        let picker = Self {
            text,
            dismissed: RwSignal::new(None),
            fetched: RwSignal::new(Vec::new()),
            fetched_for: RwSignal::new(None),
            active: RwSignal::new(0),
            listbox_id: StoredValue::new(unique_id("quick-replies")),
            on_pick,
        };
        let fetch = debounce(Duration::from_millis(120), move |typed: String| {
            spawn_local(async move {
                let Ok(found) = api::quick_replies::matching(&typed).await else { return };
                // A slower answer to an older word is dropped.
                if picker.query_untracked().as_deref() == Some(typed.as_str()) {
                    picker.fetched.try_set(found);
                    picker.fetched_for.try_set(Some(typed));
                }
            });
        });
        Effect::new(move |previous: Option<Option<String>>| {
            let query = picker.query();
            if query != previous.flatten() {
                picker.active.set(0);
                if let Some(typed) = &query {
                    fetch(typed.clone());
                }
            }
            query
        });
        picker
    }

    /// The word being looked up while the list is open (tracked).
    fn query(&self) -> Option<String> {
        let dismissed = self.dismissed.get();
        self.text.with(|text| {
            typed_shortcut(text).filter(|_| dismissed.as_deref() != Some(text.as_str())).map(str::to_owned)
        })
    }

    fn query_untracked(&self) -> Option<String> {
        untrack(|| self.query())
    }

    /// The options shown now (tracked).
    pub fn options(&self) -> Vec<QuickReply> {
        match self.query() {
            Some(typed) => self.fetched.with(|all| ranked(all, &typed)),
            None => Vec::new(),
        }
    }

    pub fn is_open(&self) -> bool {
        self.query().is_some()
    }

    /// Whether the server has answered for the word typed now (tracked).
    fn is_current(&self) -> bool {
        let query = self.query();
        self.fetched_for.with(|answered| query.is_some() && *answered == query)
    }

    fn option_id(&self, reply: &QuickReply) -> String {
        format!("{}-{}", self.listbox_id.get_value(), reply.id)
    }

    pub fn listbox_id(&self) -> Option<String> {
        self.is_open().then(|| self.listbox_id.get_value())
    }

    /// The highlighted option's element id, for the text field's `aria-activedescendant`.
    pub fn active_descendant(&self) -> Option<String> {
        let options = self.options();
        options.get(self.active.get().min(options.len().saturating_sub(1))).map(|reply| self.option_id(reply))
    }

    fn close(&self) {
        self.dismissed.set(Some(self.text.get_untracked()));
    }

    fn pick(&self, reply: QuickReply) {
        self.close();
        self.on_pick.run(reply);
    }

    /// Handles a key pressed in the text field while the list is open; true when it was the
    /// list's (the caller then does nothing else with it, so Enter inserts and does not send).
    pub fn on_keydown(&self, event: &web_sys::KeyboardEvent) -> bool {
        if event.is_composing() || !untrack(|| self.is_open()) {
            return false;
        }
        let options = untrack(|| self.options());
        let count = options.len();
        let active = self.active.get_untracked().min(count.saturating_sub(1));
        let key = event.key();
        match key.as_str() {
            "ArrowDown" if count > 0 => self.active.set((active + 1) % count),
            "ArrowUp" if count > 0 => self.active.set((active + count - 1) % count),
            // Enter is the list's even with nothing to pick (see the module's note); Tab only picks.
            "Enter" | "Tab" if !event.shift_key() && (count > 0 || key == "Enter") => {
                if let Some(reply) = options.into_iter().nth(active) {
                    self.pick(reply);
                }
            }
            "Escape" => self.close(),
            _ => return false,
        }
        event.prevent_default();
        event.stop_propagation();
        true
    }
}

/// The list above the text field, while it is open.
#[component]
pub fn QuickReplyList(picker: Picker) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        if !picker.is_open() {
            return None;
        }
        // Rebuilt when the options change; moving the highlight only updates the rows' attributes.
        let options = picker.options();
        let last = options.len().saturating_sub(1);
        // "None found" only once the server answered for this word, not while it is asked.
        let empty = (options.is_empty() && picker.is_current()).then(|| {
            view! { <p class="quick-reply-empty" role="status" data-testid="quick-reply-empty">{t!(i18n, NoQuickRepliesMatch)}</p> }
        });
        let rows = options
            .into_iter()
            .enumerate()
            .map(|(index, reply)| {
                let selected = move || picker.active.get().min(last) == index;
                let preview: String = reply.body.lines().next().unwrap_or_default().chars().take(90).collect();
                let has_file = reply.file.is_some();
                let id = picker.option_id(&reply);
                let shortcut = reply.shortcut.clone();
                view! {
                    <li
                        id=id
                        role="option"
                        class="quick-reply-option"
                        class:active=selected
                        aria-selected=move || selected().to_string()
                        data-testid="quick-reply-option"
                        data-shortcut=shortcut.clone()
                        // Keeps the focus (and the caret) in the text field.
                        on:mousedown=|event| event.prevent_default()
                        on:mouseenter=move |_| {
                            if picker.active.get_untracked() != index {
                                picker.active.set(index);
                            }
                        }
                        on:click=move |_| picker.pick(reply.clone())
                    >
                        <span class="quick-reply-shortcut">{format!("/{shortcut}")}</span>
                        <span class="quick-reply-preview">{preview}</span>
                        {has_file.then(|| view! { <span class="quick-reply-clip">{icons::paperclip()}</span> })}
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <div class="quick-reply-picker" data-testid="quick-reply-picker">
                <ul role="listbox" id=picker.listbox_id.get_value() aria-label=t!(i18n, QuickReplies)>
                    {rows}
                </ul>
                {empty}
            </div>
        })
    }
}

#[cfg(test)]
mod tests {
    use shared::ids::QuickReplyId;

    use super::*;

    fn reply(id: i64, shortcut: &str, body: &str) -> QuickReply {
        QuickReply {
            id: QuickReplyId(id),
            shortcut: shortcut.into(),
            body: body.into(),
            queue_id: None,
            file: None,
            created_at: chrono::DateTime::default(),
            updated_at: chrono::DateTime::default(),
        }
    }

    #[test]
    fn the_list_opens_only_for_a_slash_word_at_the_start() {
        assert_eq!(typed_shortcut("/"), Some(""));
        assert_eq!(typed_shortcut("/bom"), Some("bom"));
        assert_eq!(typed_shortcut("/bom dia"), None);
        assert_eq!(typed_shortcut("/bom\n"), None);
        assert_eq!(typed_shortcut("veja https://x.com/a"), None);
        assert_eq!(typed_shortcut(" /bom"), None);
        assert_eq!(typed_shortcut(""), None);
    }

    #[test]
    fn exact_then_shortcut_prefix_then_text_matches() {
        let all = [
            reply(1, "bomdia", "Bom dia!"),
            reply(2, "boleto", "Segue o boleto."),
            reply(3, "pix", "Sem boleto: use o Pix."),
            reply(4, "bo", "Bo."),
            reply(5, "oi", "Olá"),
        ];
        let shortcuts = |typed| ranked(&all, typed).into_iter().map(|r| r.shortcut).collect::<Vec<_>>();
        assert_eq!(shortcuts("bo"), ["bo", "boleto", "bomdia", "pix"]);
        assert_eq!(shortcuts("BOL"), ["boleto", "pix"]);
        assert_eq!(shortcuts(""), ["bo", "boleto", "bomdia", "oi", "pix"]);
        assert!(shortcuts("xyz").is_empty());
    }
}
