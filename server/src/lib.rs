//! `permiso serve`: the AuthZEN 1.0 decision point over HTTP.
//!
//! Every answer comes from the `permiso` crate's AuthZEN API, so a response
//! over HTTP is the in-process response. This crate reads files, speaks HTTP
//! through axum, authenticates callers through the core, swaps snapshots,
//! writes audit lines and counts.
//!
//! - `POST /access/v1/evaluation`, `/access/v1/evaluations`,
//!   `/access/v1/search/subject`, `/access/v1/search/resource`,
//!   `/access/v1/search/action`: the AuthZEN APIs. A caller presents a
//!   credential of one of the operator's caller kinds (401 without one,
//!   403 for another kind); `X-Request-ID` is echoed (and made when absent).
//! - `GET /.well-known/authzen-configuration`: the PDP metadata.
//! - `GET /healthz`: the snapshot in use. `GET /metrics`: Prometheus text.
//!
//! Audit: one JSON line on stdout per decision (the core's audit record
//! plus `api`, `request_id`, `caller`, and for batches `batch_id` and
//! `index`), one line per search. Events (listening, reloads, shutdown)
//! are JSON lines on stderr.

mod metrics;
mod snapshot;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use permiso::wire;
use permiso::{Code, Decision};
use serde_json::{json, Value};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

pub use snapshot::{DataSource, LoadError, Snapshot, Sources};

use metrics::{ApiLabel, CodeLabel, Metrics, OutcomeLabel, ResponseLabel};

/// How a server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The policy, the data and who may ask.
    pub sources: Sources,
    /// The address to listen on.
    pub listen: SocketAddr,
    /// Answer callers without credentials (loopback addresses only).
    pub open: bool,
    /// The base URL the metadata advertises; `http://{listen}` when absent.
    pub public_url: Option<String>,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Longest a request may take, body included.
    pub timeout: Duration,
    /// How often the sources are checked for changes; `None`: only on SIGHUP.
    pub reload_interval: Option<Duration>,
    /// Longest the server waits for requests in flight after SIGTERM.
    pub shutdown_grace: Duration,
}

/// The AuthZEN APIs and their paths.
const APIS: [(&str, &str); 5] = [
    ("evaluation", "/access/v1/evaluation"),
    ("evaluations", "/access/v1/evaluations"),
    ("search/subject", "/access/v1/search/subject"),
    ("search/resource", "/access/v1/search/resource"),
    ("search/action", "/access/v1/search/action"),
];

struct App {
    snapshot: ArcSwap<Snapshot>,
    sources: Sources,
    metrics: Metrics,
    open: bool,
    max_body: usize,
    metadata: String,
    batch_seed: u64,
    batches: AtomicU64,
}

fn clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A JSON line on stderr; a closed stderr loses it only.
fn event(value: &Value) {
    let _ = writeln!(std::io::stderr().lock(), "{value}");
}

fn json_response(status: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn error_response(error: &wire::Error) -> Response {
    json_response(error.status(), serde_json::to_vec(error).unwrap_or_default())
}

/// Starts the server and runs it until SIGTERM or SIGINT.
pub fn run(config: Config) -> Result<(), String> {
    if config.open && !config.listen.ip().is_loopback() {
        return Err(format!(
            "--open answers anyone who can connect; it only binds to loopback addresses, not {}",
            config.listen.ip()
        ));
    }
    if !config.open && config.sources.caller_kinds.is_empty() {
        return Err(
            "name the credential kind callers authenticate with (--caller-kind KIND), or run --open on loopback".into(),
        );
    }
    let snapshot = config.sources.load(1).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(config, snapshot))
}

async fn serve(config: Config, snapshot: Snapshot) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let base = config.public_url.clone().unwrap_or_else(|| format!("http://{address}"));
    let base = base.trim_end_matches('/');
    let mut metadata = serde_json::Map::new();
    metadata.insert("policy_decision_point".into(), json!(base));
    for (name, (_, path)) in [
        "access_evaluation_endpoint",
        "access_evaluations_endpoint",
        "search_subject_endpoint",
        "search_resource_endpoint",
        "search_action_endpoint",
    ]
    .iter()
    .zip(APIS)
    {
        metadata.insert((*name).into(), json!(format!("{base}{path}")));
    }
    let mut seed = [0u8; 8];
    let _ = getrandom::getrandom(&mut seed);
    let metrics = Metrics::new();
    metrics.generation.set(1);
    let app = Arc::new(App {
        snapshot: ArcSwap::from_pointee(snapshot),
        sources: config.sources.clone(),
        metrics,
        open: config.open,
        max_body: config.max_body,
        metadata: Value::Object(metadata).to_string(),
        batch_seed: u64::from_le_bytes(seed),
        batches: AtomicU64::new(0),
    });
    let mut router = Router::new();
    for (api, path) in APIS {
        router = router.route(
            path,
            post(
                move |State(app): State<Arc<App>>, headers: HeaderMap, body: Body| async move {
                    answer(&app, api, &headers, body).await
                },
            ),
        );
    }
    let router = router
        .route("/.well-known/authzen-configuration", get(metadata_doc))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .fallback(not_found)
        .with_state(app.clone())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.timeout,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    if config.open {
        event(&json!({
            "event": "warning",
            "message": "running --open: callers are not authenticated; anyone who can reach this address gets decisions",
        }));
    }
    let snapshot = app.snapshot.load();
    event(&json!({
        "event": "listening",
        "address": address.to_string(),
        "policy": snapshot.policy.hash().to_string(),
        "caller_kinds": app.sources.caller_kinds,
        "open": config.open,
    }));
    tokio::spawn(reloader(app.clone(), config.reload_interval));
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, router).with_graceful_shutdown(async move {
        let signal = terminated().await;
        event(&json!({"event": "shutdown", "signal": signal, "message": "finishing requests in flight"}));
        let _ = stopping.send(());
    });
    let grace = config.shutdown_grace;
    tokio::select! {
        result = server => result.map_err(|e| format!("the server stopped: {e}"))?,
        () = async move {
            let _ = stopped.await;
            tokio::time::sleep(grace).await;
        } => {
            event(&json!({"event": "shutdown", "message": "requests still in flight after the grace period were dropped"}));
        }
    }
    event(&json!({"event": "stopped"}));
    Ok(())
}

/// Waits for SIGTERM or SIGINT; names it.
async fn terminated() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "ctrl-c"
    }
}

/// Reloads on SIGHUP and whenever a watched file changes. A snapshot that
/// fails to load is logged and counted; the one in use keeps serving.
async fn reloader(app: Arc<App>, interval: Option<Duration>) {
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut last = app.sources.stamp();
    loop {
        let tick = async {
            match interval {
                Some(every) => tokio::time::sleep(every).await,
                None => std::future::pending().await,
            }
        };
        #[cfg(unix)]
        let asked = async {
            match hangup.as_mut() {
                Some(signal) => signal.recv().await.is_some(),
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let asked = std::future::pending::<bool>();
        let forced = tokio::select! {
            () = tick => false,
            hup = asked => hup,
        };
        let stamp = app.sources.stamp();
        if !forced && stamp == last {
            continue;
        }
        last = stamp;
        let generation = app.snapshot.load().generation + 1;
        let sources = app.sources.clone();
        let loaded = tokio::task::spawn_blocking(move || sources.load(generation)).await;
        match loaded {
            Ok(Ok(snapshot)) => {
                let policy = snapshot.policy.hash().to_string();
                app.snapshot.store(Arc::new(snapshot));
                app.metrics
                    .generation
                    .set(i64::try_from(generation).unwrap_or(i64::MAX));
                app.metrics.reloads.get_or_create(&OutcomeLabel { outcome: "ok" }).inc();
                event(&json!({"event": "reload", "outcome": "ok", "generation": generation, "policy": policy}));
            }
            Ok(Err(failure)) => {
                app.metrics
                    .reloads
                    .get_or_create(&OutcomeLabel { outcome: "failed" })
                    .inc();
                event(&json!({
                    "event": "reload",
                    "outcome": "failed",
                    "message": "the snapshot in use keeps serving",
                    "source": failure.source,
                    "error": failure.error,
                }));
            }
            Err(join) => {
                app.metrics
                    .reloads
                    .get_or_create(&OutcomeLabel { outcome: "failed" })
                    .inc();
                event(&json!({"event": "reload", "outcome": "failed", "message": join.to_string()}));
            }
        }
    }
}

async fn metadata_doc(State(app): State<Arc<App>>) -> Response {
    json_response(200, app.metadata.clone().into_bytes())
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    let snapshot = app.snapshot.load();
    let body = json!({
        "status": "ok",
        "policy": snapshot.policy.hash().to_string(),
        "generation": snapshot.generation,
        "principals": snapshot.host.principals.len(),
        "resources": snapshot.host.resources.len(),
        "keys": snapshot.host.keys.len(),
    });
    json_response(200, body.to_string().into_bytes())
}

async fn metrics_text(State(app): State<Arc<App>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}

async fn not_found() -> Response {
    error_response(&wire::Error::new(
        Code::NoRoute,
        wire::Family::Argument,
        "no such endpoint; see /.well-known/authzen-configuration",
    ))
}

/// Reads the body up to the limit: a larger one is `limit_exceeded` (413).
async fn read_body(app: &App, headers: &HeaderMap, body: Body) -> Result<Bytes, wire::Error> {
    let too_large = || {
        wire::Error::new(
            Code::LimitExceeded,
            wire::Family::Argument,
            format!("the request body is larger than {} bytes", app.max_body),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.max_body as u64) {
        return Err(too_large());
    }
    // A chunked body past the limit stops here. (A body that ends early
    // fails here too; its client has gone and never reads the answer.)
    axum::body::to_bytes(body, app.max_body).await.map_err(|_| too_large())
}

/// Who the caller is, for audit lines: the principal and how it
/// authenticated (key id and mask, token id; never the credential).
fn caller_json(identity: &permiso::Identity) -> String {
    json!({
        "principal": identity.principal_id(),
        "credential": identity.record().credential,
    })
    .to_string()
}

async fn answer(app: &App, api: &'static str, headers: &HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let snapshot = app.snapshot.load_full();
    let request_id = headers
        .get("x-request-id")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let caller = if app.open {
        "null".to_owned()
    } else {
        match authenticate(app, &snapshot, headers) {
            Ok(caller) => caller,
            Err(refused) => {
                app.metrics
                    .decisions
                    .get_or_create(&CodeLabel {
                        code: refused.code().as_str(),
                    })
                    .inc();
                audit(app, &[audit_line(&refused, api, &request_id, "null", None)]);
                let status = refused.status();
                let body = json!({"code": refused.code(), "message": refused.message()});
                let mut response = json_response(status, body.to_string().into_bytes());
                if status == 401 {
                    response.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Bearer realm=\"permiso\""),
                    );
                }
                return finish(app, api, started, response);
            }
        }
    };
    let outcome = match read_body(app, headers, body).await {
        Err(e) => Err(e),
        Ok(bytes) => serde_json::from_slice::<Value>(&bytes)
            .map_err(|e| {
                wire::Error::new(
                    Code::InvalidRequest,
                    wire::Family::Argument,
                    format!("the request body is not JSON: {e}"),
                )
            })
            .and_then(|request| decide(app, &snapshot, api, &request, &request_id, &caller)),
    };
    let response = match outcome {
        Ok(body) => json_response(200, body),
        Err(e) => error_response(&e),
    };
    finish(app, api, started, response)
}

fn finish(app: &App, api: &'static str, started: Instant, response: Response) -> Response {
    app.metrics
        .responses
        .get_or_create(&ResponseLabel {
            api,
            status: response.status().as_u16(),
        })
        .inc();
    app.metrics
        .latency
        .get_or_create(&ApiLabel { api })
        .observe(started.elapsed().as_secs_f64());
    response
}

fn authenticate(app: &App, snapshot: &Snapshot, headers: &HeaderMap) -> Result<String, Box<Decision<'static>>> {
    let values: Vec<(&str, String)> = headers
        .iter()
        .filter(|(name, _)| *name == header::AUTHORIZATION || name.as_str() == "x-api-key")
        .map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    let pairs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let kinds: Vec<&str> = app.sources.caller_kinds.iter().map(String::as_str).collect();
    wire::authenticate(&snapshot.policy, &pairs, &kinds, &snapshot.host, clock).map(|identity| caller_json(&identity))
}

/// Answers through the core and audits each decision.
fn decide(
    app: &App,
    snapshot: &Snapshot,
    api: &'static str,
    request: &Value,
    request_id: &str,
    caller: &str,
) -> Result<Vec<u8>, wire::Error> {
    let batch = (api == "evaluations").then(|| {
        let n = app.batches.fetch_add(1, Ordering::Relaxed);
        format!("{:016x}{n:016x}", app.batch_seed)
    });
    let mut lines = Vec::new();
    let response = wire::authzen_audited(
        &snapshot.policy,
        api,
        request,
        &snapshot.host,
        clock,
        &mut |index, d| {
            app.metrics
                .decisions
                .get_or_create(&CodeLabel {
                    code: d.code().as_str(),
                })
                .inc();
            let batch = batch.as_deref().map(|id| (id, index));
            lines.push(audit_line(d, api, request_id, caller, batch));
        },
    )?;
    if let permiso::authzen::AuthzenResponse::Search { results, .. } = &response {
        lines.push(
            json!({
                "api": api,
                "time": clock(),
                "policy": snapshot.policy.hash().to_string(),
                "request_id": request_id,
                "caller": serde_json::from_str::<Value>(caller).unwrap_or(Value::Null),
                "subject": request.get("subject"),
                "action": request.get("action"),
                "resource": request.get("resource"),
                "results": results.len(),
            })
            .to_string(),
        );
    }
    audit(app, &lines);
    serde_json::to_vec(&response).map_err(|e| {
        wire::Error::new(
            Code::InvalidRequest,
            wire::Family::Argument,
            format!("the response could not be written: {e}"),
        )
    })
}

/// The core's audit record with the request's id, the API, the caller and,
/// in a batch, the batch id and the item's index. Written straight after
/// the record's own fields (no intermediate JSON value).
fn audit_line(d: &Decision<'_>, api: &str, request_id: &str, caller: &str, batch: Option<(&str, usize)>) -> String {
    let mut line = serde_json::to_string(&d.audit()).unwrap_or_else(|_| "{}".into());
    if line.ends_with('}') {
        line.pop();
    }
    let text = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let comma = if line.len() > 1 { "," } else { "" };
    line.push_str(&format!(
        "{comma}\"api\":{},\"request_id\":{},\"caller\":{caller}",
        text(api),
        text(request_id)
    ));
    if let Some((id, index)) = batch {
        line.push_str(&format!(",\"batch_id\":{},\"index\":{index}", text(id)));
    }
    line.push('}');
    line
}

/// Writes audit lines in one write; a failure is counted, never fatal.
fn audit(app: &App, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        app.metrics.audit_errors.inc();
    }
}
