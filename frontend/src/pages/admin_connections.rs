//! /admin/connections (Conexões): the company's connections, live (status changes arrive as
//! `connection.updated`), with create, edit and delete — a connection with tickets asks whether
//! to keep it or delete it with its history. /admin/connections/:id: one connection: its status,
//! the "test" button, a Cloud API number's webhook URL and verify token to copy into Meta's
//! dashboard, the simulator panel, and the slot where WhatsApp Web's pairing is shown.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use shared::ErrorCode;
use shared::contacts::{
    Connection, ConnectionKind, ConnectionStatus, ConnectionTest, SimulatedGroup, SimulatedMessage, SimulatedResult,
};
use shared::events::Event;
use shared::ids::ConnectionId;
use shared::org::Queue;

use super::AdminGate;
use crate::api::connections::{self, CONNECTIONS};
use crate::api::queues::QUEUES;
use crate::api::{ApiError, HasId};
use crate::components::connection_form::{ConnectionForm, kind_key};
use crate::components::kit::{CrudPage, RowActions};
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::components::whatsapp_web_pairing::WhatsappWebPairing;
use crate::i18n::{self, Key, use_i18n};
use crate::state::crud::{CrudState, Notices, remove_by_id, replace_by_id};
use crate::state::realtime::{self, LiveEvent};
use crate::t;
use crate::time;

const NOTICES: Notices =
    Notices { created: Key::ConnectionCreated, updated: Key::ConnectionUpdated, deleted: Key::ConnectionDeleted };

/// The largest file the simulator takes (the server's upload limit, 16 MiB).
const SIMULATOR_MAX_FILE_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

pub fn status_key(status: ConnectionStatus) -> Key {
    match status {
        ConnectionStatus::Connected => Key::ConnConnected,
        ConnectionStatus::Pairing => Key::ConnPairing,
        ConnectionStatus::Disconnected => Key::ConnDisconnected,
        ConnectionStatus::Error => Key::ConnError,
    }
}

/// The status pill, and why (in the provider's words) when there is a reason.
#[component]
fn StatusCell(status: ConnectionStatus, reason: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("status-pill conn-status conn-{}", status.as_str()) data-testid="connection-status"
            data-status=status.as_str()>
            {move || i18n.t(status_key(status))}
        </span>
        {reason.map(|reason| view! { <span class="muted conn-reason" data-testid="connection-status-reason">{reason}</span> })}
    }
}

#[component]
pub fn AdminConnectionsPage() -> impl IntoView {
    view! { <AdminGate><ConnectionsAdmin/></AdminGate> }
}

#[component]
fn ConnectionsAdmin() -> impl IntoView {
    let i18n = use_i18n();
    // Set by "delete with its history" just before the delete is confirmed again.
    let with_history = RwSignal::new(false);
    let crud = CrudState::new(
        NOTICES,
        move |cursor: Option<String>| async move { CONNECTIONS.list(cursor.as_deref()).await },
        move |id| connections::delete(id, with_history.get_untracked()),
    );
    let queues = RwSignal::new(Vec::<Queue>::new());
    crud.list.reload();
    spawn_local(async move {
        if let Ok(all) = QUEUES.list_all().await {
            queues.try_set(all);
        }
    });
    realtime::subscribe(move |event| match event {
        LiveEvent::Other(Event::ConnectionUpdated(connection)) => {
            let connection = connection.clone();
            crud.list.items.update(|items| {
                if !replace_by_id(items, connection.clone()) {
                    items.push(connection);
                }
            });
        }
        LiveEvent::Other(Event::ConnectionDeleted(gone)) => {
            crud.list.items.update(|items| remove_by_id(items, gone.id))
        }
        LiveEvent::Resync => crud.list.reload(),
        _ => {}
    });
    let queue_name =
        move |id| queues.with(|all| all.iter().find(|q: &&Queue| Some(q.id) == id).map(|q| q.name.clone()));

    let row = move |connection: Connection| {
        let href = format!("/admin/connections/{}", connection.id);
        let queue = connection.default_queue_id;
        let created = connection.created_at;
        let kind = connection.kind;
        view! {
            <tr data-testid="connection-row" data-connection-id=connection.id.to_string() data-kind=kind.as_str()>
                <td data-label=t!(i18n, Name)>
                    <a class="cell-strong" href=href.clone() data-testid="connection-row-name">{connection.name.clone()}</a>
                </td>
                <td data-label=t!(i18n, ConnectionKindLabel) data-testid="connection-row-kind">{move || i18n.t(kind_key(kind))}</td>
                <td data-label=t!(i18n, ConnectionStatusLabel)>
                    <StatusCell status=connection.status reason=connection.status_reason.clone()/>
                </td>
                <td data-label=t!(i18n, DefaultQueue) data-testid="connection-row-queue">
                    {move || queue_name(queue).unwrap_or_else(|| if queue.is_some() { String::new() } else { i18n.t(Key::NoDefaultQueue).to_owned() })}
                </td>
                <td data-label=t!(i18n, CreatedAtLabel) class="muted">{move || time::full(&created, i18n.locale())}</td>
                <RowActions crud=crud row=connection.clone() singular="connection">
                    <a class="btn btn-small" href=href data-testid="connection-open">{t!(i18n, OpenConnection)}</a>
                </RowActions>
            </tr>
        }
        .into_any()
    };

    let form = move |connection: Option<Connection>| {
        view! {
            <ConnectionForm
                connection=connection
                queues=queues
                on_saved=move |saved: (Connection, bool)| {
                    // The creator's own connection.updated may have put it in the list already.
                    let (row, created) = saved;
                    if created {
                        crud.list.items.update(|items| remove_by_id(items, row.id()));
                    }
                    crud.saved((row, created));
                }
                on_close=move || crud.close_form()
            />
        }
        .into_any()
    };

    let delete_dialog = move |connection: Connection| {
        with_history.set(false);
        let name = connection.name.clone();
        let in_use = move || {
            crud.delete_error.with(|e| matches!(e, Some(ApiError::Api { code: ErrorCode::ConnectionInUse, .. })))
        };
        let other_error = move || {
            crud.delete_error
                .get()
                .filter(|e| !matches!(e, ApiError::Api { code: ErrorCode::ConnectionInUse, .. }))
                .map(|e| e.user_message(i18n.locale()))
        };
        view! {
            <Modal title=Signal::derive(move || i18n.t(Key::ConfirmDeleteTitle).to_owned()) on_close=move || crud.cancel_delete()
                testid="confirm-dialog">
                <p class="confirm-question" data-testid="confirm-question">
                    {move || i18n::confirm_delete_connection(i18n.locale(), &name)}
                </p>
                {move || other_error().map(|text| view! { <div class="alert alert-error" role="alert">{text}</div> })}
                <Show
                    when=in_use
                    fallback=move || view! {
                        <p class="muted">{t!(i18n, CannotUndo)}</p>
                        <div class="form-actions">
                            <button type="button" class="btn" on:click=move |_| crud.cancel_delete()>{t!(i18n, Cancel)}</button>
                            <button type="button" class="btn btn-danger" data-testid="confirm-delete"
                                disabled=move || crud.delete_busy.get() on:click=move |_| crud.confirm_delete()>
                                {move || if crud.delete_busy.get() { i18n.t(Key::Deleting) } else { i18n.t(Key::Delete) }}
                            </button>
                        </div>
                    }
                >
                    <div class="alert alert-info" role="alert" data-testid="connection-in-use">{t!(i18n, ConnectionInUseChoice)}</div>
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary" data-testid="connection-keep" on:click=move |_| crud.cancel_delete()>
                            {t!(i18n, KeepConnection)}
                        </button>
                        <button type="button" class="btn btn-danger" data-testid="connection-delete-history"
                            disabled=move || crud.delete_busy.get()
                            on:click=move |_| {
                                with_history.set(true);
                                crud.confirm_delete();
                            }>
                            {move || if crud.delete_busy.get() { i18n.t(Key::Deleting) } else { i18n.t(Key::DeleteWithHistory) }}
                        </button>
                    </div>
                </Show>
            </Modal>
        }
        .into_any()
    };

    view! {
        <CrudPage crud=crud plural="connections" singular="connection" title=Key::Connections subtitle=Key::ConnectionsSubtitle
            new_label=Key::NewConnection
            columns=&[Key::Name, Key::ConnectionKindLabel, Key::ConnectionStatusLabel, Key::DefaultQueue, Key::CreatedAtLabel]
            row=row form=form delete_dialog=delete_dialog
            empty=Key::NoConnections
            question=|locale, connection: &Connection| i18n::confirm_delete_connection(locale, &connection.name)
        />
    }
}

#[component]
pub fn ConnectionPage() -> impl IntoView {
    view! { <AdminGate><ConnectionDetail/></AdminGate> }
}

#[derive(Clone, Debug, PartialEq)]
enum Loaded {
    Loading,
    Ready,
    Gone,
    Failed(ApiError),
}

#[component]
fn ConnectionDetail() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|raw| raw.parse::<i64>().ok()).map(ConnectionId)));
    let phase = RwSignal::new(Loaded::Loading);
    // Live updates change this, not `phase`: the panels below (the simulator's fields, the
    // WhatsApp Web pairing mounted in its slot) stay as they are while the status changes.
    let connection = RwSignal::new(None::<Connection>);
    Effect::new(move |_| {
        let Some(id) = id.get() else {
            phase.set(Loaded::Gone);
            return;
        };
        phase.set(Loaded::Loading);
        spawn_local(async move {
            let next = match CONNECTIONS.get(id).await {
                Ok(found) => {
                    connection.try_set(Some(found));
                    Loaded::Ready
                }
                Err(ApiError::Api { status: 404, .. }) => Loaded::Gone,
                Err(ApiError::SessionEnded) => return,
                Err(err) => Loaded::Failed(err),
            };
            phase.try_set(next);
        });
    });
    realtime::subscribe(move |event| match event {
        LiveEvent::Other(Event::ConnectionUpdated(updated)) if Some(updated.id) == id.get_untracked() => {
            connection.set(Some(updated.clone()));
        }
        LiveEvent::Other(Event::ConnectionDeleted(gone)) if Some(gone.id) == id.get_untracked() => {
            phase.set(Loaded::Gone)
        }
        _ => {}
    });

    view! {
        <section class="page" data-testid="connection-page">
            <p><a href="/admin/connections" data-testid="connection-back">{t!(i18n, BackToConnections)}</a></p>
            {move || match phase.get() {
                Loaded::Loading => view! { <p class="muted" role="status">{t!(i18n, Loading)}</p> }.into_any(),
                Loaded::Gone => view! { <div class="alert alert-info" role="alert" data-testid="connection-gone">{t!(i18n, PageNotFound)}</div> }.into_any(),
                Loaded::Failed(err) => view! {
                    <div class="alert alert-error" role="alert">{move || err.user_message(i18n.locale())}</div>
                }.into_any(),
                Loaded::Ready => match connection.get_untracked() {
                    Some(first) => view! { <ConnectionView first=first connection=connection/> }.into_any(),
                    None => ().into_any(),
                },
            }}
        </section>
    }
}

#[component]
fn ConnectionView(
    /// The connection as loaded: its id and kind decide the panels.
    first: Connection,
    /// Its latest state (live).
    connection: RwSignal<Option<Connection>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = first.kind;
    let id = first.id;
    view! {
        <header class="page-header">
            <div>
                <h1 data-testid="connection-title">{move || connection.with(|c| c.as_ref().map(|c| c.name.clone()))}</h1>
                <p class="muted" data-testid="connection-kind-label">{move || i18n.t(kind_key(kind))}</p>
            </div>
            <TestButton id=id kind=kind/>
        </header>
        <div class="panel-section conn-state">
            {move || connection.get().map(|c| view! { <StatusCell status=c.status reason=c.status_reason/> })}
        </div>
        {match kind {
            ConnectionKind::CloudApi => {
                view! { {move || connection.get().map(|c| view! { <CloudApiSetup connection=c/> })} }.into_any()
            }
            ConnectionKind::Simulator => view! { <SimulatorPanel id=id/> }.into_any(),
            ConnectionKind::WhatsappWeb => {
                // Kept current by the page's `connection.updated` subscription (the QR rotates).
                let live = Signal::derive(move || connection.get().unwrap_or_else(|| first.clone()));
                view! {
                    <div class="table-card conn-card">
                        <h2 class="section-title">{t!(i18n, WhatsappWebPairing)}</h2>
                        <WhatsappWebPairing connection=live/>
                    </div>
                }.into_any()
            }
        }}
    }
}

#[component]
fn TestButton(id: ConnectionId, kind: ConnectionKind) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<ConnectionTest, ApiError>>);
    let run = move |_| {
        busy.set(true);
        result.set(None);
        spawn_local(async move {
            let outcome = connections::test(id).await;
            result.try_set(Some(outcome));
            busy.try_set(false);
        });
    };
    view! {
        <div class="conn-test">
            <button type="button" class="btn" data-testid="connection-test" disabled=move || busy.get() on:click=run>
                {move || if busy.get() { i18n.t(Key::TestingConnection) } else { i18n.t(Key::TestConnection) }}
            </button>
            {move || result.get().map(|outcome| match outcome {
                Ok(mut test) => {
                    // The server's own words about the simulator or a bare status say nothing the
                    // heading does not (and are not translated); a provider's are shown verbatim.
                    if kind == ConnectionKind::Simulator || ConnectionStatus::parse(&test.detail).is_some() {
                        test.detail.clear();
                    }
                    let class = if test.ok { "alert alert-info" } else { "alert alert-error" };
                    let key = if test.ok { Key::TestOk } else { Key::TestFailed };
                    view! {
                        <div class=class role="status" data-testid="connection-test-result" data-ok=test.ok.to_string()>
                            <strong>{move || i18n.t(key)}</strong>" "<span>{test.detail.clone()}</span>
                        </div>
                    }.into_any()
                }
                Err(err) => view! {
                    <div class="alert alert-error" role="alert" data-testid="connection-test-result" data-ok="false">
                        {move || err.user_message(i18n.locale())}
                    </div>
                }.into_any(),
            })}
        </div>
    }
}

/// Puts `text` on the clipboard and says so.
fn copy(text: String) {
    let toasts = use_toasts();
    let Some(window) = web_sys::window() else { return };
    let promise = window.navigator().clipboard().write_text(&text);
    spawn_local(async move {
        if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
            toasts.push(Key::CopiedValue);
        }
    });
}

/// A value to copy into Meta's dashboard, with its copy button.
#[component]
fn CopyField(label: Key, value: String, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let copied = value.clone();
    view! {
        <div class="field">
            <span class="field-label">{move || i18n.t(label)}</span>
            <div class="copy-row">
                <code class="mono copy-value" data-testid=testid>{value}</code>
                <button type="button" class="btn btn-small" data-testid=format!("{testid}-copy") on:click=move |_| copy(copied.clone())>
                    {t!(i18n, CopyValue)}
                </button>
            </div>
        </div>
    }
}

#[component]
fn CloudApiSetup(connection: Connection) -> impl IntoView {
    let i18n = use_i18n();
    let set = move |on: bool| if on { Key::SecretSet } else { Key::SecretNotSet };
    let (token_set, secret_set) = (connection.access_token_set, connection.app_secret_set);
    view! {
        <div class="table-card conn-card" data-testid="cloud-api-setup">
            <h2 class="section-title">{t!(i18n, WebhookSetup)}</h2>
            <p class="muted">{t!(i18n, WebhookSetupHint)}</p>
            <CopyField label=Key::WebhookUrl value=connection.webhook_url.clone().unwrap_or_default() testid="connection-webhook-url"/>
            <CopyField label=Key::VerifyToken value=connection.verify_token.clone().unwrap_or_default() testid="connection-verify-token-value"/>
            <dl class="conn-facts">
                <dt>{t!(i18n, PhoneNumberId)}</dt>
                <dd class="mono" data-testid="connection-phone-number-id-value">{connection.phone_number_id.clone().unwrap_or_default()}</dd>
                <dt>{t!(i18n, AccessToken)}</dt>
                <dd data-testid="connection-access-token-set">{move || i18n.t(set(token_set))}</dd>
                <dt>{t!(i18n, AppSecret)}</dt>
                <dd data-testid="connection-app-secret-set">{move || i18n.t(set(secret_set))}</dd>
            </dl>
        </div>
    }
}

/// Write as a customer through a simulator connection: the same inbound path as a real message.
#[component]
fn SimulatorPanel(id: ConnectionId) -> impl IntoView {
    let i18n = use_i18n();
    let from = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let group_id = RwSignal::new(String::new());
    let group_name = RwSignal::new(String::new());
    let file_input = NodeRef::<leptos::html::Input>::new();
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Key>);
    let error = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(None::<SimulatedResult>);

    let send = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let file = file_input.get_untracked().and_then(|input| input.files()).and_then(|files| files.get(0));
        let text = body.get_untracked();
        let number = from.get_untracked().trim().to_owned();
        let group = group_id.get_untracked().trim().to_owned();
        let group_title = group_name.get_untracked().trim().to_owned();
        let refused = if number.is_empty() {
            Some(Key::SimNeedsNumber)
        } else if text.trim().is_empty() && file.is_none() {
            Some(Key::SimNeedsText)
        } else if !group.is_empty() && group_title.is_empty() {
            Some(Key::SimNeedsGroupName)
        } else if file.as_ref().is_some_and(|f| f.size() > SIMULATOR_MAX_FILE_BYTES) {
            Some(Key::SimFileTooLarge)
        } else {
            None
        };
        problem.set(refused);
        if refused.is_some() {
            return;
        }
        busy.set(true);
        error.set(None);
        sent.set(None);
        let customer = Some(name.get_untracked().trim().to_owned()).filter(|n| !n.is_empty());
        spawn_local(async move {
            let message = SimulatedMessage {
                from: number,
                name: customer,
                body: Some(text).filter(|t| !t.trim().is_empty()),
                external_id: None,
                group: (!group.is_empty()).then_some(SimulatedGroup { id: group, name: group_title }),
                media: None,
            };
            let outcome = match &file {
                Some(file) => connections::simulate_file(id, &message, file).await,
                None => connections::simulate(id, &message).await,
            };
            match outcome {
                Ok(result) => {
                    sent.try_set(Some(result));
                    body.try_set(String::new());
                    if let Some(input) = file_input.get_untracked() {
                        input.set_value("");
                    }
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
            busy.try_set(false);
        });
    };

    let field = |label: Key, value: RwSignal<String>, testid: &'static str, kind: &'static str| {
        view! {
            <div class="field">
                <label>
                    <span>{move || i18n.t(label)}</span>
                    <input type=kind data-testid=testid bind:value=value autocomplete="off"/>
                </label>
            </div>
        }
    };

    view! {
        <div class="table-card conn-card" data-testid="simulator-panel">
            <h2 class="section-title">{t!(i18n, SimulatorTitle)}</h2>
            <p class="muted">{t!(i18n, SimulatorHint)}</p>
            <form class="form" novalidate on:submit=send data-testid="simulator-form">
                <div class="field-row">
                    {field(Key::SimFrom, from, "simulator-from", "tel")}
                    {field(Key::SimName, name, "simulator-name", "text")}
                </div>
                <div class="field">
                    <label>
                        <span>{t!(i18n, SimText)}</span>
                        <textarea rows="3" data-testid="simulator-body" bind:value=body></textarea>
                    </label>
                </div>
                <div class="field">
                    <label>
                        <span>{t!(i18n, SimFile)}</span>
                        <input type="file" data-testid="simulator-file" node_ref=file_input/>
                    </label>
                </div>
                <div class="field-row">
                    {field(Key::SimGroupId, group_id, "simulator-group-id", "text")}
                    {field(Key::SimGroupName, group_name, "simulator-group-name", "text")}
                </div>
                {move || problem.get().map(|key| view! {
                    <div class="alert alert-error" role="alert" data-testid="simulator-problem">{move || i18n.t(key)}</div>
                })}
                {move || error.get().map(|err| view! {
                    <div class="alert alert-error" role="alert" data-testid="simulator-error">{move || err.user_message(i18n.locale())}</div>
                })}
                {move || sent.get().map(|result| view! {
                    <div class="alert alert-info" role="status" data-testid="simulator-sent">
                        {t!(i18n, SimSent)}" "
                        <a href=format!("/tickets/{}", result.ticket_id) data-testid="simulator-ticket-link">{t!(i18n, SimOpenTicket)}</a>
                    </div>
                })}
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="simulator-send" disabled=move || busy.get()>
                        {move || if busy.get() { i18n.t(Key::SimSending) } else { i18n.t(Key::SimSend) }}
                    </button>
                </div>
            </form>
        </div>
    }
}
