//! The isolation matrix (issue 12 item 4, review #15). Company A is filled with secret marker
//! strings in every text field; then EVERY operation of the OpenAPI document the server generates
//! is called with A's real ids by parties who may not see them (another company's admin, an agent
//! of A in another queue, no token, an expired token, a revoked API token). Each must be refused
//! (401/403/404) and no answer may carry a byte of A's markers. A new operation is covered by
//! construction: its path parameters need an id of A (a missing one fails), and the agent's
//! classification must name it (an unclassified one fails). The same holds for live events: every
//! `shared::events::Event` type, live and on resume.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::events::{Event, EventFrame};

use crate::helpers::*;
use crate::ws_client::EventStream;

const STICKER: &[u8] = include_bytes!("../fixtures/sticker.webp");

/// Every text of company A carries `ZQX`; what only queue 2 may see carries `ZQX-Q2`; the
/// connection's secrets carry `ZQX-SECRET` (write-only: nobody reads them back).
const MARK: &str = "ZQX";
const Q2_MARK: &str = "ZQX-Q2";
const SECRET_MARK: &str = "ZQX-SECRET";
/// A's customers' numbers (digits only: they are stored normalised, `+55…`).
const A_NUMBERS: [&str; 3] = ["11955500001", "11955500002", "11955500003"];

pub const PASSWORD: &str = "zqx-secret-pass-1";

/// Company A, its people, and an id of each kind of thing the API's paths name.
pub struct CompanyA {
    pub admin: String,
    /// An agent of queue 1 only.
    pub agent: String,
    pub q1: i64,
    pub line2: i64,
    /// In queue 2, open and assigned to A's admin: hidden from the agent.
    pub t2: i64,
    pub contact2: i64,
    /// The id a path's `{param}` takes, by the path segment before it (`tickets`, `users`, …), and
    /// a body field's, by its id type (`TicketId`, …).
    pub ids: BTreeMap<&'static str, i64>,
}

/// Another company with its own admin.
pub struct CompanyB {
    pub admin: String,
}

pub async fn company(app: &TestApp, platform: &str, name: &str, email: &str, admin_name: &str) -> (i64, String) {
    let (status, body) = app
        .post(
            "/api/v1/companies",
            platform,
            json!({"name": name, "admin": {"name": admin_name, "email": email, "password": PASSWORD}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (body["company"]["id"].as_i64().expect("company id"), app.login(email, PASSWORD).await)
}

pub async fn company_b(app: &TestApp) -> CompanyB {
    let platform = app.admin().await;
    let (_, admin) = company(app, &platform, "Beta Ltda", "olga@beta.test", "Olga").await;
    CompanyB { admin }
}

fn id(body: &Value) -> i64 {
    body["id"].as_i64().unwrap_or_else(|| panic!("no id in {body}"))
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, answer) = app.post(path, token, body).await;
    assert!(status.is_success(), "POST {path}: {status} {answer}");
    answer
}

async fn multipart(app: &TestApp, method: Method, path: &str, token: &str, form: reqwest::multipart::Form) -> Value {
    let response =
        app.client.request(method, app.url(path)).bearer_auth(token).multipart(form).send().await.expect("send");
    let (status, body) = read(response).await;
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

fn file_part(bytes: &[u8], name: &str, mime: &str) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()).mime_str(mime).expect("mime")
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Builds company A through the API, as its admin would: every text carries a marker.
pub async fn company_a(app: &TestApp) -> CompanyA {
    let platform = app.admin().await;
    let (company_id, admin) = company(app, &platform, "ZQX-A-company", "zqx-admin@a.test", "ZQX-A-admin").await;
    // An outgoing webhook subscribed before the events below, so it has deliveries.
    let hook = id(&created(
        app,
        &admin,
        "/api/v1/webhooks",
        json!({"url": "http://127.0.0.1:9/ZQX-A-hook", "events": ["ticket.created"], "secret": "ZQX-SECRET-webhook-1"}),
    )
    .await);
    let q1 = id(&created(app, &admin, "/api/v1/queues", json!({"name": "ZQX-A-queue-1", "color": "#1e88e5"})).await);
    let q2 = id(&created(app, &admin, "/api/v1/queues", json!({"name": "ZQX-A-queue-2", "color": "#43a047"})).await);
    let user = |email: &str, name: &str, queues: Vec<i64>| json!({"name": name, "email": email, "password": PASSWORD, "role": "agent", "queue_ids": queues});
    created(app, &admin, "/api/v1/users", user("zqx-ana@a.test", "ZQX-A-ana", vec![q1])).await;
    let agent = app.login("zqx-ana@a.test", PASSWORD).await;
    let bia = id(&created(app, &admin, "/api/v1/users", user("zqx-bia@a.test", "ZQX-A-bia", vec![q2])).await);

    let line = |name: &str, queue: i64| json!({"name": name, "kind": "simulator", "default_queue_id": queue});
    let line1 = id(&created(app, &admin, "/api/v1/connections", line("ZQX-A-line-1", q1)).await);
    let line2 = id(&created(app, &admin, "/api/v1/connections", line("ZQX-A-line-2", q2)).await);
    let cloud = id(&created(
        app,
        &admin,
        "/api/v1/connections",
        json!({"name": "ZQX-A-cloud", "kind": "cloud_api", "default_queue_id": q2,
               "phone_number_id": "ZQX-A-phone", "access_token": "ZQX-SECRET-access",
               "app_secret": "ZQX-SECRET-app", "verify_token": "ZQX-SECRET-verify",
               "graph_base_url": "http://127.0.0.1:9"}),
    )
    .await);

    let inbound = |from: &str, name: &str, body: &str| json!({"from": from, "name": name, "body": body});
    // Waits in queue 1: the agent sees it.
    created(
        app,
        &admin,
        &format!("/api/v1/connections/{line1}/simulate"),
        inbound(A_NUMBERS[0], "ZQX-A-contact-1", "ZQX-Q1-message"),
    )
    .await;
    let first = created(
        app,
        &admin,
        &format!("/api/v1/connections/{line2}/simulate"),
        inbound(A_NUMBERS[1], "ZQX-A-contact-2", "ZQX-Q2-message"),
    )
    .await;
    let t2 = first["ticket_id"].as_i64().expect("t2");
    let media = created(
        app,
        &admin,
        &format!("/api/v1/connections/{line2}/simulate"),
        json!({"from": A_NUMBERS[1], "body": "ZQX-Q2-caption",
               "media": {"base64": base64(STICKER), "file_name": "ZQX-Q2-file.webp"}}),
    )
    .await["message_id"]
        .as_i64()
        .expect("media message");
    let contact2 = app.ticket(&admin, t2).await["contact"]["id"].as_i64().expect("contact");
    let (status, body) = app.act(&admin, t2, "accept", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    created(app, &admin, &format!("/api/v1/tickets/{t2}/messages"), json!({"body": "ZQX-Q2-reply"})).await;
    let note = id(&created(app, &admin, &format!("/api/v1/tickets/{t2}/notes"), json!({"body": "ZQX-Q2-note"})).await);
    let tag = id(&created(app, &admin, "/api/v1/tags", json!({"name": "ZQX-A-tag", "color": "#ff0000"})).await);
    let (status, body) = app.send(Method::PUT, &format!("/api/v1/tickets/{t2}/tags/{tag}"), Some(&admin), None).await;
    assert!(status.is_success(), "{body}");
    created(app, &admin, &format!("/api/v1/tickets/{t2}/protocols"), json!({})).await;
    let settings = json!({"general": {"protocol_message": "ZQX-A-protocol {{protocolo}}",
                                      "ratings": {"enabled": true}}});
    let (status, body) = app.patch("/api/v1/settings", &admin, settings).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    created(app, &admin, &format!("/api/v1/tickets/{t2}/rating-request"), json!({})).await;
    let send_at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let schedule = id(&multipart(
        app,
        Method::POST,
        "/api/v1/schedules",
        &admin,
        reqwest::multipart::Form::new()
            .text("contact_id", contact2.to_string())
            .text("ticket_id", t2.to_string())
            .text("body", "ZQX-Q2-schedule")
            .text("send_at", send_at)
            .text("kind", "file")
            .part("file", file_part(b"ZQX-Q2-schedule-file", "ZQX-Q2-schedule.txt", "text/plain")),
    )
    .await);
    let quick_reply =
        id(&created(app, &admin, "/api/v1/quick-replies", json!({"shortcut": "zqxa", "body": "ZQX-A-quick-reply"}))
            .await);
    multipart(
        app,
        Method::PUT,
        &format!("/api/v1/quick-replies/{quick_reply}/file"),
        &admin,
        reqwest::multipart::Form::new().part("file", file_part(STICKER, "ZQX-A-quick-file.webp", "image/webp")),
    )
    .await;
    let sticker = id(&multipart(
        app,
        Method::POST,
        "/api/v1/stickers",
        &admin,
        reqwest::multipart::Form::new()
            .part("file", file_part(STICKER, "ZQX-A-sticker.webp", "image/webp"))
            .text("name", "ZQX-A-sticker"),
    )
    .await);
    let board = created(
        app,
        &admin,
        "/api/v1/kanban/boards",
        json!({"name": "ZQX-A-board", "lanes": [{"name": "ZQX-A-lane"}]}),
    )
    .await;
    let lane = board["lanes"][0]["id"].as_i64().expect("lane");
    let (status, body) = app
        .send(Method::PUT, &format!("/api/v1/tickets/{t2}/kanban"), Some(&admin), Some(json!({"lane_id": lane})))
        .await;
    assert!(status.is_success(), "{body}");
    let (status, body) = app
        .send(Method::PUT, &format!("/api/v1/contacts/{contact2}/wallet"), Some(&admin), Some(json!({"user_id": bia})))
        .await;
    assert!(status.is_success(), "{body}");
    created(
        app,
        &admin,
        "/api/v1/contacts",
        json!({"name": "ZQX-A-contact-3", "number": A_NUMBERS[2], "email": "zqx-c3@a.test",
               "extra": {"ZQX-A-field": "ZQX-A-value"}}),
    )
    .await;
    let csv = "nome;telefone\nZQX-A-imported;11955500009\n";
    let import = id(&multipart(
        app,
        Method::POST,
        "/api/v1/contacts/import",
        &admin,
        reqwest::multipart::Form::new().part("file", file_part(csv.as_bytes(), "ZQX-A-import.csv", "text/csv")),
    )
    .await);
    let token = id(&created(app, &admin, "/api/v1/api-tokens", json!({"name": "ZQX-A-token"})).await);
    let (_, deliveries) = app.get(&format!("/api/v1/webhooks/{hook}/deliveries"), &admin).await;
    let delivery = deliveries["items"][0]["id"].as_i64().expect("a delivery of A's webhook");

    let ids = BTreeMap::from([
        ("api-tokens", token),
        ("companies", company_id),
        ("webhooks", hook),
        ("webhook-deliveries", delivery),
        // `/settings/{section}/test`: an integration's name; a number names none.
        ("settings", 1),
        ("connections", line2),
        ("imports", import),
        ("contacts", contact2),
        ("boards", id(&board)),
        ("messages", media),
        ("notes", note),
        ("queues", q2),
        ("quick-replies", quick_reply),
        ("schedules", schedule),
        ("stickers", sticker),
        ("tags", tag),
        ("tickets", t2),
        ("users", bia),
        // The Cloud API webhook's `{connection_id}`.
        ("whatsapp", cloud),
        // Fields of request bodies, by the name of their id type.
        ("ContactId", contact2),
        ("TicketId", t2),
        ("QueueId", q2),
        ("UserId", bia),
        ("MessageId", media),
        ("ConnectionId", line2),
        ("LaneId", lane),
        ("QuickReplyId", quick_reply),
        ("StickerId", sticker),
        ("TagId", tag),
    ]);
    CompanyA { admin, agent, q1, line2, t2, contact2, ids }
}

/// What an agent of A in queue 1 may do with each operation. Every operation of the document
/// must be named here (and nothing else): a new one fails the test until it is classified.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Class {
    /// No token needed (sign-in, Cloud API webhooks): refused to everyone here all the same.
    Public,
    /// The WebSocket: its handshake is checked here, its events by the socket tests below.
    Socket,
    /// Admins only: the agent is refused.
    Admin,
    /// About a ticket (or a queue's tickets) of queue 2: the agent is refused.
    Ticket,
    /// A list the agent may read, filtered to what they may see: nothing of queue 2's tickets.
    Scoped,
    /// Company-wide (or the caller's own) data every user may use: read, it shows nothing of
    /// queue 2's tickets; written, it is not tried as the agent.
    Company,
}

fn class_of(method: &str, path: &str) -> Option<Class> {
    use Class::*;
    let class = match (method, path.trim_start_matches("/api/v1")) {
        ("POST", "/auth/login" | "/auth/refresh") => Public,
        ("GET" | "POST", "/webhooks/whatsapp/{connection_id}") => Public,
        ("GET", "/ws") => Socket,
        ("POST", "/auth/logout") => Company,
        ("GET" | "PATCH", "/me") => Company,
        ("GET" | "POST", "/api-tokens") | ("DELETE", "/api-tokens/{id}") => Admin,
        ("GET" | "POST", "/companies") => Admin,
        ("GET" | "PATCH" | "DELETE", "/companies/{id}") => Admin,
        ("GET" | "POST", "/webhooks") | ("GET" | "PATCH" | "DELETE", "/webhooks/{id}") => Admin,
        ("GET", "/webhooks/{id}/deliveries") | ("POST", "/webhook-deliveries/{id}/resend") => Admin,
        ("POST", "/settings/{section}/test") => Admin,
        ("POST", "/tickets/{id}/sms") | ("PUT", "/tickets/{id}/bots") => Ticket,
        ("GET", "/connections" | "/connections/{id}") => Company,
        ("POST", "/connections") | ("PATCH" | "DELETE", "/connections/{id}") => Admin,
        ("POST", "/connections/{id}/simulate") => Admin,
        ("POST", "/connections/{id}/test") => Admin,
        ("POST", "/connections/{id}/connect" | "/connections/{id}/logout" | "/connections/{id}/pair-code") => Admin,
        ("POST", "/tickets/{id}/sync-history") => Ticket,
        ("GET" | "POST", "/contacts") | ("GET" | "PATCH", "/contacts/{id}") => Company,
        ("POST", "/contacts/{id}/block" | "/contacts/{id}/unblock") => Company,
        ("DELETE", "/contacts/{id}") => Admin,
        ("GET", "/contacts/export") => Admin,
        ("POST", "/contacts/import" | "/contacts/import/preview") | ("GET", "/contacts/imports/{id}") => Admin,
        ("GET", "/contacts/{id}/protocols") => Scoped,
        ("PUT" | "DELETE", "/contacts/{id}/wallet") => Admin,
        ("GET", "/dashboard") => Scoped,
        ("GET", "/kanban/boards" | "/kanban/boards/{id}") => Company,
        ("POST", "/kanban/boards") | ("PATCH" | "DELETE", "/kanban/boards/{id}") => Admin,
        ("GET", "/kanban/boards/{id}/tickets") => Scoped,
        ("GET", "/messages/{id}/media") | ("POST", "/messages/{id}/resend") => Ticket,
        ("DELETE", "/notes/{id}") => Ticket,
        ("GET", "/queues" | "/queues/{id}") => Company,
        ("POST", "/queues") | ("PATCH" | "DELETE", "/queues/{id}") => Admin,
        ("GET", "/quick-replies" | "/quick-replies/{id}" | "/quick-replies/{id}/file") => Company,
        ("POST", "/quick-replies") | ("PATCH" | "DELETE", "/quick-replies/{id}") => Admin,
        ("PUT" | "DELETE", "/quick-replies/{id}/file") => Admin,
        ("GET", "/ratings") => Scoped,
        ("GET", "/schedules") => Scoped,
        ("POST", "/schedules") => Ticket,
        ("GET" | "PATCH" | "DELETE", "/schedules/{id}") | ("GET", "/schedules/{id}/media") => Ticket,
        ("GET", "/settings") => Company,
        ("PATCH", "/settings") => Admin,
        ("GET", "/stickers" | "/stickers/{id}" | "/stickers/{id}/file") => Company,
        ("POST", "/stickers") | ("PATCH" | "DELETE", "/stickers/{id}") => Admin,
        ("GET", "/tags" | "/tags/{id}") => Company,
        ("POST", "/tags") | ("PATCH" | "DELETE", "/tags/{id}") => Admin,
        ("GET", "/tickets") => Scoped,
        ("POST", "/tickets") => Company,
        ("GET", "/tickets/{id}" | "/tickets/{id}/logs" | "/tickets/{id}/messages" | "/tickets/{id}/notes") => Ticket,
        ("GET", "/tickets/{id}/rating") => Ticket,
        (
            "POST",
            "/tickets/{id}/accept"
            | "/tickets/{id}/messages"
            | "/tickets/{id}/notes"
            | "/tickets/{id}/protocols"
            | "/tickets/{id}/rating-request"
            | "/tickets/{id}/reopen"
            | "/tickets/{id}/resolve"
            | "/tickets/{id}/return-to-queue"
            | "/tickets/{id}/transfer",
        ) => Ticket,
        ("PUT", "/tickets/{id}/kanban") | ("PUT" | "DELETE", "/tickets/{id}/tags/{tag_id}") => Ticket,
        // Colleagues are listed for transfers.
        ("GET", "/users" | "/users/{id}") => Company,
        ("POST", "/users") | ("PATCH" | "DELETE", "/users/{id}") => Admin,
        _ => return None,
    };
    Some(class)
}

/// One operation of the document.
#[derive(Debug, Clone)]
struct Operation {
    method: String,
    path: String,
    /// The path with A's ids in its parameters.
    url: String,
    has_path_params: bool,
    body: Body,
    /// The body names ids of A.
    body_names_a: bool,
}

#[derive(Debug, Clone)]
enum Body {
    None,
    Json(Value),
    /// Text fields and one file field (name, file name, bytes).
    Multipart(Vec<(String, String)>, Option<(String, String, Vec<u8>)>),
}

/// Every operation of the OpenAPI document the server generates, its path filled with A's ids
/// and, where it takes one, a request body that would be valid for A's admin.
fn operations(a: &CompanyA) -> Vec<Operation> {
    let spec: Value = serde_json::from_str(&atende::openapi::spec_json()).expect("the document is JSON");
    let mut all = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let mut url = String::new();
            let mut has_path_params = false;
            let mut previous = "";
            for segment in path.split('/').skip(1) {
                url.push('/');
                if segment.starts_with('{') {
                    has_path_params = true;
                    let key = if segment == "{tag_id}" { "tags" } else { previous };
                    let id = a.ids.get(key).unwrap_or_else(|| {
                        panic!("{method} {path}: company A has no id for {segment} (after `{previous}`); add one to company_a()")
                    });
                    url.push_str(&id.to_string());
                } else {
                    url.push_str(segment);
                    previous = segment;
                }
            }
            let (mut body, body_names_a) = request_body(&spec, operation, a, !has_path_params);
            if let (Body::Json(Value::Object(fields)), Some(Value::Object(extra))) =
                (&mut body, filled_in(method, path, a))
            {
                fields.extend(extra);
            }
            all.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                url,
                has_path_params,
                body,
                body_names_a,
            });
        }
    }
    assert!(all.len() >= 90, "only {} operations in the document?", all.len());
    all
}

/// Fields a schema leaves optional but the operation's rules need (a message needs a text, a
/// transfer a target): without them a handler that validates before checking scope answers 422.
fn filled_in(method: &str, path: &str, a: &CompanyA) -> Option<Value> {
    Some(match (method, path.trim_start_matches("/api/v1")) {
        ("post", "/tickets/{id}/messages" | "/schedules") => json!({"body": "probe"}),
        ("post", "/tickets/{id}/transfer") => json!({"queue_id": a.q1}),
        _ => return None,
    })
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> (&'a Value, Option<&'a str>) {
    let mut schema = schema;
    let mut name = None;
    while let Some(reference) = schema["$ref"].as_str() {
        let short = reference.rsplit('/').next().unwrap_or_default();
        name = Some(short);
        schema = &spec["components"]["schemas"][short];
    }
    (schema, name)
}

/// The first alternative that is not `null`, resolved.
fn concrete<'a>(spec: &'a Value, schema: &'a Value) -> (&'a Value, Option<&'a str>) {
    let (schema, name) = resolve(spec, schema);
    let choices = schema["oneOf"].as_array().or(schema["anyOf"].as_array());
    if let Some(choice) = choices.into_iter().flatten().find(|c| c["type"] != "null") {
        return concrete(spec, choice);
    }
    (schema, name)
}

fn request_body(spec: &Value, operation: &Value, a: &CompanyA, with_optional_ids: bool) -> (Body, bool) {
    let Some(content) = operation["requestBody"]["content"].as_object() else { return (Body::None, false) };
    let mut names_a = false;
    if let Some(json) = content.get("application/json") {
        let value = sample(spec, &json["schema"], "", a, with_optional_ids, &mut names_a);
        return (Body::Json(value), names_a);
    }
    let form = content.get("multipart/form-data").expect("a JSON or multipart body");
    let (schema, _) = concrete(spec, &form["schema"]);
    let mut fields = Vec::new();
    let mut file = None;
    for field in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        let (property, _) = concrete(spec, &schema["properties"][field]);
        if property["format"] == "binary" {
            let (name, bytes) = match property["contentMediaType"].as_str() {
                Some("text/csv") => ("probe.csv", b"nome;telefone\nprobe;11912345670\n".to_vec()),
                _ => ("probe.webp", STICKER.to_vec()),
            };
            file = Some((field.to_owned(), name.to_owned(), bytes));
        } else {
            let value = sample(spec, property, field, a, with_optional_ids, &mut names_a);
            fields.push((field.to_owned(), value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string())));
        }
    }
    (Body::Multipart(fields, file), names_a)
}

/// A value for `schema` that A's admin could send: required fields only (plus, where asked, the
/// optional ones that name another resource, filled with A's), ids taken from company A.
fn sample(spec: &Value, schema: &Value, field: &str, a: &CompanyA, optional_ids: bool, names_a: &mut bool) -> Value {
    let (schema, name) = concrete(spec, schema);
    if let Some(name) = name.filter(|n| n.ends_with("Id")) {
        *names_a = true;
        return json!(a.ids.get(name).unwrap_or_else(|| panic!("company A has no {name} for the field `{field}`")));
    }
    if let Some(values) = schema["enum"].as_array() {
        return values[0].clone();
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds.iter().find(|k| *k != "null").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    match kind.as_str().unwrap_or("object") {
        "object" => {
            let mut object = serde_json::Map::new();
            for (key, property) in schema["properties"].as_object().into_iter().flatten() {
                let required = schema["required"].as_array().is_some_and(|r| r.iter().any(|k| k == key.as_str()));
                if required || (optional_ids && names_resource(spec, property)) {
                    object.insert(key.clone(), sample(spec, property, key, a, optional_ids, names_a));
                }
            }
            Value::Object(object)
        }
        "array" if names_resource(spec, &schema["items"]) => {
            json!([sample(spec, &schema["items"], field, a, optional_ids, names_a)])
        }
        "array" => json!([]),
        "integer" | "number" if field.ends_with("_id") => {
            *names_a = true;
            let kind = match field {
                "default_queue_id" => "QueueId",
                other => panic!("an integer id field `{other}`: say which of A's ids it takes"),
            };
            json!(a.ids[kind])
        }
        "integer" | "number" => json!(1),
        "boolean" => json!(false),
        _ => json!(match field {
            "email" => "probe@probe.test".to_owned(),
            "password" | "current_password" => "probe-secret-pass-1".to_owned(),
            "color" => "#123456".to_owned(),
            "number" | "from" => "11912345670".to_owned(),
            "send_at" => (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339(),
            _ if schema["format"] == "date-time" => (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339(),
            _ => "probe".to_owned(),
        }),
    }
}

/// Whether a property names another resource (an id, or a list of ids).
fn names_resource(spec: &Value, property: &Value) -> bool {
    let (schema, name) = concrete(spec, property);
    let is_id = |name: Option<&str>| name.is_some_and(|n| n.ends_with("Id"));
    is_id(name) || (schema["items"].is_object() && is_id(concrete(spec, &schema["items"]).1))
}

/// Calls an operation; the raw answer (status and body as text).
async fn call(app: &TestApp, op: &Operation, token: Option<&str>) -> (StatusCode, String) {
    let method = Method::from_bytes(op.method.as_bytes()).expect("method");
    let mut request = app.client.request(method, app.url(&op.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request = match &op.body {
        Body::None => request,
        Body::Json(value) => request.json(value),
        Body::Multipart(fields, file) => {
            let mut form = reqwest::multipart::Form::new();
            for (name, value) in fields {
                form = form.text(name.clone(), value.clone());
            }
            if let Some((name, file_name, bytes)) = file {
                form = form
                    .part(name.clone(), reqwest::multipart::Part::bytes(bytes.clone()).file_name(file_name.clone()));
            }
            request.multipart(form)
        }
    };
    let response = request.send().await.expect("request");
    let status = response.status();
    let bytes = response.bytes().await.expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The markers found in `text`, for a party that may see none of A.
fn foreign_leaks(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(at) = text.find(MARK) {
        found.push(text[at..].chars().take(40).collect());
    }
    found.extend(A_NUMBERS.iter().filter(|n| text.contains(*n)).map(|n| (*n).to_owned()));
    found
}

/// The markers found in `text`, for A's agent of queue 1 (who may see A's company-wide data).
fn agent_leaks(text: &str) -> Vec<String> {
    [Q2_MARK, SECRET_MARK]
        .iter()
        .filter_map(|mark| text.find(mark).map(|at| text[at..].chars().take(40).collect()))
        .collect()
}

const REFUSED: [StatusCode; 3] = [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND];

#[derive(Debug, Clone, Copy)]
enum Party {
    NoToken,
    ExpiredToken,
    RevokedApiToken,
    OtherCompanyAdmin,
    OtherQueueAgent,
}

/// The matrix: every operation × every party that may not see A's data.
#[tokio::test]
async fn no_operation_shows_or_touches_another_partys_data() {
    let app = TestApp::start().await;
    let a = company_a(&app).await;
    let b = company_b(&app).await;
    let ops = operations(&a);

    // The classification names every operation, and only those.
    let documented: BTreeSet<(String, String)> = ops.iter().map(|o| (o.method.clone(), o.path.clone())).collect();
    let unclassified: Vec<_> = documented.iter().filter(|(m, p)| class_of(m, p).is_none()).collect();
    assert!(unclassified.is_empty(), "classify these operations in isolation.rs's class_of: {unclassified:?}");

    // An expired access token of A's admin (a live session, signed with the server's key), and a
    // revoked API token of A.
    let mut claims = app.state.jwt.verify(&a.admin).expect("A's admin token verifies");
    claims.iat -= 3600;
    claims.exp = chrono::Utc::now().timestamp() - 60;
    let expired = app.state.jwt.sign(&claims).expect("sign");
    let revoked = created(&app, &a.admin, "/api/v1/api-tokens", json!({"name": "ZQX-A-revoked"})).await;
    let (status, body) = app.delete(&format!("/api/v1/api-tokens/{}", id(&revoked)), &a.admin).await;
    assert!(status.is_success(), "{body}");
    let revoked = revoked["token"].as_str().expect("token").to_owned();

    let mut failures = Vec::new();
    let parties = [
        (Party::NoToken, None),
        (Party::ExpiredToken, Some(expired.as_str())),
        (Party::RevokedApiToken, Some(revoked.as_str())),
        (Party::OtherCompanyAdmin, Some(b.admin.as_str())),
        (Party::OtherQueueAgent, Some(a.agent.as_str())),
    ];
    // Signing out ends the caller's session: it goes last.
    let mut ordered: Vec<&Operation> = ops.iter().collect();
    ordered.sort_by_key(|o| o.path == "/api/v1/auth/logout");
    let mut calls = 0;
    for (party, token) in parties {
        for op in &ordered {
            let class = class_of(&op.method, &op.path).expect("classified");
            if class == Class::Socket {
                if token.is_some() && !matches!(party, Party::ExpiredToken | Party::RevokedApiToken) {
                    continue; // B's admin and the agent: see the socket tests.
                }
                let refused = socket_refused(&app, token.unwrap_or("")).await;
                if refused != Some(401) {
                    failures.push(format!("{party:?} GET /api/v1/ws: the handshake answered {refused:?}, not 401"));
                }
                continue;
            }
            let agent = matches!(party, Party::OtherQueueAgent);
            if agent && class == Class::Company && op.method != "GET" {
                continue; // The agent may write company-wide data: not a party to refuse.
            }
            calls += 1;
            let (status, text) = call(&app, op, token).await;
            let what = format!("{party:?} {} {} ({})", op.method, op.path, op.url);
            let leaks = if agent && matches!(class, Class::Scoped | Class::Company) {
                agent_leaks(&text)
            } else {
                foreign_leaks(&text)
            };
            if !leaks.is_empty() {
                failures.push(format!("{what}: {status} shows A's data {leaks:?}: {}", excerpt(&text)));
            }
            // Naming a resource of A in the body may be refused as a field that is not the caller's.
            let refused = REFUSED.contains(&status)
                || (status == StatusCode::UNPROCESSABLE_ENTITY
                    && !matches!(op.body, Body::None)
                    && text.contains("\"not_in_company\""));
            let expected = match (party, class) {
                (_, Class::Public) => status.is_client_error(),
                (Party::NoToken | Party::ExpiredToken | Party::RevokedApiToken, _) => {
                    status == StatusCode::UNAUTHORIZED
                }
                (Party::OtherCompanyAdmin, _) if op.has_path_params => refused,
                // Its own company's data is B's to read and write; naming A's resources is refused.
                (Party::OtherCompanyAdmin, _) => {
                    let took_a = op.body_names_a && status.is_success();
                    !status.is_server_error() && !took_a
                }
                (Party::OtherQueueAgent, Class::Admin | Class::Ticket) => refused,
                (Party::OtherQueueAgent, _) => !status.is_server_error(),
            };
            if !expected {
                failures.push(format!("{what}: answered {status}: {}", excerpt(&text)));
            }
        }
    }
    assert!(calls > 350, "{calls} calls");

    // Outside the document, public by design: they tell nothing of A either.
    for path in ["/healthz", "/readyz", "/metrics", "/api/v1/openapi.json", "/docs"] {
        let (status, text) = call(&app, &get(path), None).await;
        let leaks = foreign_leaks(&text);
        if status.is_server_error() || !leaks.is_empty() {
            failures.push(format!("GET {path} (public): {status} {leaks:?}"));
        }
    }

    // Nothing above took effect: A's admin still reads each of those resources, whole.
    for op in ops.iter().filter(|o| o.method == "GET" && o.has_path_params) {
        // Companies are the platform administrator's, not A's admin's.
        if matches!(class_of(&op.method, &op.path), Some(Class::Public)) || op.path == "/api/v1/companies/{id}" {
            continue;
        }
        let (status, text) = call(&app, op, Some(&a.admin)).await;
        if !status.is_success() {
            failures.push(format!("A's admin GET {}: {status} {}", op.url, excerpt(&text)));
        }
    }
    // And the markers are there to be found (the checks above can fail).
    let (_, messages) = call(&app, &get(&format!("/api/v1/tickets/{}/messages", a.t2)), Some(&a.admin)).await;
    assert!(messages.contains(Q2_MARK) && messages.contains(MARK), "{messages}");
    let (_, ticket) = call(&app, &get(&format!("/api/v1/tickets/{}", a.t2)), Some(&a.admin)).await;
    assert!(!foreign_leaks(&ticket).is_empty(), "the ticket shows its contact: {ticket}");
    assert!(failures.is_empty(), "{} isolation failures:\n{}", failures.len(), failures.join("\n"));
}

fn get(url: &str) -> Operation {
    Operation {
        method: "GET".into(),
        path: url.into(),
        url: url.into(),
        has_path_params: true,
        body: Body::None,
        body_names_a: false,
    }
}

fn excerpt(text: &str) -> String {
    text.chars().take(300).collect()
}

/// The HTTP status a WebSocket handshake with `token` was refused with (`None`: it was accepted).
async fn socket_refused(app: &TestApp, token: &str) -> Option<u16> {
    match tokio_tungstenite::connect_async(app.ws_url(token, None)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Some(response.status().as_u16()),
        Err(other) => panic!("handshake: {other}"),
        Ok(_) => None,
    }
}

// ---- Live events -------------------------------------------------------------------------------

/// Every event type's `type`: `Event`'s serde tags, read from its schema, so a new type is
/// covered (or the test fails until it is).
fn event_types() -> BTreeSet<String> {
    fn tags(value: &Value, into: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                let enumerated = map.get("properties").and_then(|p| p.get("type")).and_then(|t| t.get("enum"));
                into.extend(
                    enumerated
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned),
                );
                map.values().for_each(|v| tags(v, into));
            }
            Value::Array(items) => items.iter().for_each(|v| tags(v, into)),
            _ => {}
        }
    }
    let schema = serde_json::to_value(<Event as utoipa::PartialSchema>::schema()).expect("schema");
    let mut types = BTreeSet::new();
    tags(&schema, &mut types);
    assert!(types.contains("ticket.created") && types.len() >= 17, "{types:?}");
    types
}

/// Types the server never sends yet. Checked against its source: once something publishes one,
/// the test fails until the scenario below produces it.
const NOT_SENT: [(&str, &str); 0] = [];

fn assert_not_sent() {
    let src = package_dir().join("src");
    for path in walk(&src).into_iter().filter(|p| p.extension().is_some_and(|e| e == "rs")) {
        let text = std::fs::read_to_string(&path).expect("source");
        for (kind, variant) in NOT_SENT {
            assert!(
                !text.contains(&format!("Event::{variant}(")),
                "{} now sends {kind}: produce it in isolation.rs's scenario and drop it from NOT_SENT",
                path.display()
            );
        }
    }
}

/// Whom an event is about, decided over every variant: a new type does not compile until placed.
#[derive(Debug, PartialEq)]
enum Scope {
    Ticket(i64),
    Company,
    /// One user's own (an import they started), or a schedule without a ticket.
    Person,
    /// The company's admins only (a connection's state may carry its pairing QR).
    Admins,
}

fn scope(event: &Event) -> Scope {
    match event {
        Event::TicketCreated(ticket) | Event::TicketUpdated(ticket) => Scope::Ticket(ticket.id.0),
        Event::TicketDeleted(deleted) => Scope::Ticket(deleted.id.0),
        Event::MessageCreated(message) => Scope::Ticket(message.ticket_id.0),
        Event::MessageUpdated(update) => Scope::Ticket(update.ticket_id.0),
        Event::NoteCreated(note) => Scope::Ticket(note.ticket_id.0),
        Event::NoteDeleted(note) => Scope::Ticket(note.ticket_id.0),
        Event::ScheduleUpdated(schedule) => schedule.ticket_id.map_or(Scope::Person, |t| Scope::Ticket(t.0)),
        Event::SyncProgress(progress) => Scope::Ticket(progress.ticket_id.0),
        Event::RatingUpdated(rating) => Scope::Ticket(rating.ticket_id.0),
        Event::ImportProgress(_) => Scope::Person,
        Event::ConnectionUpdated(_) | Event::ConnectionDeleted(_) => Scope::Admins,
        Event::ContactUpdated(_)
        | Event::ContactDeleted(_)
        | Event::SettingsUpdated(_)
        | Event::KanbanBoardUpdated(_)
        | Event::KanbanBoardDeleted(_) => Scope::Company,
    }
}

/// Frames up to and including the first that mentions `sentinel`.
async fn frames_until(stream: &mut EventStream, sentinel: &str) -> Vec<Value> {
    let mut frames = Vec::new();
    loop {
        let frame = stream.next().await;
        let done = frame.to_string().contains(sentinel);
        frames.push(frame);
        if done {
            return frames;
        }
    }
}

async fn sentinel(app: &TestApp, token: &str, word: &str) {
    let (status, body) = app
        .patch("/api/v1/settings", token, json!({"general": {"protocol_message": format!("{word} {{{{protocolo}}}}")}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// What may not reach A's agent of queue 1 among `frames`: queue 2's markers, events about the
/// tickets in `hidden`, and anyone else's own events.
fn agent_saw(frames: &[Value], hidden: &[i64]) -> Vec<String> {
    let mut wrong = Vec::new();
    for frame in frames {
        let text = frame.to_string();
        let leaks = agent_leaks(&text);
        let event =
            serde_json::from_value::<EventFrame>(frame.clone()).expect("a frame the server sends decodes").event;
        let about = scope(&event);
        let hidden = matches!(about, Scope::Ticket(id) if hidden.contains(&id))
            || matches!(about, Scope::Person | Scope::Admins);
        if !leaks.is_empty() || hidden {
            wrong.push(format!("{about:?} {leaks:?}: {}", excerpt(&text)));
        }
    }
    wrong
}

fn foreign_saw(frames: &[Value]) -> Vec<String> {
    frames.iter().map(Value::to_string).filter(|t| !foreign_leaks(t).is_empty()).map(|t| excerpt(&t)).collect()
}

fn types_of(frames: &[Value]) -> BTreeSet<String> {
    frames.iter().filter_map(|f| f["type"].as_str().map(str::to_owned)).collect()
}

/// Makes company A raise every event type about queue 2 (and the company-wide ones); returns the
/// tickets the agent of queue 1 may not see.
async fn every_event(app: &TestApp, a: &CompanyA) -> Vec<i64> {
    let admin = &a.admin;
    let simulate = format!("/api/v1/connections/{}/simulate", a.line2);
    let t4 = app.inbound(admin, a.line2, "11955500004", "ZQX-Q2-live-message").await;
    let (status, body) = app.act(admin, t4, "accept", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reply =
        created(app, admin, &format!("/api/v1/tickets/{t4}/messages"), json!({"body": "ZQX-Q2-live-reply"})).await;
    app.settled(admin, t4, id(&reply)).await;
    let note = created(app, admin, &format!("/api/v1/tickets/{t4}/notes"), json!({"body": "ZQX-Q2-live-note"})).await;
    let (status, body) = app.delete(&format!("/api/v1/notes/{}", id(&note)), admin).await;
    assert!(status.is_success(), "{body}");
    let send_at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let contact4 = app.ticket(admin, t4).await["contact"]["id"].as_i64().expect("contact");
    created(
        app,
        admin,
        "/api/v1/schedules",
        json!({"contact_id": contact4, "ticket_id": t4, "body": "ZQX-Q2-live-schedule", "send_at": send_at}),
    )
    .await;
    created(app, admin, &format!("/api/v1/tickets/{t4}/rating-request"), json!({})).await;
    let (status, body) =
        app.patch(&format!("/api/v1/contacts/{}", a.contact2), admin, json!({"name": "ZQX-A-renamed"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        app.patch(&format!("/api/v1/connections/{}", a.line2), admin, json!({"name": "ZQX-A-line-renamed"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // connection.updated on create, connection.deleted.
    let line =
        created(app, admin, "/api/v1/connections", json!({"name": "ZQX-A-live-line", "kind": "simulator"})).await;
    let (status, body) = app.delete(&format!("/api/v1/connections/{}", id(&line)), admin).await;
    assert!(status.is_success(), "{body}");
    let board = created(app, admin, "/api/v1/kanban/boards", json!({"name": "ZQX-A-live-board"})).await;
    let (status, body) = app.delete(&format!("/api/v1/kanban/boards/{}", id(&board)), admin).await;
    assert!(status.is_success(), "{body}");
    let csv = "nome;telefone\nZQX-A-live-import;11955500008\n";
    let job = multipart(
        app,
        Method::POST,
        "/api/v1/contacts/import",
        admin,
        reqwest::multipart::Form::new().part("file", file_part(csv.as_bytes(), "ZQX-A-live.csv", "text/csv")),
    )
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let (_, job) = app.get(&format!("/api/v1/contacts/imports/{}", id(&job)), admin).await;
        if job["status"] != "running" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the import never finished: {job}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A conversation whose contact is then deleted: ticket.deleted, contact.deleted.
    let doomed =
        created(app, admin, &simulate, json!({"from": "11955500005", "name": "ZQX-A-doomed", "body": "ZQX-Q2-doomed"}))
            .await["ticket_id"]
            .as_i64()
            .expect("ticket");
    let doomed_contact = app.ticket(admin, doomed).await["contact"]["id"].as_i64().expect("contact");
    let (status, body) = app.delete(&format!("/api/v1/contacts/{doomed_contact}"), admin).await;
    assert!(status.is_success(), "{body}");
    // sync.progress: a WhatsApp Web line of queue 2 (through the test double of the crate) whose
    // conversation's history sync is asked.
    let (_, line2) = app.get(&format!("/api/v1/connections/{}", a.line2), admin).await;
    let synced = crate::whatsapp_web::a_synced_conversation(
        app,
        admin,
        line2["default_queue_id"].as_i64(),
        "5511955500009",
        "ZQX-Q2-web-message",
    )
    .await;
    vec![a.t2, t4, doomed, synced]
}

/// Every event type, live and on resume: B's admin hears nothing of A, A's agent of queue 1
/// nothing of queue 2's tickets nor of others' own events, while A's admin hears it all.
#[tokio::test]
async fn no_event_reaches_a_socket_that_may_not_see_it_live_or_on_resume() {
    assert_not_sent();
    let expected: BTreeSet<String> =
        event_types().into_iter().filter(|t| !NOT_SENT.iter().any(|(kind, _)| kind == t)).collect();
    let app = TestApp::start().await;
    let a = company_a(&app).await;
    let b = company_b(&app).await;

    let mut a_admin = EventStream::connect(&app.ws_url(&a.admin, None)).await;
    let mut agent = EventStream::connect(&app.ws_url(&a.agent, None)).await;
    let mut other = EventStream::connect(&app.ws_url(&b.admin, None)).await;
    let hidden = every_event(&app, &a).await;
    sentinel(&app, &a.admin, "sentinel-a-live").await;
    sentinel(&app, &b.admin, "sentinel-b-live").await;

    let admin_frames = frames_until(&mut a_admin, "sentinel-a-live").await;
    let missing: Vec<_> = expected.difference(&types_of(&admin_frames)).cloned().collect();
    assert!(missing.is_empty(), "A's admin never got {missing:?} live: make every_event() raise them");
    assert!(admin_frames.iter().any(|f| f.to_string().contains(Q2_MARK)), "the markers travel: the checks can fail");
    let agent_frames = frames_until(&mut agent, "sentinel-a-live").await;
    assert_eq!(agent_saw(&agent_frames, &hidden), Vec::<String>::new(), "live, to A's agent of queue 1");
    assert!(agent_frames.iter().any(|f| f["type"] == "contact.updated"), "company-wide events do reach the agent");
    let other_frames = frames_until(&mut other, "sentinel-b-live").await;
    assert_eq!(foreign_saw(&other_frames), Vec::<String>::new(), "live, to B's admin");
    assert_eq!(other_frames.len(), 1, "B's admin hears only B: {other_frames:?}");

    // On resume from the very start: the same.
    let mut a_admin = EventStream::connect(&app.ws_url(&a.admin, Some(0))).await;
    let mut agent = EventStream::connect(&app.ws_url(&a.agent, Some(0))).await;
    let mut other = EventStream::connect(&app.ws_url(&b.admin, Some(0))).await;
    sentinel(&app, &a.admin, "sentinel-a-resume").await;
    sentinel(&app, &b.admin, "sentinel-b-resume").await;
    let admin_frames = frames_until(&mut a_admin, "sentinel-a-resume").await;
    let missing: Vec<_> = expected.difference(&types_of(&admin_frames)).cloned().collect();
    assert!(missing.is_empty(), "A's admin never got {missing:?} on resume");
    assert!(admin_frames.iter().any(|f| f.to_string().contains(Q2_MARK)));
    let agent_frames = frames_until(&mut agent, "sentinel-a-resume").await;
    assert_eq!(agent_saw(&agent_frames, &hidden), Vec::<String>::new(), "on resume, to A's agent of queue 1");
    assert!(agent_frames.iter().any(|f| f.to_string().contains("ZQX-Q1-message")), "the agent's own queue replays");
    let other_frames = frames_until(&mut other, "sentinel-b-resume").await;
    assert_eq!(foreign_saw(&other_frames), Vec::<String>::new(), "on resume, to B's admin");
}

/// Review #15: an agent resuming is replayed nothing that REST refuses them now. A conversation
/// that waited in the queue before she joined it, then was taken and resolved by a colleague,
/// is not hers to read.
#[tokio::test]
async fn a_replay_gives_an_agent_nothing_rest_hides_from_her_now() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (_, bia) = app.user(&admin, "bia@test.local", "agent", &[queue]).await;
    let ticket = app.inbound(&admin, connection, "11987650001", "ZQX-Q2-before-ana").await;
    for action in ["accept", "resolve"] {
        let (status, body) = app.act(&bia, ticket, action, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let (_, ana) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    let (status, body) = app.get(&format!("/api/v1/tickets/{ticket}/messages"), &ana).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    let mut replay = EventStream::connect(&app.ws_url(&ana, Some(0))).await;
    // Something she may see, after: what came before it is the whole replay.
    app.inbound(&admin, connection, "11987650002", "sentinel-ana").await;
    let frames = frames_until(&mut replay, "sentinel-ana").await;
    assert_eq!(agent_saw(&frames, &[ticket]), Vec::<String>::new());
}

/// Review #15: an agent taken out of a queue is replayed none of that queue's events.
#[tokio::test]
async fn an_agent_removed_from_a_queue_gets_none_of_its_events_on_resume() {
    let Desk { app, admin, queue, connection } = desk().await;
    let other_queue = app.queue(&admin, "Outra").await;
    let other_line = app.simulator(&admin, Some(other_queue)).await;
    let (bia_id, bia) = app.user(&admin, "bia@test.local", "agent", &[queue, other_queue]).await;
    let mut live = EventStream::connect(&app.ws_url(&bia, None)).await;
    let ticket = app.inbound(&admin, connection, "11987650001", "ZQX-Q2-while-member").await;
    let seen = frames_until(&mut live, "ZQX-Q2-while-member").await;
    assert!(!seen.is_empty(), "while in the queue she hears it (the check below can fail)");
    live.close().await;

    let (status, body) =
        app.patch(&format!("/api/v1/users/{bia_id}"), &admin, json!({"queue_ids": [other_queue]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.inbound(&admin, connection, "11987650002", "ZQX-Q2-after-removal").await;
    let mut resumed = EventStream::connect(&app.ws_url(&bia, Some(0))).await;
    app.inbound(&admin, other_line, "11987650003", "sentinel-bia").await;
    let frames = frames_until(&mut resumed, "sentinel-bia").await;
    assert_eq!(agent_saw(&frames, &[ticket]), Vec::<String>::new());
}

/// Review #15 (LGPD): deleting a contact deletes the live events that carried their data, so no
/// replay (not even an admin's from the start) gives it back.
#[tokio::test]
async fn deleting_a_contact_deletes_the_events_that_carried_its_data() {
    let Desk { app, admin, connection, .. } = desk().await;
    let created_ticket = created(
        &app,
        &admin,
        &format!("/api/v1/connections/{connection}/simulate"),
        json!({"from": "11955500007", "name": "ZQX-forget-name", "body": "ZQX-forget-message"}),
    )
    .await;
    let ticket = created_ticket["ticket_id"].as_i64().expect("ticket");
    app.act(&admin, ticket, "accept", json!({})).await;
    let reply =
        created(&app, &admin, &format!("/api/v1/tickets/{ticket}/messages"), json!({"body": "ZQX-forget-reply"})).await;
    app.settled(&admin, ticket, id(&reply)).await;
    created(&app, &admin, &format!("/api/v1/tickets/{ticket}/notes"), json!({"body": "ZQX-forget-note"})).await;
    let contact = app.ticket(&admin, ticket).await["contact"]["id"].as_i64().expect("contact");
    let (status, body) =
        app.patch(&format!("/api/v1/contacts/{contact}"), &admin, json!({"email": "zqx-forget@example.com"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stored = || async {
        let company = atende::domain::auth::authenticate(&app.state, &admin).await.expect("admin").company_id;
        let rows = atende::store::events::since(&app.state.db, company, 0, 10_000).await.expect("events");
        rows.into_iter().map(|row| row.frame).filter(|f| f.contains("ZQX-forget") || f.contains("11955500007")).count()
    };
    assert!(stored().await >= 5, "the events carry the contact's data (the check can fail)");

    let (status, body) = app.delete(&format!("/api/v1/contacts/{contact}"), &admin).await;
    assert!(status.is_success(), "{body}");
    assert_eq!(stored().await, 0, "the events table still holds the deleted contact's data");
    let mut replay = EventStream::connect(&app.ws_url(&admin, Some(0))).await;
    sentinel(&app, &admin, "sentinel-forget").await;
    let frames = frames_until(&mut replay, "sentinel-forget").await;
    assert!(frames.iter().all(|f| !f.to_string().contains("ZQX-forget")), "{frames:?}");
    let gone: BTreeSet<String> = types_of(&frames);
    assert!(
        gone.contains("contact.deleted") && gone.contains("ticket.deleted"),
        "what is gone is still told: {gone:?}"
    );
}

/// Review #5, the cases the seams test leaves: an open socket ends when its token expires or the
/// user's password is reset, and a demoted supervisor's socket is filtered as an agent's.
#[tokio::test]
async fn open_sockets_end_on_expiry_and_password_reset_and_follow_a_demotion() {
    let app = TestApp::start_with(|config| config.ws_recheck = Duration::from_secs(1)).await;
    let admin = app.admin().await;
    let queue = app.queue(&admin, "Suporte").await;
    let connection = app.simulator(&admin, Some(queue)).await;

    let mut claims = app.state.jwt.verify(&admin).expect("the admin's token verifies");
    claims.exp = chrono::Utc::now().timestamp() + 2;
    let short = app.state.jwt.sign(&claims).expect("sign");
    let mut socket = EventStream::connect(&app.ws_url(&short, None)).await;
    assert_eq!(socket.close_code().await, Some(4001), "the token expired: the socket is closed");

    let (ana_id, ana) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    let mut socket = EventStream::connect(&app.ws_url(&ana, None)).await;
    let (status, body) =
        app.patch(&format!("/api/v1/users/{ana_id}"), &admin, json!({"password": "another-secret-1"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(socket.close_code().await, Some(4001), "a reset password ends the user's sockets");

    let (sup_id, sup) = app.user(&admin, "sup@test.local", "supervisor", &[]).await;
    let mut socket = EventStream::connect(&app.ws_url(&sup, None)).await;
    let first = app.inbound(&admin, connection, "11987650001", "ZQX-Q2-to-the-supervisor").await;
    let seen = frames_until(&mut socket, "ZQX-Q2-to-the-supervisor").await;
    assert!(seen.iter().any(|f| f["data"]["id"] == first), "a supervisor hears every queue (the check can fail)");
    let (status, body) = app.patch(&format!("/api/v1/users/{sup_id}"), &admin, json!({"role": "agent"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Until the socket re-checks (every second here) the queue's tickets may still arrive; after,
    // only the company-wide sentinel does. Each round: a customer writes, then the sentinel.
    for round in 1.. {
        assert!(round < 100, "the socket never re-filtered the demoted supervisor");
        app.inbound(&admin, connection, &format!("1198766{round:04}"), "ZQX-Q2-after-demotion").await;
        let word = format!("sentinel-demoted-{round}");
        sentinel(&app, &admin, &word).await;
        let frames = frames_until(&mut socket, &word).await;
        if !frames.iter().any(|f| f.to_string().contains(Q2_MARK)) {
            break;
        }
        // Pacing while the re-check comes round.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
