//! WebAssembly bindings of permiso: the npm package `permiso`.
//!
//! Only conversions live here: JS values to the core's records (records keep
//! the core's snake_case wire names; option objects are camelCase), results
//! back to plain objects, and every failure to one `PermisoError` class with
//! the core's `code`. Every rule is in the `permiso` crate.

use std::sync::Arc;

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use permiso as core;
use permiso::Code;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

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

/** Host data describing a principal (snake_case, as stored). */
export interface PrincipalRecord {
  id: string;
  tenant?: string | null;
  roles?: string[];
  allow?: string[];
  deny?: string[];
  grants?: { resource: string; level: string }[];
}

/** How a principal authenticated. */
export interface CredentialInfo {
  kind?: string | null;
  id?: string | null;
  token_id?: string | null;
  mask?: string | null;
  owner?: string | null;
  scopes?: string[] | null;
  session?: string | null;
  actor_chain?: string[];
  /** When the credential stops being valid, unix seconds; delegations never outlive it. */
  expires_at?: number | null;
}

export interface IdentityRecord {
  principal: PrincipalRecord;
  credential?: CredentialInfo | null;
}

/** A stored API key: never the plaintext. */
export interface KeyRecord {
  id: string;
  kind: string;
  hash: string;
  mask?: string;
  owner: string;
  tenant?: string | null;
  scopes?: string[] | null;
  label?: string | null;
  created_at?: number;
  expires_at?: number | null;
  revoked_at?: number | null;
  last_used_at?: number | null;
  rolled_from?: string | null;
}

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

export interface Decision {
  allowed: boolean;
  ok: boolean;
  code: Code;
  status: number;
  message: string;
  principal: string | null;
  action: string | null;
  resource: string | null;
  tenant: string | null;
  route: string | null;
  missing: string[];
  credential: { kind: string | null; id: string | null };
  audit: AuditRecord;
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
  revokedKeys?: string[];
  revokedSessions?: string[];
  pepper?: string | Uint8Array;
  /** Unix seconds; defaults to the current time. Not milliseconds: `Date.now()` is refused. */
  now?: number;
}

export interface Classification {
  route: { route: string; permission: string; resource: string | null; tenant: string | null } | null;
  credential:
    | { type: "none" }
    | { type: "unrecognized"; reason: string }
    | { type: "api_key"; kind: string; id: string | null }
    | { type: "token"; kind: string | null };
}

export interface GeneratedKey { key: string; record: KeyRecord }
export interface ParsedKey { kind: string; id: string; mask: string; prefix: string }
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
export interface Rotation { key: GeneratedKey; old: KeyRecord }
export interface VerifyKeyOptions { pepper?: string | Uint8Array; revokedKeys?: string[]; now?: number }
export interface VerifyTokenOptions { revokedSessions?: string[]; revokedKeys?: string[]; kind?: string; now?: number }
export interface TokenInfo {
  ok: true;
  principal: string;
  kind: string;
  algorithm: string;
  scopes: string[] | null;
  roles: string[];
  tenant: string | null;
  service_account: boolean;
  actor_chain: string[];
  expires_at: number | null;
  key_id: string | null;
  credential: { kind: string; id: string | null; session: string | null };
}
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

/** The one error class: `code` is the stable code. */
export declare class PermisoError extends Error {
  code: Code;
  detail?: string;
  path?: string;
  issues?: { detail: string; path: string; message: string }[];
}

export interface Policy {
  /** Decides whether `identity` (an Identity or its record) may do `action`. */
  authorize(identity: Identity | IdentityRecord, action: string, resource?: string | null, tenant?: string | null, now?: number): Decision;
  /**
   * `verifyJWT` with the signature of RS*, PS*, ES* and EdDSA tokens checked
   * by the runtime's WebCrypto (much faster than pure-Rust crypto in wasm for
   * ECDSA); every other rule is the core's. HMAC stays in the core.
   */
  verifyJWTAsync(token: string, options?: VerifyTokenOptions): Promise<VerifiedToken>;
  /** Signs a delegated token for `identity` (an Identity or its record). */
  delegate(kind: string, identity: Identity | IdentityRecord, request: DelegationRequest, key: SigningKey, now?: number): string;
}
"#;

fn error(code: Code, message: impl Into<String>) -> JsValue {
    make_error(&message.into(), code.as_str(), JsValue::UNDEFINED)
}

fn invalid(message: impl Into<String>) -> JsValue {
    error(Code::InvalidArgument, message)
}

fn key_err(e: core::KeyError) -> JsValue {
    error(e.code(), e.to_string())
}

fn token_err(e: core::TokenError) -> JsValue {
    error(e.code(), e.to_string())
}

fn identity_err(e: core::IdentityError) -> JsValue {
    error(e.code(), e.to_string())
}

fn policy_err(e: core::PolicyError) -> JsValue {
    let extra = Object::new();
    let issues = Array::new();
    for i in e.issues() {
        let o = Object::new();
        let _ = Reflect::set(&o, &"detail".into(), &i.detail.as_str().into());
        let _ = Reflect::set(&o, &"path".into(), &i.path.as_str().into());
        let _ = Reflect::set(&o, &"message".into(), &i.message.as_str().into());
        issues.push(&o);
    }
    let _ = Reflect::set(&extra, &"detail".into(), &e.detail().as_str().into());
    let _ = Reflect::set(&extra, &"path".into(), &e.path().into());
    let _ = Reflect::set(&extra, &"issues".into(), &issues);
    make_error(&e.to_string(), e.code().as_str(), extra.into())
}

// Values cross the boundary as JSON text: `JSON.stringify`/`JSON.parse` on
// the JS side and serde_json (already in the core) on ours. That is smaller
// than walking objects property by property, and faster.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| invalid(e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| invalid("a result could not be converted"))
}

fn from_js<T: DeserializeOwned>(value: JsValue, code: Code, what: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Err(error(code, format!("{what} is missing")));
    }
    let text: String = js_sys::JSON::stringify(&value)
        .map_err(|_| error(code, format!("{what} cannot be read as JSON")))?
        .into();
    serde_json::from_str(&text).map_err(|e| error(code, format!("{what}: {e}")))
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

fn opt_strings(value: &JsValue, what: &str) -> Result<Option<Vec<String>>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !Array::is_array(value) {
        return Err(invalid(format!("{what} must be an array of strings")));
    }
    Array::from(value)
        .iter()
        .map(|v| string(&v, what))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn opt_int(value: &JsValue, what: &str) -> Result<Option<i64>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(f) if f.is_finite() && f.abs() < 9.0e15 => Ok(Some(f.floor() as i64)),
        _ => Err(invalid(format!("{what} must be a finite number"))),
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
    core::time::unix_seconds_f64(what, f)
        .map(Some)
        .map_err(|e| error(e.code(), e.to_string()))
}

/// `now` in unix seconds, defaulting to the system clock.
fn now(value: &JsValue) -> Result<i64, JsValue> {
    Ok(opt_time(value, "now")?.unwrap_or_else(|| (js_sys::Date::now() / 1000.0).floor() as i64))
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

/// The path and query of a URL, exactly as written (no normalisation: the
/// core's path rules must see `..` and `%2F` to refuse them).
fn path_of_url(url: &str) -> String {
    match url.find("://") {
        Some(i) => {
            let rest = url.get(i + 3..).unwrap_or_default();
            match rest.find(['/', '?']) {
                Some(j) => {
                    let tail = rest.get(j..).unwrap_or_default();
                    if tail.starts_with('?') {
                        format!("/{tail}")
                    } else {
                        tail.to_owned()
                    }
                }
                None => "/".to_owned(),
            }
        }
        None => url.to_owned(),
    }
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

struct RequestParts {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

fn request_parts(request: &JsValue) -> Result<RequestParts, JsValue> {
    if !request.is_object() {
        return Err(invalid("request must be a Request or {method, path, headers}"));
    }
    let method = string(&field(request, "method")?, "request.method")?;
    let path = match opt_string(&field(request, "path")?, "request.path")? {
        Some(p) => p,
        None => path_of_url(&string(&field(request, "url")?, "request.path or request.url")?),
    };
    let headers = header_pairs(&field(request, "headers")?)?;
    Ok(RequestParts { method, path, headers })
}

fn records<T: DeserializeOwned>(value: JsValue, code: Code, what: &str) -> Result<Vec<T>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(Vec::new())
    } else {
        from_js(value, code, what)
    }
}

/// An optional principal record (`undefined`/`null` for none).
fn opt_principal(value: JsValue, what: &str) -> Result<Option<core::PrincipalRecord>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        from_js(value, Code::InvalidPrincipal, what).map(Some)
    }
}

/// Token verification options: revoked sessions and keys, kind and `now`.
struct TokenOptions {
    revoked: Vec<String>,
    revoked_keys: Vec<String>,
    kind: Option<String>,
    now: i64,
}

impl TokenOptions {
    fn read(options: &JsValue) -> Result<TokenOptions, JsValue> {
        Ok(TokenOptions {
            revoked: opt_strings(&field(options, "revokedSessions")?, "revokedSessions")?.unwrap_or_default(),
            revoked_keys: opt_strings(&field(options, "revokedKeys")?, "revokedKeys")?.unwrap_or_default(),
            kind: opt_string(&field(options, "kind")?, "kind")?,
            now: now(&field(options, "now")?)?,
        })
    }

    fn core(&self) -> core::VerifyTokenOptions<'_> {
        core::VerifyTokenOptions::at(self.now)
            .revoked_sessions(&self.revoked)
            .revoked_keys(&self.revoked_keys)
            .kind(self.kind.as_deref())
    }
}

/// Host data read from a JS object, owned.
fn host_data(host: &JsValue) -> Result<core::OwnedHostData, JsValue> {
    Ok(core::OwnedHostData {
        keys: records(field(host, "keys")?, Code::InvalidKeyRecord, "hostData.keys")?,
        principals: records(
            field(host, "principals")?,
            Code::InvalidPrincipal,
            "hostData.principals",
        )?,
        revoked_keys: opt_strings(&field(host, "revokedKeys")?, "hostData.revokedKeys")?.unwrap_or_default(),
        revoked_sessions: opt_strings(&field(host, "revokedSessions")?, "hostData.revokedSessions")?
            .unwrap_or_default(),
        pepper: pepper(&field(host, "pepper")?)?,
        now: now(&field(host, "now")?)?,
    })
}

/// `[name, value]` pairs from an object of parameters.
fn param_pairs(params: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if params.is_undefined() || params.is_null() {
        return Ok(Vec::new());
    }
    if !params.is_object() || Array::is_array(params) {
        return Err(invalid("route.params must be an object of decoded parameter values"));
    }
    Object::entries(&Object::from(params.clone()))
        .iter()
        .map(|pair| {
            let pair = Array::from(&pair);
            Ok((
                string(&pair.get(0), "a parameter name")?,
                string(&pair.get(1), "a route parameter value")?,
            ))
        })
        .collect()
}

/// A decision: a plain object with `allowed`, `code`, `status`, `message`,
/// `missing`, `audit` and the rest.
fn decision(d: &core::Decision<'_>) -> Result<JsValue, JsValue> {
    to_js(&core::conformance::decision_view(d))
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
        self.inner.kind.clone()
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
    /// The identity the key authenticates; `owner` is the owner's record.
    pub fn identity(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PrincipalRecord | null")] owner: JsValue,
    ) -> Result<Identity, JsValue> {
        let owner = opt_principal(owner, "owner")?;
        let inner = self
            .policy
            .key_identity(&self.inner, owner.as_ref())
            .map_err(identity_err)?;
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
        to_js(&core::conformance::token_json(&self.inner))
    }
    /// All claims.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, unknown>")]
    pub fn claims(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.claims)
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
            .map_err(identity_err)?;
        Ok(Identity { inner })
    }
}

/// A token that passed every rule before its signature (see `verifyJWTAsync`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct PendingToken {
    inner: core::PendingToken,
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
        let key = core::SigningKey::hmac(&string(&algorithm, "algorithm")?, &bytes).map_err(token_err)?;
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
        let key = core::SigningKey::from_pem(&string(&algorithm, "algorithm")?, pem.as_bytes()).map_err(token_err)?;
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
    /// Cache `maxAge` seconds; refetch on unknown `kid` at most every `cooldown` seconds.
    #[wasm_bindgen(constructor)]
    pub fn new(max_age: f64, cooldown: f64) -> JwksRefresh {
        JwksRefresh {
            inner: core::JwksRefresh::new(max_age as i64, cooldown as i64),
        }
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
    let policy = core::Policy::from_str(&text, format).map_err(policy_err)?;
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
        let value: serde_json::Value = from_js(document, Code::InvalidPolicy, "the policy document")?;
        let policy = core::Policy::from_value(&value).map_err(policy_err)?;
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
        let inner = self.inner.identity(record).map_err(identity_err)?;
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
    ) -> Result<JsValue, JsValue> {
        let action = string(&action, "action")?;
        let resource = opt_string(&resource, "resource")?;
        let tenant = opt_string(&tenant, "tenant")?;
        let check = core::Check::new(&action)
            .resource(resource.as_deref())
            .tenant(tenant.as_deref());
        decision(&self.inner.authorize(&identity.inner, check, now(&at)?))
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
    ) -> Result<JsValue, JsValue> {
        let identity = self.identity(record)?;
        self.authorize_identity(&identity, action, resource, tenant, at)
    }

    /// Whether `identity` may do `action`: the same rules as `authorize`,
    /// answering only yes or no (no decision object, no audit record).
    #[wasm_bindgen(js_name = isAllowed)]
    pub fn is_allowed(
        &self,
        identity: &Identity,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] resource: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] tenant: JsValue,
    ) -> Result<bool, JsValue> {
        let action = string(&action, "action")?;
        let resource = opt_string(&resource, "resource")?;
        let tenant = opt_string(&tenant, "tenant")?;
        let check = core::Check::new(&action)
            .resource(resource.as_deref())
            .tenant(tenant.as_deref());
        Ok(self.inner.is_allowed(&identity.inner, check))
    }

    /// The route and what to fetch (a key id) before `authorizeRequest`.
    #[wasm_bindgen(unchecked_return_type = "Classification")]
    pub fn classify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestLike")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let parts = request_parts(&request)?;
        let borrowed: Vec<(&str, &str)> = parts.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let classified = self.inner.classify(&core::Request {
            method: &parts.method,
            path: &parts.path,
            headers: &borrowed,
        });
        let route = classified.route.as_ref().map(|r| {
            serde_json::json!({"route": r.route, "permission": r.permission, "resource": r.resource, "tenant": r.tenant})
        });
        to_js(&serde_json::json!({"route": route, "credential": classified.credential}))
    }

    /// Authorizes an HTTP request in one call.
    #[wasm_bindgen(js_name = authorizeRequest, unchecked_return_type = "Decision")]
    pub fn authorize_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestLike")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "HostData")] host: JsValue,
    ) -> Result<JsValue, JsValue> {
        let parts = request_parts(&request)?;
        let host = host_data(&host)?;
        let borrowed: Vec<(&str, &str)> = parts.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let request = core::Request {
            method: &parts.method,
            path: &parts.path,
            headers: &borrowed,
        };
        decision(&self.inner.authorize_request(&request, &host.data()))
    }

    /// Authorizes the route the application's router matched: `{method,
    /// template, params, headers}` with the template as the policy writes it
    /// and the decoded parameters; no path is parsed.
    #[wasm_bindgen(js_name = authorizeRoute, unchecked_return_type = "Decision")]
    pub fn authorize_route(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RouteRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "HostData")] host: JsValue,
    ) -> Result<JsValue, JsValue> {
        if !request.is_object() {
            return Err(invalid("the route request must be {method, template, params, headers}"));
        }
        let method = string(&field(&request, "method")?, "route.method")?;
        let template = string(&field(&request, "template")?, "route.template")?;
        let params = param_pairs(&field(&request, "params")?)?;
        let headers = match field(&request, "headers")? {
            h if h.is_undefined() || h.is_null() => Vec::new(),
            h => header_pairs(&h)?,
        };
        let host = host_data(&host)?;
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let request = core::RouteRequest {
            method: &method,
            template: &template,
            params: &params,
            headers: &headers,
        };
        decision(&self.inner.authorize_route(&request, &host.data()))
    }

    /// Generates an API key of an `api_key` kind.
    #[wasm_bindgen(js_name = generateKey, unchecked_return_type = "GeneratedKey")]
    pub fn generate_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] owner: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "NewKeyOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let pepper = pepper(&field(&options, "pepper")?)?;
        let new = core::NewKey {
            scopes: opt_strings(&field(&options, "scopes")?, "scopes")?,
            label: opt_string(&field(&options, "label")?, "label")?,
            expires_at: opt_time(&field(&options, "expiresAt")?, "expiresAt")?,
            pepper: pepper.as_ref(),
        };
        let generated = self
            .inner
            .generate_key(
                &string(&kind, "kind")?,
                &string(&owner, "owner")?,
                &new,
                now(&field(&options, "now")?)?,
            )
            .map_err(key_err)?;
        to_js(&serde_json::json!({"key": generated.key.expose(), "record": generated.record}))
    }

    /// Rotates a key: the new key, and the old record with its grace expiry.
    #[wasm_bindgen(js_name = rotateKey, unchecked_return_type = "Rotation")]
    pub fn rotate_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "KeyRecord")] record: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RotateKeyOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let old: core::KeyRecord = from_js(record, Code::InvalidKeyRecord, "record")?;
        let pepper = pepper(&field(&options, "pepper")?)?;
        let rotate = core::RotateKey {
            grace: opt_int(&field(&options, "grace")?, "grace")?.unwrap_or(86_400),
            scopes: opt_strings(&field(&options, "scopes")?, "scopes")?,
            expires_at: opt_time(&field(&options, "expiresAt")?, "expiresAt")?,
            label: opt_string(&field(&options, "label")?, "label")?,
            pepper: pepper.as_ref(),
            revoked_keys: &opt_strings(&field(&options, "revokedKeys")?, "revokedKeys")?.unwrap_or_default(),
        };
        let rotation = self
            .inner
            .rotate_key(&old, &rotate, now(&field(&options, "now")?)?)
            .map_err(key_err)?;
        to_js(&serde_json::json!({
            "key": {"key": rotation.new.key.expose(), "record": rotation.new.record},
            "old": rotation.old,
        }))
    }

    /// Parses a key.
    #[wasm_bindgen(js_name = parseKey, unchecked_return_type = "ParsedKey")]
    pub fn parse_key(&self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> Result<JsValue, JsValue> {
        let parsed = self.inner.parse_key(&string(&key, "key")?).map_err(key_err)?;
        to_js(
            &serde_json::json!({"kind": parsed.kind(), "id": parsed.id(), "mask": parsed.mask(), "prefix": parsed.key().prefix()}),
        )
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
        let pepper = pepper(&field(&options, "pepper")?)?;
        let revoked = opt_strings(&field(&options, "revokedKeys")?, "revokedKeys")?.unwrap_or_default();
        let verify = core::VerifyKeyOptions::at(now(&field(&options, "now")?)?)
            .pepper(pepper.as_ref())
            .revoked_keys(&revoked);
        let inner = self.inner.verify_key(&key, &record, &verify).map_err(key_err)?;
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
        let options = TokenOptions::read(&options)?;
        let verify = options.core();
        let inner = self.inner.verify_jwt(&token, &verify).map_err(token_err)?;
        Ok(VerifiedToken {
            inner,
            policy: Arc::clone(&self.inner),
        })
    }

    /// Every rule of `verifyJWT` up to the signature.
    #[wasm_bindgen(js_name = beginJWT)]
    pub fn begin_jwt(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyTokenOptions")] options: JsValue,
    ) -> Result<PendingToken, JsValue> {
        let token = string(&token, "token")?;
        let options = TokenOptions::read(&options)?;
        let verify = options.core();
        let inner = self.inner.begin_jwt(&token, &verify).map_err(token_err)?;
        Ok(PendingToken { inner })
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
        let verdict = verdict.as_bool();
        let options = TokenOptions::read(&options)?;
        let verify = options.core();
        let inner = self
            .inner
            .complete_jwt(pending.inner, verdict, &verify)
            .map_err(token_err)?;
        Ok(VerifiedToken {
            inner,
            policy: Arc::clone(&self.inner),
        })
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
        let session = core::SessionRequest {
            subject: string(&field(&request, "subject")?, "subject")?,
            session: opt_string(&field(&request, "session")?, "session")?,
            scopes: opt_strings(&field(&request, "scopes")?, "scopes")?,
            roles: opt_strings(&field(&request, "roles")?, "roles")?.unwrap_or_default(),
            tenant: opt_string(&field(&request, "tenant")?, "tenant")?,
            lifetime: opt_int(&field(&request, "lifetime")?, "lifetime")?.unwrap_or(900),
            client_id: opt_string(&field(&request, "clientId")?, "clientId")?,
        };
        self.inner
            .issue_session(&string(&kind, "kind")?, &session, &key.inner, now(&at)?)
            .map_err(token_err)
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
        let delegation = core::DelegationRequest {
            actor: string(&field(&request, "actor")?, "actor")?,
            scopes: opt_strings(&field(&request, "scopes")?, "scopes")?
                .ok_or_else(|| invalid("scopes must be an array of strings"))?,
            audience: opt_string(&field(&request, "audience")?, "audience")?,
            lifetime: opt_int(&field(&request, "lifetime")?, "lifetime")?.unwrap_or(300),
        };
        self.inner
            .delegate(
                &string(&kind, "kind")?,
                &identity.inner,
                &delegation,
                &key.inner,
                now(&at)?,
            )
            .map_err(token_err)
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
        let value: serde_json::Value = from_js(jwks, Code::InvalidPolicy, "jwks")?;
        self.inner.set_jwks(&string(&kind, "kind")?, &value).map_err(policy_err)
    }

    /// Replaces a jwt kind's HMAC secrets at runtime (`oct` keys from the
    /// operator's secret store); its public keys stay.
    #[wasm_bindgen(js_name = setSecrets)]
    pub fn set_secrets(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
        #[wasm_bindgen(unchecked_param_type = "JwkSet")] jwks: JsValue,
    ) -> Result<(), JsValue> {
        let value: serde_json::Value = from_js(jwks, Code::InvalidPolicy, "jwks")?;
        self.inner
            .set_secrets(&string(&kind, "kind")?, &value)
            .map_err(policy_err)
    }

    /// Key ids of a jwt kind's current key set.
    #[wasm_bindgen(js_name = jwksKids)]
    pub fn jwks_kids(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
    ) -> Result<Option<Vec<String>>, JsValue> {
        let kind = string(&kind, "kind")?;
        Ok(self
            .inner
            .jwks(&kind)
            .map(|k| k.kids().into_iter().map(str::to_owned).collect()))
    }
}

/// The stored hash of a key.
#[wasm_bindgen(js_name = hashKey)]
pub fn hash_key(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | Uint8Array")] pepper: JsValue,
) -> Result<String, JsValue> {
    let pepper = self::pepper(&pepper)?;
    let parsed = core::ApiKey::parse(&string(&key, "key")?).map_err(key_err)?;
    Ok(parsed.hash(pepper.as_ref()))
}

/// Every stable code.
#[wasm_bindgen]
pub fn codes() -> Vec<String> {
    Code::ALL.iter().map(|c| c.as_str().to_owned()).collect()
}

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
