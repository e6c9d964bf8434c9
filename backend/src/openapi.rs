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
        (name = "live events", description = "WebSocket: ticket and message events, resumable by seq"),
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

/// The API routes and the document describing them.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
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
        .merge(http::ws::router())
        .merge(http::dashboard::router())
        .merge(http::webhooks::router())
        .split_for_parts()
}

/// The document as pretty JSON with a trailing newline, as checked in at `openapi/openapi.json`.
pub fn spec_json() -> String {
    let (_, spec) = api();
    let mut json = spec.to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
