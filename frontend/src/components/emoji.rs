//! A small built-in emoji picker: a grid of common emoji, nothing downloaded.

use leptos::ev;
use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::t;

pub const EMOJI: &[&str] = &[
    "😀", "😃", "😄", "😁", "😆", "😅", "😂", "🤣", "😊", "😇", "🙂", "😉", "😍", "🥰", "😘", "😋", "😎", "🤩", "🤔",
    "🤨", "😐", "😶", "🙄", "😏", "😴", "😌", "😜", "🤗", "🤭", "🤫", "😬", "😢", "😭", "😤", "😡", "😱", "😳", "🥺",
    "🙃", "🙏", "👍", "👎", "👏", "🙌", "👋", "🤝", "💪", "👌", "✌️", "🤞", "👉", "👀", "❤️", "🧡", "💛", "💚", "💙",
    "💜", "🖤", "💔", "💯", "✨", "🔥", "🎉", "🎁", "⭐", "✅", "❌", "⚠️", "❓", "❗", "📌", "📎", "📞", "📱", "💻",
    "📅", "⏰", "🕐", "💰", "🛒", "📦", "🚚", "🏠", "☕", "🍕", "🌞", "🌧️", "🇧🇷", "😷",
];

#[cfg(test)]
mod tests {
    #[test]
    fn no_emoji_twice() {
        let unique: std::collections::HashSet<_> = super::EMOJI.iter().collect();
        assert_eq!(unique.len(), super::EMOJI.len());
    }
}

#[component]
pub fn EmojiPicker(
    #[prop(into)] on_pick: Callback<&'static str>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let keys = window_event_listener(ev::keydown, move |event| {
        if event.key() == "Escape" {
            on_close.run(());
        }
    });
    on_cleanup(move || keys.remove());
    view! {
        <div class="popover-backdrop" on:click=move |_| on_close.run(())></div>
        <div class="emoji-picker" role="dialog" aria-label=t!(i18n, Emoji) data-testid="emoji-picker">
            {EMOJI
                .iter()
                .map(|emoji| {
                    view! {
                        <button type="button" class="emoji" aria-label=*emoji data-testid="emoji" on:click=move |_| on_pick.run(emoji)>
                            {*emoji}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
