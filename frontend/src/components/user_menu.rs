//! The top-left button with the user's name, and its menu: Perfil (opens the profile dialog) and
//! Sair (logs out at once).

use leptos::ev;
use leptos::prelude::*;

use super::icons;
use super::profile_dialog::ProfileDialog;
use crate::i18n::use_i18n;
use crate::state::session::use_session;
use crate::t;

/// Up to two initials for the avatar.
pub fn initials(name: &str) -> String {
    let mut words = name.split_whitespace();
    let first = words.next().and_then(|w| w.chars().next());
    let last = words.last().and_then(|w| w.chars().next());
    first.into_iter().chain(last).flat_map(char::to_uppercase).collect()
}

#[component]
pub fn UserMenu() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let open = RwSignal::new(false);
    let profile_open = RwSignal::new(false);
    let name = move || session.me().map(|me| me.name).unwrap_or_default();

    let keys = window_event_listener(ev::keydown, move |event| {
        if event.key() == "Escape" && open.get_untracked() {
            open.set(false);
        }
    });
    on_cleanup(move || keys.remove());

    view! {
        <div class="user-menu">
            <button
                type="button"
                class="user-button"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                aria-label=move || format!("{} — {}", name(), i18n.t(crate::i18n::Key::UserMenu))
                data-testid="user-menu-button"
                on:click=move |_| open.update(|open| *open = !*open)
            >
                <span class="avatar" aria-hidden="true">{move || initials(&name())}</span>
                <span class="user-name" data-testid="user-name">{name}</span>
                {icons::chevron_down()}
            </button>
            <Show when=move || open.get()>
                <div class="menu-backdrop" on:click=move |_| open.set(false)></div>
                <div class="menu" role="menu" data-testid="user-menu">
                    <button
                        type="button"
                        role="menuitem"
                        data-testid="menu-profile"
                        on:click=move |_| {
                            open.set(false);
                            profile_open.set(true);
                        }
                    >
                        {icons::user()}
                        <span>{t!(i18n, Profile)}</span>
                    </button>
                    <button
                        type="button"
                        role="menuitem"
                        data-testid="menu-logout"
                        on:click=move |_| {
                            open.set(false);
                            session.logout();
                        }
                    >
                        {icons::logout()}
                        <span>{t!(i18n, Logout)}</span>
                    </button>
                </div>
            </Show>
            <Show when=move || profile_open.get()>
                <ProfileDialog on_close=move || profile_open.set(false)/>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_take_first_and_last_word() {
        assert_eq!(initials("Ana Souza"), "AS");
        assert_eq!(initials("ana maria souza"), "AS");
        assert_eq!(initials("Ana"), "A");
        assert_eq!(initials("  "), "");
        assert_eq!(initials("Élio"), "É");
    }
}
