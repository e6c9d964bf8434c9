//! Add a sticker to the library (a WebP file and an optional name) or rename one (administrators).

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::stickers::{Sticker, UpdateSticker};
use shared::validate::{Invalid, Name};

use super::form::{FieldError, FormActions, FormState, Msg, TextInput, check, unique_id};
use super::modal::Modal;
use crate::api::stickers::{self, STICKERS};
use crate::i18n::{Key, use_i18n};
use crate::t;

#[component]
pub fn StickerForm(
    /// `None` to add a sticker.
    sticker: Option<Sticker>,
    /// Called with the saved sticker and whether it was added.
    #[prop(into)]
    on_saved: Callback<(Sticker, bool)>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let creating = sticker.is_none();
    let name = RwSignal::new(sticker.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let original = StoredValue::new(sticker);
    let form = FormState::new();
    let file_input = NodeRef::<leptos::html::Input>::new();
    let file_id = unique_id("sticker-file");
    let file_error = form.error("file");

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let typed = name.get_untracked();
        let mut errors = BTreeMap::new();
        // Adding: the name may stay empty (the file's is used). Renaming: it is the whole point.
        let valid_name = if creating && typed.trim().is_empty() {
            Some(None)
        } else {
            check(&mut errors, "name", Name::parse(&typed)).map(Some)
        };
        let file = file_input.get_untracked().and_then(|input| input.files()).and_then(|files| files.get(0));
        if creating && file.is_none() {
            errors.insert("file".to_owned(), Msg::Validation(Invalid::FileRequired));
        }
        if form.refuse(errors) {
            return;
        }
        let Some(valid_name) = valid_name else { return };
        if !form.begin() {
            return;
        }
        let before = original.get_value();
        let call = async move {
            match (before, file) {
                (Some(before), _) => {
                    let changes = UpdateSticker { name: valid_name.map(Name::into_inner) };
                    STICKERS.update(before.id, &changes).await.map(|sticker| (sticker, false))
                }
                (None, Some(file)) => {
                    let name = valid_name.map(Name::into_inner).unwrap_or_default();
                    stickers::upload(&file, &name).await.map(|sticker| (sticker, true))
                }
                (None, None) => Err(crate::api::ApiError::Decode),
            }
        };
        form.save(call, move |saved| on_saved.run(saved));
    };

    let title = Signal::derive(move || i18n.t(if creating { Key::NewSticker } else { Key::EditSticker }).to_owned());
    view! {
        <Modal title=title on_close=on_close testid="sticker-dialog">
            <form class="form" novalidate on:submit=submit data-testid="sticker-form">
                {creating.then(|| view! {
                    <div class="field" class:has-error=move || file_error.with(Option::is_some)>
                        <label for=file_id.clone()>{t!(i18n, StickerFile)}</label>
                        <input id=file_id type="file" accept="image/webp,.webp" node_ref=file_input data-testid="sticker-file"/>
                        <p class="field-hint">{t!(i18n, StickerRules)}</p>
                        <FieldError id=unique_id("sticker-file-error") error=file_error testid="sticker-file"/>
                    </div>
                    <TextInput label=Key::Name value=name error=form.error("name") testid="sticker-name" hint=Key::StickerNameHint/>
                })}
                {(!creating).then(|| view! {
                    <TextInput label=Key::Name value=name error=form.error("name") testid="sticker-name" required=true/>
                })}
                <FormActions form=form on_cancel=on_close banner_testid="sticker-form-error" save_testid="sticker-save"/>
            </form>
        </Modal>
    }
}
