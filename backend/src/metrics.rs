//! Request counts by route and status, a latency histogram by route, and what became of inbound
//! messages, in Prometheus format.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InboundLabels {
    outcome: &'static str,
}

/// What the inbound path did with a message from a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundOutcome {
    Stored,
    Duplicate,
    /// From a blocked contact: dropped, never stored.
    Blocked,
}

impl InboundOutcome {
    fn label(self) -> &'static str {
        match self {
            InboundOutcome::Stored => "stored",
            InboundOutcome::Duplicate => "duplicate",
            InboundOutcome::Blocked => "blocked",
        }
    }
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    inbound: Family<InboundLabels, Counter>,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to about 8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("atende");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = HistogramFamily::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency by route", latency.clone());
        let inbound = Family::<InboundLabels, Counter>::default();
        registry.register(
            "inbound_messages",
            "Inbound messages by outcome (stored, duplicate, blocked)",
            inbound.clone(),
        );
        Self { registry: Arc::new(registry), requests, latency, inbound }
    }

    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    pub fn inbound(&self, outcome: InboundOutcome) {
        self.inbound.get_or_create(&InboundLabels { outcome: outcome.label() }).inc();
    }

    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let route = route.to_owned();
        let method = method.to_owned();
        self.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
        self.latency.get_or_create(&RouteLabels { method, route }).observe(seconds);
    }
}

/// Middleware: labels by the matched route pattern (never the raw path, which would explode the
/// number of series).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    state.metrics.record(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_requests_appear_in_the_text_format() {
        let metrics = Metrics::new();
        metrics.record("GET", "/api/v1/users", 200, 0.002);
        metrics.record("GET", "/api/v1/users", 200, 0.004);
        let text = metrics.render();
        assert!(
            text.contains(r#"atende_http_requests_total{method="GET",route="/api/v1/users",status="200"} 2"#),
            "{text}"
        );
        assert!(
            text.contains("atende_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/users\"} 2"),
            "{text}"
        );
    }

    #[test]
    fn inbound_outcomes_are_counted_apart() {
        let metrics = Metrics::new();
        metrics.inbound(InboundOutcome::Blocked);
        metrics.inbound(InboundOutcome::Blocked);
        metrics.inbound(InboundOutcome::Stored);
        let text = metrics.render();
        assert!(text.contains(r#"atende_inbound_messages_total{outcome="blocked"} 2"#), "{text}");
        assert!(text.contains(r#"atende_inbound_messages_total{outcome="stored"} 1"#), "{text}");
    }
}
