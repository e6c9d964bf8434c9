//! A person's photo, or their initials on a colour derived from the name.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::user_menu::initials;
use crate::api::media;

/// A stable hue for a name, so the same contact always gets the same colour.
pub fn hue(name: &str) -> u32 {
    name.bytes().fold(7u32, |acc, b| acc.wrapping_mul(31).wrapping_add(u32::from(b))) % 360
}

#[component]
pub fn Avatar(
    #[prop(into)] name: Signal<String>,
    #[prop(into)] photo: Signal<Option<String>>,
    #[prop(optional)] large: bool,
) -> impl IntoView {
    let src = RwSignal::new(None::<String>);
    let failed = RwSignal::new(false);
    Effect::new(move || {
        failed.set(false);
        match photo.get() {
            Some(url) if media::needs_token(&url) => {
                src.set(None);
                spawn_local(async move {
                    if let Ok(object) = media::fetch(&url, media::Use::Image).await
                        && object.inline
                    {
                        src.try_set(Some(object.url));
                    }
                });
            }
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => src.set(Some(url)),
            _ => src.set(None),
        }
    });
    view! {
        <span
            class="avatar contact-avatar"
            class:avatar-large=large
            aria-hidden="true"
            style:background-color=move || format!("hsl({} 55% 88%)", hue(&name.get()))
            style:color=move || format!("hsl({} 45% 30%)", hue(&name.get()))
        >
            {move || match src.get().filter(|_| !failed.get()) {
                Some(url) => view! { <img src=url alt="" loading="lazy" on:error=move |_| failed.set(true)/> }.into_any(),
                None => initials(&name.get()).into_any(),
            }}
        </span>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hue_is_stable_and_in_range() {
        assert_eq!(super::hue("Maria"), super::hue("Maria"));
        assert!(super::hue("João da Silva") < 360);
    }
}
