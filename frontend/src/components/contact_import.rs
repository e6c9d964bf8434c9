//! Importar contatos: pick a CSV file → the server's reading of its first rows, with a select per
//! column (name, number, e-mail, extra field, ignore) and what to do with contacts that exist →
//! start → a progress bar fed by `import.progress` → the report, with the rejected rows and why.

use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use shared::contact_imports::{
    ContactImport, ImportColumn, ImportExisting, ImportPreview, ImportStatus, MAX_IMPORT_BYTES,
};
use shared::events::Event;

use super::modal::Modal;
use crate::api::{self, ApiError};
use crate::i18n::{self, Key, use_i18n};
use crate::state::realtime::{self, LiveEvent};
use crate::t;

fn column_key(column: ImportColumn) -> Key {
    match column {
        ImportColumn::Name => Key::ImportColumnName,
        ImportColumn::Number => Key::ImportColumnNumber,
        ImportColumn::Email => Key::ImportColumnEmail,
        ImportColumn::Extra => Key::ImportColumnExtra,
        ImportColumn::Ignore => Key::ImportColumnIgnore,
    }
}

/// The words of a field of a rejected row.
fn field_label(locale: i18n::Locale, field: &str) -> String {
    match field {
        "name" => Key::ImportColumnName.text(locale).to_owned(),
        "number" => Key::ImportColumnNumber.text(locale).to_owned(),
        "email" => Key::ImportColumnEmail.text(locale).to_owned(),
        other => other.to_owned(),
    }
}

/// The error's sentence: a field's problem when the server names one.
fn error_text(locale: i18n::Locale, err: &ApiError) -> String {
    match err.field_errors().values().next() {
        Some(invalid) => i18n::validation_text(locale, invalid),
        None => err.user_message(locale),
    }
}

#[component]
pub fn ContactImportDialog(#[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let file = StoredValue::new(None::<SendWrapper<web_sys::File>>);
    let file_name = RwSignal::new(None::<String>);
    let preview = RwSignal::new(None::<ImportPreview>);
    let mapping = RwSignal::new(Vec::<ImportColumn>::new());
    let existing = RwSignal::new(ImportExisting::Skip);
    let job = RwSignal::new(None::<ContactImport>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    // The job's progress, live; a report read later never goes back to an earlier state.
    let take = move |update: ContactImport| {
        job.update(|current| {
            if let Some(known) = current
                && known.id == update.id
                && known.status == ImportStatus::Running
                && update.processed >= known.processed
            {
                *known = update;
            }
        });
    };
    realtime::subscribe(move |event| match event {
        LiveEvent::Other(Event::ImportProgress(update)) => take(update.clone()),
        LiveEvent::Resync => {
            if let Some(id) = job.get_untracked().map(|j| j.id) {
                spawn_local(async move {
                    if let Ok(update) = api::contacts::get_import(id).await {
                        take(update);
                    }
                });
            }
        }
        _ => {}
    });

    let pick = move |chosen: web_sys::File| {
        error.set(None);
        preview.set(None);
        if chosen.size() > MAX_IMPORT_BYTES as f64 {
            error.set(Some(i18n.t(Key::ImportFileTooLarge).to_owned()));
            return;
        }
        busy.set(true);
        file.set_value(Some(SendWrapper::new(chosen.clone())));
        spawn_local(async move {
            match api::contacts::preview_import(&chosen).await {
                Ok(read) => {
                    mapping.set(read.mapping.clone());
                    preview.set(Some(read));
                }
                Err(err) => {
                    error.try_set(Some(error_text(i18n.locale_untracked(), &err)));
                }
            }
            busy.try_set(false);
        });
    };

    let start = move |_| {
        let Some(chosen) = file.get_value() else { return };
        busy.set(true);
        error.set(None);
        let (columns, policy) = (mapping.get_untracked(), existing.get_untracked());
        spawn_local(async move {
            match api::contacts::start_import(&chosen, &columns, policy).await {
                Ok(started) => {
                    let id = started.id;
                    job.set(Some(started));
                    // Events sent before the answer arrived are in the job as it is now.
                    if let Ok(now) = api::contacts::get_import(id).await {
                        take(now);
                    }
                }
                Err(err) => {
                    let locale = i18n.locale_untracked();
                    let text = match &err {
                        ApiError::Api { status: 413, .. } => i18n.t(Key::ImportFileTooLarge).to_owned(),
                        other => error_text(locale, other),
                    };
                    error.try_set(Some(text));
                }
            }
            busy.try_set(false);
        });
    };

    let columns_view = move || {
        preview.get().map(|read| {
            let header = read.header.clone();
            let rows = read.rows.clone();
            view! {
                <p class="field-hint" data-testid="import-read-as">
                    {move || i18n::import_read_as(i18n.locale(), &read.encoding, &read.delimiter)}
                </p>
                <h3 class="section-title">{t!(i18n, ImportPreviewTitle)}</h3>
                <div class="table-card import-preview">
                    <table class="table" data-testid="import-preview">
                        <thead>
                            <tr>
                                {header.into_iter().enumerate().map(|(index, title)| view! {
                                    <th scope="col">
                                        <div class="import-title">{title}</div>
                                        <select data-testid=format!("import-map-{index}")
                                            on:change=move |event| {
                                                let chosen = ImportColumn::parse(&event_target_value(&event)).unwrap_or(ImportColumn::Ignore);
                                                mapping.update(|columns| if let Some(slot) = columns.get_mut(index) { *slot = chosen; });
                                            }
                                        >
                                            {ImportColumn::ALL.iter().map(|column| {
                                                let column = *column;
                                                view! {
                                                    <option value=column.as_str()
                                                        selected=move || mapping.with(|columns| columns.get(index) == Some(&column))>
                                                        {move || i18n.t(column_key(column))}
                                                    </option>
                                                }
                                            }).collect_view()}
                                        </select>
                                    </th>
                                }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|row| view! {
                                <tr data-testid="import-preview-row">
                                    {row.into_iter().map(|cell| view! { <td>{cell}</td> }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <fieldset class="checks">
                    <legend>{t!(i18n, ImportExistingLabel)}</legend>
                    <label class="radio">
                        <input type="radio" name="import-existing" data-testid="import-existing-skip"
                            prop:checked=move || existing.get() == ImportExisting::Skip
                            on:change=move |_| existing.set(ImportExisting::Skip)/>
                        <span>{t!(i18n, ImportExistingSkip)}</span>
                    </label>
                    <label class="radio">
                        <input type="radio" name="import-existing" data-testid="import-existing-update"
                            prop:checked=move || existing.get() == ImportExisting::Update
                            on:change=move |_| existing.set(ImportExisting::Update)/>
                        <span>{t!(i18n, ImportExistingUpdate)}</span>
                    </label>
                </fieldset>
            }
        })
    };

    let progress_view = move || {
        job.get().map(|current| {
            let status_key = match current.status {
                ImportStatus::Running => Key::ImportRunning,
                ImportStatus::Done => Key::ImportDone,
                ImportStatus::Failed => Key::ImportFailed,
                ImportStatus::Interrupted => Key::ImportInterrupted,
            };
            let running = current.status == ImportStatus::Running;
            let errors = current.errors.clone();
            let listed = errors.len() as u32;
            let more = current.rejected.saturating_sub(listed);
            let counts = [
                (Key::ImportCreated, current.created, "import-created"),
                (Key::ImportUpdated, current.updated, "import-updated"),
                (Key::ImportSkipped, current.skipped, "import-skipped"),
                (Key::ImportRejected, current.rejected, "import-rejected"),
            ];
            view! {
                <div class="import-progress" data-testid="import-job" data-status=current.status.as_str()>
                    <p class="cell-strong" data-testid="import-status">{move || i18n.t(status_key)}</p>
                    <progress data-testid="import-progress" max=current.total.max(1) value=current.processed></progress>
                    <p class="muted" data-testid="import-count">
                        {move || i18n::import_progress(i18n.locale(), current.processed, current.total)}
                    </p>
                    {current.error.clone().filter(|_| !running).map(|reason| view! { <p class="field-hint">{reason}</p> })}
                    <dl class="import-counts">
                        {counts.into_iter().map(|(key, count, testid)| view! {
                            <div>
                                <dt>{move || i18n.t(key)}</dt>
                                <dd data-testid=testid>{count}</dd>
                            </div>
                        }).collect_view()}
                    </dl>
                    {(!errors.is_empty()).then(|| view! {
                        <div class="table-card">
                            <table class="table" data-testid="import-errors">
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, ImportRow)}</th>
                                        <th scope="col">{t!(i18n, ImportField)}</th>
                                        <th scope="col">{t!(i18n, ImportReason)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {errors.into_iter().map(|row_error| {
                                        let field = row_error.field.clone();
                                        let problem = row_error.problem.problem.clone();
                                        view! {
                                            <tr data-testid="import-error-row">
                                                <td data-testid="import-error-line">{row_error.row}</td>
                                                <td>{move || field_label(i18n.locale(), &field)}</td>
                                                <td data-testid="import-error-reason">{move || i18n::validation_text(i18n.locale(), &problem)}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    })}
                    {(more > 0).then(|| view! { <p class="muted">{move || i18n::import_more_rejected(i18n.locale(), more)}</p> })}
                </div>
            }
        })
    };

    view! {
        <Modal title=Signal::derive(move || i18n.t(Key::ImportContacts).to_owned()) on_close=on_close testid="import-dialog" wide=true>
            <div class="form">
                <Show when=move || job.with(Option::is_none)>
                    <div class="field">
                        <div class="import-pick">
                        <label class="btn btn-small">
                            <span>{t!(i18n, ImportFile)}</span>
                            <input type="file" class="sr-only" accept=".csv,text/csv,text/plain" data-testid="import-file"
                                on:change=move |event| {
                                    let input: web_sys::HtmlInputElement = event_target(&event);
                                    if let Some(chosen) = input.files().and_then(|files| files.get(0)) {
                                        file_name.set(Some(chosen.name()));
                                        pick(chosen);
                                    }
                                }/>
                        </label>
                        {move || file_name.get().map(|name| view! { <span class="muted" data-testid="import-file-name">{name}</span> })}
                        </div>
                        <p class="field-hint">{t!(i18n, ImportFileHint)}</p>
                    </div>
                    {columns_view}
                </Show>
                {progress_view}
                {move || error.get().map(|text| view! { <div class="alert alert-error" role="alert" data-testid="import-error">{text}</div> })}
                <div class="form-actions">
                    <button type="button" class="btn" data-testid="import-close" on:click=move |_| on_close.run(())>
                        {move || if job.with(Option::is_some) { i18n.t(Key::Close) } else { i18n.t(Key::Cancel) }}
                    </button>
                    <Show when=move || job.with(Option::is_none)>
                        <button type="button" class="btn btn-primary" data-testid="import-start"
                            disabled=move || busy.get() || preview.with(Option::is_none) on:click=start>
                            {t!(i18n, ImportStart)}
                        </button>
                    </Show>
                </div>
            </div>
        </Modal>
    }
}
