//! Form plumbing: messages that follow the language switch, per-field errors, labelled inputs.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::validate::Invalid;

use crate::api::ApiError;
use crate::i18n::{self, Key, Locale, use_i18n};

/// A message shown to the user, rendered in the language of the moment.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Key(Key),
    /// A validation message from `shared::validate` or the server's `details`.
    Validation(Invalid),
    Api(ApiError),
}

impl Msg {
    pub fn render(&self, locale: Locale) -> String {
        match self {
            Msg::Key(key) => key.text(locale).to_owned(),
            Msg::Validation(invalid) => i18n::validation_text(locale, invalid),
            Msg::Api(err) => err.user_message(locale),
        }
    }
}

impl From<Invalid> for Msg {
    fn from(invalid: Invalid) -> Self {
        Msg::Validation(invalid)
    }
}

/// The state of one form: field errors, a banner above the buttons, whether it is submitting.
#[derive(Clone, Copy)]
pub struct FormState {
    pub errors: RwSignal<BTreeMap<String, Msg>>,
    pub banner: RwSignal<Option<Msg>>,
    pub busy: RwSignal<bool>,
}

impl FormState {
    pub fn new() -> Self {
        Self { errors: RwSignal::new(BTreeMap::new()), banner: RwSignal::new(None), busy: RwSignal::new(false) }
    }

    pub fn error(&self, field: &'static str) -> Signal<Option<Msg>> {
        let errors = self.errors;
        Signal::derive(move || errors.with(|errors| errors.get(field).cloned()))
    }

    /// Starts a submission: clears old messages. False when one is already running.
    pub fn begin(&self) -> bool {
        if self.busy.get_untracked() {
            return false;
        }
        self.errors.set(BTreeMap::new());
        self.banner.set(None);
        self.busy.set(true);
        true
    }

    /// Shows client-side errors; true when there were any.
    pub fn refuse(&self, errors: BTreeMap<String, Msg>) -> bool {
        if errors.is_empty() {
            return false;
        }
        self.errors.set(errors);
        self.banner.set(None);
        true
    }

    /// Runs the call of a submission that [`begin`](Self::begin) started: on success the form is no
    /// longer busy and `done` gets the answer; a failure is shown on the form.
    pub fn save<T: 'static>(
        self,
        call: impl Future<Output = Result<T, ApiError>> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        spawn_local(async move {
            match call.await {
                Ok(value) => {
                    self.busy.set(false);
                    done(value);
                }
                Err(err) => self.fail(err),
            }
        });
    }

    /// Shows a failed call: field messages beside their fields, one sentence in the banner.
    pub fn fail(&self, err: ApiError) {
        self.busy.set(false);
        if err == ApiError::SessionEnded {
            return; // the app is on its way to the login page
        }
        let fields: BTreeMap<String, Msg> =
            err.field_errors().into_iter().map(|(field, invalid)| (field, Msg::Validation(invalid))).collect();
        self.errors.set(fields);
        self.banner.set(Some(Msg::Api(err)));
    }
}

/// Collects a validation result into `errors`, returning the value when valid.
pub fn check<T>(errors: &mut BTreeMap<String, Msg>, field: &str, result: Result<T, Invalid>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(invalid) => {
            errors.insert(field.to_owned(), invalid.into());
            None
        }
    }
}

/// A page-unique element id.
pub fn unique_id(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A labelled text input with an optional hint and its error message below.
#[component]
pub fn TextInput(
    label: Key,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<Msg>>,
    testid: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<Key>,
    #[prop(optional)] required: bool,
    #[prop(optional)] node_ref: NodeRef<leptos::html::Input>,
    /// The id of a `<datalist>` of suggestions.
    #[prop(optional, into)]
    list: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = unique_id(testid);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_error = move || error.with(Option::is_some);
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if has_error() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field" class:has-error=has_error>
            <label for=id.clone()>{move || i18n.t(label)}</label>
            <input
                id=id
                type=kind
                autocomplete=autocomplete
                required=required
                aria-invalid=move || if has_error() { "true" } else { "false" }
                aria-describedby=described_by
                data-testid=testid
                node_ref=node_ref
                list=list
                bind:value=value
            />
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id>{move || i18n.t(hint)}</p> })}
            <FieldError id=error_id error=error testid=testid/>
        </div>
    }
}

/// The message under a field, when it has one.
#[component]
pub fn FieldError(
    #[prop(into)] id: String,
    #[prop(into)] error: Signal<Option<Msg>>,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|msg| {
            view! {
                <p class="field-error" id=id.clone() data-testid=format!("{testid}-error")>
                    {move || msg.render(i18n.locale())}
                </p>
            }
        })
    }
}

/// The banner above a form's buttons.
#[component]
pub fn FormBanner(form: FormState, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        form.banner.get().map(|msg| {
            view! {
                <div class="alert alert-error" role="alert" data-testid=testid>
                    {move || msg.render(i18n.locale())}
                </div>
            }
        })
    }
}

/// The foot of a form: its banner, then Cancel and Save (which reads "Salvando…" while busy).
#[component]
pub fn FormActions(
    form: FormState,
    #[prop(into)] on_cancel: Callback<()>,
    banner_testid: &'static str,
    save_testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <FormBanner form=form testid=banner_testid/>
        <div class="form-actions">
            <button type="button" class="btn" on:click=move |_| on_cancel.run(())>{move || i18n.t(Key::Cancel)}</button>
            <button type="submit" class="btn btn-primary" data-testid=save_testid disabled=move || form.busy.get()>
                {move || if form.busy.get() { i18n.t(Key::Saving) } else { i18n.t(Key::Save) }}
            </button>
        </div>
    }
}

/// A colour: the browser's picker, the chosen value, and a row of swatches (the queue palette).
#[component]
pub fn ColorField(
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<Msg>>,
    /// `queue-color`: the picker's test id; its value and error take it as a prefix.
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = unique_id(testid);
    view! {
        <div class="field">
            <label for=id.clone()>{move || i18n.t(Key::Color)}</label>
            <div class="color-field">
                <input id=id type="color" data-testid=testid bind:value=value/>
                <code data-testid=format!("{testid}-value")>{move || value.get()}</code>
                <span class="swatch-row" aria-hidden="true">
                    {super::queue_form::PALETTE
                        .into_iter()
                        .map(|swatch| {
                            view! {
                                <button
                                    type="button"
                                    class="swatch"
                                    tabindex="-1"
                                    class:selected=move || value.get() == swatch
                                    style:background-color=swatch
                                    on:click=move |_| value.set(swatch.to_owned())
                                ></button>
                            }
                        })
                        .collect_view()}
                </span>
            </div>
            <FieldError id=unique_id(&format!("{testid}-error")) error=error testid=testid/>
        </div>
    }
}
