//! /admin/stickers: the company's sticker library (figurinhas): preview, name, animated or not,
//! size; add (upload a WebP), rename, delete.

use leptos::prelude::*;
use shared::stickers::Sticker;

use super::AdminGate;
use crate::api::stickers::STICKERS;
use crate::components::kit::{CrudPage, RowActions};
use crate::components::sticker_form::StickerForm;
use crate::components::sticker_picker::StickerPreview;
use crate::i18n::{self, Key, use_i18n};
use crate::state::crud::{CrudState, Notices};
use crate::t;

const NOTICES: Notices =
    Notices { created: Key::StickerCreated, updated: Key::StickerUpdated, deleted: Key::StickerDeleted };

/// `12.3 KB`.
fn kilobytes(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

#[component]
pub fn AdminStickersPage() -> impl IntoView {
    view! { <AdminGate><StickersAdmin/></AdminGate> }
}

#[component]
fn StickersAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let crud = CrudState::of(STICKERS, NOTICES);
    crud.list.reload();

    let row = move |sticker: Sticker| {
        view! {
            <tr data-testid="sticker-row" data-sticker-id=sticker.id.to_string()>
                <td data-label=t!(i18n, Sticker)>
                    <StickerPreview url=sticker.url.clone() name=sticker.name.clone() class="sticker-thumb"/>
                </td>
                <td data-label=t!(i18n, Name)>
                    <span class="name-cell">
                        <span class="cell-strong" data-testid="sticker-row-name">{sticker.name.clone()}</span>
                        {sticker.animated.then(|| view! {
                            <span class="badge" data-testid="sticker-row-animated">{t!(i18n, Animated)}</span>
                        })}
                    </span>
                </td>
                <td data-label=t!(i18n, Size)>{kilobytes(sticker.size)}</td>
                <RowActions crud=crud row=sticker.clone() singular="sticker"/>
            </tr>
        }
        .into_any()
    };

    let form = move |sticker: Option<Sticker>| {
        view! {
            <StickerForm sticker=sticker on_saved=move |saved| crud.saved(saved) on_close=move || crud.close_form()/>
        }
        .into_any()
    };

    view! {
        <CrudPage crud=crud plural="stickers" singular="sticker" title=Key::Stickers subtitle=Key::Administration
            new_label=Key::NewSticker columns=&[Key::Sticker, Key::Name, Key::Size] row=row form=form
            empty=Key::NoStickers
            question=|locale, sticker: &Sticker| i18n::confirm_delete_sticker(locale, &sticker.name)
        />
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_in_kilobytes() {
        assert_eq!(super::kilobytes(1910), "1.9 KB");
        assert_eq!(super::kilobytes(500 * 1024), "500.0 KB");
    }
}
