//! Create or edit a kanban board (administrators): its name and its lanes — add, rename, colour,
//! move left or right, remove. Saving sends the whole list: the server keeps lanes that have an
//! id, creates the others and deletes the ones left out.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::ids::LaneId;
use shared::kanban::{Board, LaneInput, MAX_LANES, NewBoard, UpdateBoard};
use shared::validate::{HexColor, Invalid, Name};

use super::form::{FieldError, FormActions, FormState, Msg, TextInput, check, unique_id};
use super::icons;
use super::modal::Modal;
use super::queue_form::PALETTE;
use crate::api::kanban::BOARDS;
use crate::i18n::{Key, use_i18n};
use crate::t;

/// A lane as edited: `key` tells rows apart while they move (kept lanes also have their `id`).
#[derive(Clone, Debug, PartialEq)]
struct Draft {
    key: u32,
    id: Option<LaneId>,
    name: String,
    color: String,
}

/// Moves the row at `from` by `by` places, if it stays in the list.
fn shift<T>(items: &mut [T], from: usize, by: isize) {
    let to = from as isize + by;
    if to >= 0 && (to as usize) < items.len() {
        items.swap(from, to as usize);
    }
}

#[component]
pub fn BoardForm(
    /// `None` to create a board.
    board: Option<Board>,
    /// Called with the saved board and whether it was created.
    #[prop(into)]
    on_saved: Callback<(Board, bool)>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let creating = board.is_none();
    let name = RwSignal::new(board.as_ref().map(|b| b.name.clone()).unwrap_or_default());
    let next_key = StoredValue::new(0u32);
    let new_key = move || {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        key
    };
    let initial: Vec<Draft> = board
        .as_ref()
        .map(|b| {
            b.lanes
                .iter()
                .map(|l| Draft { key: new_key(), id: Some(l.id), name: l.name.clone(), color: l.color.clone() })
                .collect()
        })
        .unwrap_or_default();
    let lanes = RwSignal::new(initial);
    let original = StoredValue::new(board);
    let form = FormState::new();

    let position = move |key: u32| lanes.with(|all| all.iter().position(|d| d.key == key));
    let edit = move |key: u32, change: &dyn Fn(&mut Draft)| {
        lanes.update(|all| {
            if let Some(draft) = all.iter_mut().find(|d| d.key == key) {
                change(draft);
            }
        });
    };
    let add_lane = move |_| {
        let key = new_key();
        lanes.update(|all| {
            let color = PALETTE[all.len() % PALETTE.len()].to_owned();
            all.push(Draft { key, id: None, name: String::new(), color });
        });
        // The new row's name field, ready to type in.
        request_animation_frame(move || {
            if let Some(input) = document()
                .query_selector(&format!("[data-lane-key='{key}'] [data-testid='board-lane-name']"))
                .ok()
                .flatten()
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
            {
                let _ = input.focus();
            }
        });
    };
    // A lane's problem, from the browser's checks or the server's `lanes[i].field`.
    let lane_error = move |key: u32, field: &'static str| {
        Signal::derive(move || {
            let index = position(key)?;
            form.errors.with(|errors| errors.get(&format!("lanes[{index}].{field}")).cloned())
        })
    };

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut errors = BTreeMap::new();
        let valid_name = check(&mut errors, "name", Name::parse(&name.get_untracked()));
        let drafts = lanes.get_untracked();
        if drafts.len() > MAX_LANES {
            errors.insert("lanes".to_owned(), Msg::from(Invalid::NumberBetween { min: 0, max: MAX_LANES as u32 }));
        }
        let mut inputs = Vec::new();
        for (i, draft) in drafts.iter().enumerate() {
            let lane_name = check(&mut errors, &format!("lanes[{i}].name"), Name::parse(&draft.name));
            let color = check(&mut errors, &format!("lanes[{i}].color"), HexColor::parse(&draft.color));
            if let (Some(lane_name), Some(color)) = (lane_name, color) {
                inputs.push(LaneInput { id: draft.id, name: lane_name.into_inner(), color: Some(color.into_inner()) });
            }
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
            match before {
                None => {
                    let new_board = NewBoard { name: valid_name.into_inner(), lanes: inputs };
                    BOARDS.create(&new_board).await.map(|board| (board, true))
                }
                Some(before) => {
                    let changes = UpdateBoard {
                        name: (valid_name.as_str() != before.name).then(|| valid_name.into_inner()),
                        lanes: Some(inputs),
                    };
                    BOARDS.update(before.id, &changes).await.map(|board| (board, false))
                }
            }
        };
        form.save(call, move |saved| on_saved.run(saved));
    };

    let title = Signal::derive(move || i18n.t(if creating { Key::NewBoard } else { Key::EditBoard }).to_owned());
    view! {
        <Modal title=title on_close=on_close testid="board-dialog">
            <form class="form" novalidate on:submit=submit data-testid="board-form">
                <TextInput label=Key::Name value=name error=form.error("name") testid="board-name" required=true/>
                <fieldset class="lanes-editor">
                    <legend>{t!(i18n, Lanes)}</legend>
                    <p class="field-hint">{t!(i18n, LanesHint)}</p>
                    <ol class="lane-drafts" data-testid="board-lanes">
                        <For each=move || lanes.get() key=|draft| draft.key let:draft>
                            {
                                let key = draft.key;
                                let name_id = unique_id("lane-name");
                                view! {
                                    <li class="lane-draft" data-testid="board-lane" data-lane-key=key.to_string()>
                                        <input
                                            type="color"
                                            class="lane-color"
                                            aria-label=t!(i18n, LaneColor)
                                            data-testid="board-lane-color"
                                            prop:value=move || lanes.with(|all| all.iter().find(|d| d.key == key).map(|d| d.color.clone()).unwrap_or_default())
                                            on:input=move |e| { let value = event_target_value(&e); edit(key, &|d| d.color = value.clone()) }
                                        />
                                        <input
                                            id=name_id
                                            type="text"
                                            class="lane-name"
                                            aria-label=t!(i18n, LaneName)
                                            placeholder=t!(i18n, LaneName)
                                            data-testid="board-lane-name"
                                            prop:value=move || lanes.with(|all| all.iter().find(|d| d.key == key).map(|d| d.name.clone()).unwrap_or_default())
                                            on:input=move |e| { let value = event_target_value(&e); edit(key, &|d| d.name = value.clone()) }
                                        />
                                        <button type="button" class="icon-button" aria-label=t!(i18n, MoveLaneLeft) title=t!(i18n, MoveLaneLeft)
                                            data-testid="board-lane-left" disabled=move || position(key) == Some(0)
                                            on:click=move |_| lanes.update(|all| if let Some(at) = all.iter().position(|d| d.key == key) { shift(all, at, -1) })>
                                            "←"
                                        </button>
                                        <button type="button" class="icon-button" aria-label=t!(i18n, MoveLaneRight) title=t!(i18n, MoveLaneRight)
                                            data-testid="board-lane-right" disabled=move || position(key).map(|p| p + 1) == Some(lanes.with(Vec::len))
                                            on:click=move |_| lanes.update(|all| if let Some(at) = all.iter().position(|d| d.key == key) { shift(all, at, 1) })>
                                            "→"
                                        </button>
                                        <button type="button" class="icon-button" aria-label=t!(i18n, RemoveLane) title=t!(i18n, RemoveLane)
                                            data-testid="board-lane-remove"
                                            on:click=move |_| lanes.update(|all| all.retain(|d| d.key != key))>
                                            {icons::trash()}
                                        </button>
                                        <FieldError id=unique_id("lane-name-error") error=lane_error(key, "name") testid="board-lane-name"/>
                                        <FieldError id=unique_id("lane-color-error") error=lane_error(key, "color") testid="board-lane-color"/>
                                        <FieldError id=unique_id("lane-id-error") error=lane_error(key, "id") testid="board-lane-id"/>
                                    </li>
                                }
                            }
                        </For>
                    </ol>
                    <Show when=move || lanes.with(Vec::is_empty)>
                        <p class="muted" data-testid="board-no-lanes">{t!(i18n, NoLanes)}</p>
                    </Show>
                    <FieldError id=unique_id("lanes-error") error=form.error("lanes") testid="board-lanes"/>
                    <button type="button" class="btn btn-small" data-testid="board-lane-add" on:click=add_lane
                        disabled=move || { lanes.with(Vec::len) >= MAX_LANES }>
                        {icons::plus()}
                        <span>{t!(i18n, AddLane)}</span>
                    </button>
                </fieldset>
                <FormActions form=form on_cancel=on_close banner_testid="board-form-error" save_testid="board-save"/>
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::shift;

    #[test]
    fn lanes_move_one_place_and_never_off_the_ends() {
        let mut lanes = vec!['a', 'b', 'c'];
        shift(&mut lanes, 0, -1);
        assert_eq!(lanes, ['a', 'b', 'c']);
        shift(&mut lanes, 0, 1);
        assert_eq!(lanes, ['b', 'a', 'c']);
        shift(&mut lanes, 2, 1);
        assert_eq!(lanes, ['b', 'a', 'c']);
        shift(&mut lanes, 2, -1);
        assert_eq!(lanes, ['b', 'c', 'a']);
    }
}
