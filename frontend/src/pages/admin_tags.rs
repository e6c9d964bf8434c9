//! /admin/tags: the company's tags (Etiquetas), in their order: create, edit (name, colour,
//! order), delete (it comes off every ticket).

use leptos::prelude::*;
use shared::tags::Tag;

use super::AdminGate;
use crate::api::tags::TAGS;
use crate::components::kit::{CrudPage, RowActions};
use crate::components::queue_form::PALETTE;
use crate::components::tag_form::TagForm;
use crate::i18n::{self, Key, use_i18n};
use crate::state::crud::{CrudState, Notices};
use crate::t;

const NOTICES: Notices = Notices { created: Key::TagCreated, updated: Key::TagUpdated, deleted: Key::TagDeleted };

#[component]
pub fn AdminTagsPage() -> impl IntoView {
    view! { <AdminGate><TagsAdmin/></AdminGate> }
}

#[component]
fn TagsAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let crud = CrudState::of(TAGS, NOTICES);
    crud.list.reload();

    let row = move |tag: Tag| {
        view! {
            <tr data-testid="tag-row" data-tag-id=tag.id.to_string()>
                <td data-label=t!(i18n, Name)>
                    <span class="chip tag" style:border-color=tag.color.clone()>
                        <span class="dot dot-large" style:background-color=tag.color.clone()></span>
                        <span class="cell-strong" data-testid="tag-row-name">{tag.name.clone()}</span>
                    </span>
                </td>
                <td data-label=t!(i18n, Color)>
                    <code data-testid="tag-row-color">{tag.color.clone()}</code>
                </td>
                <td data-label=t!(i18n, Order) data-testid="tag-row-position">{tag.position}</td>
                <RowActions crud=crud row=tag.clone() singular="tag"/>
            </tr>
        }
        .into_any()
    };

    let form = move |tag: Option<Tag>| {
        let default_color = PALETTE[crud.list.items.with_untracked(Vec::len) % PALETTE.len()];
        view! {
            <TagForm
                tag=tag
                default_color=default_color
                on_saved=move |saved| crud.saved(saved)
                on_close=move || crud.close_form()
            />
        }
        .into_any()
    };

    view! {
        <CrudPage crud=crud plural="tags" singular="tag" title=Key::Tags subtitle=Key::Administration new_label=Key::NewTag
            columns=&[Key::Name, Key::Color, Key::Order] row=row form=form
            empty=Key::NoTags
            question=|locale, tag: &Tag| i18n::confirm_delete_tag(locale, &tag.name)
        />
    }
}
