//! The OpenAPI document tells the truth about errors: for every operation it serves, a probe per
//! status the document adds by rule (`atende::openapi::implied_statuses`) gets that status, in
//! the error format; and no probe gets a status the operation does not declare. A new endpoint is
//! probed the day it is added. Also the regression tests for what the schema fuzzer found
//! (`make api-conformance`).

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::*;

/// The JSON body limit of the probed server, so a body just over it is cheap to send.
const BODY_LIMIT: usize = 4096;

struct Operation {
    method: Method,
    path: String,
    spec: Value,
}

impl Operation {
    fn declares(&self, status: StatusCode) -> bool {
        self.spec["responses"].get(status.as_str()).is_some()
    }

    fn implies(&self, status: &str) -> bool {
        let op: utoipa::openapi::path::Operation = serde_json::from_value(self.spec.clone()).expect("operation");
        atende::openapi::implied_statuses(&op).contains(&status)
    }

    fn secured(&self) -> bool {
        self.spec["security"].as_array().is_some_and(|s| !s.is_empty())
    }

    fn parameters(&self, location: &str) -> Vec<String> {
        let parameters = self.spec["parameters"].as_array().cloned().unwrap_or_default();
        parameters
            .iter()
            .filter(|p| p["in"] == location)
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect()
    }

    /// The path with every parameter set to `value`.
    fn url(&self, value: &str) -> String {
        let mut path = self.path.clone();
        for name in self.parameters("path") {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        path
    }

    fn body_types(&self) -> Vec<String> {
        self.spec["requestBody"]["content"].as_object().map(|c| c.keys().cloned().collect()).unwrap_or_default()
    }

    fn takes_json(&self) -> bool {
        self.body_types().iter().any(|t| t == "application/json")
    }

    fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

fn operations(spec: &Value) -> Vec<Operation> {
    let mut all = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
            all.push(Operation { method, path: path.clone(), spec: operation.clone() });
        }
    }
    all
}

/// One request of a probe: what it sends.
struct Probe<'a> {
    path: String,
    query: &'a str,
    token: Option<&'a str>,
    content_type: Option<&'a str>,
    body: Vec<u8>,
}

async fn send(app: &TestApp, op: &Operation, probe: Probe<'_>) -> (StatusCode, Value) {
    let mut request = app.client.request(op.method.clone(), app.url(&format!("{}{}", probe.path, probe.query)));
    if let Some(token) = probe.token {
        request = request.bearer_auth(token);
    }
    if let Some(content_type) = probe.content_type {
        request = request.header("content-type", content_type);
    }
    if !probe.body.is_empty() {
        request = request.body(probe.body);
    }
    read(request.send().await.expect("request")).await
}

const BOUNDARY: &str = "probe-boundary";
const MULTIPART: &str = "multipart/form-data; boundary=probe-boundary";

/// A well-formed multipart form with one field that is not a file.
fn form_without_file() -> Vec<u8> {
    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--{BOUNDARY}--\r\n")
        .into_bytes()
}

#[tokio::test]
async fn every_operation_answers_the_statuses_its_document_implies() {
    let app = TestApp::start_with(|config| config.max_body_bytes = BODY_LIMIT).await;
    // An API token: the logout probe would end a session, and with it an access token.
    let (status, created) =
        app.post("/api/v1/api-tokens", &app.admin().await, serde_json::json!({"name": "probe"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let admin = created["token"].as_str().expect("token").to_owned();
    let (status, spec) = app.get("/api/v1/openapi.json", &admin).await;
    assert_eq!(status, StatusCode::OK);
    let operations = operations(&spec);
    assert!(operations.len() >= 100, "{}", operations.len());
    let mut wrong = Vec::new();
    let mut probed = 0;
    for op in &operations {
        let json = op.takes_json();
        let content_type = if json { "application/json" } else { MULTIPART };
        // (what the probe shows, the status the document implies, the request)
        let mut probes: Vec<(&str, &str, Probe)> = Vec::new();
        if op.secured() {
            let probe = Probe { path: op.url("1"), query: "", token: None, content_type: None, body: Vec::new() };
            probes.push(("no token", "401", probe));
        }
        if !op.parameters("path").is_empty() {
            let probe =
                Probe { path: op.url("x"), query: "", token: Some(&admin), content_type: None, body: Vec::new() };
            probes.push(("malformed id", "404", probe));
        }
        let query = op.parameters("query");
        let duplicated;
        if let Some(first) = query.first() {
            // A parameter given twice does not parse into one value, whatever its type.
            duplicated = format!("?{first}=1&{first}=1");
            let probe = Probe {
                path: op.url("1"),
                query: &duplicated,
                token: Some(&admin),
                content_type: None,
                body: Vec::new(),
            };
            probes.push(("a query parameter twice", "400", probe));
        }
        if !op.body_types().is_empty() {
            let unreadable = if json { b"{\"".to_vec() } else { b"not a form".to_vec() };
            let probe = Probe {
                path: op.url("1"),
                query: "",
                token: Some(&admin),
                content_type: Some(content_type),
                body: unreadable,
            };
            probes.push(("an unreadable body", "400", probe));
            let probe = Probe {
                path: op.url("1"),
                query: "",
                token: Some(&admin),
                content_type: Some(content_type),
                body: vec![b' '; BODY_LIMIT * 2],
            };
            probes.push(("a body over the limit", "413", probe));
            if json {
                let probe = Probe {
                    path: op.url("1"),
                    query: "",
                    token: Some(&admin),
                    content_type: Some("text/plain"),
                    body: b"{}".to_vec(),
                };
                probes.push(("a body that is not JSON", "415", probe));
            }
            let wrong_shape = if json { b"[[]]".to_vec() } else { form_without_file() };
            let probe = Probe {
                path: op.url("1"),
                query: "",
                token: Some(&admin),
                content_type: Some(content_type),
                body: wrong_shape,
            };
            probes.push(("a body of the wrong shape", "422", probe));
        }
        for (what, implied, probe) in probes {
            probed += 1;
            let (status, body) = send(&app, op, probe).await;
            if !op.declares(status) {
                wrong.push(format!("{}: {what} → {status}, not declared: {body}", op.label()));
                continue;
            }
            if status.is_client_error() && !body["error"]["code"].is_string() {
                wrong.push(format!("{}: {what} → {status} without the error body: {body}", op.label()));
            }
            let excepted = PROBE_EXCEPTIONS.iter().any(|(label, status)| *label == op.label() && *status == implied);
            if op.implies(implied) && status.as_str() != implied && !excepted {
                wrong.push(format!("{}: {what} → {status}, the document implies {implied}: {body}", op.label()));
            }
        }
    }
    assert!(probed > 300, "{probed}");
    assert!(wrong.is_empty(), "{} wrong answers:\n{}", wrong.len(), wrong.join("\n"));
}

/// Implied statuses a generic probe cannot reach, and why; each is reached by a test of its own.
const PROBE_EXCEPTIONS: &[(&str, &str)] = &[
    // Uploads have limits of their own, far above the probe's body (tests: files.rs
    // a_multipart_body_over_every_limit_is_413_in_json, contacts_io.rs, quick_replies.rs, and
    // a_scheduled_file_over_the_company_limit_is_413 below).
    ("POST /api/v1/contacts/import", "413"),
    ("PUT /api/v1/quick-replies/{id}/file", "413"),
    ("POST /api/v1/schedules", "413"),
    ("POST /api/v1/tickets/{id}/messages", "413"),
    // connections_admin.rs: a_simulated_file_over_the_upload_limit_is_413.
    ("POST /api/v1/connections/{id}/simulate", "413"),
    // The signature is checked before the body is read (a_signed_webhook_that_does_not_parse_is_400).
    ("POST /webhooks/whatsapp/{connection_id}", "400"),
];

/// The document of the running server, and whether `method path` declares `status`.
async fn declared(app: &TestApp, token: &str, method: &str, path: &str, status: StatusCode) -> bool {
    let (_, spec) = app.get("/api/v1/openapi.json", token).await;
    spec["paths"][path][method]["responses"].get(status.as_str()).is_some()
}

/// Found by the schema fuzzer: axum's own 413 for a raw body was plain text, not the error body.
#[tokio::test]
async fn an_oversized_raw_body_is_413_in_json() {
    let app = TestApp::start_with(|config| config.max_body_bytes = BODY_LIMIT).await;
    let token = app.admin().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(vec![b' '; BODY_LIMIT * 2])
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let response = app
        .client
        .post(app.url("/webhooks/whatsapp/1"))
        .header("content-type", "application/json")
        .body(vec![b' '; BODY_LIMIT * 2])
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

/// Found by the schema fuzzer: answers the document did not declare.
#[tokio::test]
async fn statuses_the_fuzzer_found_are_declared() {
    let Desk { app, admin, queue, connection } = desk().await;
    let ticket = app.inbound(&admin, connection, "11987654321", "oi").await;
    let (_, agent) = app.user(&admin, "agente@test.local", "agent", &[queue]).await;
    // An agent may not change a connection.
    let (status, body) =
        app.patch(&format!("/api/v1/connections/{connection}"), &agent, serde_json::json!({"name": "x"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert!(declared(&app, &admin, "patch", "/api/v1/connections/{id}", status).await);
    // `resolve` takes an optional typed body: the wrong shape is 422.
    let (status, body) = app.act(&admin, ticket, "resolve", serde_json::json!({"send_rating": {}})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert!(declared(&app, &admin, "post", "/api/v1/tickets/{id}/resolve", status).await);
}

/// Files are served with their own media type, which the document leaves open (`*/*`).
#[tokio::test]
async fn file_downloads_declare_any_media_type() {
    let app = TestApp::start().await;
    let token = app.admin().await;
    let (_, spec) = app.get("/api/v1/openapi.json", &token).await;
    for path in ["/api/v1/messages/{id}/media", "/api/v1/quick-replies/{id}/file", "/api/v1/schedules/{id}/media"] {
        let content = &spec["paths"][path]["get"]["responses"]["200"]["content"];
        assert!(content.get("*/*").is_some(), "{path}: {content}");
    }
}

#[tokio::test]
async fn a_signed_webhook_that_does_not_parse_is_400() {
    let line = crate::cloud_api::line_on(TestApp::start().await).await;
    let body = b"{\"object\": ".to_vec();
    let response = line
        .app
        .client
        .post(line.app.url(&format!("/webhooks/whatsapp/{}", line.connection)))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", crate::cloud_api::sign(&body))
        .body(body)
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_webhook");
}

#[tokio::test]
async fn a_scheduled_file_over_the_company_limit_is_413() {
    let Desk { app, admin, connection, .. } = desk().await;
    let ticket = app.inbound(&admin, connection, "11987654321", "oi").await;
    let contact = app.ticket(&admin, ticket).await["contact"]["id"].as_i64().expect("contact");
    let (status, _) = app.patch("/api/v1/settings", &admin, serde_json::json!({"general": {"max_upload_mb": 1}})).await;
    assert_eq!(status, StatusCode::OK);
    let send_at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let form = reqwest::multipart::Form::new()
        .text("contact_id", contact.to_string())
        .text("send_at", send_at)
        .part("file", reqwest::multipart::Part::bytes(vec![7u8; 1024 * 1024 + 1]).file_name("dados.bin".to_owned()));
    let response =
        app.client.post(app.url("/api/v1/schedules")).bearer_auth(&admin).multipart(form).send().await.expect("post");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

/// Found by the generated client: `FieldProblem` was `allOf` a `oneOf` union and an object, which
/// openapi-python-client cannot merge (it dropped the schema and every one that used it).
#[tokio::test]
async fn every_all_of_merges_objects_only() {
    fn walk<'a>(value: &'a Value, found: &mut Vec<&'a Vec<Value>>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(members)) = map.get("allOf") {
                    found.push(members);
                }
                map.values().for_each(|v| walk(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let app = TestApp::start().await;
    let token = app.admin().await;
    let (_, spec) = app.get("/api/v1/openapi.json", &token).await;
    let mut found = Vec::new();
    walk(&spec, &mut found);
    for members in found {
        for member in members {
            let target = match member["$ref"].as_str() {
                Some(reference) => &spec["components"]["schemas"][reference.rsplit('/').next().unwrap_or_default()],
                None => member,
            };
            assert_eq!(target["type"], "object", "allOf member {member} is not an object: {target}");
        }
    }
    let problem = &spec["components"]["schemas"]["FieldProblem"];
    assert_eq!(
        (problem["type"].as_str(), problem["required"].clone()),
        (Some("object"), serde_json::json!(["code", "message"]))
    );
}
