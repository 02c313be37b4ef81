//! The boundary contract: what crosses into JavaScript, Python, Kotlin,
//! Swift, the CLI and the vector replayer.
//!
//! Every operation a binding offers is here once, taking owned records
//! (read from the runtime's values with [`read`]) with their defaults, and
//! answering with owned result records or the one [`Error`]. A binding only
//! turns its runtime's values into these records and back, names things
//! its runtime's way, and raises [`Error`] as its native error. Times are
//! unix seconds; an absent `now` is the binding's clock ([`Clock`]), and a
//! time that can only be milliseconds is refused (`invalid_argument`).

mod error;
mod records;

use serde::de::DeserializeOwned;

pub use error::{Error, Family, Issue};
pub use records::{
    Classification, DecisionCredential, DecisionInfo, DelegationOptions, Headers, HostRecords, HttpRequest,
    KeyCredential, KeyInfo, KeyOptions, MatchedRoute, NewKeyInfo, NewKeyOptions, Params, ParsedKeyInfo, RotateOptions,
    RotationInfo, RouteInfo, SessionOptions, TokenCredential, TokenInfo, TokenOptions, DELEGATION_LIFETIME,
    ROTATION_GRACE, SESSION_LIFETIME,
};

use crate::apikeys::{NewKey, RotateKey, VerifiedKey, VerifyKeyOptions};
use crate::authz::{Check, Identity, IdentityRecord, PrincipalRecord};
use crate::code::Code;
use crate::decision::Decision;
use crate::jwt::{DelegationRequest, PendingToken, SessionRequest, SigningKey, VerifiedToken, VerifyTokenOptions};
use crate::key::{ApiKey, KeyRecord};
use crate::policy::{Format, Policy};
use crate::request::{HostData, Request, RouteRequest};
use crate::secret::Pepper;
use crate::text::{shown, shown_message};

/// The binding's clock: the current unix time in seconds.
pub type Clock = fn() -> i64;

/// Every public operation, by its snake_case name; each binding exposes
/// each one (under its runtime's spelling) and its tests check that.
pub const OPERATIONS: &[&str] = &[
    // compiling and reading a policy
    "from_json",
    "from_yaml",
    "from_toml",
    "hash",
    "permissions",
    "credential_kinds",
    // identities and checks
    "identity",
    "authorize",
    "is_allowed",
    // requests
    "classify",
    "authorize_request",
    "authorize_route",
    "begin_request",
    "complete_request",
    "complete_route",
    // AuthZEN
    "authzen",
    "access_evaluation",
    "access_evaluations",
    "search_subjects",
    "search_resources",
    "search_actions",
    // API keys
    "generate_key",
    "rotate_key",
    "parse_key",
    "verify_key",
    "hash_key",
    // tokens
    "verify_jwt",
    "begin_jwt",
    "complete_jwt",
    "issue_session",
    "delegate",
    "set_jwks",
    "set_secrets",
    "jwks_kids",
    "cache_tokens",
    "cached_tokens",
    // module
    "codes",
    "version",
];

/// Reads a record from a JSON value; a shape error carries `code` (the
/// record's own: `invalid_key_record`, `invalid_principal`, ...) and names
/// `what`, with serde's own account of the mismatch.
pub fn read<T: DeserializeOwned>(value: serde_json::Value, code: Code, what: &str) -> Result<T, Error> {
    if value.is_null() {
        return Err(Error::record(code, what, "is missing"));
    }
    serde_path_to_error::deserialize(&value).map_err(|e| shape_error(code, what, &e))
}

/// Like [`read`], through any deserializer of JSON-like data (a binding
/// that reads its language's own values directly), with the same errors.
pub fn read_from<'de, D, T>(deserializer: D, code: Code, what: &str) -> Result<T, Error>
where
    D: serde::Deserializer<'de>,
    D::Error: std::fmt::Display,
    T: serde::Deserialize<'de>,
{
    serde_path_to_error::deserialize(deserializer).map_err(|e| shape_error(code, what, &e))
}

/// Like [`read`], from JSON text, read straight into the record (no JSON
/// value in between). A shape error names the place in the record rather
/// than a position in text the caller may never have seen; a syntax error
/// keeps its line and column.
pub fn read_str<T: DeserializeOwned>(text: &str, code: Code, what: &str) -> Result<T, Error> {
    if text.trim_matches(JSON_WHITESPACE) == "null" {
        return Err(Error::record(code, what, "is missing"));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let record = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.classify() == serde_json::error::Category::Data {
            let message = inner.to_string();
            let position = format!(" at line {} column {}", inner.line(), inner.column());
            located(code, what, &path, message.strip_suffix(&position).unwrap_or(&message))
        } else {
            located(code, what, &path, inner)
        }
    })?;
    de.end().map_err(|e| Error::record(code, what, e))?;
    Ok(record)
}

/// The four whitespace characters JSON allows around a value.
const JSON_WHITESPACE: &[char] = &[' ', '\t', '\n', '\r'];

/// A JSON document from text as it is (an AuthZEN request, a policy, a JWK
/// Set, an option): `null` is missing, anything else is taken whole.
pub fn read_json(text: &str, code: Code, what: &str) -> Result<serde_json::Value, Error> {
    match serde_json::from_str(text) {
        Ok(serde_json::Value::Null) => Err(Error::record(code, what, "is missing")),
        Ok(value) => Ok(value),
        Err(e) => Err(Error::record(code, what, e)),
    }
}

/// A shape error naming where in the record it is: `identity.principal.roles`.
fn shape_error<E: std::fmt::Display>(code: Code, what: &str, e: &serde_path_to_error::Error<E>) -> Error {
    located(code, what, &e.path().to_string(), e.inner())
}

/// A record error at `path` (serde_path_to_error's form) inside `what`.
/// The path and serde's account both quote the record's own keys and
/// values, which come from outside: both are shown escaped and bounded.
fn located(code: Code, what: &str, path: &str, why: impl std::fmt::Display) -> Error {
    let at = if path == "." || path.is_empty() {
        what.to_owned()
    } else if path.starts_with('[') {
        format!("{what}{}", shown(path))
    } else {
        format!("{what}.{}", shown(path))
    };
    Error::record(code, &at, shown_message(&why.to_string()))
}

/// Reads an options record; absent (`null`) means every default.
pub fn options<T: DeserializeOwned + Default>(value: serde_json::Value, what: &str) -> Result<T, Error> {
    if value.is_null() {
        Ok(T::default())
    } else {
        read(value, Code::InvalidArgument, what)
    }
}

/// A time argument: range-checked unix seconds.
pub fn seconds(what: &'static str, value: i64) -> Result<i64, Error> {
    Ok(crate::time::unix_seconds(what, value)?)
}

/// A float time argument (`time.time()`, `Date.now() / 1000`), floored.
pub fn seconds_f64(what: &'static str, value: f64) -> Result<i64, Error> {
    Ok(crate::time::unix_seconds_f64(what, value)?)
}

/// `now`, or the clock when absent.
pub fn now(value: Option<i64>, clock: Clock) -> Result<i64, Error> {
    seconds("now", value.unwrap_or_else(clock))
}

fn opt_seconds(what: &'static str, value: Option<i64>) -> Result<Option<i64>, Error> {
    value.map(|v| seconds(what, v)).transpose()
}

/// Compiles a policy document.
pub fn compile(text: &str, format: Format) -> Result<Policy, Error> {
    Ok(Policy::from_str(text, format)?)
}

/// Compiles a policy document given as a value.
pub fn compile_value(document: &serde_json::Value) -> Result<Policy, Error> {
    Ok(Policy::from_value(document)?)
}

/// Resolves an identity record.
pub fn identity(policy: &Policy, record: IdentityRecord) -> Result<Identity, Error> {
    Ok(policy.identity(record)?)
}

/// Decides whether `identity` may do `action` (on `resource`, in `tenant`).
pub fn authorize<'a>(
    policy: &'a Policy,
    identity: &'a Identity,
    check: Check<'a>,
    at: Option<i64>,
    clock: Clock,
) -> Result<Decision<'a>, Error> {
    Ok(policy.authorize(identity, check, now(at, clock)?))
}

/// The request target of an HTTP request: `path`, else the path and query
/// of `url` as written.
pub fn target(request: &HttpRequest) -> Result<std::borrow::Cow<'_, str>, Error> {
    match (&request.path, &request.url) {
        (Some(path), _) => Ok(std::borrow::Cow::Borrowed(path.as_str())),
        (None, Some(url)) => Ok(crate::path::target_of_url(url)),
        (None, None) => Err(Error::argument("request", "has neither `path` nor `url`")),
    }
}

/// The route and the credential of a request: what to fetch before
/// [`authorize_request`].
pub fn classify(policy: &Policy, request: &HttpRequest) -> Result<Classification, Error> {
    let path = target(request)?;
    let headers = request.headers.pairs();
    let classified = policy.classify(&Request {
        method: &request.method,
        path: &path,
        headers: &headers,
    });
    Ok(Classification {
        route: classified.route.as_ref().map(RouteInfo::from),
        credential: classified.credential,
    })
}

fn host_data<'h>(host: &'h HostRecords, clock: Clock) -> Result<HostData<'h>, Error> {
    Ok(HostData {
        keys: &host.keys,
        principals: &host.principals,
        resources: &host.resources,
        revoked_keys: &host.revoked_keys,
        revoked_sessions: &host.revoked_sessions,
        pepper: host.pepper.as_ref(),
        now: now(host.now, clock)?,
    })
}

/// Runs `decide` on the core's view of an HTTP request and its host data.
fn decide_http<'p>(
    request: &HttpRequest,
    host: &HostRecords,
    clock: Clock,
    decide: impl FnOnce(&Request<'_>, &HostData<'_>) -> Decision<'p>,
) -> Result<Decision<'p>, Error> {
    let path = target(request)?;
    let headers = request.headers.pairs();
    let request = Request {
        method: &request.method,
        path: &path,
        headers: &headers,
    };
    Ok(decide(&request, &host_data(host, clock)?))
}

/// Authorizes an HTTP request in one call.
pub fn authorize_request<'p>(
    policy: &'p Policy,
    request: &HttpRequest,
    host: &HostRecords,
    clock: Clock,
) -> Result<Decision<'p>, Error> {
    decide_http(request, host, clock, |request, host| {
        policy.authorize_request(request, host)
    })
}

/// The bearer token an HTTP request presents, staged up to its signature
/// (see [`Policy::begin_request`]).
pub fn begin_request(policy: &Policy, request: &HttpRequest) -> Option<crate::PendingToken> {
    policy.begin_request(&request.headers.pairs())
}

/// [`authorize_request`] with the host's verdict on the staged token's
/// signature (see [`Policy::complete_request`]).
pub fn complete_request<'p>(
    policy: &'p Policy,
    request: &HttpRequest,
    host: &HostRecords,
    pending: &crate::PendingToken,
    verdict: Option<bool>,
    clock: Clock,
) -> Result<Decision<'p>, Error> {
    decide_http(request, host, clock, |request, host| {
        policy.complete_request(request, host, pending, verdict)
    })
}

/// Answers an AuthZEN request (`api`: `evaluation`, `evaluations`,
/// `search/subject`, `search/resource` or `search/action`) from the host's
/// principal and resource records.
pub fn authzen(
    policy: &Policy,
    api: &str,
    request: &serde_json::Value,
    host: &HostRecords,
    clock: Clock,
) -> Result<crate::authzen::AuthzenResponse, Error> {
    crate::authzen::answer(
        policy,
        crate::authzen::Api::parse(api)?,
        request,
        &host_data(host, clock)?,
    )
}

/// [`authzen`] for a request already read (see
/// [`crate::authzen::Request::read`]).
pub fn authzen_request(
    policy: &Policy,
    request: &crate::authzen::Request,
    host: &HostRecords,
    clock: Clock,
) -> Result<crate::authzen::AuthzenResponse, Error> {
    crate::authzen::answer_request(policy, request, &host_data(host, clock)?, &mut |_, _| {})
}

/// [`authzen`], handing each decision of an evaluation or a batch to
/// `audit` with its index in the batch.
pub fn authzen_audited(
    policy: &Policy,
    api: &str,
    request: &serde_json::Value,
    host: &HostRecords,
    clock: Clock,
    audit: &mut dyn FnMut(usize, &Decision<'_>),
) -> Result<crate::authzen::AuthzenResponse, Error> {
    crate::authzen::answer_audited(
        policy,
        crate::authzen::Api::parse(api)?,
        request,
        &host_data(host, clock)?,
        audit,
    )
}

/// Authenticates a request's credential for a caller that is not routed by
/// the policy: it must be of one of `kinds`. The refusal is a decision (a
/// host `now` that is not a time refuses too, with `invalid_argument`).
pub fn authenticate(
    policy: &Policy,
    headers: &[(&str, &str)],
    kinds: &[&str],
    host: &HostRecords,
    clock: Clock,
) -> Result<Identity, Box<Decision<'static>>> {
    match host_data(host, clock) {
        Ok(data) => policy.authenticate(headers, kinds, &data),
        Err(e) => Err(Box::new(policy.refusal(
            e.code,
            e.message,
            None,
            crate::decision::Actor::default(),
            0,
        ))),
    }
}

/// Largest host data document read from text, in bytes.
pub const MAX_HOST_DATA_BYTES: usize = 64 * 1024 * 1024;

/// Reads host data (keys, principals, resources, revoked ids) from a JSON,
/// YAML or TOML document. Errors name the place (`principals[3].roles`).
pub fn host_records(text: &str, format: Format) -> Result<HostRecords, Error> {
    if text.len() > MAX_HOST_DATA_BYTES {
        return Err(Error::new(
            Code::LimitExceeded,
            Family::Argument,
            format!(
                "the host data is {} bytes; at most {MAX_HOST_DATA_BYTES} are read",
                text.len()
            ),
        ));
    }
    let value = crate::policy::parse_document(text, format)
        .map_err(|why| Error::record(Code::InvalidArgument, "host data", why))?;
    read(value, Code::InvalidArgument, "host data")
}

/// Authorizes a route the application's router matched.
pub fn authorize_route<'p>(
    policy: &'p Policy,
    route: &MatchedRoute,
    host: &HostRecords,
    clock: Clock,
) -> Result<Decision<'p>, Error> {
    decide_route(route, host, clock, |request, host| {
        policy.authorize_route(request, host)
    })
}

/// [`authorize_route`] with the host's verdict on the signature of the
/// token [`begin_request`] staged from the route's headers (see
/// [`Policy::complete_route`]).
pub fn complete_route<'p>(
    policy: &'p Policy,
    route: &MatchedRoute,
    host: &HostRecords,
    pending: &crate::PendingToken,
    verdict: Option<bool>,
    clock: Clock,
) -> Result<Decision<'p>, Error> {
    decide_route(route, host, clock, |request, host| {
        policy.complete_route(request, host, pending, verdict)
    })
}

/// The core's view of a matched route and of the host's records, handed to
/// `decide`.
fn decide_route<'p>(
    route: &MatchedRoute,
    host: &HostRecords,
    clock: Clock,
    decide: impl FnOnce(&RouteRequest<'_>, &HostData<'_>) -> Decision<'p>,
) -> Result<Decision<'p>, Error> {
    let params = route.params.pairs();
    let headers = route.headers.pairs();
    let request = RouteRequest {
        method: &route.method,
        template: &route.template,
        params: &params,
        headers: &headers,
    };
    Ok(decide(&request, &host_data(host, clock)?))
}

/// Generates an API key of an `api_key` kind for `owner`.
pub fn generate_key(
    policy: &Policy,
    kind: &str,
    owner: &str,
    options: &NewKeyOptions,
    clock: Clock,
) -> Result<NewKeyInfo, Error> {
    let new = NewKey {
        scopes: options.scopes.clone(),
        label: options.label.clone(),
        expires_at: opt_seconds("expires_at", options.expires_at)?,
        pepper: options.pepper.as_ref(),
    };
    let generated = policy.generate_key(kind, owner, &new, now(options.now, clock)?)?;
    Ok(NewKeyInfo {
        key: generated.key,
        record: generated.record,
    })
}

/// Rotates a key: a new key, and the old record expiring after the grace.
pub fn rotate_key(
    policy: &Policy,
    record: &KeyRecord,
    options: &RotateOptions,
    clock: Clock,
) -> Result<RotationInfo, Error> {
    let rotate = RotateKey {
        grace: options.grace.unwrap_or(ROTATION_GRACE),
        scopes: options.scopes.clone(),
        expires_at: opt_seconds("expires_at", options.expires_at)?,
        label: options.label.clone(),
        pepper: options.pepper.as_ref(),
        revoked_keys: &options.revoked_keys,
    };
    let rotation = policy.rotate_key(record, &rotate, now(options.now, clock)?)?;
    Ok(RotationInfo {
        key: NewKeyInfo {
            key: rotation.new.key,
            record: rotation.new.record,
        },
        old: rotation.old,
    })
}

/// What a key's text says, before any record is read.
pub fn parse_key(policy: &Policy, key: &str) -> Result<ParsedKeyInfo, Error> {
    let parsed = policy.parse_key(key)?;
    Ok(ParsedKeyInfo {
        ok: true,
        kind: parsed.kind().to_owned(),
        id: parsed.id().to_owned(),
        mask: parsed.mask(),
        prefix: parsed.key().prefix().to_owned(),
    })
}

/// The stored hash of a key (`sha256:` or, with a pepper, `hmac-sha256:`).
pub fn hash_key(key: &str, pepper: Option<&Pepper>) -> Result<String, Error> {
    Ok(ApiKey::parse(key)?.hash(pepper))
}

/// Verifies a key against its record.
pub fn verify_key(
    policy: &Policy,
    key: &str,
    record: impl Into<std::sync::Arc<KeyRecord>>,
    options: &KeyOptions,
    clock: Clock,
) -> Result<VerifiedKey, Error> {
    let verify = VerifyKeyOptions::at(now(options.now, clock)?)
        .pepper(options.pepper.as_ref())
        .revoked_keys(&options.revoked_keys);
    Ok(policy.verify_key(key, record, &verify)?)
}

/// A verified key as every runtime shows it.
pub fn key_info(key: &VerifiedKey) -> KeyInfo {
    KeyInfo {
        ok: true,
        code: Code::Allowed,
        principal: key.principal_id(),
        kind: key.kind.to_string(),
        id: key.record.id.clone(),
        mask: key.mask.clone(),
        scopes: key.record.scopes.clone(),
        credential: KeyCredential {
            kind: key.kind.to_string(),
            id: key.record.id.clone(),
        },
    }
}

/// The identity a verified key authenticates; `owner` is its owner's record.
pub fn key_identity(policy: &Policy, key: &VerifiedKey, owner: Option<&PrincipalRecord>) -> Result<Identity, Error> {
    Ok(policy.key_identity(key, owner)?)
}

fn token_options<'o>(options: &'o TokenOptions, clock: Clock) -> Result<VerifyTokenOptions<'o>, Error> {
    Ok(VerifyTokenOptions::at(now(options.now, clock)?)
        .revoked_sessions(&options.revoked_sessions)
        .revoked_keys(&options.revoked_keys)
        .kind(options.kind.as_deref()))
}

/// Verifies a token.
pub fn verify_jwt(policy: &Policy, token: &str, options: &TokenOptions, clock: Clock) -> Result<VerifiedToken, Error> {
    Ok(policy.verify_jwt(token, &token_options(options, clock)?)?)
}

/// Every rule of [`verify_jwt`] before the signature.
pub fn begin_jwt(policy: &Policy, token: &str, options: &TokenOptions, clock: Clock) -> Result<PendingToken, Error> {
    Ok(policy.begin_jwt(token, &token_options(options, clock)?)?)
}

/// Every remaining rule, given the host's signature verdict (`None`: the
/// core checks the signature itself).
pub fn complete_jwt(
    policy: &Policy,
    pending: PendingToken,
    verdict: Option<bool>,
    options: &TokenOptions,
    clock: Clock,
) -> Result<VerifiedToken, Error> {
    Ok(policy.complete_jwt(pending, verdict, &token_options(options, clock)?)?)
}

/// The identity a verified token describes; a host `principal` record,
/// when given, is authoritative.
pub fn token_identity(
    policy: &Policy,
    token: &VerifiedToken,
    principal: Option<&PrincipalRecord>,
) -> Result<Identity, Error> {
    Ok(policy.token_identity(token, principal)?)
}

/// Signs a session token of a jwt kind.
pub fn issue_session(
    policy: &Policy,
    kind: &str,
    options: &SessionOptions,
    key: &SigningKey,
    clock: Clock,
) -> Result<String, Error> {
    let request = SessionRequest {
        subject: options.subject.clone(),
        session: options.session.clone(),
        scopes: options.scopes.clone(),
        roles: options.roles.clone(),
        tenant: options.tenant.clone(),
        lifetime: options.lifetime.unwrap_or(SESSION_LIFETIME),
        client_id: options.client_id.clone(),
    };
    Ok(policy.issue_session(kind, &request, key, now(options.now, clock)?)?)
}

/// Signs a token delegated by `identity` to an actor.
pub fn delegate(
    policy: &Policy,
    kind: &str,
    identity: &Identity,
    options: &DelegationOptions,
    key: &SigningKey,
    clock: Clock,
) -> Result<String, Error> {
    let request = DelegationRequest {
        actor: options.actor.clone(),
        scopes: options.scopes.clone(),
        audience: options.audience.clone(),
        lifetime: options.lifetime.unwrap_or(DELEGATION_LIFETIME),
    };
    Ok(policy.delegate(kind, identity, &request, key, now(options.now, clock)?)?)
}

/// An HMAC signing key, with an optional `kid`.
pub fn hmac_key(algorithm: &str, secret: &[u8], kid: Option<String>) -> Result<SigningKey, Error> {
    let key = SigningKey::hmac(algorithm, secret)?;
    Ok(match kid {
        Some(kid) => key.with_kid(kid),
        None => key,
    })
}

/// A PEM private signing key, with an optional `kid`.
pub fn pem_key(algorithm: &str, pem: &[u8], kid: Option<String>) -> Result<SigningKey, Error> {
    let key = SigningKey::from_pem(algorithm, pem)?;
    Ok(match kid {
        Some(kid) => key.with_kid(kid),
        None => key,
    })
}

/// A JWK Set refresh schedule; absent settings are the core's defaults
/// (300 s cache, 30 s between fetches for unknown `kid`s).
pub fn jwks_refresh(max_age: Option<i64>, cooldown: Option<i64>) -> crate::JwksRefresh {
    crate::JwksRefresh::new(
        max_age.unwrap_or(crate::jwt::DEFAULT_MAX_AGE),
        cooldown.unwrap_or(crate::jwt::DEFAULT_COOLDOWN),
    )
}

/// Replaces a jwt kind's public keys (a fetched JWK Set).
pub fn set_jwks(policy: &Policy, kind: &str, jwks: &serde_json::Value) -> Result<(), Error> {
    Ok(policy.set_jwks(kind, jwks)?)
}

/// Replaces a jwt kind's HMAC secrets.
pub fn set_secrets(policy: &Policy, kind: &str, jwks: &serde_json::Value) -> Result<(), Error> {
    Ok(policy.set_secrets(kind, jwks)?)
}

/// Turns on (or off, with 0) the policy's bounded cache of verified
/// tokens; a capacity outside `0..=MAX_CACHED_TOKENS` is refused.
pub fn cache_tokens(policy: &Policy, capacity: i64) -> Result<(), Error> {
    let max = crate::limits::MAX_CACHED_TOKENS;
    match usize::try_from(capacity) {
        Ok(capacity) if capacity <= max => {
            policy.cache_tokens(capacity);
            Ok(())
        }
        _ => Err(Error::argument(
            "capacity",
            format!("must be a whole number from 0 (off) to {max}, not {capacity}"),
        )),
    }
}

/// How many tokens the policy's cache holds.
pub fn cached_tokens(policy: &Policy) -> usize {
    policy.cached_tokens()
}

/// Key ids of a jwt kind's current key set; `None` for an unknown kind.
pub fn jwks_kids(policy: &Policy, kind: &str) -> Option<Vec<String>> {
    policy
        .jwks(kind)
        .map(|set| set.kids().into_iter().map(str::to_owned).collect())
}

/// Every stable code.
pub fn codes() -> Vec<&'static str> {
    Code::ALL.iter().map(|c| c.as_str()).collect()
}

/// The library version.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_take_their_defaults_and_refuse_unknown_fields() {
        let o: RotateOptions = options(serde_json::Value::Null, "options").unwrap();
        assert_eq!(o.grace, None);
        let o: SessionOptions = read(serde_json::json!({"subject": "a"}), Code::InvalidArgument, "s").unwrap();
        assert_eq!(o.lifetime, None);
        let e = options::<KeyOptions>(serde_json::json!({"revokedKeys": []}), "options").unwrap_err();
        assert_eq!(e.code, Code::InvalidArgument);
        assert!(e.message.contains("revokedKeys"), "{}", e.message);
        assert!(!e.message.contains("struct"), "{}", e.message);
    }

    #[test]
    fn shape_errors_name_the_place_and_no_rust_type() {
        let e =
            read::<Vec<crate::KeyRecord>>(serde_json::json!([{"id": 1}]), Code::InvalidKeyRecord, "keys").unwrap_err();
        assert_eq!(e.code, Code::InvalidKeyRecord);
        assert!(e.message.starts_with("`keys[0].id`: "), "{}", e.message);
        let e = read::<crate::IdentityRecord>(serde_json::json!({"principal": 5}), Code::InvalidPrincipal, "identity")
            .unwrap_err();
        assert!(e.message.contains("a principal record"), "{}", e.message);
        assert!(!e.message.contains("struct"), "{}", e.message);
    }

    #[test]
    fn records_from_text_are_read_as_from_values() {
        let text = r#"{"principal": {"id": "user:a", "roles": ["reader"], "attributes": {"n": 1, "t": [true]}}}"#;
        let from_text: crate::IdentityRecord = read_str(text, Code::InvalidPrincipal, "identity").unwrap();
        let from_value: crate::IdentityRecord =
            read(serde_json::from_str(text).unwrap(), Code::InvalidPrincipal, "identity").unwrap();
        assert_eq!(format!("{from_text:?}"), format!("{from_value:?}"));

        // A shape error names the place, with the message a value gives and
        // no position in text the caller never wrote.
        let text = r#"[{"id": 1}]"#;
        let e = read_str::<Vec<crate::KeyRecord>>(text, Code::InvalidKeyRecord, "keys").unwrap_err();
        let v = read::<Vec<crate::KeyRecord>>(serde_json::from_str(text).unwrap(), Code::InvalidKeyRecord, "keys")
            .unwrap_err();
        assert_eq!(e.code, Code::InvalidKeyRecord);
        assert_eq!(e.message, v.message);
        assert!(!e.message.contains("column"), "{}", e.message);

        for missing in ["null", " null\n"] {
            let e = read_str::<crate::IdentityRecord>(missing, Code::InvalidPrincipal, "identity").unwrap_err();
            assert_eq!(e.message, "`identity`: is missing");
        }
        // Text that is not JSON says where it stops being JSON.
        let e = read_str::<crate::IdentityRecord>("{\"principal\": ", Code::InvalidPrincipal, "identity").unwrap_err();
        assert_eq!(e.code, Code::InvalidPrincipal);
        assert!(e.message.contains("line 1 column"), "{}", e.message);
        let e = read_str::<Vec<String>>("[] []", Code::InvalidArgument, "list").unwrap_err();
        assert!(e.message.contains("trailing characters"), "{}", e.message);
    }

    #[test]
    fn a_record_error_shows_the_record_s_keys_and_values_escaped() {
        let text = r#"{"principal": {"id": "user:a", "ev\u001b[2Kil\n": 1}}"#;
        for e in [
            read_str::<crate::IdentityRecord>(text, Code::InvalidPrincipal, "identity").unwrap_err(),
            read::<crate::IdentityRecord>(serde_json::from_str(text).unwrap(), Code::InvalidPrincipal, "identity")
                .unwrap_err(),
        ] {
            assert!(!e.message.chars().any(crate::text::is_unsafe_char), "{:?}", e.message);
            assert!(
                e.message
                    .starts_with("`identity.principal.ev\\u{1b}[2Kil\\u{a}`: unknown field `ev\\u{1b}[2Kil\\u{a}`"),
                "{}",
                e.message
            );
        }
        // A key or value of any length cannot flood the message.
        let long = format!(r#"{{"principal": {{"{}": 1}}}}"#, "k".repeat(5000));
        let e = read_str::<crate::IdentityRecord>(&long, Code::InvalidPrincipal, "identity").unwrap_err();
        assert!(e.message.contains("kkk…"), "{}", e.message);
        assert!(
            e.message.chars().count() < 2 * crate::text::MAX_MESSAGE_CHARS,
            "{}",
            e.message.len()
        );
    }

    #[test]
    fn times_are_seconds() {
        let o: KeyOptions = read(serde_json::json!({"now": 1.5e9}), Code::InvalidArgument, "o").unwrap();
        assert_eq!(o.now, Some(1_500_000_000));
        assert_eq!(
            now(Some(1_767_225_600_000), || 0).unwrap_err().code,
            Code::InvalidArgument
        );
        assert_eq!(now(None, || 7).unwrap(), 7);
    }

    #[test]
    fn headers_come_as_a_map_or_as_pairs() {
        let h: Headers = serde_json::from_value(serde_json::json!({"a": "1", "b": ["2", "3"]})).unwrap();
        assert_eq!(h.pairs(), vec![("a", "1"), ("b", "2"), ("b", "3")]);
        let h: Headers = serde_json::from_value(serde_json::json!([["a", "1"], ["a", "2"]])).unwrap();
        assert_eq!(h.pairs(), vec![("a", "1"), ("a", "2")]);
        assert!(serde_json::from_value::<Headers>(serde_json::json!({"a": 1})).is_err());
    }
}
