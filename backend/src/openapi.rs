//! The OpenAPI document, assembled from each resource's router so it cannot omit an endpoint.

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::http;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Atende API",
        version = "1",
        description = "Multi-agent WhatsApp customer service. Errors are always \
            `{\"error\": {\"code\", \"message\", \"details\"}}`; lists are `{\"items\", \"next_cursor\"}`."
    ),
    modifiers(&BearerAuth),
    components(schemas(shared::ErrorBody)),
    tags(
        (name = "auth", description = "Sign in, token refresh, sign out"),
        (name = "profile", description = "The signed-in user"),
        (name = "users", description = "The company's users"),
        (name = "queues", description = "Queues (sectors) tickets wait in"),
        (name = "companies", description = "Tenants (platform admin)"),
        (name = "api-tokens", description = "Tokens for integrators"),
        (name = "tickets", description = "Tickets, their messages and life cycle"),
        (name = "contacts", description = "Customers"),
        (name = "connections", description = "WhatsApp numbers and the simulated channel"),
        (name = "schedules", description = "Scheduled messages (Agendamentos)"),
        (name = "settings", description = "The company's settings (Configurações)"),
        (name = "stickers", description = "The company's sticker library (figurinhas)"),
        (name = "quick replies", description = "Saved messages agents insert with `/` (Mensagens rápidas)"),
        (name = "notes", description = "Internal notes on tickets (Nota), never sent to the contact"),
        (name = "tags", description = "The company's tags (Etiquetas) and tagging tickets"),
        (name = "kanban", description = "Kanban boards, their lanes, and tickets placed in them"),
        (name = "ratings", description = "The satisfaction survey and its answers (Avaliação)"),
        (name = "live events", description = "WebSocket: ticket and message events, resumable by seq"),
        (name = "webhooks", description = "Outgoing webhooks: the company's events POSTed, signed, to integrators"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An access token from /auth/login, or an API token (atd_…)"))
                    .build(),
            ),
        );
    }
}

/// What each status means when an operation does not say more. OpenAPI requires every response to
/// have a description; the error ones all carry the `ErrorBody`.
fn describe(status: &str) -> &'static str {
    match status {
        "101" => "Switching to the WebSocket protocol",
        "200" => "OK",
        "201" => "Created",
        "204" => "Done; no body",
        "400" => "Malformed request (`malformed_json`, `invalid_query`, `invalid_cursor`, …)",
        "401" => "No valid token (`unauthenticated`, `invalid_credentials`)",
        "403" => "Not allowed for this user (`forbidden`, …)",
        "404" => "Not found, or not this company's (`not_found`)",
        "409" => "Not valid in the current state (`invalid_transition`, `ticket_already_active`, …)",
        "413" => "The body is too large (`payload_too_large`)",
        "415" => "Wrong content type (`unsupported_media_type`)",
        "422" => "Invalid fields: `details` maps each to its problem (`invalid_field`)",
        "429" => "Too many requests; see `Retry-After` (`too_many_requests`)",
        "503" => "Not ready, or the database cannot be reached right now; try again (`unavailable`)",
        "507" => "The server's disk is full; nothing was stored, try again later (`insufficient_storage`)",
        _ => "See the body",
    }
}

/// Every operation of a path item, with its method in lower case.
fn operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = (&'static str, &mut utoipa::openapi::path::Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("options", &mut item.options),
        ("head", &mut item.head),
        ("patch", &mut item.patch),
        ("trace", &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation.as_mut()?)))
}

/// Gives every response without a description the meaning of its status.
struct DescribedResponses;

impl Modify for DescribedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for (_, operation) in operations_mut(item) {
                for (status, response) in operation.responses.responses.iter_mut() {
                    if let utoipa::openapi::RefOr::T(response) = response
                        && response.description.trim().is_empty()
                    {
                        response.description = describe(status).to_owned();
                    }
                }
            }
        }
    }
}

/// Marks an operation that reads its body as raw bytes (a signature over them, or an optional
/// body parsed by hand): no `Content-Type` check (415) and no typed rejection (422) apply to it.
pub const RAW_BODY: &str = "x-raw-body";

/// The error statuses an operation can answer because of what its extractors do, whatever its
/// handler says. They are added by rule so that a new endpoint cannot forget them:
/// - a bearer token (`security`): `CurrentUser` answers 401 without a valid one;
/// - a path parameter: `AppPath` answers 404 for a malformed id (and handlers for an unknown one);
/// - a query parameter: `AppQuery` answers 400 `invalid_query` when it does not parse;
/// - a body: every body extractor stops at the body limit (413) and answers 400 for bytes it cannot
///   read (`malformed_json`, `malformed_multipart`); a typed JSON body (`AppJson`) also answers 415
///   without `Content-Type: application/json` and 422 when the JSON has the wrong shape, and a
///   multipart form 422 when its file is missing.
///
/// 403, 409 and 429 depend on the handler's rules, so handlers declare them.
pub fn implied_statuses(operation: &utoipa::openapi::path::Operation) -> Vec<&'static str> {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::ParameterIn;
    let mut statuses = Vec::new();
    if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
        statuses.push("401");
    }
    let parameters: Vec<_> = operation
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(parameter) => Some(&parameter.parameter_in),
            RefOr::Ref(_) => None,
        })
        .collect();
    if parameters.iter().any(|at| matches!(at, ParameterIn::Path)) {
        statuses.push("404");
    }
    if parameters.iter().any(|at| matches!(at, ParameterIn::Query)) {
        statuses.push("400");
    }
    if let Some(RefOr::T(body)) = &operation.request_body {
        statuses.extend(["400", "413"]);
        let raw = operation.extensions.as_ref().is_some_and(|e| e.contains_key(RAW_BODY));
        if !raw && body.content.contains_key("application/json") {
            statuses.extend(["415", "422"]);
        }
        if body.content.contains_key("multipart/form-data") {
            statuses.push("422");
        }
    }
    statuses.sort_unstable();
    statuses.dedup();
    statuses
}

/// Adds the statuses of [`implied_statuses`], and the error body to every 4xx answer.
struct ImpliedResponses;

impl Modify for ImpliedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error_content = || ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
        for item in openapi.paths.paths.values_mut() {
            for (_, operation) in operations_mut(item) {
                for status in implied_statuses(operation) {
                    operation.responses.responses.entry(status.to_owned()).or_insert_with(|| {
                        RefOr::T(ResponseBuilder::new().content("application/json", error_content()).build())
                    });
                }
                for (status, response) in operation.responses.responses.iter_mut() {
                    if let RefOr::T(response) = response
                        && status.starts_with('4')
                        && response.content.is_empty()
                    {
                        response.content.insert("application/json".to_owned(), RefOr::T(error_content()));
                    }
                }
            }
        }
    }
}

/// The answers a fault can give (the fault tests, `make faults`): any operation may find the
/// database unreachable (503), and the ones that write a file may find the disk full (507).
struct FaultResponses;

/// (method, path) of the operations that write a media file.
const WRITES_FILES: [(&str, &str); 5] = [
    ("post", "/api/v1/tickets/{id}/messages"),
    ("put", "/api/v1/quick-replies/{id}/file"),
    ("post", "/api/v1/schedules"),
    ("post", "/api/v1/stickers"),
    ("post", "/webhooks/whatsapp/{connection_id}"),
];

impl Modify for FaultResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |status: &str| {
            ResponseBuilder::new()
                .description(describe(status))
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in operations_mut(item) {
                let responses = &mut operation.responses.responses;
                responses.entry("503".to_owned()).or_insert_with(|| error("503").into());
                if WRITES_FILES.contains(&(method, path.as_str())) {
                    responses.entry("507".to_owned()).or_insert_with(|| error("507").into());
                }
            }
        }
    }
}

/// The API routes and the document describing them.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut spec) = routes();
    ImpliedResponses.modify(&mut spec);
    FaultResponses.modify(&mut spec);
    DescribedResponses.modify(&mut spec);
    (router, spec)
}

fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(http::auth::router())
        .merge(http::me::router())
        .merge(http::users::router())
        .merge(http::queues::router())
        .merge(http::companies::router())
        .merge(http::api_tokens::router())
        .merge(http::tickets::router())
        .merge(http::contacts::router())
        .merge(http::connections::router())
        .merge(http::stickers::router())
        .merge(http::ws::router())
        .merge(http::dashboard::router())
        .merge(http::settings::router())
        .merge(http::schedules::router())
        .merge(http::quick_replies::router())
        .merge(http::notes::router())
        .merge(http::tags::router())
        .merge(http::kanban::router())
        .merge(http::ratings::router())
        .merge(http::webhooks::router())
        .merge(http::wallets::router())
        .merge(http::protocols::router())
        .merge(http::outgoing_webhooks::router())
        .merge(http::sms::router())
        .merge(http::whatsapp_web::router())
        .merge(http::bots::router())
        .split_for_parts()
}

/// The document as pretty JSON with a trailing newline, as checked in at `openapi/openapi.json`.
pub fn spec_json() -> String {
    let (_, spec) = api();
    let mut json = spec.to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    fn implied(operation: Value) -> Vec<&'static str> {
        let operation: utoipa::openapi::path::Operation = serde_json::from_value(operation).unwrap_or_default();
        super::implied_statuses(&operation)
    }

    #[test]
    fn statuses_follow_from_the_extractors() {
        let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
        let page = json!({"name": "cursor", "in": "query", "required": false, "schema": {"type": "string"}});
        let json_body = json!({"content": {"application/json": {}}, "required": true});
        let form = json!({"content": {"multipart/form-data": {}}, "required": true});
        let bearer = json!([{"bearer": []}]);
        let empty = json!({"responses": {}});
        assert_eq!(implied(empty), Vec::<&str>::new());
        let get = json!({"responses": {}, "security": bearer, "parameters": [id, page]});
        assert_eq!(implied(get), ["400", "401", "404"]);
        let patch = json!({"responses": {}, "security": bearer, "parameters": [id], "requestBody": json_body});
        assert_eq!(implied(patch), ["400", "401", "404", "413", "415", "422"]);
        let upload = json!({"responses": {}, "security": bearer, "requestBody": form});
        assert_eq!(implied(upload), ["400", "401", "413", "422"]);
        let raw = json!({"responses": {}, "requestBody": json_body, "x-raw-body": true});
        assert_eq!(implied(raw), ["400", "413"]);
    }

    /// The rule holds for every operation served, and every client error carries the error body.
    #[test]
    fn every_operation_declares_what_its_extractors_answer() {
        let spec: Value = serde_json::from_str(&super::spec_json()).unwrap_or_default();
        let mut checked = 0;
        for (path, item) in spec["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                checked += 1;
                let responses = &operation["responses"];
                for status in implied(operation.clone()) {
                    assert!(responses.get(status).is_some(), "{method} {path} does not declare {status}");
                }
                for (status, response) in responses.as_object().into_iter().flatten() {
                    if status.starts_with('4') {
                        let schema = &response["content"]["application/json"]["schema"]["$ref"];
                        assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {status}");
                    }
                }
            }
        }
        assert!(checked >= 100, "{checked}");
    }

    /// OpenAPI 3.1 requires a description on every response object.
    #[test]
    fn every_response_has_a_description() {
        let spec: serde_json::Value = serde_json::from_str(&super::spec_json()).unwrap_or_default();
        let mut seen = 0;
        for (path, item) in spec["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                    seen += 1;
                    let description = response["description"].as_str().unwrap_or_default();
                    assert!(!description.trim().is_empty(), "{method} {path} {status}");
                }
            }
        }
        assert!(seen > 50, "{seen}");
    }
}
