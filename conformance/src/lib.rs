//! Replays permiso's conformance vectors against the Rust core.
//!
//! Every case goes through `permiso::wire`, the boundary contract the
//! bindings use, so the Rust replay checks the same records and defaults as
//! the JavaScript, Python and Kotlin replays. Sans-IO: the caller reads the
//! files and hands their text to [`run_file`]; `cargo test` and
//! `permiso vectors` both use it.

use permiso::wire::{self, Error};
use permiso::{Check, Code, IdentityRecord, KeyRecord, Pepper, Policy, PrincipalRecord};
use serde_json::{json, Value};

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReport {
    /// The case's `name`.
    pub name: String,
    /// `None` when the case passed, else why it failed.
    pub failure: Option<String>,
}

/// The outcome of one vector file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The file's `description`.
    pub description: String,
    /// One report per case, in order.
    pub cases: Vec<CaseReport>,
}

impl FileReport {
    /// Number of passing cases.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.failure.is_none()).count()
    }
    /// Number of failing cases.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }
}

/// A file that could not be replayed, as one failing case.
fn unreadable(why: String) -> FileReport {
    FileReport {
        description: String::new(),
        cases: vec![CaseReport {
            name: "<file>".into(),
            failure: Some(why),
        }],
    }
}

/// Replays every case of one vector file.
pub fn run_file(text: &str) -> FileReport {
    let file: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return unreadable(format!("not JSON: {e}")),
    };
    let description = file
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let file_policy = file.get("policy").map(wire::compile_value);
    let file_now = file.get("now").and_then(Value::as_i64);
    let cases = file.get("cases").and_then(Value::as_array).cloned().unwrap_or_default();
    let cases = cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let name = case
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("case {i}"), str::to_owned);
            let failure = match run_case(file_policy.as_ref(), file_now, case) {
                Err(e) => Some(e),
                Ok(actual) => match case.get("expect") {
                    None => Some("the case has no `expect`".into()),
                    Some(expect) => matches(expect, &actual, "expect")
                        .err()
                        .map(|e| format!("{e}; got {actual}")),
                },
            };
            CaseReport { name, failure }
        })
        .collect();
    FileReport { description, cases }
}

fn field<'a>(case: &'a Value, name: &str) -> Result<&'a Value, String> {
    case.get(name).ok_or_else(|| format!("the case has no `{name}`"))
}

fn str_field<'a>(case: &'a Value, name: &str) -> Result<&'a str, String> {
    field(case, name)?
        .as_str()
        .ok_or_else(|| format!("`{name}` is not a string"))
}

fn opt_str<'a>(case: &'a Value, name: &str) -> Option<&'a str> {
    case.get(name).and_then(Value::as_str)
}

fn from_field<T: serde::de::DeserializeOwned>(case: &Value, name: &str) -> Result<T, String> {
    serde_json::from_value(field(case, name)?.clone()).map_err(|e| format!("`{name}`: {e}"))
}

fn strings(case: &Value, name: &str) -> Result<Vec<String>, String> {
    match case.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("`{name}`: {e}")),
    }
}

/// The result object of a refusal: the error record, with `ok`, `allowed`
/// and `status` beside it.
fn refusal(e: &Error) -> Value {
    let mut out = serde_json::to_value(e).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut out {
        map.insert("ok".into(), Value::Bool(false));
        map.insert("allowed".into(), Value::Bool(false));
        map.insert("status".into(), json!(e.status()));
    }
    out
}

/// A result record as a value, or the refusal.
fn answer<T: serde::Serialize>(result: Result<T, Error>) -> Value {
    match result {
        Ok(v) => serde_json::to_value(v).unwrap_or(Value::Null),
        Err(e) => refusal(&e),
    }
}

/// The clock of a replay: every case names its time.
fn no_clock() -> i64 {
    0
}

/// Runs one case and returns the result object that `expect` is matched
/// against. `Err` means the case itself could not be run.
pub fn run_case(
    file_policy: Option<&Result<Policy, Error>>,
    file_now: Option<i64>,
    case: &Value,
) -> Result<Value, String> {
    let op = str_field(case, "op")?;
    let now = case.get("now").and_then(Value::as_i64).or(file_now).unwrap_or(0);
    let own_policy = match (op, case.get("policy")) {
        ("load_policy", _) | (_, None) => None,
        (_, Some(p)) => Some(wire::compile_value(p)),
    };
    let policy = || -> Result<&Policy, String> {
        match own_policy.as_ref().or(file_policy) {
            Some(Ok(p)) => Ok(p),
            Some(Err(e)) => Err(format!("the vector's policy is invalid: {e}")),
            None => Err("the case needs a policy and the file has none".into()),
        }
    };
    let pepper = opt_str(case, "pepper").map(Pepper::from);
    match op {
        "load_policy" => Ok(match wire::compile_value(field(case, "policy")?) {
            Ok(p) => json!({ "ok": true, "hash": p.hash().to_string() }),
            Err(e) => refusal(&e),
        }),
        "parse_key" => Ok(answer(wire::parse_key(policy()?, str_field(case, "key")?))),
        "hash_key" => Ok(match wire::hash_key(str_field(case, "key")?, pepper.as_ref()) {
            Ok(hash) => json!({ "ok": true, "hash": hash }),
            Err(e) => refusal(&e),
        }),
        "verify_key" => {
            let record: KeyRecord = from_field(case, "record")?;
            let options = wire::KeyOptions {
                pepper,
                revoked_keys: strings(case, "revoked_keys")?,
                now: Some(now),
            };
            let verified = wire::verify_key(policy()?, str_field(case, "key")?, record, &options, no_clock);
            Ok(answer(verified.as_ref().map(wire::key_info).map_err(Clone::clone)))
        }
        "authorize" => {
            let policy = policy()?;
            let identity =
                wire::read::<IdentityRecord>(field(case, "identity")?.clone(), Code::InvalidPrincipal, "identity")
                    .and_then(|record| wire::identity(policy, record));
            let identity = match identity {
                Ok(i) => i,
                Err(e) => return Ok(refusal(&e)),
            };
            let attributes: Option<permiso::Attributes> = case
                .get("attributes")
                .map(|_| from_field(case, "attributes"))
                .transpose()?;
            let check = Check::new(str_field(case, "action")?)
                .resource(opt_str(case, "resource"))
                .attributes(attributes.as_ref())
                .tenant(opt_str(case, "tenant"));
            let decision = wire::authorize(policy, &identity, check, Some(now), no_clock);
            // The code alone (what a binding answers before making the
            // record) is the decision's code.
            if let Ok(d) = &decision {
                let code = policy.decision_code(&identity, check);
                if code != d.code() {
                    return Err(format!("decision_code gave {code:?}, the decision {:?}", d.code()));
                }
            }
            Ok(answer(
                decision.as_ref().map(wire::DecisionInfo::from).map_err(Clone::clone),
            ))
        }
        "verify_jwt" => {
            let options = wire::TokenOptions {
                revoked_sessions: strings(case, "revoked_sessions")?,
                kind: opt_str(case, "kind").map(str::to_owned),
                now: Some(now),
                ..Default::default()
            };
            let verified = wire::verify_jwt(policy()?, str_field(case, "token")?, &options, no_clock);
            Ok(answer(
                verified.as_ref().map(wire::TokenInfo::from).map_err(Clone::clone),
            ))
        }
        "classify" => {
            let request: wire::HttpRequest = from_field(case, "request")?;
            Ok(match wire::classify(policy()?, &request) {
                Ok(found) => serde_json::to_value(found).map_err(|e| e.to_string())?,
                Err(e) => refusal(&e),
            })
        }
        "authorize_request" => {
            let request: wire::HttpRequest = from_field(case, "request")?;
            let host = host_records(case, pepper, now)?;
            let decision = wire::authorize_request(policy()?, &request, &host, no_clock);
            Ok(answer(
                decision.as_ref().map(wire::DecisionInfo::from).map_err(Clone::clone),
            ))
        }
        "authorize_route" => {
            let mut route = field(case, "route")?.clone();
            if let (Value::Object(map), Some(headers)) = (&mut route, case.get("headers")) {
                map.insert("headers".into(), headers.clone());
            }
            let route: wire::MatchedRoute = serde_json::from_value(route).map_err(|e| format!("`route`: {e}"))?;
            let host = host_records(case, pepper, now)?;
            let decision = wire::authorize_route(policy()?, &route, &host, no_clock);
            Ok(answer(
                decision.as_ref().map(wire::DecisionInfo::from).map_err(Clone::clone),
            ))
        }
        "rotate_key" => {
            let record: KeyRecord = from_field(case, "record")?;
            let options = wire::RotateOptions {
                grace: case.get("grace").and_then(Value::as_i64),
                scopes: case.get("scopes").map(|_| strings(case, "scopes")).transpose()?,
                expires_at: case.get("expires_at").and_then(Value::as_i64),
                label: None,
                pepper,
                revoked_keys: strings(case, "revoked_keys")?,
                now: Some(now),
            };
            Ok(match wire::rotate_key(policy()?, &record, &options, no_clock) {
                Ok(r) => json!({ "ok": true, "code": "allowed", "new": r.key.record, "old": r.old }),
                Err(e) => refusal(&e),
            })
        }
        "delegate" => delegate_case(policy()?, case, now),
        "authzen" => {
            let host = host_records(case, None, now)?;
            let api = str_field(case, "api")?;
            let first = answer(wire::authzen(policy()?, api, field(case, "request")?, &host, no_clock));
            let Some(then) = case.get("then") else {
                return Ok(first);
            };
            // The next page: the second request carries the first's token.
            let mut request = field(then, "request")?.clone();
            let token = first.pointer("/page/next_token").cloned().unwrap_or(Value::Null);
            if let Some(page) = request.get_mut("page").and_then(Value::as_object_mut) {
                page.insert("token".into(), token);
            }
            let api = opt_str(then, "api").unwrap_or(api);
            Ok(answer(wire::authzen(policy()?, api, &request, &host, no_clock)))
        }
        other => Err(format!("unsupported op `{other}`")),
    }
}

/// The `delegate` op: resolve the delegating identity (`from.identity`, a
/// `from.token` or a `from.key` with its `record`, owners and subjects from
/// `principals`), sign a delegation with the HMAC key of `signing`, then
/// verify what was issued at `then.now` with `then`'s revocation lists.
fn delegate_case(policy: &Policy, case: &Value, now: i64) -> Result<Value, String> {
    let from = field(case, "from")?;
    let host = host_records(case, None, now)?;
    let principal = |id: &str| -> Option<&PrincipalRecord> { host.principals.iter().find(|p| p.id == id) };
    let at = wire::TokenOptions {
        now: Some(now),
        ..Default::default()
    };
    let identity = if let Some(record) = from.get("identity") {
        let record: IdentityRecord =
            serde_json::from_value(record.clone()).map_err(|e| format!("`from.identity`: {e}"))?;
        wire::identity(policy, record)
    } else if let Some(token) = from.get("token").and_then(Value::as_str) {
        wire::verify_jwt(policy, token, &at, no_clock)
            .and_then(|t| wire::token_identity(policy, &t, principal(&t.principal.id)))
    } else if let Some(key) = from.get("key").and_then(Value::as_str) {
        let record: KeyRecord = from_field(from, "record")?;
        let options = wire::KeyOptions {
            now: Some(now),
            ..Default::default()
        };
        wire::verify_key(policy, key, record, &options, no_clock)
            .and_then(|k| wire::key_identity(policy, &k, principal(&k.record.owner)))
    } else {
        return Err("`from` has no `identity`, `token` or `key`".into());
    };
    let identity = match identity {
        Ok(i) => i,
        Err(e) => return Ok(refusal(&e)),
    };
    let signing = field(case, "signing")?;
    let secret = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        str_field(signing, "secret")?,
    )
    .map_err(|_| "`signing.secret` is not base64url".to_owned())?;
    let key = wire::hmac_key(
        str_field(signing, "alg")?,
        &secret,
        opt_str(signing, "kid").map(str::to_owned),
    )
    .map_err(|e| e.to_string())?;
    let request = wire::DelegationOptions {
        actor: str_field(case, "actor")?.to_owned(),
        scopes: strings(case, "scopes")?,
        audience: opt_str(case, "audience").map(str::to_owned),
        lifetime: case.get("lifetime").and_then(Value::as_i64),
        now: Some(now),
    };
    let token = match wire::delegate(policy, str_field(case, "kind")?, &identity, &request, &key, no_clock) {
        Ok(t) => t,
        Err(e) => return Ok(refusal(&e)),
    };
    let then = case.get("then").cloned().unwrap_or(Value::Null);
    let options = wire::TokenOptions {
        revoked_keys: strings(&then, "revoked_keys")?,
        revoked_sessions: strings(&then, "revoked_sessions")?,
        kind: None,
        now: Some(then.get("now").and_then(Value::as_i64).unwrap_or(now)),
    };
    let verified = answer(
        wire::verify_jwt(policy, &token, &options, no_clock)
            .as_ref()
            .map(wire::TokenInfo::from)
            .map_err(Clone::clone),
    );
    let expires_at = verified.get("expires_at").and_then(Value::as_i64);
    Ok(json!({
        "ok": true,
        "code": Code::Allowed.as_str(),
        "lifetime": expires_at.map(|at| at - now),
        "verified": verified,
    }))
}

/// The host data of a request case: `keys`, `principals`, `revoked_keys`,
/// `revoked_sessions`, with the case's pepper and time.
fn host_records(case: &Value, pepper: Option<Pepper>, now: i64) -> Result<wire::HostRecords, String> {
    Ok(wire::HostRecords {
        keys: match case.get("keys") {
            None => Vec::new(),
            Some(_) => from_field(case, "keys")?,
        },
        principals: match case.get("principals") {
            None => Vec::new(),
            Some(_) => from_field(case, "principals")?,
        },
        resources: match case.get("resources") {
            None => Vec::new(),
            Some(_) => from_field(case, "resources")?,
        },
        revoked_keys: strings(case, "revoked_keys")?,
        revoked_sessions: strings(case, "revoked_sessions")?,
        pepper,
        now: Some(now),
    })
}

/// Keys whose list values compare as sets (order carries no meaning).
const SET_KEYS: &[&str] = &["scopes", "missing", "roles"];

/// The vectors' subset match: every field in `expect` must be present in
/// `actual` and match; objects recursively, lists under [`SET_KEYS`] as sets.
pub fn matches(expect: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expect, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let sub = format!("{path}.{k}");
                let av = a.get(k).ok_or_else(|| format!("{sub} is missing"))?;
                if SET_KEYS.contains(&k.as_str()) {
                    if let (Value::Array(ea), Value::Array(aa)) = (ev, av) {
                        let mut es: Vec<String> = ea.iter().map(Value::to_string).collect();
                        let mut as_: Vec<String> = aa.iter().map(Value::to_string).collect();
                        es.sort();
                        as_.sort();
                        if es != as_ {
                            return Err(format!("{sub}: expected the set {ev}, got {av}"));
                        }
                        continue;
                    }
                }
                matches(ev, av, &sub)?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!("{path}: expected {expect}, got {actual}"));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                matches(ev, av, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => Ok(()),
        (e, a) if e == a => Ok(()),
        _ => Err(format!("{path}: expected {expect}, got {actual}")),
    }
}

/// Replays an AuthZEN interop decision file (`{"evaluation": [...],
/// "evaluations": [...]}` or `{"search": [...]}`) against a policy and the
/// host's records: `expected` is a boolean (evaluation), a list of
/// `{decision}` compared in order (evaluations), or `{"results": [...]}`
/// compared as sets by `type`+`id` or `name` (a search of `search_api`).
pub fn replay_interop(policy: &Policy, host: &wire::HostRecords, text: &str, search_api: Option<&str>) -> FileReport {
    let file: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return unreadable(format!("not JSON: {e}")),
    };
    let mut cases = Vec::new();
    for (key, api) in [
        ("evaluation", "evaluation"),
        ("evaluations", "evaluations"),
        ("search", search_api.unwrap_or("search/resource")),
    ] {
        for (i, entry) in file
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = format!("{key}[{i}]");
            let failure = interop_case(policy, host, api, entry).err();
            cases.push(CaseReport { name, failure });
        }
    }
    if cases.is_empty() {
        return unreadable("no `evaluation`, `evaluations` or `search` entries".into());
    }
    FileReport {
        description: String::new(),
        cases,
    }
}

fn interop_case(policy: &Policy, host: &wire::HostRecords, api: &str, entry: &Value) -> Result<(), String> {
    let request = field(entry, "request")?;
    let expected = field(entry, "expected")?;
    let response =
        wire::authzen(policy, api, request, host, no_clock).map_err(|e| format!("{}: {}", e.code, e.message))?;
    let response = serde_json::to_value(response).map_err(|e| e.to_string())?;
    let actual = match expected {
        Value::Bool(_) => response.get("decision").cloned().unwrap_or(Value::Null),
        Value::Array(_) => Value::Array(
            response
                .get("evaluations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|e| json!({ "decision": e.get("decision") }))
                .collect(),
        ),
        _ => {
            let key = |v: &Value| match (v.get("type"), v.get("id"), v.get("name")) {
                (Some(t), Some(i), _) => format!("{t}:{i}"),
                (_, _, Some(n)) => n.to_string(),
                _ => v.to_string(),
            };
            let set = |v: Option<&Value>| {
                let mut keys: Vec<String> = v.and_then(Value::as_array).into_iter().flatten().map(key).collect();
                keys.sort();
                keys
            };
            let (want, got) = (set(expected.get("results")), set(response.get("results")));
            return if want == got {
                Ok(())
            } else {
                Err(format!("expected the results {want:?}, got {got:?}"))
            };
        }
    };
    if &actual == expected {
        Ok(())
    } else {
        Err(format!("expected {expected}, got {actual}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_matching() {
        let actual = json!({"a": 1, "b": {"c": [1, 2], "d": "x"}, "scopes": ["x", "y"]});
        assert!(matches(&json!({"a": 1}), &actual, "e").is_ok());
        assert!(matches(&json!({"b": {"d": "x"}}), &actual, "e").is_ok());
        assert!(matches(&json!({"scopes": ["y", "x"]}), &actual, "e").is_ok());
        assert!(matches(&json!({"b": {"c": [2, 1]}}), &actual, "e").is_err());
        assert!(matches(&json!({"z": 1}), &actual, "e").is_err());
        assert!(matches(&json!({"a": 2}), &actual, "e").is_err());
        assert!(matches(&json!({"scopes": ["x"]}), &actual, "e").is_err());
    }
}
