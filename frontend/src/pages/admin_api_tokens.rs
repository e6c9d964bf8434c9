//! /admin/api-tokens: tokens for integrators. A new token is shown once, right after it is
//! created; listed tokens show only their first characters; revoking one ends its use at once.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::{ApiToken, CreatedApiToken};

use super::AdminGate;
use crate::api::{self, ApiError};
use crate::components::form::{FormBanner, FormState, TextInput};
use crate::i18n::{Key, use_i18n};
use crate::t;
use crate::time;

#[component]
pub fn AdminApiTokensPage() -> impl IntoView {
    view! { <AdminGate><ApiTokensAdmin/></AdminGate> }
}

#[component]
fn ApiTokensAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let tokens = RwSignal::new(Vec::<ApiToken>::new());
    let error = RwSignal::new(None::<ApiError>);
    let created = RwSignal::new(None::<CreatedApiToken>);
    let name = RwSignal::new(String::new());
    let form = FormState::new();
    let load = move || {
        spawn_local(async move {
            match api::api_tokens::list().await {
                Ok(list) => {
                    tokens.try_set(list);
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
        let typed = name.get_untracked();
        form.save(async move { api::api_tokens::create(&typed).await }, move |token| {
            created.set(Some(token));
            name.set(String::new());
            load();
        });
    };
    let revoke = move |token: ApiToken| {
        spawn_local(async move {
            match api::api_tokens::revoke(token.id).await {
                Ok(()) => load(),
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    view! {
        <section class="page" data-testid="api-tokens-page">
            <header class="page-header">
                <div>
                    <h1>{t!(i18n, ApiTokens)}</h1>
                    <p class="muted">{t!(i18n, ApiTokensSubtitle)}</p>
                </div>
            </header>
            <form class="form" novalidate on:submit=submit data-testid="api-token-form">
                <FormBanner form=form testid="api-token"/>
                <TextInput label=Key::Name value=name error=form.error("name") testid="api-token-name"/>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="api-token-create" disabled=move || form.busy.get()>
                        {t!(i18n, NewApiToken)}
                    </button>
                </div>
            </form>
            {move || created.get().map(|token| view! {
                <div class="alert alert-success" role="status" data-testid="api-token-created">
                    <p>{t!(i18n, ApiTokenShownOnce)}</p>
                    <code data-testid="api-token-value">{token.token.clone()}</code>
                </div>
            })}
            {move || error.get().map(|err| view! {
                <div class="alert alert-error" role="alert">{move || err.user_message(i18n.locale())}</div>
            })}
            <table class="table" data-testid="api-tokens-table">
                <thead><tr>
                    <th>{t!(i18n, Name)}</th><th>{t!(i18n, TokenPrefix)}</th><th>{t!(i18n, LastUsed)}</th><th></th>
                </tr></thead>
                <tbody>
                    {move || tokens.get().into_iter().map(|token| {
                        let for_revoke = token.clone();
                        view! {
                            <tr data-testid="api-token-row" data-token-id=token.id.to_string()>
                                <td class="cell-strong" data-testid="api-token-row-name">{token.name.clone()}</td>
                                <td><code>{token.prefix.clone()}"…"</code></td>
                                <td>{token.last_used_at.map(|at| time::full(&at, i18n.locale())).unwrap_or_default()}</td>
                                <td class="actions">
                                    <button type="button" class="btn btn-small btn-danger" data-testid="api-token-revoke"
                                        on:click=move |_| revoke(for_revoke.clone())>
                                        {t!(i18n, Revoke)}
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || tokens.with(Vec::is_empty)>
                <p class="muted" data-testid="api-tokens-empty">{t!(i18n, NoApiTokens)}</p>
            </Show>
        </section>
    }
}
