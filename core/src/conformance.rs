//! Replays conformance vectors against this crate.
//!
//! Sans-IO like the rest of the core: the caller reads the files and hands
//! their text to [`run_file`]. `cargo test` and `permiso vectors` both use
//! this module; the other runtimes replay the same files through their own
//! bindings.

use serde_json::{json, Value};

use crate::apikeys::RotateKey;
use crate::apikeys::VerifyKeyOptions;
use crate::authz::{Check, IdentityRecord};
use crate::jwt::{DelegationRequest, SigningKey, VerifiedToken, VerifyTokenOptions};
use crate::key::{ApiKey, KeyRecord};
use crate::policy::Policy;
use crate::request::{OwnedHostData, Request, RouteRequest};
use crate::secret::Pepper;

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

/// Replays every case of one vector file.
pub fn run_file(text: &str) -> FileReport {
    let file: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return FileReport {
                description: String::new(),
                cases: vec![CaseReport {
                    name: "<file>".into(),
                    failure: Some(format!("not JSON: {e}")),
                }],
            }
        }
    };
    let description = file
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let file_policy = file.get("policy").map(Policy::from_value);
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

fn error(code: crate::Code, message: String) -> Value {
    json!({ "ok": false, "allowed": false, "code": code.as_str(), "status": code.status(), "message": message })
}

/// Runs one case and returns the result object that `expect` is matched
/// against. `Err` means the case itself could not be run.
pub fn run_case(
    file_policy: Option<&Result<Policy, crate::PolicyError>>,
    file_now: Option<i64>,
    case: &Value,
) -> Result<Value, String> {
    let op = str_field(case, "op")?;
    let now = case.get("now").and_then(Value::as_i64).or(file_now).unwrap_or(0);
    let own_policy = match (op, case.get("policy")) {
        ("load_policy", _) | (_, None) => None,
        (_, Some(p)) => Some(Policy::from_value(p)),
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
        "load_policy" => Ok(match Policy::from_value(field(case, "policy")?) {
            Ok(p) => json!({ "ok": true, "hash": p.hash().to_string() }),
            Err(e) => json!({
                "ok": false,
                "code": e.code().as_str(),
                "detail": e.detail().as_str(),
                "path": e.path(),
                "message": e.to_string(),
            }),
        }),
        "parse_key" => Ok(match policy()?.parse_key(str_field(case, "key")?) {
            Ok(k) => {
                json!({ "ok": true, "kind": k.kind(), "id": k.id(), "mask": k.mask(), "prefix": k.key().prefix() })
            }
            Err(e) => error(e.code(), e.to_string()),
        }),
        "hash_key" => Ok(match ApiKey::parse(str_field(case, "key")?) {
            Ok(k) => json!({ "ok": true, "hash": k.hash(pepper.as_ref()) }),
            Err(e) => error(e.code(), e.to_string()),
        }),
        "verify_key" => {
            let record: KeyRecord = from_field(case, "record")?;
            let revoked = strings(case, "revoked_keys")?;
            let options = VerifyKeyOptions::at(now).pepper(pepper.as_ref()).revoked_keys(&revoked);
            Ok(match policy()?.verify_key(str_field(case, "key")?, &record, &options) {
                Ok(v) => json!({
                    "ok": true,
                    "code": "allowed",
                    "principal": v.principal_id(),
                    "kind": v.kind,
                    "id": v.record.id,
                    "mask": v.mask,
                    "scopes": v.record.scopes,
                    "credential": { "kind": v.kind, "id": v.record.id },
                }),
                Err(e) => error(e.code(), e.to_string()),
            })
        }
        "authorize" => {
            let policy = policy()?;
            let record: IdentityRecord = from_field(case, "identity")?;
            let identity = match policy.identity(record) {
                Ok(i) => i,
                Err(e) => return Ok(error(e.code(), e.to_string())),
            };
            let check = Check::new(str_field(case, "action")?)
                .resource(opt_str(case, "resource"))
                .tenant(opt_str(case, "tenant"));
            Ok(decision_json(&policy.authorize(&identity, check, now)))
        }
        "verify_jwt" => {
            let revoked = strings(case, "revoked_sessions")?;
            let options = VerifyTokenOptions::at(now)
                .revoked_sessions(&revoked)
                .kind(opt_str(case, "kind"));
            Ok(match policy()?.verify_jwt(str_field(case, "token")?, &options) {
                Ok(t) => token_json(&t),
                Err(e) => error(e.code(), e.to_string()),
            })
        }
        "authorize_request" => {
            let policy = policy()?;
            let request = field(case, "request")?;
            let method = str_field(request, "method")?;
            let path = str_field(request, "path")?;
            let headers = headers(request)?;
            let borrowed: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let host = host_data(case, pepper.as_ref(), now)?;
            let request = Request {
                method,
                path,
                headers: &borrowed,
            };
            Ok(decision_json(&policy.authorize_request(&request, &host.data())))
        }
        "authorize_route" => {
            let policy = policy()?;
            let route = field(case, "route")?;
            let params = route_params(route)?;
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let headers = headers(case)?;
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let host = host_data(case, pepper.as_ref(), now)?;
            let request = RouteRequest {
                method: str_field(route, "method")?,
                template: str_field(route, "template")?,
                params: &params,
                headers: &headers,
            };
            Ok(decision_json(&policy.authorize_route(&request, &host.data())))
        }
        "rotate_key" => {
            let policy = policy()?;
            let record: KeyRecord = from_field(case, "record")?;
            let revoked = strings(case, "revoked_keys")?;
            let scopes = match case.get("scopes") {
                None | Some(Value::Null) => None,
                Some(_) => Some(strings(case, "scopes")?),
            };
            let options = RotateKey {
                grace: case.get("grace").and_then(Value::as_i64).unwrap_or(0),
                scopes,
                expires_at: case.get("expires_at").and_then(Value::as_i64),
                label: None,
                pepper: pepper.as_ref(),
                revoked_keys: &revoked,
            };
            Ok(match policy.rotate_key(&record, &options, now) {
                Ok(r) => json!({ "ok": true, "code": "allowed", "new": r.new.record, "old": r.old }),
                Err(e) => error(e.code(), e.to_string()),
            })
        }
        "delegate" => delegate_case(policy()?, case, now),
        other => Err(format!("unsupported op `{other}`")),
    }
}

/// The `delegate` op: resolve the delegating identity (`from.identity`, a
/// `from.token` or a `from.key` with its `record`, owners and subjects from
/// `principals`), sign a delegation with the HMAC key of `signing`, then
/// verify what was issued at `then.now` with `then`'s revocation lists.
fn delegate_case(policy: &Policy, case: &Value, now: i64) -> Result<Value, String> {
    let from = field(case, "from")?;
    let host = host_data(case, None, now)?;
    let principal = |id: &str| host.principals.iter().find(|p| p.id == id);
    let identity = if let Some(record) = from.get("identity") {
        let record: IdentityRecord =
            serde_json::from_value(record.clone()).map_err(|e| format!("`from.identity`: {e}"))?;
        policy.identity(record).map_err(|e| (e.code(), e.to_string()))
    } else if let Some(token) = from.get("token").and_then(Value::as_str) {
        policy
            .verify_jwt(token, &VerifyTokenOptions::at(now))
            .map_err(|e| (e.code(), e.to_string()))
            .and_then(|t| {
                policy
                    .token_identity(&t, principal(&t.principal.id))
                    .map_err(|e| (e.code(), e.to_string()))
            })
    } else if let Some(key) = from.get("key").and_then(Value::as_str) {
        let record: KeyRecord = from_field(from, "record")?;
        policy
            .verify_key(key, &record, &VerifyKeyOptions::at(now))
            .map_err(|e| (e.code(), e.to_string()))
            .and_then(|k| {
                policy
                    .key_identity(&k, principal(&k.record.owner))
                    .map_err(|e| (e.code(), e.to_string()))
            })
    } else {
        return Err("`from` has no `identity`, `token` or `key`".into());
    };
    let identity = match identity {
        Ok(i) => i,
        Err((code, message)) => return Ok(error(code, message)),
    };
    let signing = field(case, "signing")?;
    let secret = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        str_field(signing, "secret")?,
    )
    .map_err(|_| "`signing.secret` is not base64url".to_owned())?;
    let mut key = SigningKey::hmac(str_field(signing, "alg")?, &secret).map_err(|e| e.to_string())?;
    if let Some(kid) = opt_str(signing, "kid") {
        key = key.with_kid(kid);
    }
    let request = DelegationRequest {
        actor: str_field(case, "actor")?.to_owned(),
        scopes: strings(case, "scopes")?,
        audience: opt_str(case, "audience").map(str::to_owned),
        lifetime: case.get("lifetime").and_then(Value::as_i64).unwrap_or(0),
    };
    let kind = str_field(case, "kind")?;
    let token = match policy.delegate(kind, &identity, &request, &key, now) {
        Ok(t) => t,
        Err(e) => return Ok(error(e.code(), e.to_string())),
    };
    let then = case.get("then").cloned().unwrap_or(Value::Null);
    let then_now = then.get("now").and_then(Value::as_i64).unwrap_or(now);
    let revoked_keys = strings(&then, "revoked_keys")?;
    let revoked_sessions = strings(&then, "revoked_sessions")?;
    let options = VerifyTokenOptions::at(then_now)
        .revoked_keys(&revoked_keys)
        .revoked_sessions(&revoked_sessions);
    let verified = match policy.verify_jwt(&token, &options) {
        Ok(t) => token_json(&t),
        Err(e) => error(e.code(), e.to_string()),
    };
    let expires_at = verified.get("expires_at").and_then(Value::as_i64);
    Ok(json!({
        "ok": true,
        "code": "allowed",
        "lifetime": expires_at.map(|at| at - now),
        "verified": verified,
    }))
}

/// The host data of a request case: `keys`, `principals`, `revoked_keys`,
/// `revoked_sessions`, with the case's pepper and time.
fn host_data(case: &Value, pepper: Option<&Pepper>, now: i64) -> Result<OwnedHostData, String> {
    Ok(OwnedHostData {
        keys: match case.get("keys") {
            None => Vec::new(),
            Some(_) => from_field(case, "keys")?,
        },
        principals: match case.get("principals") {
            None => Vec::new(),
            Some(_) => from_field(case, "principals")?,
        },
        revoked_keys: strings(case, "revoked_keys")?,
        revoked_sessions: strings(case, "revoked_sessions")?,
        pepper: pepper.cloned(),
        now,
    })
}

/// Parameter pairs from a route's `{"params": {"name": "value"}}`.
pub fn route_params(route: &Value) -> Result<Vec<(String, String)>, String> {
    match route.get("params") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(v) => Ok((k.clone(), v.clone())),
                _ => Err(format!("route parameter `{k}` is not a string")),
            })
            .collect(),
        Some(_) => Err("`route.params` is not an object".into()),
    }
}

/// Header pairs from `{"name": "value" | ["value", ...]}`.
pub fn headers(request: &Value) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    match request.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, value) in map {
                match value {
                    Value::String(v) => out.push((name.clone(), v.clone())),
                    Value::Array(vs) => {
                        for v in vs {
                            let v = v
                                .as_str()
                                .ok_or_else(|| format!("header `{name}` has a non-string value"))?;
                            out.push((name.clone(), v.to_owned()));
                        }
                    }
                    _ => return Err(format!("header `{name}` is not a string or a list of strings")),
                }
            }
        }
        Some(_) => return Err("`headers` is not an object".into()),
    }
    Ok(out)
}

/// The result object of a verified token.
pub fn token_json(t: &VerifiedToken) -> Value {
    json!({
        "ok": true,
        "code": "allowed",
        "principal": t.principal.id,
        "kind": t.kind,
        "algorithm": t.algorithm,
        "scopes": t.credential.scopes,
        "roles": t.principal.roles,
        "tenant": t.principal.tenant,
        "service_account": t.service_account,
        "actor_chain": t.credential.actor_chain,
        "expires_at": t.expires_at,
        "key_id": t.credential.id,
        "credential": { "kind": t.kind, "id": t.credential.token_id, "session": t.credential.session },
    })
}

/// The result object of a decision, serialised without building a
/// `Value` (bindings hand it to their runtime directly).
#[derive(Debug, serde::Serialize)]
pub struct DecisionView<'d, 'a> {
    allowed: bool,
    ok: bool,
    code: crate::Code,
    status: u16,
    message: &'d str,
    principal: Option<&'d str>,
    action: Option<&'d str>,
    resource: Option<&'d str>,
    tenant: Option<&'d str>,
    route: Option<&'d str>,
    missing: Vec<&'d str>,
    credential: CredentialView<'d>,
    audit: crate::AuditRecord<'d, 'a>,
}

#[derive(Debug, serde::Serialize)]
struct CredentialView<'d> {
    kind: Option<&'d str>,
    id: Option<&'d str>,
}

/// The view of a decision that vectors and bindings expose.
pub fn decision_view<'d, 'a>(d: &'d crate::Decision<'a>) -> DecisionView<'d, 'a> {
    let actor = d.actor();
    DecisionView {
        allowed: d.allowed(),
        ok: d.allowed(),
        code: d.code(),
        status: d.status(),
        message: d.message(),
        principal: actor.principal(),
        action: d.action(),
        resource: d.resource(),
        tenant: d.tenant(),
        route: d.route(),
        missing: d.missing().collect(),
        credential: CredentialView {
            kind: actor.kind(),
            id: actor.key_id(),
        },
        audit: d.audit(),
    }
}

/// The result object of a decision, as a JSON value.
pub fn decision_json(d: &crate::Decision<'_>) -> Value {
    serde_json::to_value(decision_view(d)).unwrap_or(Value::Null)
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
