//! WebAssembly bindings of permiso: the npm package `permiso`.
//!
//! Only conversions live here: JS values to the core's records (records keep
//! the core's snake_case wire names; option objects are camelCase), results
//! back to plain objects, and every failure to one `PermisoError` class with
//! the core's `code`. Every rule is in the `permiso` crate.

use std::sync::Arc;

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use permiso as core;
use permiso::wire;
use permiso::Code;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

// The module is single-threaded (no atomics), which this allocator requires.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

thread_local! {
    /// Builds a `PermisoError`; set by the package's entry module after
    /// instantiation (the class is defined in JS, `api.js`).
    static ERROR_FACTORY: std::cell::RefCell<Option<Function>> = const { std::cell::RefCell::new(None) };
}

/// Registers the `PermisoError` factory (called once by the entry module).
#[wasm_bindgen(js_name = __setErrorFactory, skip_typescript)]
pub fn set_error_factory(factory: Function) {
    ERROR_FACTORY.with(|f| *f.borrow_mut() = Some(factory));
}

fn make_error(message: &str, code: &str, extra: JsValue) -> JsValue {
    let made = ERROR_FACTORY.with(|f| {
        f.borrow()
            .as_ref()
            .map(|factory| factory.call3(&JsValue::NULL, &message.into(), &code.into(), &extra))
    });
    match made {
        Some(Ok(error)) => error,
        // Without the entry module: a plain Error that still carries `code`.
        _ => {
            let error = js_sys::Error::new(message);
            error.set_name("PermisoError");
            let _ = Reflect::set(&error, &"code".into(), &code.into());
            error.into()
        }
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A stable reason code (see the package README). */
export type Code = string;

// The records (KeyRecord, PrincipalRecord, IdentityRecord, CredentialInfo,
// DecisionInfo, TokenInfo, KeyInfo, ParsedKeyInfo, NewKeyInfo, RotationInfo,
// Classification, ...) are declared from the core's own types; these names
// are the package's shorter ones for them.
export type ParsedKey = ParsedKeyInfo;
export type GeneratedKey = NewKeyInfo;
export type Rotation = RotationInfo;

export interface AuditRecord {
  decision_id: string;
  time: number;
  policy: string;
  actor: {
    principal: string | null;
    kind?: string;
    key_id?: string;
    key_mask?: string;
    token_id?: string;
    owner?: string;
    session?: string;
    actor_chain?: string[];
  };
  action: string | null;
  resource: string | null;
  tenant: string | null;
  route: string | null;
  allowed: boolean;
  code: Code;
  status: number;
}

/** A `Headers`, an array of `[name, value]` pairs, or `{name: value | value[]}`. */
export type HeadersLike = { entries(): Iterable<[string, string]> } | [string, string][] | Record<string, string | string[]>;

/** A `Request`-like object, or `{method, path, headers}`. */
export interface RequestLike {
  method: string;
  path?: string;
  url?: string;
  headers: HeadersLike;
}

export interface HostData {
  keys?: KeyRecord[];
  principals?: PrincipalRecord[];
  /** Resource records, whose attributes rules read. */
  resources?: ResourceRecord[];
  revokedKeys?: string[];
  revokedSessions?: string[];
  pepper?: string | Uint8Array;
  /** Unix seconds; defaults to the current time. Not milliseconds: `Date.now()` is refused. */
  now?: number;
}

export interface NewKeyOptions {
  scopes?: string[];
  label?: string;
  /** Unix seconds (not milliseconds: `Date.now()` is refused). */
  expiresAt?: number;
  pepper?: string | Uint8Array;
  now?: number;
}
/** A route the application's router matched: the template as the policy writes it, decoded parameters. */
export interface RouteRequest {
  method: string;
  template: string;
  params?: Record<string, string>;
  headers?: HeadersLike;
}
export interface RotateKeyOptions {
  grace?: number;
  scopes?: string[];
  expiresAt?: number;
  label?: string;
  pepper?: string | Uint8Array;
  revokedKeys?: string[];
  now?: number;
}
export interface VerifyKeyOptions { pepper?: string | Uint8Array; revokedKeys?: string[]; now?: number }
export interface VerifyTokenOptions { revokedSessions?: string[]; revokedKeys?: string[]; kind?: string; now?: number }
export interface SessionRequest {
  subject: string;
  session?: string;
  scopes?: string[];
  roles?: string[];
  tenant?: string;
  clientId?: string;
  lifetime?: number;
}
export interface DelegationRequest {
  actor: string;
  scopes: string[];
  audience?: string;
  lifetime?: number;
}
export interface JwkSet { keys: object[] }
/** Attributes that rules compare: strings, integers, booleans or lists of those, by name. */
export type Attributes = Record<string, string | number | boolean | (string | number | boolean)[]>;
export type AuthzenApi = "evaluation" | "evaluations" | "search/subject" | "search/resource" | "search/action";

/** The one error class: `code` is the stable code. */
export declare class PermisoError extends Error {
  code: Code;
  detail?: string;
  path?: string;
  issues?: { detail: string; path: string; message: string }[];
}

export interface Policy {
  /** Decides whether `identity` (an Identity or its record) may do `action`. */
  authorize(identity: Identity | IdentityRecord, action: string, resource?: string | ResourceRecord | null, tenant?: string | null, now?: number): Decision;
  /** An AuthZEN access evaluation: `{decision, context}`. */
  accessEvaluation(request: object, hostData?: HostData): AuthzenResponse;
  /** AuthZEN access evaluations, a batch in one call: `{evaluations}`. */
  accessEvaluations(request: object, hostData?: HostData): AuthzenResponse;
  /** AuthZEN subject search: the allowed principals, `{results, page?}`. */
  searchSubjects(request: object, hostData?: HostData): AuthzenResponse;
  /** AuthZEN resource search: the allowed resources, `{results, page?}`. */
  searchResources(request: object, hostData?: HostData): AuthzenResponse;
  /** AuthZEN action search: the allowed actions, `{results, page?}`. */
  searchActions(request: object, hostData?: HostData): AuthzenResponse;
  /**
   * `verifyJWT` with the signature of RS*, PS*, ES* and EdDSA tokens checked
   * by the runtime's WebCrypto (much faster than pure-Rust crypto in wasm for
   * ECDSA); every other rule is the core's. HMAC stays in the core.
   */
  verifyJWTAsync(token: string, options?: VerifyTokenOptions): Promise<VerifiedToken>;
  /**
   * `authorizeRequest` with the signature of the request's bearer token
   * (RS*, PS*, ES*, EdDSA) checked by the runtime's WebCrypto; every other
   * step is the core's. For Workers: an ES256 token costs a WebCrypto check
   * instead of pure-Rust ECDSA in wasm.
   */
  authorizeRequestAsync(request: RequestLike, hostData?: HostData): Promise<Decision>;
  /**
   * `authorizeRoute` with the signature of the bearer token in the route
   * request's headers checked by the runtime's WebCrypto; every other step
   * is the core's (the Hono middleware uses it).
   */
  authorizeRouteAsync(request: RouteRequest, hostData?: HostData): Promise<Decision>;
  /** Signs a delegated token for `identity` (an Identity or its record). */
  delegate(kind: string, identity: Identity | IdentityRecord, request: DelegationRequest, key: SigningKey, now?: number): string;
}
"#;

/// The one conversion of failures: the core's error record becomes a
/// `PermisoError` with the same `code`, `message`, `detail`, `path` and
/// `issues`.
fn err(e: wire::Error) -> JsValue {
    let extra = to_js(&e).unwrap_or(JsValue::UNDEFINED);
    make_error(&e.message, e.code.as_str(), extra)
}

fn invalid(message: impl std::fmt::Display) -> JsValue {
    err(wire::Error::argument("argument", message))
}

// Values cross the boundary as JSON text: `JSON.stringify`/`JSON.parse` on
// the JS side and serde_json (already in the core) on ours. That is smaller
// than walking objects property by property, and faster.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(invalid)?;
    js_sys::JSON::parse(&text).map_err(|_| invalid("a result could not be converted"))
}

fn json_text(value: &JsValue, code: Code, what: &str) -> Result<String, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok("null".into());
    }
    js_sys::JSON::stringify(value)
        .map(String::from)
        .map_err(|_| err(wire::Error::record(code, what, "cannot be read as JSON")))
}

fn from_js<T: DeserializeOwned>(value: JsValue, code: Code, what: &str) -> Result<T, JsValue> {
    wire::read_str(&json_text(&value, code, what)?, code, what).map_err(err)
}

/// A JSON document from JS taken whole (no record to read it into).
fn json_from_js(value: &JsValue, code: Code, what: &str) -> Result<serde_json::Value, JsValue> {
    wire::read_json(&json_text(value, code, what)?, code, what).map_err(err)
}

/// `fooBar` → `foo_bar`: option objects are camelCase in JavaScript, the
/// records' fields snake_case.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// An options record from a JS object with camelCase names.
fn options<T: DeserializeOwned + Default>(value: &JsValue, what: &str) -> Result<T, JsValue> {
    match renamed(value, what, &[])? {
        Some(named) => record(named, what),
        None => Ok(T::default()),
    }
}

/// [`options`] of a record with a `pepper`, which is taken apart: given as
/// bytes, JSON cannot carry it. Fields in `skip` (lists read apart, with
/// their own codes) are left out too.
fn peppered<T: DeserializeOwned + Default>(
    value: &JsValue,
    what: &str,
    skip: &[&str],
) -> Result<(T, Option<core::Pepper>), JsValue> {
    let Some(mut named) = renamed(value, what, skip)? else {
        return Ok((T::default(), None));
    };
    let bytes = pepper(&field(value, "pepper")?)?;
    named.remove("pepper");
    Ok((record(named, what)?, bytes))
}

/// A record from renamed options, read from their text: each record type
/// has one reader in the .wasm, the one from text.
fn record<T: DeserializeOwned>(named: serde_json::Map<String, serde_json::Value>, what: &str) -> Result<T, JsValue> {
    wire::read_str(
        &serde_json::Value::Object(named).to_string(),
        Code::InvalidArgument,
        what,
    )
    .map_err(err)
}

/// The options with snake_case names, without the fields in `skip`; `None`
/// when absent. The object crosses as one JSON text (an `undefined` field is
/// left out, as absent) and is renamed here: each crossing of the boundary
/// costs more than the renaming. Fields in `skip` are taken off a shallow
/// copy first, so they are not written out. Not generic: one copy in the
/// .wasm.
fn renamed(
    value: &JsValue,
    what: &str,
    skip: &[&str],
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_object() || Array::is_array(value) {
        return Err(err(wire::Error::argument(what, "must be an object")));
    }
    let source = if skip.is_empty() {
        value.clone()
    } else {
        let copy = Object::assign(&Object::new(), &Object::from(value.clone()));
        for name in skip {
            Reflect::delete_property(&copy, &JsValue::from_str(name))
                .map_err(|_| invalid(format!("cannot read `{name}`")))?;
        }
        copy.into()
    };
    let serde_json::Value::Object(given) = json_from_js(&source, Code::InvalidArgument, what)? else {
        return Err(err(wire::Error::argument(what, "must be an object")));
    };
    Ok(Some(
        given
            .into_iter()
            .map(|(name, value)| (snake_case(&name), value))
            .collect(),
    ))
}

fn string(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| invalid(format!("{what} must be a string")))
}

fn opt_string(value: &JsValue, what: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        string(value, what).map(Some)
    }
}

fn field(obj: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    if obj.is_undefined() || obj.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    if !obj.is_object() {
        return Err(invalid("options must be an object"));
    }
    Reflect::get(obj, &JsValue::from_str(name)).map_err(|_| invalid(format!("cannot read `{name}`")))
}

/// A whole number of seconds (a float is floored); absent is `None`.
fn opt_int(value: &JsValue, what: &str) -> Result<Option<i64>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(f) if f.is_finite() && f.abs() < 9.0e15 => Ok(Some(f.floor() as i64)),
        _ => Err(err(wire::Error::argument(what, "must be a finite number"))),
    }
}

/// A time in unix seconds (a float is floored); milliseconds such as
/// `Date.now()` are refused with `invalid_argument`.
fn opt_time(value: &JsValue, what: &'static str) -> Result<Option<i64>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let f = value
        .as_f64()
        .ok_or_else(|| invalid(format!("{what} must be a number of unix seconds")))?;
    wire::seconds_f64(what, f).map(Some).map_err(err)
}

/// The runtime's clock, unix seconds.
fn clock() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// `now` in unix seconds, defaulting to the clock.
fn now(value: &JsValue) -> Result<i64, JsValue> {
    wire::now(opt_time(value, "now")?, clock).map_err(err)
}

fn pepper(value: &JsValue) -> Result<Option<core::Pepper>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if let Some(s) = value.as_string() {
        return Ok(Some(core::Pepper::from(s.as_str())));
    }
    if value.is_instance_of::<Uint8Array>() {
        return Ok(Some(core::Pepper::new(Uint8Array::from(value.clone()).to_vec())));
    }
    Err(invalid("pepper must be a string or a Uint8Array"))
}

fn header_value(name: &str, value: &JsValue, out: &mut Vec<(String, String)>) -> Result<(), JsValue> {
    if Array::is_array(value) {
        for v in Array::from(value).iter() {
            out.push((name.to_owned(), string(&v, "a header value")?));
        }
        Ok(())
    } else {
        out.push((name.to_owned(), string(value, "a header value")?));
        Ok(())
    }
}

fn header_pairs(headers: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if headers.is_undefined() || headers.is_null() || !headers.is_object() {
        return Err(invalid(
            "headers must be a Headers, an array of [name, value] pairs or an object",
        ));
    }
    let mut out = Vec::new();
    let entries = Reflect::get(headers, &"entries".into()).unwrap_or(JsValue::UNDEFINED);
    let pairs: Vec<JsValue> = if Array::is_array(headers) {
        Array::from(headers).iter().collect()
    } else if let Some(f) = entries.dyn_ref::<Function>() {
        let iterator = f.call0(headers).map_err(|_| invalid("headers.entries() failed"))?;
        js_sys::try_iter(&iterator)
            .map_err(|_| invalid("headers.entries() is not iterable"))?
            .ok_or_else(|| invalid("headers.entries() is not iterable"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| invalid("headers.entries() failed"))?
    } else {
        Object::entries(&Object::from(headers.clone())).iter().collect()
    };
    for pair in pairs {
        if !Array::is_array(&pair) {
            return Err(invalid("each header must be a [name, value] pair"));
        }
        let pair = Array::from(&pair);
        if pair.length() != 2 {
            return Err(invalid("each header must be a [name, value] pair"));
        }
        let name = string(&pair.get(0), "a header name")?;
        header_value(&name, &pair.get(1), &mut out)?;
    }
    Ok(out)
}

/// An HTTP request from a `Request` or `{method, path | url, headers}`.
fn http_request(request: &JsValue) -> Result<wire::HttpRequest, JsValue> {
    if !request.is_object() {
        return Err(invalid("request must be a Request or {method, path, headers}"));
    }
    Ok(wire::HttpRequest {
        method: string(&field(request, "method")?, "request.method")?,
        path: opt_string(&field(request, "path")?, "request.path")?,
        url: opt_string(&field(request, "url")?, "request.url")?,
        headers: wire::Headers(header_pairs(&field(request, "headers")?)?),
    })
}

/// A matched route from `{method, template, params, headers}`.
fn matched_route(route: &JsValue) -> Result<wire::MatchedRoute, JsValue> {
    if !route.is_object() {
        return Err(invalid("the route request must be {method, template, params, headers}"));
    }
    let headers = match field(route, "headers")? {
        h if h.is_undefined() || h.is_null() => Vec::new(),
        h => header_pairs(&h)?,
    };
    Ok(wire::MatchedRoute {
        method: string(&field(route, "method")?, "route.method")?,
        template: string(&field(route, "template")?, "route.template")?,
        params: match field(route, "params")? {
            p if p.is_undefined() || p.is_null() => wire::Params::default(),
            p => from_js(p, Code::InvalidArgument, "route.params")?,
        },
        headers: wire::Headers(headers),
    })
}

/// An optional principal record (`undefined`/`null` for none).
fn opt_principal(value: JsValue, what: &str) -> Result<Option<core::PrincipalRecord>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        from_js(value, Code::InvalidPrincipal, what).map(Some)
    }
}

fn list<T: DeserializeOwned>(value: JsValue, code: Code, what: &str) -> Result<Vec<T>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(Vec::new())
    } else {
        from_js(value, code, what)
    }
}

/// A check's resource: an id, or a record whose attributes rules read.
enum Resource {
    None,
    Id(String),
    Record(core::ResourceRecord),
}

impl Resource {
    fn read(value: JsValue) -> Result<Resource, JsValue> {
        if value.is_undefined() || value.is_null() {
            Ok(Resource::None)
        } else if let Some(id) = value.as_string() {
            Ok(Resource::Id(id))
        } else {
            from_js(value, Code::InvalidArgument, "resource").map(Resource::Record)
        }
    }

    fn check<'a>(&'a self, check: core::Check<'a>) -> core::Check<'a> {
        match self {
            Resource::None => check,
            Resource::Id(id) => check.on(id),
            Resource::Record(record) => check.on_record(record),
        }
    }
}

/// A check's arguments as JS passes them: the action, a resource (id or
/// record) and a tenant, read in that order.
struct CheckArgs {
    action: String,
    resource: Resource,
    tenant: Option<String>,
}

impl CheckArgs {
    fn read(action: &JsValue, resource: JsValue, tenant: &JsValue) -> Result<CheckArgs, JsValue> {
        Ok(CheckArgs {
            action: string(action, "action")?,
            resource: Resource::read(resource)?,
            tenant: opt_string(tenant, "tenant")?,
        })
    }

    fn check(&self) -> core::Check<'_> {
        self.resource
            .check(core::Check::new(&self.action))
            .tenant(self.tenant.as_deref())
    }
}

/// Host data: records keep their snake_case names, the lists and `now` are
/// options (`revokedKeys`).
fn host_data(host: &JsValue) -> Result<wire::HostRecords, JsValue> {
    let (mut records, bytes): (wire::HostRecords, _) =
        peppered(host, "hostData", &["keys", "principals", "resources"])?;
    records.pepper = bytes;
    records.keys = list(field(host, "keys")?, Code::InvalidKeyRecord, "hostData.keys")?;
    records.principals = list(
        field(host, "principals")?,
        Code::InvalidPrincipal,
        "hostData.principals",
    )?;
    records.resources = list(field(host, "resources")?, Code::InvalidArgument, "hostData.resources")?;
    Ok(records)
}

/// A decision: `allowed`, `code`, `status`, `message`, `missing`, `audit`
/// and the rest, read as properties. It holds the core's decision, so a
/// check costs no conversion: a property is converted when it is read, and
/// `toJSON()` (what `JSON.stringify` calls) gives the whole record. One from
/// `authorize` with an `Identity` and a resource id has only `allowed`,
/// `code` and `status` until another property is read; the record is then
/// made with the time of the call. Read it before freeing that `Identity`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Decision {
    inner: core::Decision<'static>,
}

/// A string, or `null` as in the decision's record.
fn nullable(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from)
}

fn decision(d: core::Decision<'_>) -> Decision {
    Decision { inner: d.into_owned() }
}

#[wasm_bindgen]
impl Decision {
    /// Whether the action is allowed.
    #[wasm_bindgen(getter)]
    pub fn allowed(&self) -> bool {
        self.inner.allowed()
    }
    /// The same as `allowed` (results of every operation carry `ok`).
    #[wasm_bindgen(getter)]
    pub fn ok(&self) -> bool {
        self.inner.allowed()
    }
    /// The stable reason code.
    #[wasm_bindgen(getter, unchecked_return_type = "Code")]
    pub fn code(&self) -> JsValue {
        self.inner.code().as_str().into()
    }
    /// The HTTP status.
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> u16 {
        self.inner.status()
    }
    /// Why, in words.
    #[wasm_bindgen(getter)]
    pub fn message(&self) -> String {
        self.inner.message().to_owned()
    }
    /// The principal id, if authenticated.
    #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
    pub fn principal(&self) -> JsValue {
        nullable(self.inner.actor().principal())
    }
    /// The action checked.
    #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
    pub fn action(&self) -> JsValue {
        nullable(self.inner.action())
    }
    /// The resource checked.
    #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
    pub fn resource(&self) -> JsValue {
        nullable(self.inner.resource())
    }
    /// The tenant checked.
    #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
    pub fn tenant(&self) -> JsValue {
        nullable(self.inner.tenant())
    }
    /// The matched route (`METHOD /template`).
    #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
    pub fn route(&self) -> JsValue {
        nullable(self.inner.route())
    }
    /// Permissions that were missing.
    #[wasm_bindgen(getter)]
    pub fn missing(&self) -> Vec<String> {
        self.inner.missing().map(str::to_owned).collect()
    }
    /// `{kind, id}` of the credential.
    #[wasm_bindgen(getter, unchecked_return_type = "DecisionCredential")]
    pub fn credential(&self) -> Result<JsValue, JsValue> {
        to_js(&wire::DecisionInfo::from(&self.inner).credential)
    }
    /// The audit record (a new object on each read).
    #[wasm_bindgen(getter, unchecked_return_type = "AuditRecord")]
    pub fn audit(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.audit())
    }
    /// The audit record as one line of JSON.
    #[wasm_bindgen(js_name = auditJSON)]
    pub fn audit_json(&self) -> String {
        self.inner.audit_json()
    }
    /// The whole decision as a plain object.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "DecisionInfo")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        to_js(&wire::DecisionInfo::from(&self.inner))
    }
}

/// An identity resolved against one policy: build once, check many times.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Identity {
    inner: core::Identity,
}

#[wasm_bindgen]
impl Identity {
    /// The principal id.
    #[wasm_bindgen(getter)]
    pub fn principal(&self) -> String {
        self.inner.principal_id().to_owned()
    }

    /// The record it was built from.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "IdentityRecord")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.record())
    }
}

/// A key that verified against its record.
#[wasm_bindgen]
#[derive(Debug)]
pub struct VerifiedKey {
    inner: core::VerifiedKey,
    policy: Arc<core::Policy>,
}

#[wasm_bindgen]
impl VerifiedKey {
    /// The acting principal: the owner, or `key:<id>`.
    #[wasm_bindgen(getter)]
    pub fn principal(&self) -> String {
        self.inner.principal_id()
    }
    /// The credential kind.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.inner.kind.to_string()
    }
    /// The key id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.record.id.clone()
    }
    /// The display mask.
    #[wasm_bindgen(getter)]
    pub fn mask(&self) -> String {
        self.inner.mask.clone()
    }
    /// The key's scopes.
    #[wasm_bindgen(getter)]
    pub fn scopes(&self) -> Option<Vec<String>> {
        self.inner.record.scopes.clone()
    }
    /// The key as a plain object (the record every runtime shows).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "KeyInfo")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        to_js(&wire::key_info(&self.inner))
    }
    /// The identity the key authenticates; `owner` is the owner's record.
    pub fn identity(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PrincipalRecord | null")] owner: JsValue,
    ) -> Result<Identity, JsValue> {
        let owner = opt_principal(owner, "owner")?;
        let inner = self
            .policy
            .key_identity(&self.inner, owner.as_ref())
            .map_err(|e| err(e.into()))?;
        Ok(Identity { inner })
    }
}

/// A token whose signature and claims verified.
#[wasm_bindgen]
#[derive(Debug)]
pub struct VerifiedToken {
    inner: core::VerifiedToken,
    policy: Arc<core::Policy>,
}

#[wasm_bindgen]
impl VerifiedToken {
    /// The principal id.
    #[wasm_bindgen(getter)]
    pub fn principal(&self) -> String {
        self.inner.principal.id.clone()
    }
    /// The token as a plain object.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "TokenInfo")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        to_js(&wire::TokenInfo::from(&self.inner))
    }
    /// All claims.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, unknown>")]
    pub fn claims(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.claims.to_map())
    }
    /// The identity; a host `principal` record, when given, is authoritative.
    pub fn identity(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PrincipalRecord | null")] principal: JsValue,
    ) -> Result<Identity, JsValue> {
        let principal = opt_principal(principal, "principal")?;
        let inner = self
            .policy
            .token_identity(&self.inner, principal.as_ref())
            .map_err(|e| err(e.into()))?;
        Ok(Identity { inner })
    }
}

/// A token that passed every rule before its signature (see `verifyJWTAsync`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct PendingToken {
    inner: core::PendingToken,
    /// The options it was begun with, for `verifyJWTAsync` to complete it
    /// without reading them again.
    options: wire::TokenOptions,
}

#[wasm_bindgen]
impl PendingToken {
    /// The JOSE algorithm.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().to_owned()
    }
    /// The public JWK of the selected key; `null` for HMAC.
    #[wasm_bindgen(getter, js_name = publicJwk, unchecked_return_type = "JsonWebKey | null")]
    pub fn public_jwk(&self) -> Result<JsValue, JsValue> {
        match self.inner.public_jwk() {
            Some(jwk) => to_js(jwk),
            None => Ok(JsValue::NULL),
        }
    }
    /// The RFC 7638 SHA-256 thumbprint of `publicJwk` (base64url), to find
    /// a key imported before without reading the JWK; `null` with it.
    #[wasm_bindgen(getter, js_name = keyThumbprint, unchecked_return_type = "string | null")]
    pub fn key_thumbprint(&self) -> JsValue {
        self.inner.key_thumbprint().map_or(JsValue::NULL, JsValue::from_str)
    }
    /// The signed bytes (`header.payload`).
    #[wasm_bindgen(getter, js_name = signingInput)]
    pub fn signing_input(&self) -> Vec<u8> {
        self.inner.signing_input().to_vec()
    }
    /// The decoded signature.
    #[wasm_bindgen(getter)]
    pub fn signature(&self) -> Vec<u8> {
        self.inner.signature().to_vec()
    }
}

/// A private key or HMAC secret for signing tokens.
#[wasm_bindgen]
#[derive(Debug)]
pub struct SigningKey {
    inner: core::SigningKey,
}

fn with_kid(key: core::SigningKey, kid: &JsValue) -> Result<core::SigningKey, JsValue> {
    Ok(match opt_string(kid, "kid")? {
        Some(k) => key.with_kid(k),
        None => key,
    })
}

#[wasm_bindgen]
impl SigningKey {
    /// An HMAC secret for HS256, HS384 or HS512.
    pub fn hmac(
        #[wasm_bindgen(unchecked_param_type = "string")] algorithm: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] secret: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] kid: JsValue,
    ) -> Result<SigningKey, JsValue> {
        if !secret.is_instance_of::<Uint8Array>() {
            return Err(invalid("secret must be a Uint8Array"));
        }
        let bytes = Uint8Array::from(secret).to_vec();
        let key = core::SigningKey::hmac(&string(&algorithm, "algorithm")?, &bytes).map_err(|e| err(e.into()))?;
        Ok(SigningKey {
            inner: with_kid(key, &kid)?,
        })
    }

    /// A PEM private key for RS*, PS*, ES* or EdDSA.
    #[wasm_bindgen(js_name = fromPEM)]
    pub fn from_pem(
        #[wasm_bindgen(unchecked_param_type = "string")] algorithm: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] pem: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] kid: JsValue,
    ) -> Result<SigningKey, JsValue> {
        let pem = string(&pem, "pem")?;
        let key =
            core::SigningKey::from_pem(&string(&algorithm, "algorithm")?, pem.as_bytes()).map_err(|e| err(e.into()))?;
        Ok(SigningKey {
            inner: with_kid(key, &kid)?,
        })
    }

    /// The algorithm.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().to_owned()
    }
}

/// When to refetch a JWK Set; it does no I/O itself.
#[wasm_bindgen]
#[derive(Debug)]
pub struct JwksRefresh {
    inner: core::JwksRefresh,
}

#[wasm_bindgen]
impl JwksRefresh {
    /// Cache `maxAge` seconds; refetch on unknown `kid` at most every
    /// `cooldown` seconds (the core's defaults, 300 and 30, when absent).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "number")] max_age: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] cooldown: JsValue,
    ) -> Result<JwksRefresh, JsValue> {
        Ok(JwksRefresh {
            inner: wire::jwks_refresh(opt_int(&max_age, "maxAge")?, opt_int(&cooldown, "cooldown")?),
        })
    }
    /// Whether a scheduled fetch is due.
    pub fn due(&self, #[wasm_bindgen(unchecked_optional_param_type = "number")] at: JsValue) -> Result<bool, JsValue> {
        Ok(self.inner.due(now(&at)?))
    }
    /// Whether an unknown `kid` may trigger a fetch now.
    #[wasm_bindgen(js_name = onUnknownKid)]
    pub fn on_unknown_kid(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] at: JsValue,
    ) -> Result<bool, JsValue> {
        Ok(self.inner.on_unknown_kid(now(&at)?))
    }
    /// Records a successful fetch.
    pub fn succeeded(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] at: JsValue,
    ) -> Result<(), JsValue> {
        self.inner.succeeded(now(&at)?);
        Ok(())
    }
    /// Records a failed fetch; keep serving the last good set.
    pub fn failed(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] at: JsValue,
    ) -> Result<(), JsValue> {
        self.inner.failed(now(&at)?);
        Ok(())
    }
    /// When the next fetch should happen.
    #[wasm_bindgen(getter, js_name = nextFetchAt)]
    pub fn next_fetch_at(&self) -> f64 {
        self.inner.next_fetch_at() as f64
    }
}

/// A compiled policy.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Policy {
    inner: Arc<core::Policy>,
}

fn compile(text: JsValue, format: core::Format) -> Result<Policy, JsValue> {
    let text = string(&text, "the policy document")?;
    let policy = core::Policy::from_str(&text, format).map_err(|e| err(e.into()))?;
    Ok(Policy {
        inner: Arc::new(policy),
    })
}

#[wasm_bindgen]
impl Policy {
    /// Compiles a JSON document.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<Policy, JsValue> {
        compile(text, core::Format::Json)
    }
    /// Compiles a YAML document.
    #[wasm_bindgen(js_name = fromYAML)]
    pub fn from_yaml(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<Policy, JsValue> {
        compile(text, core::Format::Yaml)
    }
    /// Compiles a TOML document.
    #[wasm_bindgen(js_name = fromTOML)]
    pub fn from_toml(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<Policy, JsValue> {
        compile(text, core::Format::Toml)
    }
    /// Compiles a document given as a plain object.
    #[wasm_bindgen(js_name = fromObject)]
    pub fn from_object(#[wasm_bindgen(unchecked_param_type = "object")] document: JsValue) -> Result<Policy, JsValue> {
        let value = json_from_js(&document, Code::InvalidPolicy, "the policy document")?;
        let policy = core::Policy::from_value(&value).map_err(|e| err(e.into()))?;
        Ok(Policy {
            inner: Arc::new(policy),
        })
    }

    /// SHA-256 of the canonical document, `sha256:<hex>`.
    #[wasm_bindgen(getter)]
    pub fn hash(&self) -> String {
        self.inner.hash().to_string()
    }
    /// The declared permissions.
    #[wasm_bindgen(getter)]
    pub fn permissions(&self) -> Vec<String> {
        self.inner.permissions().map(str::to_owned).collect()
    }
    /// The credential kinds.
    #[wasm_bindgen(getter, js_name = credentialKinds)]
    pub fn credential_kinds(&self) -> Vec<String> {
        self.inner.credential_kinds().map(str::to_owned).collect()
    }

    /// Resolves an identity record once, for many checks.
    pub fn identity(
        &self,
        #[wasm_bindgen(unchecked_param_type = "IdentityRecord")] record: JsValue,
    ) -> Result<Identity, JsValue> {
        let record: core::IdentityRecord = from_js(record, Code::InvalidPrincipal, "identity")?;
        let inner = self.inner.identity(record).map_err(|e| err(e.into()))?;
        Ok(Identity { inner })
    }

    /// `authorize` with an Identity (the entry module dispatches to it).
    #[wasm_bindgen(js_name = authorizeIdentity, skip_typescript)]
    pub fn authorize_identity(
        &self,
        identity: &Identity,
        action: JsValue,
        resource: JsValue,
        tenant: JsValue,
        at: JsValue,
    ) -> Result<Decision, JsValue> {
        let args = CheckArgs::read(&action, resource, &tenant)?;
        Ok(decision(self.inner.authorize(&identity.inner, args.check(), now(&at)?)))
    }

    /// `authorize` with an identity record.
    #[wasm_bindgen(js_name = authorizeRecord, skip_typescript)]
    pub fn authorize_record(
        &self,
        record: JsValue,
        action: JsValue,
        resource: JsValue,
        tenant: JsValue,
        at: JsValue,
    ) -> Result<Decision, JsValue> {
        let identity = self.identity(record)?;
        self.authorize_identity(&identity, action, resource, tenant, at)
    }

    /// `authorize` with an Identity, answering only the decision's code and
    /// time: `time * 256 + i`, where `i` is the code's position in `codes()`
    /// (times stay within ±2^38 seconds, so the sum is exact in a double).
    /// The entry module calls it with a resource id, never a record (which
    /// its caller could change before the record is read), and builds the
    /// decision's record from the same arguments and that time only if it
    /// is read.
    #[wasm_bindgen(js_name = decideIdentity, skip_typescript)]
    pub fn decide_identity(
        &self,
        identity: &Identity,
        action: JsValue,
        resource: JsValue,
        tenant: JsValue,
        at: JsValue,
    ) -> Result<f64, JsValue> {
        let args = CheckArgs::read(&action, resource, &tenant)?;
        let time = now(&at)?;
        let code = self.inner.decision_code(&identity.inner, args.check());
        let index = Code::ALL
            .iter()
            .position(|c| *c == code)
            .ok_or_else(|| invalid(format!("the code `{}` is not listed", code.as_str())))?;
        Ok(time as f64 * 256.0 + index as f64)
    }

    /// Whether `identity` may do `action`: the same rules as `authorize`,
    /// answering only yes or no (no decision object, no audit record).
    #[wasm_bindgen(js_name = isAllowed)]
    pub fn is_allowed(
        &self,
        identity: &Identity,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | ResourceRecord | null")] resource: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] tenant: JsValue,
    ) -> Result<bool, JsValue> {
        let args = CheckArgs::read(&action, resource, &tenant)?;
        Ok(self.inner.is_allowed(&identity.inner, args.check()))
    }

    /// Answers an AuthZEN 1.0 request of `api` (`evaluation`,
    /// `evaluations`, `search/subject`, `search/resource`, `search/action`)
    /// from `hostData.principals` and `hostData.resources`, in one call.
    #[wasm_bindgen(unchecked_return_type = "AuthzenResponse")]
    pub fn authzen(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AuthzenApi")] api: JsValue,
        #[wasm_bindgen(unchecked_param_type = "object")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "HostData")] host: JsValue,
    ) -> Result<JsValue, JsValue> {
        let api = core::authzen::Api::parse(&string(&api, "api")?).map_err(err)?;
        let text = json_text(&request, Code::InvalidRequest, "request")?;
        let request =
            core::authzen::Request::read_str(api, &text, || wire::read_json(&text, Code::InvalidRequest, "request"))
                .map_err(err)?;
        let host = host_data(&host)?;
        to_js(&wire::authzen_request(&self.inner, &request, &host, clock).map_err(err)?)
    }

    /// The route and what to fetch (a key id) before `authorizeRequest`.
    #[wasm_bindgen(unchecked_return_type = "Classification")]
    pub fn classify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestLike")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let classified = wire::classify(&self.inner, &http_request(&request)?).map_err(err)?;
        to_js(&classified)
    }

    /// Authorizes an HTTP request in one call.
    #[wasm_bindgen(js_name = authorizeRequest)]
    pub fn authorize_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestLike")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "HostData")] host: JsValue,
    ) -> Result<Decision, JsValue> {
        let request = http_request(&request)?;
        let host = host_data(&host)?;
        Ok(decision(
            wire::authorize_request(&self.inner, &request, &host, clock).map_err(err)?,
        ))
    }

    /// The bearer token a request's headers present, staged up to its
    /// signature, for `authorizeRequestAsync` and `authorizeRouteAsync` (a
    /// route request's headers serve alike); `undefined` when there is none
    /// to check.
    #[wasm_bindgen(js_name = beginRequest)]
    pub fn begin_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestLike | RouteRequest")] request: JsValue,
    ) -> Result<Option<PendingToken>, JsValue> {
        if !request.is_object() {
            return Err(invalid(
                "request must be a Request, {method, path, headers} or a route request",
            ));
        }
        // Only the headers name the token.
        let request = wire::HttpRequest {
            method: String::new(),
            path: None,
            url: None,
            headers: wire::Headers(match field(&request, "headers")? {
                h if h.is_undefined() || h.is_null() => Vec::new(),
                h => header_pairs(&h)?,
            }),
        };
        Ok(wire::begin_request(&self.inner, &request).map(|inner| PendingToken {
            inner,
            options: wire::TokenOptions::default(),
        }))
    }

    /// `authorizeRequest` with the host's verdict on the staged token's
    /// signature (`undefined` to let permiso check it).
    #[wasm_bindgen(js_name = completeRequest)]
    pub fn complete_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestLike")] request: JsValue,
        #[wasm_bindgen(unchecked_param_type = "HostData | undefined")] host: JsValue,
        pending: &PendingToken,
        #[wasm_bindgen(unchecked_param_type = "boolean | undefined")] verdict: JsValue,
    ) -> Result<Decision, JsValue> {
        let request = http_request(&request)?;
        let host = host_data(&host)?;
        let verdict = verdict.as_bool();
        let decided = wire::complete_request(&self.inner, &request, &host, &pending.inner, verdict, clock);
        Ok(decision(decided.map_err(err)?))
    }

    /// Authorizes the route the application's router matched: `{method,
    /// template, params, headers}` with the template as the policy writes it
    /// and the decoded parameters; no path is parsed.
    #[wasm_bindgen(js_name = authorizeRoute)]
    pub fn authorize_route(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RouteRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "HostData")] host: JsValue,
    ) -> Result<Decision, JsValue> {
        let route = matched_route(&request)?;
        let host = host_data(&host)?;
        Ok(decision(
            wire::authorize_route(&self.inner, &route, &host, clock).map_err(err)?,
        ))
    }

    /// `authorizeRoute` with the host's verdict on the signature of the
    /// token `beginRequest` staged from the route's headers (`undefined` to
    /// let permiso check it).
    #[wasm_bindgen(js_name = completeRoute)]
    pub fn complete_route(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RouteRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_param_type = "HostData | undefined")] host: JsValue,
        pending: &PendingToken,
        #[wasm_bindgen(unchecked_param_type = "boolean | undefined")] verdict: JsValue,
    ) -> Result<Decision, JsValue> {
        let route = matched_route(&request)?;
        let host = host_data(&host)?;
        let verdict = verdict.as_bool();
        let decided = wire::complete_route(&self.inner, &route, &host, &pending.inner, verdict, clock);
        Ok(decision(decided.map_err(err)?))
    }

    /// Generates an API key of an `api_key` kind.
    #[wasm_bindgen(js_name = generateKey, unchecked_return_type = "GeneratedKey")]
    pub fn generate_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] owner: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "NewKeyOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (mut new, bytes): (wire::NewKeyOptions, _) = peppered(&options, "options", &[])?;
        new.pepper = bytes;
        let generated = wire::generate_key(
            &self.inner,
            &string(&kind, "kind")?,
            &string(&owner, "owner")?,
            &new,
            clock,
        )
        .map_err(err)?;
        to_js(&generated)
    }

    /// Rotates a key: the new key, and the old record with its grace expiry.
    #[wasm_bindgen(js_name = rotateKey, unchecked_return_type = "Rotation")]
    pub fn rotate_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "KeyRecord")] record: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RotateKeyOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let old: core::KeyRecord = from_js(record, Code::InvalidKeyRecord, "record")?;
        let (mut rotate, bytes): (wire::RotateOptions, _) = peppered(&options, "options", &[])?;
        rotate.pepper = bytes;
        to_js(&wire::rotate_key(&self.inner, &old, &rotate, clock).map_err(err)?)
    }

    /// Parses a key.
    #[wasm_bindgen(js_name = parseKey, unchecked_return_type = "ParsedKey")]
    pub fn parse_key(&self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> Result<JsValue, JsValue> {
        to_js(&wire::parse_key(&self.inner, &string(&key, "key")?).map_err(err)?)
    }

    /// Verifies a key against its record.
    #[wasm_bindgen(js_name = verifyKey)]
    pub fn verify_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "KeyRecord")] record: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyKeyOptions")] options: JsValue,
    ) -> Result<VerifiedKey, JsValue> {
        let key = string(&key, "key")?;
        let record: core::KeyRecord = from_js(record, Code::InvalidKeyRecord, "record")?;
        let (mut verify, bytes): (wire::KeyOptions, _) = peppered(&options, "options", &[])?;
        verify.pepper = bytes;
        let inner = wire::verify_key(&self.inner, &key, record, &verify, clock).map_err(err)?;
        Ok(VerifiedKey {
            inner,
            policy: Arc::clone(&self.inner),
        })
    }

    /// Verifies a token.
    #[wasm_bindgen(js_name = verifyJWT)]
    pub fn verify_jwt(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyTokenOptions")] options: JsValue,
    ) -> Result<VerifiedToken, JsValue> {
        let token = string(&token, "token")?;
        let options: wire::TokenOptions = self::options(&options, "options")?;
        let inner = wire::verify_jwt(&self.inner, &token, &options, clock).map_err(err)?;
        Ok(self.verified(inner))
    }

    /// Every rule of `verifyJWT` up to the signature.
    #[wasm_bindgen(js_name = beginJWT)]
    pub fn begin_jwt(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyTokenOptions")] options: JsValue,
    ) -> Result<PendingToken, JsValue> {
        let token = string(&token, "token")?;
        let options: wire::TokenOptions = self::options(&options, "options")?;
        let inner = wire::begin_jwt(&self.inner, &token, &options, clock).map_err(err)?;
        Ok(PendingToken { inner, options })
    }

    /// Every remaining rule, given the host's signature verdict (`undefined`
    /// to let permiso check the signature itself).
    #[wasm_bindgen(js_name = completeJWT)]
    pub fn complete_jwt(
        &self,
        pending: PendingToken,
        #[wasm_bindgen(unchecked_param_type = "boolean | undefined")] verdict: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyTokenOptions")] options: JsValue,
    ) -> Result<VerifiedToken, JsValue> {
        let options: wire::TokenOptions = self::options(&options, "options")?;
        let inner = wire::complete_jwt(&self.inner, pending.inner, verdict.as_bool(), &options, clock).map_err(err)?;
        Ok(self.verified(inner))
    }

    /// `completeJWT` with the options the token was begun with
    /// (`verifyJWTAsync`, which reads them once).
    #[wasm_bindgen(js_name = completeBegunJWT, skip_typescript)]
    pub fn complete_begun_jwt(&self, pending: PendingToken, verdict: JsValue) -> Result<VerifiedToken, JsValue> {
        let inner =
            wire::complete_jwt(&self.inner, pending.inner, verdict.as_bool(), &pending.options, clock).map_err(err)?;
        Ok(self.verified(inner))
    }

    fn verified(&self, inner: core::VerifiedToken) -> VerifiedToken {
        VerifiedToken {
            inner,
            policy: Arc::clone(&self.inner),
        }
    }

    /// Signs a session token.
    #[wasm_bindgen(js_name = issueSession)]
    pub fn issue_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SessionRequest")] request: JsValue,
        key: &SigningKey,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] at: JsValue,
    ) -> Result<String, JsValue> {
        if !request.is_object() {
            return Err(invalid("the session request must be an object"));
        }
        let mut session: wire::SessionOptions = self::options(&request, "request")?;
        if session.now.is_none() {
            session.now = opt_time(&at, "now")?;
        }
        wire::issue_session(&self.inner, &string(&kind, "kind")?, &session, &key.inner, clock).map_err(err)
    }

    /// `delegate` with an Identity (the entry module dispatches to it).
    #[wasm_bindgen(js_name = delegateIdentity, skip_typescript)]
    pub fn delegate_identity(
        &self,
        kind: JsValue,
        identity: &Identity,
        request: JsValue,
        key: &SigningKey,
        at: JsValue,
    ) -> Result<String, JsValue> {
        if !request.is_object() {
            return Err(invalid("the delegation request must be an object"));
        }
        let mut delegation: wire::DelegationOptions = self::options(&request, "request")?;
        if delegation.now.is_none() {
            delegation.now = opt_time(&at, "now")?;
        }
        wire::delegate(
            &self.inner,
            &string(&kind, "kind")?,
            &identity.inner,
            &delegation,
            &key.inner,
            clock,
        )
        .map_err(err)
    }

    /// `delegate` with an identity record.
    #[wasm_bindgen(js_name = delegateRecord, skip_typescript)]
    pub fn delegate_record(
        &self,
        kind: JsValue,
        record: JsValue,
        request: JsValue,
        key: &SigningKey,
        at: JsValue,
    ) -> Result<String, JsValue> {
        let identity = self.identity(record)?;
        self.delegate_identity(kind, &identity, request, key, at)
    }

    /// Replaces a jwt kind's public keys at runtime (a fetched JWK Set:
    /// public keys only); its HMAC secrets stay. An invalid set keeps the old one.
    #[wasm_bindgen(js_name = setJWKS)]
    pub fn set_jwks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
        #[wasm_bindgen(unchecked_param_type = "JwkSet")] jwks: JsValue,
    ) -> Result<(), JsValue> {
        let value = json_from_js(&jwks, Code::InvalidPolicy, "jwks")?;
        wire::set_jwks(&self.inner, &string(&kind, "kind")?, &value).map_err(err)
    }

    /// Replaces a jwt kind's HMAC secrets at runtime (`oct` keys from the
    /// operator's secret store); its public keys stay.
    #[wasm_bindgen(js_name = setSecrets)]
    pub fn set_secrets(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
        #[wasm_bindgen(unchecked_param_type = "JwkSet")] jwks: JsValue,
    ) -> Result<(), JsValue> {
        let value = json_from_js(&jwks, Code::InvalidPolicy, "jwks")?;
        wire::set_secrets(&self.inner, &string(&kind, "kind")?, &value).map_err(err)
    }

    /// Key ids of a jwt kind's current key set.
    #[wasm_bindgen(js_name = jwksKids)]
    pub fn jwks_kids(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
    ) -> Result<Option<Vec<String>>, JsValue> {
        let kind = string(&kind, "kind")?;
        Ok(wire::jwks_kids(&self.inner, &kind))
    }

    /// Turns on a bounded cache of verified tokens holding at most
    /// `capacity` tokens (0 turns it off): a cached token's signature is not
    /// checked and its claims are not decoded again. Expiry, `nbf`, the kind,
    /// sessions and revocations are still checked on every use; new keys
    /// empty it.
    #[wasm_bindgen(js_name = cacheTokens)]
    pub fn cache_tokens(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] capacity: JsValue,
    ) -> Result<(), JsValue> {
        let capacity = capacity
            .as_f64()
            .filter(|n| n.fract() == 0.0 && n.abs() < 9e15)
            .ok_or_else(|| invalid("capacity must be a whole number"))?;
        wire::cache_tokens(&self.inner, capacity as i64).map_err(err)
    }

    /// How many tokens the cache holds.
    #[wasm_bindgen(js_name = cachedTokens)]
    pub fn cached_tokens(&self) -> usize {
        wire::cached_tokens(&self.inner)
    }
}

/// The stored hash of a key.
#[wasm_bindgen(js_name = hashKey)]
pub fn hash_key(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | Uint8Array")] pepper: JsValue,
) -> Result<String, JsValue> {
    let pepper = self::pepper(&pepper)?;
    wire::hash_key(&string(&key, "key")?, pepper.as_ref()).map_err(err)
}

/// Every stable code.
#[wasm_bindgen]
pub fn codes() -> Vec<String> {
    wire::codes().into_iter().map(str::to_owned).collect()
}

/// The HTTP status of each code, in the order of `codes()`.
#[wasm_bindgen(js_name = codeStatuses, skip_typescript)]
pub fn code_statuses() -> Vec<u16> {
    Code::ALL.iter().map(|c| c.status()).collect()
}

/// Every public operation, by its snake_case name (each is exposed here in
/// camelCase; the package's parity test checks it).
#[wasm_bindgen]
pub fn operations() -> Vec<String> {
    wire::OPERATIONS.iter().map(|s| (*s).to_owned()).collect()
}

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    wire::version().to_owned()
}
