//! A contact's extra fields as editable name/value rows (CPF, plan, company…).

use leptos::prelude::*;
use serde_json::{Map, Value};

use super::form::{FieldError, Msg};
use super::icons;
use crate::i18n::use_i18n;
use crate::t;

#[derive(Clone, Copy)]
struct Row {
    id: u32,
    key: RwSignal<String>,
    value: RwSignal<String>,
}

/// The rows being edited; `to_json` gives what the API takes.
#[derive(Clone, Copy)]
pub struct ExtraFields {
    rows: RwSignal<Vec<Row>>,
    next: StoredValue<u32>,
}

impl ExtraFields {
    pub fn new(extra: Option<&Value>) -> Self {
        let fields = Self { rows: RwSignal::new(Vec::new()), next: StoredValue::new(0) };
        for (key, value) in extra.and_then(Value::as_object).into_iter().flatten() {
            fields.push(key.clone(), value.as_str().unwrap_or_default().to_owned());
        }
        fields
    }

    fn push(&self, key: String, value: String) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.rows.update(|rows| rows.push(Row { id, key: RwSignal::new(key), value: RwSignal::new(value) }));
    }

    /// Rows with a blank name and value are left out; the last of two equal names wins.
    pub fn to_json(self) -> Value {
        let mut map = Map::new();
        for row in self.rows.get_untracked() {
            let (key, value) = (row.key.get_untracked().trim().to_owned(), row.value.get_untracked().trim().to_owned());
            if key.is_empty() && value.is_empty() {
                continue;
            }
            map.insert(key, Value::String(value));
        }
        Value::Object(map)
    }
}

#[component]
pub fn ExtraFieldsEditor(fields: ExtraFields, #[prop(into)] error: Signal<Option<Msg>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="extra-fields" data-testid="contact-extra">
            <legend>{t!(i18n, ExtraFields)}</legend>
            <For each=move || fields.rows.get() key=|row| row.id let:row>
                <div class="extra-row" data-testid="contact-extra-row">
                    <input
                        type="text"
                        placeholder=t!(i18n, FieldName)
                        aria-label=t!(i18n, FieldName)
                        maxlength=shared::contacts::EXTRA_KEY_MAX.to_string()
                        data-testid="contact-extra-key"
                        bind:value=row.key
                    />
                    <input
                        type="text"
                        placeholder=t!(i18n, FieldValue)
                        aria-label=t!(i18n, FieldValue)
                        maxlength=shared::contacts::EXTRA_VALUE_MAX.to_string()
                        data-testid="contact-extra-value"
                        bind:value=row.value
                    />
                    <button
                        type="button"
                        class="icon-button"
                        aria-label=t!(i18n, RemoveField)
                        title=t!(i18n, RemoveField)
                        data-testid="contact-extra-remove"
                        on:click=move |_| fields.rows.update(|rows| rows.retain(|r| r.id != row.id))
                    >
                        {icons::close()}
                    </button>
                </div>
            </For>
            <button type="button" class="btn btn-small" data-testid="contact-extra-add" on:click=move |_| fields.push(String::new(), String::new())>
                {t!(i18n, AddField)}
            </button>
            <FieldError id="contact-extra-error" error=error testid="contact-extra"/>
        </fieldset>
    }
}
