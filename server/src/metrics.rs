//! `/metrics`, in the Prometheus text format.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ApiLabel {
    pub api: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabel {
    pub code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResponseLabel {
    pub api: &'static str,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

/// Every metric the server exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Decisions by code (each item of a batch is one).
    pub decisions: Family<CodeLabel, Counter>,
    /// Responses by API and HTTP status.
    pub responses: Family<ResponseLabel, Counter>,
    /// Time from the body read to the response, by API.
    pub latency: Family<ApiLabel, Histogram, fn() -> Histogram>,
    /// Snapshot reloads by outcome (`ok`, `failed`).
    pub reloads: Family<OutcomeLabel, Counter>,
    /// The generation of the snapshot in use.
    pub generation: Gauge,
    /// Audit lines that could not be written.
    pub audit_errors: Counter,
}

fn latency_histogram() -> Histogram {
    // 10 µs to ~5 s.
    Histogram::new(exponential_buckets(0.000_01, 2.5, 15))
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("permiso");
        let decisions = Family::<CodeLabel, Counter>::default();
        registry.register("decisions", "Decisions by code", decisions.clone());
        let responses = Family::<ResponseLabel, Counter>::default();
        registry.register("responses", "HTTP responses by API and status", responses.clone());
        let latency = Family::<ApiLabel, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "request_duration_seconds",
            "Time to answer a request, by API",
            latency.clone(),
        );
        let reloads = Family::<OutcomeLabel, Counter>::default();
        registry.register("reloads", "Policy and data reloads by outcome", reloads.clone());
        let generation = Gauge::default();
        registry.register(
            "snapshot_generation",
            "The generation of the policy and data in use",
            generation.clone(),
        );
        let audit_errors = Counter::default();
        registry.register(
            "audit_write_errors",
            "Audit lines that could not be written",
            audit_errors.clone(),
        );
        Metrics {
            registry,
            decisions,
            responses,
            latency,
            reloads,
            generation,
            audit_errors,
        }
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
