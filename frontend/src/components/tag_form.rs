//! Create or edit a tag (administrators): name, colour and order.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::tags::{NewTag, Tag, UpdateTag};
use shared::validate::{HexColor, Name};

use super::form::{ColorField, FormActions, FormState, Msg, TextInput, check};
use super::modal::Modal;
use super::queue_form::PALETTE;
use crate::api::tags::TAGS;
use crate::i18n::{Key, use_i18n};

#[component]
pub fn TagForm(
    /// `None` to create a tag.
    tag: Option<Tag>,
    /// The colour a new tag starts with.
    #[prop(default = PALETTE[0])]
    default_color: &'static str,
    /// Called with the saved tag and whether it was created.
    #[prop(into)]
    on_saved: Callback<(Tag, bool)>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let creating = tag.is_none();
    let name = RwSignal::new(tag.as_ref().map(|t| t.name.clone()).unwrap_or_default());
    let color = RwSignal::new(tag.as_ref().map_or_else(|| default_color.to_owned(), |t| t.color.clone()));
    // Empty for a new tag: it goes after the last one.
    let position = RwSignal::new(tag.as_ref().map(|t| t.position.to_string()).unwrap_or_default());
    let original = StoredValue::new(tag);
    let form = FormState::new();

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut errors = BTreeMap::new();
        let valid_name = check(&mut errors, "name", Name::parse(&name.get_untracked()));
        let valid_color = check(&mut errors, "color", HexColor::parse(&color.get_untracked()));
        let raw_position = position.get_untracked();
        let valid_position = match raw_position.trim() {
            "" => Some(None),
            text => match text.parse::<i32>() {
                Ok(number) => Some(Some(number)),
                Err(_) => {
                    errors.insert("position".to_owned(), Msg::Key(Key::MustBeWholeNumber));
                    None
                }
            },
        };
        if form.refuse(errors) {
            return;
        }
        let (Some(valid_name), Some(valid_color), Some(valid_position)) = (valid_name, valid_color, valid_position)
        else {
            return;
        };
        if !form.begin() {
            return;
        }
        let before = original.get_value();
        let call = async move {
            match before {
                None => {
                    let new_tag = NewTag {
                        name: valid_name.into_inner(),
                        color: valid_color.into_inner(),
                        position: valid_position,
                    };
                    TAGS.create(&new_tag).await.map(|tag| (tag, true))
                }
                Some(before) => {
                    let changes = UpdateTag {
                        name: (valid_name.as_str() != before.name).then(|| valid_name.into_inner()),
                        color: (valid_color.as_str() != before.color).then(|| valid_color.into_inner()),
                        position: valid_position.filter(|p| *p != before.position),
                    };
                    TAGS.update(before.id, &changes).await.map(|tag| (tag, false))
                }
            }
        };
        form.save(call, move |saved| on_saved.run(saved));
    };

    let title = Signal::derive(move || i18n.t(if creating { Key::NewTag } else { Key::EditTag }).to_owned());
    view! {
        <Modal title=title on_close=on_close testid="tag-dialog">
            <form class="form" novalidate on:submit=submit data-testid="tag-form">
                <TextInput label=Key::Name value=name error=form.error("name") testid="tag-name" required=true/>
                <ColorField value=color error=form.error("color") testid="tag-color"/>
                <TextInput label=Key::Order value=position error=form.error("position") testid="tag-position" kind="number" hint=Key::TagOrderHint/>
                <FormActions form=form on_cancel=on_close banner_testid="tag-form-error" save_testid="tag-save"/>
            </form>
        </Modal>
    }
}
