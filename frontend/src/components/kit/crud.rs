//! An admin table page: header with "new", errors, the table, "load more", the form dialog and the
//! delete confirmation. A page gives its columns, how a row looks and which form edits it.
//!
//! Test ids follow the page's names: `{plural}-page`, `{plural}-table`, `{plural}-error`,
//! `{plural}-empty`, `{plural}-load-more`; `{singular}-new`, `{singular}-edit`, `{singular}-delete`.

use leptos::prelude::*;

use super::ErrorAlert;
use crate::api::HasId;
use crate::components::confirm_dialog::ConfirmDelete;
use crate::components::icons;
use crate::i18n::{Key, Locale, use_i18n};
use crate::state::crud::CrudState;
use crate::state::paged::Paged;
use crate::t;

#[component]
pub fn CrudPage<T>(
    crud: CrudState<T>,
    plural: &'static str,
    singular: &'static str,
    title: Key,
    subtitle: Key,
    new_label: Key,
    /// The column headings (an actions column is added).
    columns: &'static [Key],
    /// What the table says when it has no rows.
    #[prop(into)]
    empty: Signal<Key>,
    /// A `<tr>` for a row (ending with [`RowActions`]).
    #[prop(into)]
    row: Callback<T, AnyView>,
    /// The form dialog for a new row (`None`) or for a row.
    #[prop(into)]
    form: Callback<Option<T>, AnyView>,
    /// The delete dialog's question about a row.
    question: fn(Locale, &T) -> String,
    /// Replaces the delete confirmation, for rows whose deletion asks more than "are you sure?"
    /// (it drives `crud.confirm_delete` / `crud.cancel_delete` itself).
    #[prop(optional, into)]
    delete_dialog: Option<Callback<T, AnyView>>,
    /// Shown between the header and the table (a search box).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView
where
    T: HasId + Clone + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let list = crud.list;
    let error = Signal::derive(move || list.error.get().or(crud.row_error.get()));
    view! {
        <section class="page" data-testid=format!("{plural}-page")>
            <header class="page-header">
                <div>
                    <h1>{move || i18n.t(title)}</h1>
                    <p class="muted">{move || i18n.t(subtitle)}</p>
                </div>
                <button type="button" class="btn btn-primary" data-testid=format!("{singular}-new") on:click=move |_| crud.open_new()>
                    {icons::plus()}
                    <span>{move || i18n.t(new_label)}</span>
                </button>
            </header>
            {children.map(|children| children())}
            <ErrorAlert error=error testid=format!("{plural}-error")/>
            <div class="table-card">
                <table class="table" data-testid=format!("{plural}-table")>
                    <thead>
                        <tr>
                            {columns.iter().map(|key| view! { <th scope="col">{move || i18n.t(*key)}</th> }).collect_view()}
                            <th scope="col" class="actions">
                                <span class="sr-only">{t!(i18n, Actions)}</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>{move || list.items.get().into_iter().map(|item| row.run(item)).collect_view()}</tbody>
                </table>
                <Show when=move || list.is_empty()>
                    <p class="empty" data-testid=format!("{plural}-empty")>{move || i18n.t(empty.get())}</p>
                </Show>
            </div>
            <LoadMoreFooter list=list testid=format!("{plural}-load-more")/>
            {move || crud.editing.get().map(|editing| form.run(editing))}
            {move || {
                crud.deleting.get().map(|item| {
                    if let Some(dialog) = delete_dialog {
                        return dialog.run(item);
                    }
                    view! {
                        <ConfirmDelete
                            question=Signal::derive(move || question(i18n.locale(), &item))
                            busy=crud.delete_busy
                            error=Signal::derive(move || crud.delete_error.get().map(|err| err.user_message(i18n.locale())))
                            on_confirm=move |()| crud.confirm_delete()
                            on_cancel=move || crud.cancel_delete()
                        />
                    }
                    .into_any()
                })
            }}
        </section>
    }
}

/// The last cell of a row: edit and delete (after any buttons given as children).
#[component]
pub fn RowActions<T>(
    crud: CrudState<T>,
    row: T,
    /// `{singular}-edit`, `{singular}-delete`.
    singular: &'static str,
    #[prop(optional)] delete_disabled: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView
where
    T: HasId + Clone + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let for_delete = row.clone();
    view! {
        <td class="actions">
            {children.map(|children| children())}
            <button
                type="button"
                class="btn btn-small"
                data-testid=format!("{singular}-edit")
                on:click=move |_| crud.open_edit(row.clone())
            >
                {t!(i18n, Edit)}
            </button>
            <button
                type="button"
                class="btn btn-small btn-danger-ghost"
                data-testid=format!("{singular}-delete")
                disabled=delete_disabled
                on:click=move |_| crud.ask_delete(for_delete.clone())
            >
                {t!(i18n, Delete)}
            </button>
        </td>
    }
}

/// "Carregar mais" while there is a next page, and "Carregando…" while a page is on its way.
#[component]
pub fn LoadMoreFooter<T>(list: Paged<T>, #[prop(into)] testid: String) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <div class="list-footer">
            <Show when=move || list.next.with(Option::is_some)>
                <button
                    type="button"
                    class="btn"
                    data-testid=testid.clone()
                    disabled=move || list.loading.get()
                    on:click=move |_| list.load_more()
                >
                    {t!(i18n, LoadMore)}
                </button>
            </Show>
            <Show when=move || list.loading.get()>
                <span class="muted" role="status">{t!(i18n, Loading)}</span>
            </Show>
        </div>
    }
}
