//! permiso next to the `cedarling` crate on Cedarling's own benchmark
//! scenarios, natively: `unsigned_simple` and `unsigned_batch_25`. Both
//! engines read their request from the same plain JSON data on every call,
//! as a service reads a request body, and give the same decisions before
//! they are timed.
//!
//!     cargo run --release -- --json out.json [--smoke]

use std::hint::black_box;
use std::time::Instant;

use cedarling::{BatchAuthorizeUnsignedRequest, BootstrapConfig, Cedarling, RequestUnsigned};
use permiso::authzen::{Api, AuthzenResponse};
use permiso::{Check, HostData, IdentityRecord, Policy, PrincipalRecord, ResourceRecord};
use serde::Deserialize;
use serde_json::{json, Value};

const HERE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../cedarling");
const PRINCIPAL_ID: &str = "boG8dfc5MKTn37o7gsdCeyqL8LpWQtgoO41m1KZwdq0";

type Failure = Box<dyn std::error::Error>;

fn read(name: &str) -> Result<String, Failure> {
    Ok(std::fs::read_to_string(format!("{HERE}/{name}"))?)
}

/// Per-call nanoseconds: a warm-up, then `iterations` calls timed one by one.
fn measure(iterations: usize, mut call: impl FnMut() -> bool) -> Value {
    for _ in 0..(iterations / 10).max(10) {
        black_box(call());
    }
    let mut samples: Vec<u128> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            black_box(call());
            start.elapsed().as_nanos()
        })
        .collect();
    samples.sort_unstable();
    let pick = |q: f64| samples[((q * samples.len() as f64) as usize).min(samples.len() - 1)];
    let mean = samples.iter().sum::<u128>() as f64 / samples.len() as f64;
    json!({"iter": iterations, "mean_ns": mean.round() as u64, "p50_ns": pick(0.5), "p95_ns": pick(0.95),
           "p99_ns": pick(0.99), "min_ns": samples[0], "max_ns": samples[samples.len() - 1]})
}

fn cedarling(runtime: &tokio::runtime::Runtime, store: &str) -> Result<Cedarling, Failure> {
    let config = json!({
        "CEDARLING_APPLICATION_NAME": "bench",
        "CEDARLING_POLICY_STORE_LOCAL": yaml(&serde_json::from_str(&read(store)?)?, ""),
        "CEDARLING_LOG_TYPE": "off",
        "CEDARLING_JWT_SIG_VALIDATION": "disabled",
        "CEDARLING_JWT_STATUS_VALIDATION": "disabled",
    });
    let config = BootstrapConfig::load_from_json(&config.to_string())?;
    Ok(runtime.block_on(Cedarling::new(&config))?)
}

struct Report {
    rows: Vec<Value>,
    jsonl: Vec<Value>,
}

impl Report {
    fn compare(
        &mut self,
        scenario: &str,
        what: &str,
        iterations: usize,
        ours: impl FnMut() -> bool,
        theirs: impl FnMut() -> bool,
    ) {
        let (mine, peer) = (measure(iterations, ours), measure(iterations, theirs));
        for (binding, figures) in [("permiso-rust", &mine), ("cedarling-rust", &peer)] {
            let mut line = json!({"binding": binding, "scenario": scenario});
            extend(&mut line, figures);
            line["allocs_per_op"] = Value::Null;
            line["status"] = "ok".into();
            self.jsonl.push(line);
        }
        let (m, p) = (
            mine["mean_ns"].as_f64().unwrap_or(0.0),
            peer["mean_ns"].as_f64().unwrap_or(0.0),
        );
        self.rows
            .push(json!({"table": "cedarling", "what": what, "permiso_s": m / 1e9,
                              "peer": format!("Cedarling `{scenario}`"), "peer_s": p / 1e9}));
        println!(
            "{scenario}: permiso {:.2} us, Cedarling {:.2} us, ratio {:.1}x",
            m / 1e3,
            p / 1e3,
            p / m
        );
    }
}

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let smoke = args.iter().any(|a| a == "--smoke");
    let json_out = args.iter().position(|a| a == "--json").and_then(|i| args.get(i + 1));
    let iterations = if smoke { 20 } else { 20_000 };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut report = Report {
        rows: Vec::new(),
        jsonl: Vec::new(),
    };

    // ---- unsigned_simple
    // Each request is JSON data, as a service receives it; every call reads
    // it into the engine's own records and decides.
    let simple = cedarling(&runtime, "unsigned-store.json")?;
    let policy = Policy::from_yaml(&read("unsigned.yaml")?)?;
    let user = json!({"country": "US", "department": "engineering", "active": true, "suspended": false});
    let issue = json!({"org_id": "some_long_id", "country": "US", "priority": 1});
    let theirs_request = |user: &Value, action: &str| {
        let mut principal = json!({"cedar_entity_mapping": {"entity_type": "Jans::User", "id": PRINCIPAL_ID}});
        let mut resource = json!({"cedar_entity_mapping": {"entity_type": "Jans::Issue", "id": "random_id"}});
        extend(&mut principal, user);
        extend(&mut resource, &issue);
        json!({"principal": principal, "action": format!("Jans::Action::\"{action}\""), "resource": resource,
               "context": {}})
    };
    let ours_request = |user: &Value, action: &str| {
        json!({"principal": {"id": format!("user:{PRINCIPAL_ID}"), "attributes": user},
               "resource": {"id": "issue:random_id", "attributes": issue},
               "action": format!("issue:{}", action.to_lowercase())})
    };
    let theirs_simple = |request: &Value| -> bool {
        RequestUnsigned::deserialize(request)
            .ok()
            .and_then(|r| runtime.block_on(simple.authorize_unsigned(r)).ok())
            .is_some_and(|r| r.decision)
    };
    let ours_simple = |request: &Value| -> bool {
        let (Ok(principal), Ok(resource), Some(action)) = (
            PrincipalRecord::deserialize(&request["principal"]),
            ResourceRecord::deserialize(&request["resource"]),
            request["action"].as_str(),
        ) else {
            return false;
        };
        let record = IdentityRecord {
            principal,
            credential: None,
        };
        policy.identity(record).is_ok_and(|id| {
            policy
                .authorize(&id, Check::new(action).on_record(&resource), 0)
                .allowed()
        })
    };
    let with = |key: &str, value: Value| {
        let mut u = user.clone();
        u[key] = value;
        u
    };
    let table = [
        (user.clone(), "Read", true),
        (with("suspended", true.into()), "Read", false),
        (with("active", false.into()), "Read", false),
        (user.clone(), "Update", false),
        (with("country", "DE".into()), "Update", false),
    ];
    for (u, action, expected) in &table {
        let (a, b) = (
            theirs_simple(&theirs_request(u, action)),
            ours_simple(&ours_request(u, action)),
        );
        if a != *expected || b != *expected {
            return Err(format!("unsigned_simple {u} {action}: Cedarling {a}, permiso {b}").into());
        }
    }
    println!("equivalence: unsigned_simple, {} requests, same decisions", table.len());
    let (ours, theirs) = (ours_request(&user, "Read"), theirs_request(&user, "Read"));
    report.compare(
        "unsigned_simple",
        "`authorize`, principal and resource records read from JSON per call",
        iterations,
        || ours_simple(&ours),
        || theirs_simple(&theirs),
    );

    // ---- unsigned_batch_25
    let batch_store = cedarling(&runtime, "batch-store.json")?;
    let batch_policy = Policy::from_yaml(&read("batch.yaml")?)?;
    let theirs_request = |is_ok: bool| {
        let items: Vec<Value> = (0..25)
            .map(|i| json!({"resource": {"cedar_entity_mapping": {"entity_type": "Jans::Issue", "id": format!("resource-{i}")},
                                         "org_id": "some_long_id", "country": "US"},
                            "action": "Jans::Action::\"UpdateForTestPrincipals\"", "context": {}}))
            .collect();
        json!({"principal": {"cedar_entity_mapping": {"entity_type": "Jans::TestPrincipal1", "id": "bench_principal"},
                             "is_ok": is_ok},
               "items": items})
    };
    let ours_request = |is_ok: bool| {
        let items: Vec<Value> = (0..25)
            .map(|i| {
                json!({"resource": {"type": "issue", "id": format!("resource-{i}"),
                                         "properties": {"org_id": "some_long_id", "country": "US"}}})
            })
            .collect();
        let request = json!({"subject": {"type": "user", "id": "bench_principal"},
                             "action": {"name": "update_for_test_principals"}, "evaluations": items});
        (
            request,
            json!({"id": "user:bench_principal", "attributes": {"is_ok": is_ok}}),
        )
    };
    let theirs_batch = |request: &Value| -> Vec<bool> {
        BatchAuthorizeUnsignedRequest::deserialize(request)
            .ok()
            .and_then(|r| runtime.block_on(batch_store.authorize_unsigned_batch(r)).ok())
            .map(|out| {
                out.results
                    .iter()
                    .map(|r| r.as_ref().is_ok_and(|r| r.decision))
                    .collect()
            })
            .unwrap_or_default()
    };
    // The AuthZEN request is read as it is; the principal record is host data.
    let ours_batch = |(request, principal): &(Value, Value)| -> Vec<bool> {
        let Ok(principal) = PrincipalRecord::deserialize(principal) else {
            return Vec::new();
        };
        let principals = [principal];
        let host = HostData {
            principals: &principals,
            ..HostData::default()
        };
        match batch_policy.authzen(Api::Evaluations, request, &host) {
            Ok(AuthzenResponse::Evaluations { evaluations }) => evaluations.iter().map(|e| e.decision).collect(),
            _ => Vec::new(),
        }
    };
    for is_ok in [true, false] {
        let (a, b) = (theirs_batch(&theirs_request(is_ok)), ours_batch(&ours_request(is_ok)));
        if a != vec![is_ok; 25] || b != a {
            return Err(format!("unsigned_batch_25 is_ok={is_ok}: Cedarling {a:?}, permiso {b:?}").into());
        }
    }
    println!("equivalence: unsigned_batch_25, 50 items, same decisions");
    let (ours, theirs) = (ours_request(true), theirs_request(true));
    report.compare(
        "unsigned_batch_25",
        "AuthZEN `evaluations` of 25, request read as JSON and the principal record per call",
        (iterations / 10).max(20),
        || ours_batch(&ours).len() == 25,
        || theirs_batch(&theirs).len() == 25,
    );

    if let Some(path) = json_out {
        let out = json!({"runtime": format!("Rust (native, {} build)", if cfg!(debug_assertions) { "debug" } else { "release" }),
                         "versions": {"cedarling": "2.6.0"},
                         "smoke": smoke, "rows": report.rows, "jsonl": report.jsonl});
        std::fs::write(path, serde_json::to_string_pretty(&out)?)?;
    }
    Ok(())
}

/// A JSON document as block YAML, strings quoted as JSON quotes them (YAML
/// reads them alike): this build reads inline stores as YAML only.
fn yaml(value: &Value, indent: &str) -> String {
    match value.as_object() {
        Some(map) => map
            .iter()
            .map(|(k, v)| {
                format!(
                    "\n{indent}{}: {}",
                    Value::from(k.as_str()),
                    yaml(v, &format!("{indent}  "))
                )
            })
            .collect(),
        None => value.to_string(),
    }
}

/// `base` with the members of `more` added.
fn extend(base: &mut Value, more: &Value) {
    if let (Some(b), Some(m)) = (base.as_object_mut(), more.as_object()) {
        b.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
}
