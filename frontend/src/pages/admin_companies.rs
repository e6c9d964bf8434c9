//! /admin/companies (platform administrator): every company; a new one with its first admin;
//! suspend or restore one; delete one with all its data, after a second click that confirms.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::CompanyId;
use shared::org::{Company, NewCompany, NewCompanyAdmin, UpdateCompany};

use crate::api::{self, ApiError};
use crate::components::form::{FormBanner, FormState, TextInput};
use crate::i18n::{Key, use_i18n};
use crate::state::session::use_session;
use crate::t;

#[component]
pub fn AdminCompaniesPage() -> impl IntoView {
    let session = use_session();
    let platform = Memo::new(move |_| session.me().is_some_and(|me| me.platform_admin));
    move || {
        if platform.get() { view! { <CompaniesAdmin/> }.into_any() } else { view! { <super::AdminOnly/> }.into_any() }
    }
}

#[component]
fn CompaniesAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let companies = RwSignal::new(Vec::<Company>::new());
    let error = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(None::<CompanyId>);
    let (name, admin_name, email, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let form = FormState::new();
    let load = move || {
        spawn_local(async move {
            match api::companies::list().await {
                Ok(list) => {
                    companies.try_set(list);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    load();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if !form.begin() {
            return;
        }
        let new = NewCompany {
            name: name.get_untracked(),
            admin: NewCompanyAdmin {
                name: admin_name.get_untracked(),
                email: email.get_untracked(),
                password: password.get_untracked(),
            },
        };
        form.save(async move { api::companies::create(&new).await }, move |_| {
            for field in [name, admin_name, email, password] {
                field.set(String::new());
            }
            load();
        });
    };
    let suspend = move |id: CompanyId, suspended: bool| {
        spawn_local(async move {
            match api::companies::update(id, &UpdateCompany { name: None, suspended: Some(suspended) }).await {
                Ok(_) => load(),
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    let delete = move |id: CompanyId| {
        if confirming.get_untracked() != Some(id) {
            confirming.set(Some(id));
            return;
        }
        confirming.set(None);
        spawn_local(async move {
            match api::companies::delete(id).await {
                Ok(()) => load(),
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    let own = move || session.me().map(|me| me.company_id);
    view! {
        <section class="page" data-testid="companies-page">
            <header class="page-header">
                <div>
                    <h1>{t!(i18n, Companies)}</h1>
                    <p class="muted">{t!(i18n, CompaniesSubtitle)}</p>
                </div>
            </header>
            <form class="form" novalidate on:submit=submit data-testid="company-form">
                <FormBanner form=form testid="company"/>
                <TextInput label=Key::CompanyName value=name error=form.error("name") testid="company-name"/>
                <TextInput label=Key::CompanyAdminName value=admin_name error=form.error("admin.name") testid="company-admin-name"/>
                <TextInput label=Key::CompanyAdminEmail value=email error=form.error("admin.email") testid="company-admin-email" kind="email"/>
                <TextInput label=Key::CompanyAdminPassword value=password error=form.error("admin.password")
                    testid="company-admin-password" kind="password"/>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="company-create" disabled=move || form.busy.get()>
                        {t!(i18n, NewCompany)}
                    </button>
                </div>
            </form>
            {move || error.get().map(|err| view! {
                <div class="alert alert-error" role="alert" data-testid="companies-error">{move || err.user_message(i18n.locale())}</div>
            })}
            <table class="table" data-testid="companies-table">
                <tbody>
                    {move || companies.get().into_iter().map(|company| {
                        let id = company.id;
                        let suspended = company.suspended;
                        let mine = own() == Some(id);
                        view! {
                            <tr data-testid="company-row" data-company-id=id.to_string()>
                                <td class="cell-strong" data-testid="company-row-name">{company.name.clone()}</td>
                                <td data-testid="company-row-state">
                                    {if suspended { i18n.t(Key::CompanySuspendedLabel) } else { i18n.t(Key::CompanyActiveLabel) }}
                                </td>
                                <td class="actions">
                                    <button type="button" class="btn btn-small" data-testid="company-suspend" disabled=mine
                                        on:click=move |_| suspend(id, !suspended)>
                                        {if suspended { i18n.t(Key::CompanyRestore) } else { i18n.t(Key::CompanySuspend) }}
                                    </button>
                                    <button type="button" class="btn btn-small btn-danger" data-testid="company-delete" disabled=mine
                                        on:click=move |_| delete(id)>
                                        {move || if confirming.get() == Some(id) { i18n.t(Key::CompanyConfirmDelete) } else { i18n.t(Key::Delete) }}
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
