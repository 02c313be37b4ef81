//! `permiso._native`: Python bindings of the permiso core.
//!
//! This crate only converts types (dicts <-> the core's serde records),
//! names things the Python way and maps the core's codes to exceptions, once,
//! in [`to_py_err`]. Every rule lives in the `permiso` crate.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use permiso as core;
use permiso::Code;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyMapping, PyString, PyTuple};
use serde::de::DeserializeOwned;
use serde::Serialize;

create_exception!(
    _native,
    PermisoError,
    PyException,
    "Base of every permiso error; `.code` is the stable code."
);
create_exception!(
    _native,
    InvalidPolicy,
    PermisoError,
    "The policy document is invalid (`.detail`, `.path`, `.issues`)."
);
create_exception!(
    _native,
    InvalidKey,
    PermisoError,
    "An API key was refused (malformed_key, bad_checksum, expired, ...)."
);
create_exception!(
    _native,
    InvalidToken,
    PermisoError,
    "A token was refused (bad_signature, expired, ...)."
);
create_exception!(
    _native,
    InvalidPrincipal,
    PermisoError,
    "A principal record is malformed or missing."
);
create_exception!(
    _native,
    ScopeEscalation,
    PermisoError,
    "Requested scopes exceed what is held."
);

/// Which exception class a failure becomes.
#[derive(Clone, Copy)]
enum Family {
    Policy,
    Key,
    Token,
    Principal,
}

/// The one place where codes become Python exceptions.
fn to_py_err(py: Python<'_>, family: Family, code: Code, message: String) -> PyErr {
    let err = match (code, family) {
        (Code::ScopeEscalation, _) => ScopeEscalation::new_err(message.clone()),
        (Code::InvalidPolicy, _) | (_, Family::Policy) => InvalidPolicy::new_err(message.clone()),
        (Code::InvalidPrincipal | Code::UnknownPrincipal, _) | (_, Family::Principal) => {
            InvalidPrincipal::new_err(message.clone())
        }
        (Code::UnknownCredentialKind | Code::EntropyUnavailable | Code::InvalidArgument, _) => {
            PermisoError::new_err(message.clone())
        }
        (_, Family::Key) => InvalidKey::new_err(message.clone()),
        (_, Family::Token) => InvalidToken::new_err(message.clone()),
    };
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail in practice;
    // if it did, the exception would still carry its message.
    let _ = value.setattr("code", code.as_str());
    let _ = value.setattr("message", message);
    err
}

fn key_err(py: Python<'_>, e: core::KeyError) -> PyErr {
    to_py_err(py, Family::Key, e.code(), e.to_string())
}

fn token_err(py: Python<'_>, e: core::TokenError) -> PyErr {
    to_py_err(py, Family::Token, e.code(), e.to_string())
}

fn identity_err(py: Python<'_>, e: core::IdentityError) -> PyErr {
    to_py_err(py, Family::Principal, e.code(), e.to_string())
}

fn policy_err(py: Python<'_>, e: core::PolicyError) -> PyErr {
    let err = to_py_err(py, Family::Policy, e.code(), e.to_string());
    let value = err.value(py);
    let _ = value.setattr("detail", e.detail().as_str());
    let _ = value.setattr("path", e.path());
    let issues: Vec<(String, String, String)> = e
        .issues()
        .iter()
        .map(|i| (i.detail.as_str().to_owned(), i.path.clone(), i.message.clone()))
        .collect();
    let _ = value.setattr("issues", issues);
    err
}

/// A dict (or list) from Python into a core record; shape errors carry `code`.
/// It passes through a JSON value, so a `str` never stands in for a list
/// (`"deployments:*"` is not the scopes `d`, `e`, …), as in every runtime.
fn from_py<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, family: Family, code: Code, what: &str) -> PyResult<T> {
    let value: serde_json::Value =
        pythonize::depythonize(obj).map_err(|e| to_py_err(obj.py(), family, code, format!("{what}: {e}")))?;
    serde_json::from_value(value).map_err(|e| to_py_err(obj.py(), family, code, format!("{what}: {e}")))
}

/// A time in unix seconds: an int, or a float (`time.time()`) floored;
/// milliseconds are refused with `invalid_argument`.
#[derive(Clone, Copy)]
struct Seconds(i64);

impl<'a, 'py> FromPyObject<'a, 'py> for Seconds {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let checked = if let Ok(i) = obj.extract::<i64>() {
            core::time::unix_seconds("time", i)
        } else if let Ok(f) = obj.extract::<f64>() {
            core::time::unix_seconds_f64("time", f)
        } else {
            return Err(PyTypeError::new_err("a time must be an int or a float of unix seconds"));
        };
        checked
            .map(Seconds)
            .map_err(|e| to_py_err(obj.py(), Family::Principal, e.code(), e.to_string()))
    }
}

fn seconds(value: Option<Seconds>) -> Option<i64> {
    value.map(|s| s.0)
}

/// An optional principal record (`None` for none).
fn opt_principal(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<core::PrincipalRecord>> {
    match value {
        Some(v) if !v.is_none() => from_py(v, Family::Principal, Code::InvalidPrincipal, what).map(Some),
        _ => Ok(None),
    }
}

fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| PermisoError::new_err(e.to_string()))
}

fn now_or(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    })
}

/// A pepper from `str` or `bytes`.
fn pepper(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<core::Pepper>> {
    let Some(value) = value else { return Ok(None) };
    if value.is_none() {
        return Ok(None);
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Some(core::Pepper::from(s.to_cow()?.as_ref())));
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(Some(core::Pepper::new(b.as_bytes())));
    }
    Err(PyTypeError::new_err("pepper must be str or bytes"))
}

/// Header pairs from a dict, a mapping, or an iterable of `(name, value)`.
fn header_pairs(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    if headers.is_none() {
        return Err(PyTypeError::new_err(
            "headers must be a mapping or a list of (name, value) pairs, not None",
        ));
    }
    let pairs: Bound<'_, PyAny> = if let Ok(d) = headers.cast::<PyDict>() {
        d.items().into_any()
    } else if let Ok(m) = headers.cast::<PyMapping>() {
        m.items()?.into_any()
    } else {
        headers.clone()
    };
    let mut out = Vec::new();
    for item in pairs
        .try_iter()
        .map_err(|_| PyTypeError::new_err("headers must be iterable"))?
    {
        let item = item?;
        let tuple = item
            .cast::<PyTuple>()
            .map_err(|_| PyTypeError::new_err("each header must be a (name, value) pair"))?;
        if tuple.len() != 2 {
            return Err(PyTypeError::new_err("each header must be a (name, value) pair"));
        }
        let name: String = tuple
            .get_item(0)?
            .extract()
            .map_err(|_| PyTypeError::new_err("header names must be str"))?;
        let value = tuple.get_item(1)?;
        if let Ok(list) = value.cast::<PyList>() {
            for v in list.iter() {
                let v: String = v
                    .extract()
                    .map_err(|_| PyTypeError::new_err("header values must be str"))?;
                out.push((name.clone(), v));
            }
        } else {
            let v: String = value
                .extract()
                .map_err(|_| PyTypeError::new_err("header values must be str"))?;
            out.push((name, v));
        }
    }
    Ok(out)
}

/// The host data of a request, converted once (owned, so the GIL can be
/// released while it is used).
fn host_data(
    keys: Option<&Bound<'_, PyAny>>,
    principals: Option<&Bound<'_, PyAny>>,
    revoked_keys: Option<Vec<String>>,
    revoked_sessions: Option<Vec<String>>,
    pepper: Option<&Bound<'_, PyAny>>,
    now: Option<Seconds>,
) -> PyResult<core::OwnedHostData> {
    Ok(core::OwnedHostData {
        keys: match keys {
            Some(k) if !k.is_none() => from_py(k, Family::Key, Code::InvalidKeyRecord, "keys")?,
            _ => Vec::new(),
        },
        principals: match principals {
            Some(p) if !p.is_none() => from_py(p, Family::Principal, Code::InvalidPrincipal, "principals")?,
            _ => Vec::new(),
        },
        revoked_keys: revoked_keys.unwrap_or_default(),
        revoked_sessions: revoked_sessions.unwrap_or_default(),
        pepper: self::pepper(pepper)?,
        now: now_or(seconds(now)),
    })
}

/// A decision: `allowed`, `code`, `status`, `message`, `missing` and the
/// `audit` record (a dict ready for `json.dumps`).
#[pyclass(frozen, module = "permiso._native")]
struct Decision {
    inner: core::Decision<'static>,
}

#[pymethods]
impl Decision {
    #[getter]
    fn allowed(&self) -> bool {
        self.inner.allowed()
    }
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code().as_str()
    }
    #[getter]
    fn status(&self) -> u16 {
        self.inner.status()
    }
    #[getter]
    fn message(&self) -> &str {
        self.inner.message()
    }
    #[getter]
    fn missing(&self) -> Vec<String> {
        self.inner.missing().map(str::to_owned).collect()
    }
    #[getter]
    fn action(&self) -> Option<&str> {
        self.inner.action()
    }
    #[getter]
    fn resource(&self) -> Option<&str> {
        self.inner.resource()
    }
    #[getter]
    fn tenant(&self) -> Option<&str> {
        self.inner.tenant()
    }
    #[getter]
    fn route(&self) -> Option<&str> {
        self.inner.route()
    }
    #[getter]
    fn principal(&self) -> Option<&str> {
        self.inner.actor().principal()
    }
    #[getter]
    fn credential_kind(&self) -> Option<&str> {
        self.inner.actor().kind()
    }
    #[getter]
    fn key_id(&self) -> Option<&str> {
        self.inner.actor().key_id()
    }
    #[getter]
    fn decision_id(&self) -> String {
        self.inner.id().to_string()
    }
    /// The audit record as a dict.
    #[getter]
    fn audit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.audit())
    }
    /// The audit record as one line of JSON.
    fn audit_json(&self) -> String {
        self.inner.audit_json()
    }
    /// Everything the conformance vectors compare, as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &core::conformance::decision_view(&self.inner))
    }
    fn __bool__(&self) -> bool {
        self.inner.allowed()
    }
    fn __repr__(&self) -> String {
        format!(
            "Decision(allowed={}, code='{}', status={})",
            self.inner.allowed(),
            self.inner.code(),
            self.inner.status()
        )
    }
}

/// An identity resolved against one policy; build it once, check many times.
#[pyclass(frozen, module = "permiso._native")]
struct Identity {
    inner: core::Identity,
}

#[pymethods]
impl Identity {
    #[getter]
    fn principal(&self) -> &str {
        self.inner.principal_id()
    }
    #[getter]
    fn credential_kind(&self) -> Option<&str> {
        self.inner.kind()
    }
    /// The record it was built from (`{"principal": ..., "credential": ...}`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, self.inner.record())
    }
    fn __repr__(&self) -> String {
        format!("Identity('{}')", self.inner.principal_id())
    }
}

/// A newly generated key: `key` (show it once) and `record` (store it).
#[pyclass(frozen, module = "permiso._native")]
struct GeneratedKey {
    key: core::SecretKey,
    record: core::KeyRecord,
}

#[pymethods]
impl GeneratedKey {
    /// The plaintext key; permiso never stores it.
    #[getter]
    fn key(&self) -> &str {
        self.key.expose()
    }
    #[getter]
    fn record<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.record)
    }
    fn __repr__(&self) -> String {
        format!("GeneratedKey(id='{}', key=[redacted])", self.record.id)
    }
}

/// A key that verified against its record.
#[pyclass(frozen, module = "permiso._native")]
struct VerifiedKey {
    inner: core::VerifiedKey,
    policy: Arc<core::Policy>,
}

#[pymethods]
impl VerifiedKey {
    #[getter]
    fn principal(&self) -> String {
        self.inner.principal_id()
    }
    #[getter]
    fn kind(&self) -> &str {
        &self.inner.kind
    }
    #[getter]
    fn id(&self) -> &str {
        &self.inner.record.id
    }
    #[getter]
    fn mask(&self) -> &str {
        &self.inner.mask
    }
    #[getter]
    fn scopes(&self) -> Option<Vec<String>> {
        self.inner.record.scopes.clone()
    }
    /// The identity the key authenticates; `owner` is the owner's principal record.
    #[pyo3(signature = (owner = None))]
    fn identity(&self, py: Python<'_>, owner: Option<&Bound<'_, PyAny>>) -> PyResult<Identity> {
        let owner = opt_principal(owner, "owner")?;
        let inner = self
            .policy
            .key_identity(&self.inner, owner.as_ref())
            .map_err(|e| identity_err(py, e))?;
        Ok(Identity { inner })
    }
}

/// A token whose signature and claims verified.
#[pyclass(frozen, module = "permiso._native")]
struct VerifiedToken {
    inner: core::VerifiedToken,
    policy: Arc<core::Policy>,
}

#[pymethods]
impl VerifiedToken {
    #[getter]
    fn principal(&self) -> &str {
        &self.inner.principal.id
    }
    #[getter]
    fn kind(&self) -> &str {
        &self.inner.kind
    }
    #[getter]
    fn algorithm(&self) -> &str {
        self.inner.algorithm
    }
    #[getter]
    fn scopes(&self) -> Option<Vec<String>> {
        self.inner.credential.scopes.clone()
    }
    #[getter]
    fn actor_chain(&self) -> Vec<String> {
        self.inner.credential.actor_chain.clone()
    }
    #[getter]
    fn session(&self) -> Option<&str> {
        self.inner.credential.session.as_deref()
    }
    #[getter]
    fn service_account(&self) -> bool {
        self.inner.service_account
    }
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.claims)
    }
    /// Everything the conformance vectors compare, as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &core::conformance::token_json(&self.inner))
    }
    /// The identity; a host `principal` record, when given, is authoritative.
    #[pyo3(signature = (principal = None))]
    fn identity(&self, py: Python<'_>, principal: Option<&Bound<'_, PyAny>>) -> PyResult<Identity> {
        let principal = opt_principal(principal, "principal")?;
        let inner = self
            .policy
            .token_identity(&self.inner, principal.as_ref())
            .map_err(|e| identity_err(py, e))?;
        Ok(Identity { inner })
    }
}

/// A private key or HMAC secret for signing tokens; its repr never shows it.
#[pyclass(frozen, module = "permiso._native")]
struct SigningKey {
    inner: core::SigningKey,
}

#[pymethods]
impl SigningKey {
    /// An HMAC secret (bytes) for HS256, HS384 or HS512.
    #[staticmethod]
    #[pyo3(signature = (algorithm, secret, *, kid = None))]
    fn hmac(py: Python<'_>, algorithm: &str, secret: &[u8], kid: Option<String>) -> PyResult<Self> {
        let key = core::SigningKey::hmac(algorithm, secret).map_err(|e| token_err(py, e))?;
        Ok(SigningKey {
            inner: match kid {
                Some(k) => key.with_kid(k),
                None => key,
            },
        })
    }
    /// A PEM private key (str or bytes) for RS*, PS*, ES* or EdDSA.
    #[staticmethod]
    #[pyo3(signature = (algorithm, pem, *, kid = None))]
    fn from_pem(py: Python<'_>, algorithm: &str, pem: &Bound<'_, PyAny>, kid: Option<String>) -> PyResult<Self> {
        let bytes: Vec<u8> = if let Ok(s) = pem.cast::<PyString>() {
            s.to_cow()?.as_bytes().to_vec()
        } else if let Ok(b) = pem.cast::<PyBytes>() {
            b.as_bytes().to_vec()
        } else {
            return Err(PyTypeError::new_err("pem must be str or bytes"));
        };
        let key = core::SigningKey::from_pem(algorithm, &bytes).map_err(|e| token_err(py, e))?;
        Ok(SigningKey {
            inner: match kid {
                Some(k) => key.with_kid(k),
                None => key,
            },
        })
    }
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm()
    }
    fn __repr__(&self) -> String {
        format!("SigningKey(algorithm='{}', key=[redacted])", self.inner.algorithm())
    }
}

/// When to refetch a JWK Set (max-age, unknown `kid` with a cooldown,
/// backoff after failures). It does no I/O itself.
#[pyclass(module = "permiso._native")]
struct JwksRefresh {
    inner: core::JwksRefresh,
}

#[pymethods]
impl JwksRefresh {
    #[new]
    #[pyo3(signature = (*, max_age = 300, cooldown = 30))]
    fn new(max_age: i64, cooldown: i64) -> Self {
        JwksRefresh {
            inner: core::JwksRefresh::new(max_age, cooldown),
        }
    }
    #[pyo3(signature = (now = None))]
    fn due(&self, now: Option<Seconds>) -> bool {
        self.inner.due(now_or(seconds(now)))
    }
    #[pyo3(signature = (now = None))]
    fn on_unknown_kid(&self, now: Option<Seconds>) -> bool {
        self.inner.on_unknown_kid(now_or(seconds(now)))
    }
    #[pyo3(signature = (now = None))]
    fn succeeded(&mut self, now: Option<Seconds>) {
        self.inner.succeeded(now_or(seconds(now)));
    }
    #[pyo3(signature = (now = None))]
    fn failed(&mut self, now: Option<Seconds>) {
        self.inner.failed(now_or(seconds(now)));
    }
    #[getter]
    fn next_fetch_at(&self) -> i64 {
        self.inner.next_fetch_at()
    }
    #[getter]
    fn failures(&self) -> u32 {
        self.inner.failures()
    }
}

/// A compiled policy: immutable and thread-safe; share one per process.
#[pyclass(frozen, module = "permiso._native")]
struct Policy {
    inner: Arc<core::Policy>,
}

fn compile(py: Python<'_>, text: &str, format: core::Format) -> PyResult<Policy> {
    let text = text.to_owned();
    let policy = py
        .detach(move || core::Policy::from_str(&text, format))
        .map_err(|e| policy_err(py, e))?;
    Ok(Policy {
        inner: Arc::new(policy),
    })
}

impl Policy {
    fn resolve(&self, py: Python<'_>, identity: &Bound<'_, PyAny>) -> PyResult<core::Identity> {
        if let Ok(i) = identity.cast::<Identity>() {
            return Ok(i.get().inner.clone());
        }
        let record: core::IdentityRecord = from_py(identity, Family::Principal, Code::InvalidPrincipal, "identity")?;
        self.inner.identity(record).map_err(|e| identity_err(py, e))
    }
}

#[pymethods]
impl Policy {
    /// Reads and compiles a `.json`, `.yaml`/`.yml` or `.toml` file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let name = path.to_string_lossy().into_owned();
        let format = core::Format::from_path(&name).ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(format!("`{name}`: use a .json, .yaml, .yml or .toml file"))
        })?;
        let text = std::fs::read_to_string(&path)?;
        compile(py, &text, format)
    }
    /// Compiles a JSON document.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        compile(py, text, core::Format::Json)
    }
    /// Compiles a YAML document.
    #[staticmethod]
    fn from_yaml(py: Python<'_>, text: &str) -> PyResult<Self> {
        compile(py, text, core::Format::Yaml)
    }
    /// Compiles a TOML document.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        compile(py, text, core::Format::Toml)
    }
    /// Compiles a document given as Python data (dicts and lists).
    #[staticmethod]
    fn from_dict(py: Python<'_>, document: &Bound<'_, PyAny>) -> PyResult<Self> {
        let value: serde_json::Value = from_py(document, Family::Policy, Code::InvalidPolicy, "policy")?;
        let policy = core::Policy::from_value(&value).map_err(|e| policy_err(py, e))?;
        Ok(Policy {
            inner: Arc::new(policy),
        })
    }
    /// SHA-256 of the canonical document, `sha256:<hex>`.
    #[getter]
    fn hash(&self) -> String {
        self.inner.hash().to_string()
    }
    #[getter]
    fn permissions(&self) -> Vec<String> {
        self.inner.permissions().map(str::to_owned).collect()
    }
    #[getter]
    fn credential_kinds(&self) -> Vec<String> {
        self.inner.credential_kinds().map(str::to_owned).collect()
    }

    /// Resolves `{"principal": {...}, "credential": {...}}` into an Identity.
    fn identity(&self, py: Python<'_>, record: &Bound<'_, PyAny>) -> PyResult<Identity> {
        Ok(Identity {
            inner: self.resolve(py, record)?,
        })
    }

    /// Decides whether `identity` (an Identity or its dict) may do `action`.
    #[pyo3(signature = (identity, action, resource = None, tenant = None, *, now = None))]
    fn authorize(
        &self,
        py: Python<'_>,
        identity: &Bound<'_, PyAny>,
        action: &str,
        resource: Option<&str>,
        tenant: Option<&str>,
        now: Option<Seconds>,
    ) -> PyResult<Decision> {
        let check = core::Check::new(action).resource(resource).tenant(tenant);
        let now = now_or(seconds(now));
        let decision = if let Ok(i) = identity.cast::<Identity>() {
            self.inner.authorize(&i.get().inner, check, now).into_owned()
        } else {
            let resolved = self.resolve(py, identity)?;
            self.inner.authorize(&resolved, check, now).into_owned()
        };
        Ok(Decision { inner: decision })
    }

    /// Whether `identity` may do `action`: the rules of `authorize`, answering
    /// only yes or no (no Decision, no audit record).
    #[pyo3(signature = (identity, action, resource = None, tenant = None))]
    fn is_allowed(&self, identity: &Identity, action: &str, resource: Option<&str>, tenant: Option<&str>) -> bool {
        self.inner.is_allowed(
            &identity.inner,
            core::Check::new(action).resource(resource).tenant(tenant),
        )
    }

    /// The route and what to fetch (a key id) before `authorize_request`.
    fn classify<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path: &str,
        headers: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let headers = header_pairs(headers)?;
        let borrowed: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let classified = self.inner.classify(&core::Request {
            method,
            path,
            headers: &borrowed,
        });
        let route = classified.route.as_ref().map(|r| {
            serde_json::json!({"route": r.route, "permission": r.permission, "resource": r.resource, "tenant": r.tenant})
        });
        to_py(
            py,
            &serde_json::json!({"route": route, "credential": classified.credential}),
        )
    }

    /// Authorizes an HTTP request in one call. The GIL is released meanwhile.
    #[pyo3(signature = (method, path, headers, *, keys = None, principals = None, revoked_keys = None,
                        revoked_sessions = None, pepper = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn authorize_request(
        &self,
        py: Python<'_>,
        method: String,
        path: String,
        headers: &Bound<'_, PyAny>,
        keys: Option<&Bound<'_, PyAny>>,
        principals: Option<&Bound<'_, PyAny>>,
        revoked_keys: Option<Vec<String>>,
        revoked_sessions: Option<Vec<String>>,
        pepper: Option<&Bound<'_, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Decision> {
        let headers = header_pairs(headers)?;
        let host = host_data(keys, principals, revoked_keys, revoked_sessions, pepper, now)?;
        let policy = Arc::clone(&self.inner);
        let decision = py.detach(move || {
            let borrowed: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let request = core::Request {
                method: &method,
                path: &path,
                headers: &borrowed,
            };
            policy.authorize_request(&request, &host.data()).into_owned()
        });
        Ok(Decision { inner: decision })
    }

    /// Authorizes the route the application's router matched: the path
    /// `template` as the policy writes it and the decoded `params`; no path
    /// is parsed. The GIL is released meanwhile.
    #[pyo3(signature = (method, template, params, headers, *, keys = None, principals = None, revoked_keys = None,
                        revoked_sessions = None, pepper = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn authorize_route(
        &self,
        py: Python<'_>,
        method: String,
        template: String,
        params: &Bound<'_, PyAny>,
        headers: &Bound<'_, PyAny>,
        keys: Option<&Bound<'_, PyAny>>,
        principals: Option<&Bound<'_, PyAny>>,
        revoked_keys: Option<Vec<String>>,
        revoked_sessions: Option<Vec<String>>,
        pepper: Option<&Bound<'_, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Decision> {
        let headers = header_pairs(headers)?;
        let params = header_pairs(params)?;
        let host = host_data(keys, principals, revoked_keys, revoked_sessions, pepper, now)?;
        let policy = Arc::clone(&self.inner);
        let decision = py.detach(move || {
            let borrowed: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let request = core::RouteRequest {
                method: &method,
                template: &template,
                params: &params,
                headers: &borrowed,
            };
            policy.authorize_route(&request, &host.data()).into_owned()
        });
        Ok(Decision { inner: decision })
    }

    /// Generates an API key of an `api_key` kind.
    #[pyo3(signature = (kind, owner, *, scopes = None, label = None, expires_at = None, pepper = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn generate_key(
        &self,
        py: Python<'_>,
        kind: &str,
        owner: &str,
        scopes: Option<Vec<String>>,
        label: Option<String>,
        expires_at: Option<Seconds>,
        pepper: Option<&Bound<'_, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<GeneratedKey> {
        let pepper = self::pepper(pepper)?;
        let options = core::NewKey {
            scopes,
            label,
            expires_at: seconds(expires_at),
            pepper: pepper.as_ref(),
        };
        let generated = self
            .inner
            .generate_key(kind, owner, &options, now_or(seconds(now)))
            .map_err(|e| key_err(py, e))?;
        Ok(GeneratedKey {
            key: generated.key,
            record: generated.record,
        })
    }

    /// Rotates a key: returns `(new GeneratedKey, old record with its grace expiry)`.
    #[pyo3(signature = (record, *, grace = 86400, scopes = None, expires_at = None, label = None, pepper = None,
                        revoked_keys = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn rotate_key<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        grace: i64,
        scopes: Option<Vec<String>>,
        expires_at: Option<Seconds>,
        label: Option<String>,
        pepper: Option<&Bound<'py, PyAny>>,
        revoked_keys: Option<Vec<String>>,
        now: Option<Seconds>,
    ) -> PyResult<(GeneratedKey, Bound<'py, PyAny>)> {
        let old: core::KeyRecord = from_py(record, Family::Key, Code::InvalidKeyRecord, "record")?;
        let pepper = self::pepper(pepper)?;
        let revoked_keys = revoked_keys.unwrap_or_default();
        let options = core::RotateKey {
            grace,
            scopes,
            expires_at: seconds(expires_at),
            label,
            pepper: pepper.as_ref(),
            revoked_keys: &revoked_keys,
        };
        let rotation = self
            .inner
            .rotate_key(&old, &options, now_or(seconds(now)))
            .map_err(|e| key_err(py, e))?;
        let old = to_py(py, &rotation.old)?;
        Ok((
            GeneratedKey {
                key: rotation.new.key,
                record: rotation.new.record,
            },
            old,
        ))
    }

    /// Parses a key: `{"kind", "id", "mask", "prefix"}`.
    fn parse_key<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        let parsed = self.inner.parse_key(key).map_err(|e| key_err(py, e))?;
        to_py(
            py,
            &serde_json::json!({"kind": parsed.kind(), "id": parsed.id(), "mask": parsed.mask(), "prefix": parsed.key().prefix()}),
        )
    }

    /// Verifies a key against its record. The GIL is released meanwhile.
    #[pyo3(signature = (key, record, *, pepper = None, revoked_keys = None, now = None))]
    fn verify_key(
        &self,
        py: Python<'_>,
        key: String,
        record: &Bound<'_, PyAny>,
        pepper: Option<&Bound<'_, PyAny>>,
        revoked_keys: Option<Vec<String>>,
        now: Option<Seconds>,
    ) -> PyResult<VerifiedKey> {
        let record: core::KeyRecord = from_py(record, Family::Key, Code::InvalidKeyRecord, "record")?;
        let pepper = self::pepper(pepper)?;
        let revoked = revoked_keys.unwrap_or_default();
        let policy = Arc::clone(&self.inner);
        let now = now_or(seconds(now));
        let result = py.detach(move || {
            let options = core::VerifyKeyOptions::at(now)
                .pepper(pepper.as_ref())
                .revoked_keys(&revoked);
            policy.verify_key(&key, &record, &options)
        });
        let inner = result.map_err(|e| key_err(py, e))?;
        Ok(VerifiedKey {
            inner,
            policy: Arc::clone(&self.inner),
        })
    }

    /// Verifies a token. The GIL is released meanwhile.
    #[pyo3(signature = (token, *, revoked_sessions = None, revoked_keys = None, kind = None, now = None))]
    fn verify_jwt(
        &self,
        py: Python<'_>,
        token: String,
        revoked_sessions: Option<Vec<String>>,
        revoked_keys: Option<Vec<String>>,
        kind: Option<String>,
        now: Option<Seconds>,
    ) -> PyResult<VerifiedToken> {
        let revoked = revoked_sessions.unwrap_or_default();
        let revoked_keys = revoked_keys.unwrap_or_default();
        let policy = Arc::clone(&self.inner);
        let now = now_or(seconds(now));
        let result = py.detach(move || {
            let options = core::VerifyTokenOptions::at(now)
                .revoked_sessions(&revoked)
                .revoked_keys(&revoked_keys)
                .kind(kind.as_deref());
            policy.verify_jwt(&token, &options)
        });
        let inner = result.map_err(|e| token_err(py, e))?;
        Ok(VerifiedToken {
            inner,
            policy: Arc::clone(&self.inner),
        })
    }

    /// Signs a session token.
    #[pyo3(signature = (kind, subject, signing_key, *, scopes = None, roles = None, tenant = None, session = None,
                        client_id = None, lifetime = 900, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn issue_session(
        &self,
        py: Python<'_>,
        kind: &str,
        subject: String,
        signing_key: &SigningKey,
        scopes: Option<Vec<String>>,
        roles: Option<Vec<String>>,
        tenant: Option<String>,
        session: Option<String>,
        client_id: Option<String>,
        lifetime: i64,
        now: Option<Seconds>,
    ) -> PyResult<String> {
        let request = core::SessionRequest {
            subject,
            session,
            scopes,
            roles: roles.unwrap_or_default(),
            tenant,
            lifetime,
            client_id,
        };
        self.inner
            .issue_session(kind, &request, &signing_key.inner, now_or(seconds(now)))
            .map_err(|e| token_err(py, e))
    }

    /// Signs a delegated token: `actor` acts for `identity` with at most
    /// `scopes`, each of which the identity must hold now.
    #[pyo3(signature = (kind, identity, signing_key, *, actor, scopes, audience = None, lifetime = 300, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn delegate(
        &self,
        py: Python<'_>,
        kind: &str,
        identity: &Bound<'_, PyAny>,
        signing_key: &SigningKey,
        actor: String,
        scopes: Vec<String>,
        audience: Option<String>,
        lifetime: i64,
        now: Option<Seconds>,
    ) -> PyResult<String> {
        let identity = self.resolve(py, identity)?;
        let request = core::DelegationRequest {
            actor,
            scopes,
            audience,
            lifetime,
        };
        self.inner
            .delegate(kind, &identity, &request, &signing_key.inner, now_or(seconds(now)))
            .map_err(|e| token_err(py, e))
    }

    /// Replaces a jwt kind's public keys at runtime (a fetched JWK Set:
    /// public keys only); its HMAC secrets stay. An invalid set keeps the old one.
    fn set_jwks(&self, py: Python<'_>, kind: &str, jwks: &Bound<'_, PyAny>) -> PyResult<()> {
        let value: serde_json::Value = from_py(jwks, Family::Policy, Code::InvalidPolicy, "jwks")?;
        self.inner.set_jwks(kind, &value).map_err(|e| policy_err(py, e))
    }

    /// Replaces a jwt kind's HMAC secrets at runtime (`oct` keys from the
    /// operator's secret store); its public keys stay.
    fn set_secrets(&self, py: Python<'_>, kind: &str, jwks: &Bound<'_, PyAny>) -> PyResult<()> {
        let value: serde_json::Value = from_py(jwks, Family::Policy, Code::InvalidPolicy, "jwks")?;
        self.inner.set_secrets(kind, &value).map_err(|e| policy_err(py, e))
    }

    /// Key ids of a jwt kind's current key set.
    fn jwks_kids(&self, kind: &str) -> Option<Vec<String>> {
        self.inner
            .jwks(kind)
            .map(|k| k.kids().into_iter().map(str::to_owned).collect())
    }

    fn __repr__(&self) -> String {
        format!("Policy(hash='{}')", self.inner.hash())
    }
}

/// The stored hash of a key: `sha256:<hex>`, or `hmac-sha256:<hex>` with a pepper.
#[pyfunction]
#[pyo3(signature = (key, *, pepper = None))]
fn hash_key(py: Python<'_>, key: &str, pepper: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    let pepper = self::pepper(pepper)?;
    let parsed = core::ApiKey::parse(key).map_err(|e| key_err(py, e))?;
    Ok(parsed.hash(pepper.as_ref()))
}

/// Every stable code, in declaration order.
#[pyfunction]
fn codes() -> Vec<&'static str> {
    Code::ALL.iter().map(|c| c.as_str()).collect()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("PermisoError", py.get_type::<PermisoError>())?;
    m.add("InvalidPolicy", py.get_type::<InvalidPolicy>())?;
    m.add("InvalidKey", py.get_type::<InvalidKey>())?;
    m.add("InvalidToken", py.get_type::<InvalidToken>())?;
    m.add("InvalidPrincipal", py.get_type::<InvalidPrincipal>())?;
    m.add("ScopeEscalation", py.get_type::<ScopeEscalation>())?;
    m.add_class::<Policy>()?;
    m.add_class::<Identity>()?;
    m.add_class::<Decision>()?;
    m.add_class::<GeneratedKey>()?;
    m.add_class::<VerifiedKey>()?;
    m.add_class::<VerifiedToken>()?;
    m.add_class::<SigningKey>()?;
    m.add_class::<JwksRefresh>()?;
    m.add_function(wrap_pyfunction!(hash_key, m)?)?;
    m.add_function(wrap_pyfunction!(codes, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("BACKEND", core::jwt::backend())?;
    Ok(())
}
