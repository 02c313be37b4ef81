//! `permiso._native`: Python bindings of the permiso core.
//!
//! This crate only converts types (dicts <-> the core's serde records),
//! names things the Python way and maps the core's codes to exceptions, once,
//! in [`to_py_err`]. Every rule lives in the `permiso` crate.

use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

mod de;
mod ser;

use permiso as core;
use permiso::wire;
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

/// `InvalidArgument(PermisoError, TypeError)`: an argument of the wrong
/// type or shape, naming the argument (`code` is `invalid_argument`). Made
/// when the module loads, since it has two bases.
static INVALID_ARGUMENT: pyo3::sync::PyOnceLock<Py<pyo3::types::PyType>> = pyo3::sync::PyOnceLock::new();

fn invalid_argument_class(py: Python<'_>) -> PyResult<&Py<pyo3::types::PyType>> {
    INVALID_ARGUMENT.get_or_try_init(py, || {
        let namespace = PyDict::new(py);
        namespace.set_item("__module__", "permiso._native")?;
        namespace.set_item(
            "__doc__",
            "An argument of the wrong type or shape (`code` is `invalid_argument`); also a TypeError.",
        )?;
        let bases = PyTuple::new(
            py,
            [
                py.get_type::<PermisoError>().into_any(),
                py.get_type::<PyTypeError>().into_any(),
            ],
        )?;
        let class = py
            .import("builtins")?
            .getattr("type")?
            .call1(("InvalidArgument", bases, namespace))?;
        Ok(class.cast_into::<pyo3::types::PyType>()?.unbind())
    })
}

/// The one conversion of failures: the core's error record becomes the
/// exception of its family (`ScopeEscalation` by its code), carrying `code`,
/// `message`, and for policies `detail`, `path` and `issues`.
fn err(py: Python<'_>, e: wire::Error) -> PyErr {
    let message = e.message.clone();
    let err = match (e.code, e.family) {
        (Code::ScopeEscalation, _) => ScopeEscalation::new_err(message),
        (_, wire::Family::Policy) => InvalidPolicy::new_err(message),
        (_, wire::Family::Principal) => InvalidPrincipal::new_err(message),
        (_, wire::Family::Key) => InvalidKey::new_err(message),
        (_, wire::Family::Token) => InvalidToken::new_err(message),
        (_, wire::Family::Argument) => match invalid_argument_class(py) {
            Ok(class) => PyErr::from_type(class.bind(py).clone(), message),
            Err(e) => e,
        },
    };
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail in practice;
    // if it did, the exception would still carry its message.
    let _ = value.setattr("code", e.code.as_str());
    let _ = value.setattr("message", e.message.as_str());
    if let Some(detail) = e.detail {
        let _ = value.setattr("detail", detail);
        let _ = value.setattr("path", e.path.as_deref().unwrap_or_default());
        let issues: Vec<(&str, &str, &str)> = e
            .issues
            .iter()
            .map(|i| (i.detail, i.path.as_str(), i.message.as_str()))
            .collect();
        let _ = value.setattr("issues", issues);
    }
    err
}

/// `err` for any of the core's errors.
fn fail<E: Into<wire::Error>>(py: Python<'_>) -> impl FnOnce(E) -> PyErr + '_ {
    move |e| err(py, e.into())
}

/// A dict (or list) from Python into a core record; shape errors carry `code`
/// and the place they are at. Read as JSON data (see `de`), so a `str` never
/// stands in for a list (`"deployments:*"` is not the scopes `d`, `e`, …),
/// as in every runtime.
fn from_py<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, code: Code, what: &str) -> PyResult<T> {
    if obj.is_none() {
        return Err(err(obj.py(), wire::Error::record(code, what, "is missing")));
    }
    // Read first without tracking the path (no key is copied); only a record
    // that fails is read again, with its path, for the message.
    T::deserialize(de::PyDeserializer::new(obj.clone()))
        .or_else(|_| wire::read_from(de::PyDeserializer::new(obj.clone()), code, what).map_err(|e| err(obj.py(), e)))
}

/// A JSON document from Python as it is (an AuthZEN request, a policy, a JWK
/// Set): no record to read it into, so no second pass over it.
fn value_from_py(obj: &Bound<'_, PyAny>, code: Code, what: &str) -> PyResult<serde_json::Value> {
    match json_value(obj, 0) {
        Ok(serde_json::Value::Null) => Err(err(obj.py(), wire::Error::record(code, what, "is missing"))),
        Ok(value) => Ok(value),
        Err(e) => Err(err(obj.py(), wire::Error::record(code, what, e))),
    }
}

/// Nesting deeper than this is refused (a dict that contains itself would
/// otherwise recurse without end).
pub(crate) const MAX_DEPTH: usize = 64;

/// The JSON value of a Python value: `dict` (string keys), `list`/`tuple`,
/// `str`, `bool`, `int`, `float` and `None`; anything else is refused. Only
/// type checks: asking every dict for dataclass fields, as a generic
/// converter does, pays for an AttributeError each time (about a
/// microsecond per nested dict, most of the cost of a record).
pub(crate) fn json_value(obj: &Bound<'_, PyAny>, depth: usize) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    if depth > MAX_DEPTH {
        return Err(format!("is nested deeper than {MAX_DEPTH} levels"));
    }
    if obj.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = obj.cast::<pyo3::types::PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if let Ok(s) = obj.cast::<PyString>() {
        Ok(Value::String(s.to_cow().map_err(|e| e.to_string())?.into_owned()))
    } else if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = k
                .cast::<PyString>()
                .map_err(|_| "has a key that is not a string".to_owned())?;
            map.insert(
                key.to_cow().map_err(|e| e.to_string())?.into_owned(),
                json_value(&v, depth + 1)?,
            );
        }
        Ok(Value::Object(map))
    } else if let Ok(l) = obj.cast::<PyList>() {
        l.iter().map(|v| json_value(&v, depth + 1)).collect()
    } else if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().map(|v| json_value(&v, depth + 1)).collect()
    } else if let Ok(i) = obj.cast::<pyo3::types::PyInt>() {
        if let Ok(n) = i.extract::<i64>() {
            Ok(Value::from(n))
        } else {
            i.extract::<u64>()
                .map(Value::from)
                .map_err(|_| "has an integer out of the 64-bit range".to_owned())
        }
    } else if let Ok(f) = obj.cast::<pyo3::types::PyFloat>() {
        serde_json::Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| "has a float that is not finite".to_owned())
    } else {
        let name = obj
            .get_type()
            .name()
            .map_or_else(|_| "value".to_owned(), |n| n.to_string());
        Err(format!("has a `{name}` where JSON data was expected"))
    }
}

/// A time argument as given: an int, or a float (`time.time()`); checked
/// as unix seconds, under the argument's name, by [`seconds`].
#[derive(Clone, Copy)]
enum Seconds {
    Int(i64),
    Float(f64),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Seconds {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(i) = obj.extract::<i64>() {
            Ok(Seconds::Int(i))
        } else if let Ok(f) = obj.extract::<f64>() {
            Ok(Seconds::Float(f))
        } else {
            Err(err(
                obj.py(),
                wire::Error::argument("time", "must be an int or a float of unix seconds"),
            ))
        }
    }
}

/// A time argument in unix seconds (a float floored); milliseconds are
/// refused with `invalid_argument`, naming the argument.
fn seconds(py: Python<'_>, value: Option<Seconds>, what: &'static str) -> PyResult<Option<i64>> {
    let checked = match value {
        None => return Ok(None),
        Some(Seconds::Int(i)) => wire::seconds(what, i),
        Some(Seconds::Float(f)) => wire::seconds_f64(what, f),
    };
    checked.map(Some).map_err(|e| err(py, e))
}

/// The options of a token verification, from keyword arguments.
fn token_options(
    py: Python<'_>,
    revoked_sessions: Option<Vec<String>>,
    revoked_keys: Option<Vec<String>>,
    kind: Option<String>,
    now: Option<Seconds>,
) -> PyResult<wire::TokenOptions> {
    Ok(wire::TokenOptions {
        revoked_sessions: revoked_sessions.unwrap_or_default(),
        revoked_keys: revoked_keys.unwrap_or_default(),
        kind,
        now: seconds(py, now, "now")?,
    })
}

/// An optional principal record (`None` for none).
fn opt_principal(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<core::PrincipalRecord>> {
    match value {
        Some(v) if !v.is_none() => from_py(v, Code::InvalidPrincipal, what).map(Some),
        _ => Ok(None),
    }
}

fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    ser::to_python(py, value).map_err(|e| PermisoError::new_err(e.to_string()))
}

/// An HTTP request from its method, path and headers (a mapping or pairs).
fn http_request(method: String, path: Option<String>, headers: &Bound<'_, PyAny>) -> PyResult<wire::HttpRequest> {
    Ok(wire::HttpRequest {
        method,
        path,
        url: None,
        headers: wire::Headers(header_pairs(headers, "headers")?),
    })
}

/// A matched route from `authorize_route`'s arguments.
fn matched_route(
    method: String,
    template: String,
    params: &Bound<'_, PyAny>,
    headers: &Bound<'_, PyAny>,
) -> PyResult<wire::MatchedRoute> {
    Ok(wire::MatchedRoute {
        method,
        template,
        params: wire::Params(header_pairs(params, "params")?),
        headers: wire::Headers(header_pairs(headers, "headers")?),
    })
}

/// `now`, else the clock.
fn now_or(now: Option<i64>) -> i64 {
    now.unwrap_or_else(clock)
}

/// The system clock, unix seconds.
fn clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
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
    Err(err(value.py(), wire::Error::argument("pepper", "must be str or bytes")))
}

/// Name-value pairs (headers, route parameters) from a dict, a mapping, or
/// an iterable of `(name, value)`; a list value is repeated pairs. `what`
/// names the argument in errors.
fn header_pairs(headers: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<(String, String)>> {
    let py = headers.py();
    let bad = |why: &str| err(py, wire::Error::argument(what, why));
    if headers.is_none() {
        return Err(bad("must be a mapping or a list of (name, value) pairs, not None"));
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
        .map_err(|_| bad("must be a mapping or a list of (name, value) pairs"))?
    {
        let item = item?;
        let tuple = item
            .cast::<PyTuple>()
            .map_err(|_| bad("each entry must be a (name, value) pair"))?;
        if tuple.len() != 2 {
            return Err(bad("each entry must be a (name, value) pair"));
        }
        let name: String = tuple.get_item(0)?.extract().map_err(|_| bad("names must be str"))?;
        let value = tuple.get_item(1)?;
        if let Ok(list) = value.cast::<PyList>() {
            for v in list.iter() {
                let v: String = v.extract().map_err(|_| bad("values must be str"))?;
                out.push((name.clone(), v));
            }
        } else {
            let v: String = value.extract().map_err(|_| bad("values must be str"))?;
            out.push((name, v));
        }
    }
    Ok(out)
}

/// A check's resource: an id, or a record with attributes.
enum Resource<'a> {
    None,
    Id(&'a Bound<'a, PyString>, &'a str),
    Record(core::ResourceRecord),
}

impl<'a> Resource<'a> {
    fn read(value: Option<&'a Bound<'a, PyAny>>) -> PyResult<Resource<'a>> {
        let Some(value) = value.filter(|v| !v.is_none()) else {
            return Ok(Resource::None);
        };
        if let Ok(id) = value.cast::<PyString>() {
            return Ok(Resource::Id(id, id.to_str()?));
        }
        Ok(Resource::Record(from_py(value, Code::InvalidArgument, "resource")?))
    }

    fn check<'c>(&'c self, check: core::Check<'c>) -> core::Check<'c> {
        match self {
            Resource::None => check,
            Resource::Id(_, id) => check.on(id),
            Resource::Record(record) => check.on_record(record),
        }
    }
}

/// The host data of a request, converted once (owned, so the GIL can be
/// released while it is used).
#[allow(clippy::too_many_arguments)]
fn host_data(
    keys: Option<&Bound<'_, PyAny>>,
    principals: Option<&Bound<'_, PyAny>>,
    resources: Option<&Bound<'_, PyAny>>,
    revoked_keys: Option<Vec<String>>,
    revoked_sessions: Option<Vec<String>>,
    pepper: Option<&Bound<'_, PyAny>>,
    now: Option<Seconds>,
    py: Python<'_>,
) -> PyResult<wire::HostRecords> {
    Ok(wire::HostRecords {
        keys: match keys {
            Some(k) if !k.is_none() => from_py(k, Code::InvalidKeyRecord, "keys")?,
            _ => Vec::new(),
        },
        principals: match principals {
            Some(p) if !p.is_none() => from_py(p, Code::InvalidPrincipal, "principals")?,
            _ => Vec::new(),
        },
        resources: match resources {
            Some(r) if !r.is_none() => from_py(r, Code::InvalidArgument, "resources")?,
            _ => Vec::new(),
        },
        revoked_keys: revoked_keys.unwrap_or_default(),
        revoked_sessions: revoked_sessions.unwrap_or_default(),
        pepper: self::pepper(pepper)?,
        now: seconds(py, now, "now")?,
    })
}

/// A decision: `allowed`, `code`, `status`, `message`, `missing` and the
/// `audit` record (a dict ready for `json.dumps`).
///
/// A decision on an `Identity` and a resource id holds its code and the
/// call's arguments; the core makes the rest (message, audit record, id)
/// from them, at the call's time, when first read.
#[pyclass(frozen, freelist = 256, module = "permiso._native")]
struct Decision {
    code: Code,
    made: Made,
}

enum Made {
    Now(core::Decision<'static>),
    Later(Later, OnceLock<core::Decision<'static>>),
}

/// The arguments of a check whose decision is made when first read.
struct Later {
    policy: Arc<core::Policy>,
    identity: Py<Identity>,
    action: Py<PyString>,
    resource: Option<Py<PyString>>,
    tenant: Option<Py<PyString>>,
    now: i64,
}

impl Later {
    fn make(&self, py: Python<'_>) -> PyResult<core::Decision<'static>> {
        let (action, resource, tenant) = (self.action.bind(py), self.resource.as_ref(), self.tenant.as_ref());
        let resource = resource.map(|r| r.bind(py));
        let tenant = tenant.map(|t| t.bind(py));
        let mut check = core::Check::new(action.to_str()?);
        if let Some(id) = resource {
            check = check.on(id.to_str()?);
        }
        let tenant = tenant.map(|t| t.to_str()).transpose()?;
        let identity = &self.identity.get().inner;
        Ok(self
            .policy
            .authorize(identity, check.tenant(tenant), self.now)
            .into_owned())
    }
}

impl Decision {
    fn now(decision: core::Decision<'static>) -> Decision {
        Decision {
            code: decision.code(),
            made: Made::Now(decision),
        }
    }

    fn inner(&self, py: Python<'_>) -> PyResult<&core::Decision<'static>> {
        match &self.made {
            Made::Now(decision) => Ok(decision),
            Made::Later(later, cell) => match cell.get() {
                Some(decision) => Ok(decision),
                None => {
                    let decision = later.make(py)?;
                    Ok(cell.get_or_init(|| decision))
                }
            },
        }
    }
}

#[pymethods]
impl Decision {
    #[getter]
    fn allowed(&self) -> bool {
        self.code.allows()
    }
    #[getter]
    fn code(&self) -> &'static str {
        self.code.as_str()
    }
    #[getter]
    fn status(&self) -> u16 {
        self.code.status()
    }
    #[getter]
    fn message(&self, py: Python<'_>) -> PyResult<&str> {
        Ok(self.inner(py)?.message())
    }
    #[getter]
    fn missing(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        Ok(self.inner(py)?.missing().map(str::to_owned).collect())
    }
    #[getter]
    fn action(&self, py: Python<'_>) -> PyResult<Option<&str>> {
        Ok(self.inner(py)?.action())
    }
    #[getter]
    fn resource(&self, py: Python<'_>) -> PyResult<Option<&str>> {
        Ok(self.inner(py)?.resource())
    }
    #[getter]
    fn tenant(&self, py: Python<'_>) -> PyResult<Option<&str>> {
        Ok(self.inner(py)?.tenant())
    }
    #[getter]
    fn route(&self, py: Python<'_>) -> PyResult<Option<&str>> {
        Ok(self.inner(py)?.route())
    }
    #[getter]
    fn principal(&self, py: Python<'_>) -> PyResult<Option<&str>> {
        Ok(self.inner(py)?.actor().principal())
    }
    /// The same as `allowed` (every runtime's decision record carries `ok`).
    #[getter]
    fn ok(&self) -> bool {
        self.code.allows()
    }
    /// `{"kind", "id"}` of the credential, as in every runtime's record.
    #[getter]
    fn credential<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &wire::DecisionInfo::from(self.inner(py)?).credential)
    }
    #[getter]
    fn credential_kind(&self, py: Python<'_>) -> PyResult<Option<&str>> {
        Ok(self.inner(py)?.actor().kind())
    }
    #[getter]
    fn key_id(&self, py: Python<'_>) -> PyResult<Option<&str>> {
        Ok(self.inner(py)?.actor().key_id())
    }
    #[getter]
    fn decision_id(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.inner(py)?.id().to_string())
    }
    /// The audit record as a dict.
    #[getter]
    fn audit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner(py)?.audit())
    }
    /// The audit record as one line of JSON.
    fn audit_json(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.inner(py)?.audit_json())
    }
    /// Everything the conformance vectors compare, as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &wire::DecisionInfo::from(self.inner(py)?))
    }
    fn __bool__(&self) -> bool {
        self.code.allows()
    }
    fn __repr__(&self) -> String {
        let allowed = if self.code.allows() { "True" } else { "False" };
        format!(
            "Decision(allowed={allowed}, code='{}', status={})",
            self.code,
            self.code.status()
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

/// A rotation: `key` (the new GeneratedKey; show its key once) and `old`
/// (the old record with its grace expiry, to store). Unpacks as
/// `new, old = policy.rotate_key(...)`.
#[pyclass(frozen, module = "permiso._native")]
struct Rotation {
    key: Py<GeneratedKey>,
    old: core::KeyRecord,
}

#[pymethods]
impl Rotation {
    #[getter]
    fn key(&self, py: Python<'_>) -> Py<GeneratedKey> {
        self.key.clone_ref(py)
    }
    #[getter]
    fn old<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.old)
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pair = PyTuple::new(py, [self.key.clone_ref(py).into_any(), self.old(py)?.unbind()])?;
        pair.try_iter().map(Bound::into_any)
    }
    fn __repr__(&self) -> String {
        format!("Rotation(new='{}', old='{}')", self.key.get().record.id, self.old.id)
    }
}

/// A key record read once, for a host that keeps its records in memory:
/// `verify_key` then skips converting the dict on every call.
#[pyclass(frozen, module = "permiso._native")]
struct KeyRecord {
    inner: Arc<core::KeyRecord>,
}

#[pymethods]
impl KeyRecord {
    /// Reads and checks `record` (a dict as `generate_key` returns it).
    #[new]
    fn new(record: &Bound<'_, PyAny>) -> PyResult<Self> {
        let inner = from_py::<core::KeyRecord>(record, Code::InvalidKeyRecord, "record")?;
        Ok(KeyRecord { inner: Arc::new(inner) })
    }
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    #[getter]
    fn kind(&self) -> &str {
        &self.inner.kind
    }
    #[getter]
    fn owner(&self) -> &str {
        &self.inner.owner
    }
    #[getter]
    fn mask(&self) -> &str {
        &self.inner.mask
    }
    /// The record as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &*self.inner)
    }
    fn __repr__(&self) -> String {
        format!(
            "KeyRecord(id='{}', kind='{}', mask='{}')",
            self.inner.id, self.inner.kind, self.inner.mask
        )
    }
}

/// A key that verified against its record.
#[pyclass(frozen, freelist = 256, module = "permiso._native")]
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
    /// The key as every runtime shows it.
    fn info(&self) -> wire::KeyInfo {
        wire::key_info(&self.inner)
    }
    /// The identity the key authenticates; `owner` is the owner's principal record.
    #[pyo3(signature = (owner = None))]
    fn identity(&self, py: Python<'_>, owner: Option<&Bound<'_, PyAny>>) -> PyResult<Identity> {
        let owner = opt_principal(owner, "owner")?;
        let inner = self
            .policy
            .key_identity(&self.inner, owner.as_ref())
            .map_err(fail(py))?;
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
        to_py(py, &self.inner.claims.to_map())
    }
    /// Everything the conformance vectors compare, as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &wire::TokenInfo::from(&self.inner))
    }
    /// The token as every runtime shows it.
    fn info(&self) -> wire::TokenInfo {
        wire::TokenInfo::from(&self.inner)
    }
    /// The identity; a host `principal` record, when given, is authoritative.
    #[pyo3(signature = (principal = None))]
    fn identity(&self, py: Python<'_>, principal: Option<&Bound<'_, PyAny>>) -> PyResult<Identity> {
        let principal = opt_principal(principal, "principal")?;
        let inner = self
            .policy
            .token_identity(&self.inner, principal.as_ref())
            .map_err(fail(py))?;
        Ok(Identity { inner })
    }
}

/// A token that passed every rule before its signature (see `begin_jwt`).
#[pyclass(frozen, module = "permiso._native")]
struct PendingToken {
    inner: std::sync::Mutex<Option<core::PendingToken>>,
}

impl PendingToken {
    fn with<T>(&self, f: impl FnOnce(&core::PendingToken) -> T) -> Option<T> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(f)
    }

    /// The staged token, for a request's or route's decision (which may be
    /// asked again); `complete_jwt` takes it instead.
    fn staged(&self, py: Python<'_>) -> PyResult<core::PendingToken> {
        self.with(Clone::clone)
            .ok_or_else(|| err(py, wire::Error::argument("pending", "this token was completed already")))
    }
}

#[pymethods]
impl PendingToken {
    /// The JOSE algorithm (`None` once completed).
    #[getter]
    fn algorithm(&self) -> Option<&'static str> {
        self.with(core::PendingToken::algorithm)
    }
    /// The public JWK of the selected key; `None` for HMAC.
    #[getter]
    fn public_jwk<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.with(|p| p.public_jwk().cloned()).flatten() {
            Some(jwk) => to_py(py, &jwk).map(Some),
            None => Ok(None),
        }
    }
    /// The RFC 7638 SHA-256 thumbprint of `public_jwk` (base64url), to find
    /// a key imported before without reading the JWK; `None` with it.
    #[getter]
    fn key_thumbprint(&self) -> Option<String> {
        self.with(|p| p.key_thumbprint().map(str::to_owned)).flatten()
    }
    /// The signed bytes (`header.payload`).
    #[getter]
    fn signing_input<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.with(|p| PyBytes::new(py, p.signing_input()))
    }
    /// The decoded signature.
    #[getter]
    fn signature<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.with(|p| PyBytes::new(py, p.signature()))
    }
    fn __repr__(&self) -> String {
        format!("PendingToken(algorithm={:?})", self.with(core::PendingToken::algorithm))
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
        let key = core::SigningKey::hmac(algorithm, secret).map_err(fail(py))?;
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
            return Err(err(py, wire::Error::argument("pem", "must be str or bytes")));
        };
        let key = core::SigningKey::from_pem(algorithm, &bytes).map_err(fail(py))?;
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
    /// `max_age` and `cooldown` in seconds; the core's defaults when absent.
    #[pyo3(signature = (*, max_age = None, cooldown = None))]
    fn new(max_age: Option<i64>, cooldown: Option<i64>) -> Self {
        JwksRefresh {
            inner: wire::jwks_refresh(max_age, cooldown),
        }
    }
    #[pyo3(signature = (now = None))]
    fn due(&self, py: Python<'_>, now: Option<Seconds>) -> PyResult<bool> {
        Ok(self.inner.due(now_or(seconds(py, now, "now")?)))
    }
    #[pyo3(signature = (now = None))]
    fn on_unknown_kid(&self, py: Python<'_>, now: Option<Seconds>) -> PyResult<bool> {
        Ok(self.inner.on_unknown_kid(now_or(seconds(py, now, "now")?)))
    }
    #[pyo3(signature = (now = None))]
    fn succeeded(&mut self, py: Python<'_>, now: Option<Seconds>) -> PyResult<()> {
        self.inner.succeeded(now_or(seconds(py, now, "now")?));
        Ok(())
    }
    #[pyo3(signature = (now = None))]
    fn failed(&mut self, py: Python<'_>, now: Option<Seconds>) -> PyResult<()> {
        self.inner.failed(now_or(seconds(py, now, "now")?));
        Ok(())
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
        .map_err(fail(py))?;
    Ok(Policy {
        inner: Arc::new(policy),
    })
}

impl Policy {
    fn resolve(&self, py: Python<'_>, identity: &Bound<'_, PyAny>) -> PyResult<core::Identity> {
        if let Ok(i) = identity.cast::<Identity>() {
            return Ok(i.get().inner.clone());
        }
        let record: core::IdentityRecord = from_py(identity, Code::InvalidPrincipal, "identity")?;
        self.inner.identity(record).map_err(fail(py))
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
        let value = value_from_py(document, Code::InvalidPolicy, "policy")?;
        let policy = core::Policy::from_value(&value).map_err(fail(py))?;
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

    /// Decides whether `identity` (an Identity or its dict) may do `action`
    /// on `resource`: its id (`"record:101"`) or its record
    /// (`{"id": ..., "attributes": {...}}`, whose attributes rules read).
    #[pyo3(signature = (identity, action, resource = None, tenant = None, *, now = None))]
    fn authorize(
        &self,
        py: Python<'_>,
        identity: &Bound<'_, PyAny>,
        action: &Bound<'_, PyString>,
        resource: Option<&Bound<'_, PyAny>>,
        tenant: Option<&Bound<'_, PyString>>,
        now: Option<Seconds>,
    ) -> PyResult<Decision> {
        let resource = Resource::read(resource)?;
        let check = resource
            .check(core::Check::new(action.to_str()?))
            .tenant(tenant.map(|t| t.to_str()).transpose()?);
        let now = now_or(seconds(py, now, "now")?);
        let identity = match identity.cast::<Identity>() {
            Ok(identity) => identity,
            Err(_) => {
                let resolved = self.resolve(py, identity)?;
                return Ok(Decision::now(self.inner.authorize(&resolved, check, now).into_owned()));
            }
        };
        let resource = match resource {
            Resource::None => None,
            Resource::Id(id, _) => Some(id.clone().unbind()),
            Resource::Record(_) => {
                let decision = self.inner.authorize(&identity.get().inner, check, now);
                return Ok(Decision::now(decision.into_owned()));
            }
        };
        let code = self.inner.decision_code(&identity.get().inner, check);
        let later = Later {
            policy: Arc::clone(&self.inner),
            identity: identity.clone().unbind(),
            action: action.clone().unbind(),
            resource,
            tenant: tenant.map(|t| t.clone().unbind()),
            now,
        };
        Ok(Decision {
            code,
            made: Made::Later(later, OnceLock::new()),
        })
    }

    /// Whether `identity` may do `action`: the rules of `authorize`, answering
    /// only yes or no (no Decision, no audit record).
    #[pyo3(signature = (identity, action, resource = None, tenant = None))]
    fn is_allowed(
        &self,
        identity: &Identity,
        action: &str,
        resource: Option<&Bound<'_, PyAny>>,
        tenant: Option<&str>,
    ) -> PyResult<bool> {
        let resource = Resource::read(resource)?;
        Ok(self
            .inner
            .is_allowed(&identity.inner, resource.check(core::Check::new(action)).tenant(tenant)))
    }

    /// Answers an AuthZEN 1.0 request (a dict) of `api`: `evaluation`,
    /// `evaluations`, `search/subject`, `search/resource` or `search/action`,
    /// from the host's `principals` and `resources`. A dict comes back; a
    /// denial is a response, a malformed request raises.
    #[pyo3(signature = (api, request, *, principals = None, resources = None, now = None))]
    fn authzen<'py>(
        &self,
        py: Python<'py>,
        api: &str,
        request: &Bound<'py, PyAny>,
        principals: Option<&Bound<'py, PyAny>>,
        resources: Option<&Bound<'py, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let api = core::authzen::Api::parse(api).map_err(fail(py))?;
        let request = core::authzen::Request::read(api, de::PyDeserializer::new(request.clone()), || {
            value_from_py(request, Code::InvalidRequest, "request")
        })?;
        let host = host_data(None, principals, resources, None, None, None, now, py)?;
        let policy = Arc::clone(&self.inner);
        let response = py.detach(move || wire::authzen_request(&policy, &request, &host, clock));
        to_py(py, &response.map_err(fail(py))?)
    }

    /// An AuthZEN access evaluation: `{"decision": bool, "context": {...}}`.
    #[pyo3(signature = (request, *, principals = None, resources = None, now = None))]
    fn access_evaluation<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        principals: Option<&Bound<'py, PyAny>>,
        resources: Option<&Bound<'py, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.authzen(py, "evaluation", request, principals, resources, now)
    }

    /// AuthZEN access evaluations (a batch, one call): `{"evaluations": [...]}`.
    #[pyo3(signature = (request, *, principals = None, resources = None, now = None))]
    fn access_evaluations<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        principals: Option<&Bound<'py, PyAny>>,
        resources: Option<&Bound<'py, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.authzen(py, "evaluations", request, principals, resources, now)
    }

    /// AuthZEN subject search: `{"results": [{"type", "id"}], "page"?}`.
    #[pyo3(signature = (request, *, principals = None, resources = None, now = None))]
    fn search_subjects<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        principals: Option<&Bound<'py, PyAny>>,
        resources: Option<&Bound<'py, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.authzen(py, "search/subject", request, principals, resources, now)
    }

    /// AuthZEN resource search: `{"results": [{"type", "id"}], "page"?}`.
    #[pyo3(signature = (request, *, principals = None, resources = None, now = None))]
    fn search_resources<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        principals: Option<&Bound<'py, PyAny>>,
        resources: Option<&Bound<'py, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.authzen(py, "search/resource", request, principals, resources, now)
    }

    /// AuthZEN action search: `{"results": [{"name"}], "page"?}`.
    #[pyo3(signature = (request, *, principals = None, resources = None, now = None))]
    fn search_actions<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        principals: Option<&Bound<'py, PyAny>>,
        resources: Option<&Bound<'py, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.authzen(py, "search/action", request, principals, resources, now)
    }

    /// The route and what to fetch (a key id) before `authorize_request`.
    fn classify(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        headers: &Bound<'_, PyAny>,
    ) -> PyResult<wire::Classification> {
        let request = http_request(method.to_owned(), Some(path.to_owned()), headers)?;
        wire::classify(&self.inner, &request).map_err(fail(py))
    }

    /// Authorizes an HTTP request in one call. The GIL is released meanwhile.
    #[pyo3(signature = (method, path, headers, *, keys = None, principals = None, resources = None,
                        revoked_keys = None, revoked_sessions = None, pepper = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn authorize_request(
        &self,
        py: Python<'_>,
        method: String,
        path: String,
        headers: &Bound<'_, PyAny>,
        keys: Option<&Bound<'_, PyAny>>,
        principals: Option<&Bound<'_, PyAny>>,
        resources: Option<&Bound<'_, PyAny>>,
        revoked_keys: Option<Vec<String>>,
        revoked_sessions: Option<Vec<String>>,
        pepper: Option<&Bound<'_, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Decision> {
        let request = http_request(method, Some(path), headers)?;
        let host = host_data(
            keys,
            principals,
            resources,
            revoked_keys,
            revoked_sessions,
            pepper,
            now,
            py,
        )?;
        let policy = Arc::clone(&self.inner);
        let decision =
            py.detach(move || wire::authorize_request(&policy, &request, &host, clock).map(core::Decision::into_owned));
        Ok(Decision::now(decision.map_err(fail(py))?))
    }

    /// The bearer token a request's headers present, staged up to its
    /// signature, for a host that checks public-key signatures itself (for
    /// `complete_request`, or `complete_route` with the route's headers);
    /// `None` when there is none to check (then call `authorize_request` or
    /// `authorize_route`).
    fn begin_request(&self, headers: &Bound<'_, PyAny>) -> PyResult<Option<PendingToken>> {
        let request = http_request(String::new(), None, headers)?;
        Ok(wire::begin_request(&self.inner, &request).map(|pending| PendingToken {
            inner: std::sync::Mutex::new(Some(pending)),
        }))
    }

    /// `authorize_request` with the host's verdict on the signature of the
    /// token `begin_request` staged (`None`: permiso checks it).
    #[pyo3(signature = (method, path, headers, pending, verdict = None, *, keys = None, principals = None,
                        resources = None, revoked_keys = None, revoked_sessions = None, pepper = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn complete_request(
        &self,
        py: Python<'_>,
        method: String,
        path: String,
        headers: &Bound<'_, PyAny>,
        pending: &PendingToken,
        verdict: Option<bool>,
        keys: Option<&Bound<'_, PyAny>>,
        principals: Option<&Bound<'_, PyAny>>,
        resources: Option<&Bound<'_, PyAny>>,
        revoked_keys: Option<Vec<String>>,
        revoked_sessions: Option<Vec<String>>,
        pepper: Option<&Bound<'_, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Decision> {
        let request = http_request(method, Some(path), headers)?;
        let host = host_data(
            keys,
            principals,
            resources,
            revoked_keys,
            revoked_sessions,
            pepper,
            now,
            py,
        )?;
        let staged = pending.staged(py)?;
        let decision = wire::complete_request(&self.inner, &request, &host, &staged, verdict, clock)
            .map(core::Decision::into_owned)
            .map_err(fail(py))?;
        Ok(Decision::now(decision))
    }

    /// Authorizes the route the application's router matched: the path
    /// `template` as the policy writes it and the decoded `params`; no path
    /// is parsed. The GIL is released meanwhile.
    #[pyo3(signature = (method, template, params, headers, *, keys = None, principals = None, resources = None,
                        revoked_keys = None, revoked_sessions = None, pepper = None, now = None))]
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
        resources: Option<&Bound<'_, PyAny>>,
        revoked_keys: Option<Vec<String>>,
        revoked_sessions: Option<Vec<String>>,
        pepper: Option<&Bound<'_, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Decision> {
        let route = matched_route(method, template, params, headers)?;
        let host = host_data(
            keys,
            principals,
            resources,
            revoked_keys,
            revoked_sessions,
            pepper,
            now,
            py,
        )?;
        let policy = Arc::clone(&self.inner);
        let decision =
            py.detach(move || wire::authorize_route(&policy, &route, &host, clock).map(core::Decision::into_owned));
        Ok(Decision::now(decision.map_err(fail(py))?))
    }

    /// `authorize_route` with the host's verdict on the signature of the
    /// token `begin_request` staged from the same headers (`None`: permiso
    /// checks it).
    #[pyo3(signature = (method, template, params, headers, pending, verdict = None, *, keys = None,
                        principals = None, resources = None, revoked_keys = None, revoked_sessions = None,
                        pepper = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn complete_route(
        &self,
        py: Python<'_>,
        method: String,
        template: String,
        params: &Bound<'_, PyAny>,
        headers: &Bound<'_, PyAny>,
        pending: &PendingToken,
        verdict: Option<bool>,
        keys: Option<&Bound<'_, PyAny>>,
        principals: Option<&Bound<'_, PyAny>>,
        resources: Option<&Bound<'_, PyAny>>,
        revoked_keys: Option<Vec<String>>,
        revoked_sessions: Option<Vec<String>>,
        pepper: Option<&Bound<'_, PyAny>>,
        now: Option<Seconds>,
    ) -> PyResult<Decision> {
        let route = matched_route(method, template, params, headers)?;
        let host = host_data(
            keys,
            principals,
            resources,
            revoked_keys,
            revoked_sessions,
            pepper,
            now,
            py,
        )?;
        let staged = pending.staged(py)?;
        let decision = wire::complete_route(&self.inner, &route, &host, &staged, verdict, clock)
            .map(core::Decision::into_owned)
            .map_err(fail(py))?;
        Ok(Decision::now(decision))
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
        let options = wire::NewKeyOptions {
            scopes,
            label,
            expires_at: seconds(py, expires_at, "expires_at")?,
            pepper: self::pepper(pepper)?,
            now: seconds(py, now, "now")?,
        };
        let generated = wire::generate_key(&self.inner, kind, owner, &options, clock).map_err(fail(py))?;
        Ok(GeneratedKey {
            key: generated.key,
            record: generated.record,
        })
    }

    /// Rotates a key: a `Rotation` (`.key`, the new GeneratedKey; `.old`, the
    /// old record with its grace expiry).
    #[pyo3(signature = (record, *, grace = None, scopes = None, expires_at = None, label = None, pepper = None,
                        revoked_keys = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn rotate_key(
        &self,
        py: Python<'_>,
        record: &Bound<'_, PyAny>,
        grace: Option<i64>,
        scopes: Option<Vec<String>>,
        expires_at: Option<Seconds>,
        label: Option<String>,
        pepper: Option<&Bound<'_, PyAny>>,
        revoked_keys: Option<Vec<String>>,
        now: Option<Seconds>,
    ) -> PyResult<Rotation> {
        let old: core::KeyRecord = from_py(record, Code::InvalidKeyRecord, "record")?;
        let options = wire::RotateOptions {
            grace,
            scopes,
            expires_at: seconds(py, expires_at, "expires_at")?,
            label,
            pepper: self::pepper(pepper)?,
            revoked_keys: revoked_keys.unwrap_or_default(),
            now: seconds(py, now, "now")?,
        };
        let rotation = wire::rotate_key(&self.inner, &old, &options, clock).map_err(fail(py))?;
        Ok(Rotation {
            key: Py::new(
                py,
                GeneratedKey {
                    key: rotation.key.key,
                    record: rotation.key.record,
                },
            )?,
            old: rotation.old,
        })
    }

    /// What a key's text says (kind, id, mask, prefix), before any record is read.
    fn parse_key(&self, py: Python<'_>, key: &str) -> PyResult<wire::ParsedKeyInfo> {
        wire::parse_key(&self.inner, key).map_err(fail(py))
    }

    /// Verifies a key against its record (a dict, or a `KeyRecord` read
    /// once). The GIL is kept: one SHA-256 of a short key costs less than
    /// releasing and taking it back.
    #[pyo3(signature = (key, record, *, pepper = None, revoked_keys = None, now = None))]
    fn verify_key(
        &self,
        py: Python<'_>,
        key: &str,
        record: &Bound<'_, PyAny>,
        pepper: Option<&Bound<'_, PyAny>>,
        revoked_keys: Option<Vec<String>>,
        now: Option<Seconds>,
    ) -> PyResult<VerifiedKey> {
        let record = match record.cast::<KeyRecord>() {
            Ok(read) => Arc::clone(&read.get().inner),
            Err(_) => Arc::new(from_py::<core::KeyRecord>(record, Code::InvalidKeyRecord, "record")?),
        };
        let options = wire::KeyOptions {
            pepper: self::pepper(pepper)?,
            revoked_keys: revoked_keys.unwrap_or_default(),
            now: seconds(py, now, "now")?,
        };
        let inner = wire::verify_key(&self.inner, key, record, &options, clock).map_err(fail(py))?;
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
        let options = token_options(py, revoked_sessions, revoked_keys, kind, now)?;
        let policy = Arc::clone(&self.inner);
        let result = py.detach(move || wire::verify_jwt(&policy, &token, &options, clock));
        let inner = result.map_err(fail(py))?;
        Ok(VerifiedToken {
            inner,
            policy: Arc::clone(&self.inner),
        })
    }

    /// Every rule of `verify_jwt` up to the signature: check
    /// `signing_input` against `signature` elsewhere (an HSM, a platform
    /// library), then call `complete_jwt` with the verdict.
    #[pyo3(signature = (token, *, revoked_sessions = None, revoked_keys = None, kind = None, now = None))]
    fn begin_jwt(
        &self,
        py: Python<'_>,
        token: &str,
        revoked_sessions: Option<Vec<String>>,
        revoked_keys: Option<Vec<String>>,
        kind: Option<String>,
        now: Option<Seconds>,
    ) -> PyResult<PendingToken> {
        let options = token_options(py, revoked_sessions, revoked_keys, kind, now)?;
        let pending = wire::begin_jwt(&self.inner, token, &options, clock).map_err(fail(py))?;
        Ok(PendingToken {
            inner: std::sync::Mutex::new(Some(pending)),
        })
    }

    /// Every remaining rule, given the signature verdict (`None`: permiso
    /// checks the signature itself). A pending token completes once.
    #[pyo3(signature = (pending, verdict = None, *, revoked_sessions = None, revoked_keys = None, kind = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn complete_jwt(
        &self,
        py: Python<'_>,
        pending: &PendingToken,
        verdict: Option<bool>,
        revoked_sessions: Option<Vec<String>>,
        revoked_keys: Option<Vec<String>>,
        kind: Option<String>,
        now: Option<Seconds>,
    ) -> PyResult<VerifiedToken> {
        let taken = pending
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .ok_or_else(|| err(py, wire::Error::argument("pending", "this token was completed already")))?;
        let options = token_options(py, revoked_sessions, revoked_keys, kind, now)?;
        let inner = wire::complete_jwt(&self.inner, taken, verdict, &options, clock).map_err(fail(py))?;
        Ok(VerifiedToken {
            inner,
            policy: Arc::clone(&self.inner),
        })
    }

    /// Signs a session token.
    #[pyo3(signature = (kind, subject, signing_key, *, scopes = None, roles = None, tenant = None, session = None,
                        client_id = None, lifetime = None, now = None))]
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
        lifetime: Option<i64>,
        now: Option<Seconds>,
    ) -> PyResult<String> {
        let request = wire::SessionOptions {
            subject,
            session,
            scopes,
            roles: roles.unwrap_or_default(),
            tenant,
            client_id,
            lifetime,
            now: seconds(py, now, "now")?,
        };
        wire::issue_session(&self.inner, kind, &request, &signing_key.inner, clock).map_err(fail(py))
    }

    /// Signs a delegated token: `actor` acts for `identity` with at most
    /// `scopes`, each of which the identity must hold now.
    #[pyo3(signature = (kind, identity, signing_key, *, actor, scopes, audience = None, lifetime = None, now = None))]
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
        lifetime: Option<i64>,
        now: Option<Seconds>,
    ) -> PyResult<String> {
        let identity = self.resolve(py, identity)?;
        let request = wire::DelegationOptions {
            actor,
            scopes,
            audience,
            lifetime,
            now: seconds(py, now, "now")?,
        };
        wire::delegate(&self.inner, kind, &identity, &request, &signing_key.inner, clock).map_err(fail(py))
    }

    /// Replaces a jwt kind's public keys at runtime (a fetched JWK Set:
    /// public keys only); its HMAC secrets stay. An invalid set keeps the old one.
    fn set_jwks(&self, py: Python<'_>, kind: &str, jwks: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = value_from_py(jwks, Code::InvalidPolicy, "jwks")?;
        wire::set_jwks(&self.inner, kind, &value).map_err(fail(py))
    }

    /// Replaces a jwt kind's HMAC secrets at runtime (`oct` keys from the
    /// operator's secret store); its public keys stay.
    fn set_secrets(&self, py: Python<'_>, kind: &str, jwks: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = value_from_py(jwks, Code::InvalidPolicy, "jwks")?;
        wire::set_secrets(&self.inner, kind, &value).map_err(fail(py))
    }

    /// Key ids of a jwt kind's current key set.
    fn jwks_kids(&self, kind: &str) -> Option<Vec<String>> {
        self.inner
            .jwks(kind)
            .map(|k| k.kids().into_iter().map(str::to_owned).collect())
    }

    /// Turns on a bounded cache of verified tokens holding at most
    /// `capacity` tokens (0 turns it off): a cached token's signature is not
    /// checked and its claims are not decoded again. Expiry, `nbf`, the kind,
    /// sessions and revocations are still checked on every use; new keys
    /// empty it.
    fn cache_tokens(&self, py: Python<'_>, capacity: i64) -> PyResult<()> {
        wire::cache_tokens(&self.inner, capacity).map_err(fail(py))
    }

    /// How many tokens the cache holds.
    fn cached_tokens(&self) -> usize {
        wire::cached_tokens(&self.inner)
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
    wire::hash_key(key, pepper.as_ref()).map_err(fail(py))
}

/// Every stable code, in declaration order.
#[pyfunction]
fn codes() -> Vec<&'static str> {
    wire::codes()
}

/// Every public operation, by name; each is a method of `Policy` or a
/// function of this module (the package's parity test checks it).
#[pyfunction]
fn operations() -> Vec<&'static str> {
    wire::OPERATIONS.to_vec()
}

/// The library version (also `__version__`).
#[pyfunction]
fn version() -> &'static str {
    wire::version()
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
    m.add("InvalidArgument", invalid_argument_class(py)?.clone_ref(py))?;
    m.add_class::<Policy>()?;
    m.add_class::<Identity>()?;
    m.add_class::<Decision>()?;
    m.add_class::<GeneratedKey>()?;
    m.add_class::<KeyRecord>()?;
    m.add_class::<VerifiedKey>()?;
    m.add_class::<VerifiedToken>()?;
    m.add_class::<PendingToken>()?;
    m.add_class::<Rotation>()?;
    m.add_class::<wire::ParsedKeyInfo>()?;
    m.add_class::<wire::KeyInfo>()?;
    m.add_class::<wire::KeyCredential>()?;
    m.add_class::<wire::TokenInfo>()?;
    m.add_class::<wire::TokenCredential>()?;
    m.add_class::<wire::RouteInfo>()?;
    m.add_class::<wire::Classification>()?;
    m.add_class::<SigningKey>()?;
    m.add_class::<JwksRefresh>()?;
    m.add_function(wrap_pyfunction!(hash_key, m)?)?;
    m.add_function(wrap_pyfunction!(codes, m)?)?;
    m.add_function(wrap_pyfunction!(operations, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add("__version__", wire::version())?;
    m.add("BACKEND", core::crypto_backend())?;
    Ok(())
}
