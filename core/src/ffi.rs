//! The Kotlin and Swift surface (uniffi), compiled with the `uniffi`
//! feature into the `permiso-ffi` library.
//!
//! Records are the core's own (host records, and the result records of
//! [`crate::wire`]), derived for uniffi where they are defined; what is here
//! only converts: request and host records whose pepper is an object (so no
//! generated `toString` can show it), objects that hold the core's values,
//! and one exception carrying the core's error record.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::authzen::Api;
use crate::code::Code;
use crate::records::Attributes;
use crate::wire;
use crate::{Check, IdentityRecord, KeyRecord, PrincipalRecord};

/// An attribute value: a string, an integer, a boolean, or a list of those.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AttributeValue {
    /// A string.
    Text(String),
    /// An integer.
    Integer(i64),
    /// A boolean.
    Boolean(bool),
    /// A list of scalars (a nested list equals nothing).
    Values(Vec<AttributeValue>),
}

impl AttributeValue {
    fn from_json(value: serde_json::Value) -> AttributeValue {
        use serde_json::Value;
        match value {
            Value::Bool(b) => AttributeValue::Boolean(b),
            Value::Number(n) => n
                .as_i64()
                .map_or_else(|| AttributeValue::Text(n.to_string()), AttributeValue::Integer),
            Value::String(s) => AttributeValue::Text(s),
            Value::Array(items) => AttributeValue::Values(items.into_iter().map(AttributeValue::from_json).collect()),
            other => AttributeValue::Text(other.to_string()),
        }
    }

    fn into_json(self) -> serde_json::Value {
        match self {
            AttributeValue::Text(s) => s.into(),
            AttributeValue::Integer(i) => i.into(),
            AttributeValue::Boolean(b) => b.into(),
            AttributeValue::Values(items) => items.into_iter().map(AttributeValue::into_json).collect(),
        }
    }
}

// Attributes cross as a map of `AttributeValue` (Kotlin `Map`, Swift
// `Dictionary`); the core keeps them as JSON values.
uniffi::custom_type!(Attributes, std::collections::HashMap<String, AttributeValue>, {
    remote,
    lower: |attributes| attributes.into_iter().map(|(k, v)| (k, AttributeValue::from_json(v))).collect(),
    // Names and shapes are checked where the record is used (`identity`
    // refuses a principal's bad attributes with `invalid_principal`).
    try_lift: |map| Ok(map.into_iter().map(|(k, v)| (k, v.into_json())).collect()),
});

uniffi::custom_type!(Code, String, {
    lower: |code| code.as_str().to_owned(),
    try_lift: |text| Code::parse(&text).ok_or_else(|| uniffi::deps::anyhow::anyhow!("unknown code")),
});

/// The one exception: the core's error record.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum PermisoException {
    /// A refusal or an invalid input.
    #[error("{reason} ({code})")]
    Refused {
        /// The stable snake_case code.
        code: String,
        /// The message (`message` would clash with the exception's own).
        reason: String,
        /// For `invalid_policy`: the first problem's detail code.
        detail: Option<String>,
        /// For `invalid_policy`: the first problem's path.
        path: Option<String>,
    },
}

impl From<wire::Error> for PermisoException {
    fn from(e: wire::Error) -> Self {
        PermisoException::Refused {
            code: e.code.as_str().to_owned(),
            reason: e.message,
            detail: e.detail.map(str::to_owned),
            path: e.path,
        }
    }
}

type Result<T> = std::result::Result<T, PermisoException>;

fn fail<E: Into<wire::Error>>(e: E) -> PermisoException {
    PermisoException::from(e.into())
}

/// The system clock, unix seconds.
fn clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A pepper for `hmac-sha256:` key hashes. An object, not a string, so that
/// records holding it never print it.
#[derive(uniffi::Object)]
pub struct Pepper {
    inner: crate::Pepper,
}

impl std::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pepper([redacted])")
    }
}

#[uniffi::export]
impl Pepper {
    /// A pepper from its UTF-8 text.
    #[uniffi::constructor]
    pub fn new(value: String) -> Arc<Self> {
        Arc::new(Pepper {
            inner: crate::Pepper::from(value.as_str()),
        })
    }
}

fn pepper(p: Option<Arc<Pepper>>) -> Option<crate::Pepper> {
    p.map(|p| p.inner.clone())
}

/// One header, or one route parameter.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Header {
    /// The name.
    pub name: String,
    /// The value (decoded, for a route parameter).
    pub value: String,
}

fn pairs(list: Vec<Header>) -> Vec<(String, String)> {
    list.into_iter().map(|h| (h.name, h.value)).collect()
}

/// An HTTP request: the method, the target (a path, optionally with a
/// query) and the headers.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HttpRequest {
    /// The method, any case.
    pub method: String,
    /// The request target.
    pub path: String,
    /// The headers.
    #[uniffi(default)]
    pub headers: Vec<Header>,
}

impl From<HttpRequest> for wire::HttpRequest {
    fn from(r: HttpRequest) -> Self {
        wire::HttpRequest {
            method: r.method,
            path: Some(r.path),
            url: None,
            headers: wire::Headers(pairs(r.headers)),
        }
    }
}

/// A route the application's router matched: the template as the policy
/// writes it and the decoded parameter values.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RouteRequest {
    /// The method, any case.
    pub method: String,
    /// The route's path template.
    pub template: String,
    /// Parameter names and decoded values.
    #[uniffi(default)]
    pub params: Vec<Header>,
    /// The headers.
    #[uniffi(default)]
    pub headers: Vec<Header>,
}

impl From<RouteRequest> for wire::MatchedRoute {
    fn from(r: RouteRequest) -> Self {
        wire::MatchedRoute {
            method: r.method,
            template: r.template,
            params: wire::Params(pairs(r.params)),
            headers: wire::Headers(pairs(r.headers)),
        }
    }
}

/// What the host looked up for a request.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct HostData {
    /// Key records.
    #[uniffi(default)]
    pub keys: Vec<KeyRecord>,
    /// Principal records.
    #[uniffi(default)]
    pub principals: Vec<PrincipalRecord>,
    /// Resource records, whose attributes rules read.
    #[uniffi(default)]
    pub resources: Vec<crate::ResourceRecord>,
    /// Revoked key ids.
    #[uniffi(default)]
    pub revoked_keys: Vec<String>,
    /// Revoked session ids.
    #[uniffi(default)]
    pub revoked_sessions: Vec<String>,
    /// The pepper for `hmac-sha256:` key hashes.
    #[uniffi(default)]
    pub pepper: Option<Arc<Pepper>>,
    /// Unix seconds; the clock when absent.
    #[uniffi(default)]
    pub now: Option<i64>,
}

impl From<HostData> for wire::HostRecords {
    fn from(h: HostData) -> Self {
        wire::HostRecords {
            keys: h.keys,
            principals: h.principals,
            resources: h.resources,
            revoked_keys: h.revoked_keys,
            revoked_sessions: h.revoked_sessions,
            pepper: pepper(h.pepper),
            now: h.now,
        }
    }
}

/// A decision; `to_json()` is the record every runtime shows.
#[derive(Debug, uniffi::Object)]
pub struct Decision {
    inner: crate::Decision<'static>,
}

impl Decision {
    fn new(d: crate::Decision<'_>) -> Arc<Self> {
        Arc::new(Decision { inner: d.into_owned() })
    }
}

#[uniffi::export]
impl Decision {
    /// Whether the action is allowed.
    pub fn allowed(&self) -> bool {
        self.inner.allowed()
    }
    /// The stable code.
    pub fn code(&self) -> String {
        self.inner.code().as_str().to_owned()
    }
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.inner.status()
    }
    /// Why, in words.
    pub fn message(&self) -> String {
        self.inner.message().to_owned()
    }
    /// Permissions that were missing.
    pub fn missing(&self) -> Vec<String> {
        self.inner.missing().map(str::to_owned).collect()
    }
    /// The principal id, if authenticated.
    pub fn principal(&self) -> Option<String> {
        self.inner.actor().principal().map(str::to_owned)
    }
    /// The matched route.
    pub fn route(&self) -> Option<String> {
        self.inner.route().map(str::to_owned)
    }
    /// The audit record as one line of JSON, for logs.
    pub fn audit_json(&self) -> String {
        self.inner.audit_json()
    }
    /// The whole decision as JSON (the record of every runtime).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&wire::DecisionInfo::from(&self.inner)).unwrap_or_default()
    }
}

/// A new key: show `key()` once, store `record()`. An object, so that its
/// string form never shows the plaintext.
#[derive(uniffi::Object)]
pub struct GeneratedKey {
    inner: wire::NewKeyInfo,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("key", &"[redacted]")
            .field("record", &self.inner.record)
            .finish()
    }
}

#[uniffi::export]
impl GeneratedKey {
    /// The plaintext key: show it once, never store it.
    pub fn key(&self) -> String {
        self.inner.key.expose().to_owned()
    }
    /// The record to store.
    pub fn record(&self) -> KeyRecord {
        self.inner.record.clone()
    }
}

/// A rotation: the new key, and the old record with its grace expiry.
#[derive(Debug, uniffi::Record)]
pub struct Rotation {
    /// The replacement key.
    pub new_key: Arc<GeneratedKey>,
    /// The old record.
    pub old: KeyRecord,
}

/// An identity resolved against one policy.
#[derive(Debug, uniffi::Object)]
pub struct Identity {
    inner: crate::Identity,
}

#[uniffi::export]
impl Identity {
    /// The principal id.
    pub fn principal(&self) -> String {
        self.inner.principal_id().to_owned()
    }
    /// The record it was built from.
    pub fn record(&self) -> IdentityRecord {
        self.inner.record().clone()
    }
}

/// A key that verified against its record.
#[derive(Debug, uniffi::Object)]
pub struct VerifiedKey {
    inner: crate::VerifiedKey,
    policy: Arc<crate::Policy>,
}

#[uniffi::export]
impl VerifiedKey {
    /// The key as every runtime shows it.
    pub fn info(&self) -> wire::KeyInfo {
        wire::key_info(&self.inner)
    }
    /// The identity the key authenticates; `owner` is its owner's record.
    #[uniffi::method(default(owner = None))]
    pub fn identity(&self, owner: Option<PrincipalRecord>) -> Result<Arc<Identity>> {
        let inner = wire::key_identity(&self.policy, &self.inner, owner.as_ref())?;
        Ok(Arc::new(Identity { inner }))
    }
}

/// A token whose signature and claims verified.
#[derive(Debug, uniffi::Object)]
pub struct VerifiedToken {
    inner: crate::VerifiedToken,
    policy: Arc<crate::Policy>,
}

#[uniffi::export]
impl VerifiedToken {
    /// The token as every runtime shows it.
    pub fn info(&self) -> wire::TokenInfo {
        wire::TokenInfo::from(&self.inner)
    }
    /// Every claim, as JSON.
    pub fn claims_json(&self) -> String {
        serde_json::to_string(&self.inner.claims.to_map()).unwrap_or_default()
    }
    /// The identity; a host `principal` record, when given, is authoritative.
    #[uniffi::method(default(principal = None))]
    pub fn identity(&self, principal: Option<PrincipalRecord>) -> Result<Arc<Identity>> {
        let inner = wire::token_identity(&self.policy, &self.inner, principal.as_ref())?;
        Ok(Arc::new(Identity { inner }))
    }
}

/// A token that passed every rule before its signature: check
/// `signing_input()` against `signature()` with the platform's crypto, then
/// hand the verdict to `Policy.complete_jwt`.
#[derive(Debug, uniffi::Object)]
pub struct PendingToken {
    inner: Mutex<Option<crate::PendingToken>>,
    algorithm: String,
    public_jwk: Option<String>,
    key_thumbprint: Option<String>,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
}

impl From<crate::PendingToken> for PendingToken {
    fn from(pending: crate::PendingToken) -> Self {
        PendingToken {
            algorithm: pending.algorithm().to_owned(),
            public_jwk: pending.public_jwk().map(ToString::to_string),
            key_thumbprint: pending.key_thumbprint().map(str::to_owned),
            signing_input: pending.signing_input().to_vec(),
            signature: pending.signature().to_vec(),
            inner: Mutex::new(Some(pending)),
        }
    }
}

impl PendingToken {
    /// The staged token, for a request's or route's decision (which may
    /// be asked again); `complete_jwt` takes it instead.
    fn staged(&self) -> Result<crate::PendingToken> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or_else(|| fail(wire::Error::argument("pending", "this token was completed already")))
    }
}

#[uniffi::export]
impl PendingToken {
    /// The JOSE algorithm.
    pub fn algorithm(&self) -> String {
        self.algorithm.clone()
    }
    /// The public JWK (JSON) of the selected key; none for HMAC.
    pub fn public_jwk(&self) -> Option<String> {
        self.public_jwk.clone()
    }
    /// The RFC 7638 SHA-256 thumbprint of `public_jwk` (base64url), to find
    /// a key imported before without reading the JWK.
    pub fn key_thumbprint(&self) -> Option<String> {
        self.key_thumbprint.clone()
    }
    /// The signed bytes (`header.payload`).
    pub fn signing_input(&self) -> Vec<u8> {
        self.signing_input.clone()
    }
    /// The decoded signature.
    pub fn signature(&self) -> Vec<u8> {
        self.signature.clone()
    }
}

/// A private key or HMAC secret for signing tokens.
#[derive(Debug, uniffi::Object)]
pub struct SigningKey {
    inner: crate::SigningKey,
}

#[uniffi::export]
impl SigningKey {
    /// An HMAC secret for HS256, HS384 or HS512.
    #[uniffi::constructor(default(kid = None))]
    pub fn hmac(algorithm: String, secret: Vec<u8>, kid: Option<String>) -> Result<Arc<Self>> {
        Ok(Arc::new(SigningKey {
            inner: wire::hmac_key(&algorithm, &secret, kid)?,
        }))
    }
    /// A PEM private key for RS*, PS*, ES* or EdDSA.
    #[uniffi::constructor(default(kid = None))]
    pub fn from_pem(algorithm: String, pem: String, kid: Option<String>) -> Result<Arc<Self>> {
        Ok(Arc::new(SigningKey {
            inner: wire::pem_key(&algorithm, pem.as_bytes(), kid)?,
        }))
    }
    /// The algorithm.
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().to_owned()
    }
}

/// When to refetch a JWK Set; it does no I/O itself.
#[derive(Debug, uniffi::Object)]
pub struct JwksRefresh {
    inner: Mutex<crate::JwksRefresh>,
}

impl JwksRefresh {
    fn with<T>(&self, f: impl FnOnce(&mut crate::JwksRefresh) -> T) -> T {
        // A poisoned lock still holds a consistent schedule (every update is
        // one assignment): keep using it.
        let mut guard = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

#[uniffi::export]
impl JwksRefresh {
    /// Cache `max_age` seconds; refetch on an unknown `kid` at most every
    /// `cooldown` seconds (the core's defaults, 300 and 30, when absent).
    #[uniffi::constructor(default(max_age = None, cooldown = None))]
    pub fn new(max_age: Option<i64>, cooldown: Option<i64>) -> Arc<Self> {
        Arc::new(JwksRefresh {
            inner: Mutex::new(wire::jwks_refresh(max_age, cooldown)),
        })
    }
    /// Whether a scheduled fetch is due.
    #[uniffi::method(default(now = None))]
    pub fn due(&self, now: Option<i64>) -> Result<bool> {
        let now = wire::now(now, clock)?;
        Ok(self.with(|r| r.due(now)))
    }
    /// Whether an unknown `kid` may trigger a fetch now.
    #[uniffi::method(default(now = None))]
    pub fn on_unknown_kid(&self, now: Option<i64>) -> Result<bool> {
        let now = wire::now(now, clock)?;
        Ok(self.with(|r| r.on_unknown_kid(now)))
    }
    /// Records a successful fetch.
    #[uniffi::method(default(now = None))]
    pub fn succeeded(&self, now: Option<i64>) -> Result<()> {
        let now = wire::now(now, clock)?;
        self.with(|r| r.succeeded(now));
        Ok(())
    }
    /// Records a failed fetch; keep serving the last good set.
    #[uniffi::method(default(now = None))]
    pub fn failed(&self, now: Option<i64>) -> Result<()> {
        let now = wire::now(now, clock)?;
        self.with(|r| r.failed(now));
        Ok(())
    }
    /// When the next fetch should happen.
    pub fn next_fetch_at(&self) -> i64 {
        self.with(|r| r.next_fetch_at())
    }
}

/// A compiled policy: immutable and thread-safe.
#[derive(Debug, uniffi::Object)]
pub struct Policy {
    inner: Arc<crate::Policy>,
}

fn compiled(policy: std::result::Result<crate::Policy, wire::Error>) -> Result<Arc<Policy>> {
    Ok(Arc::new(Policy {
        inner: Arc::new(policy?),
    }))
}

fn token_options(
    revoked_sessions: Vec<String>,
    revoked_keys: Vec<String>,
    kind: Option<String>,
    now: Option<i64>,
) -> wire::TokenOptions {
    wire::TokenOptions {
        revoked_sessions,
        revoked_keys,
        kind,
        now,
    }
}

#[uniffi::export]
impl Policy {
    /// Compiles a JSON document.
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<Self>> {
        compiled(wire::compile(&text, crate::Format::Json))
    }
    /// Compiles a YAML document.
    #[uniffi::constructor]
    pub fn from_yaml(text: String) -> Result<Arc<Self>> {
        compiled(wire::compile(&text, crate::Format::Yaml))
    }
    /// Compiles a TOML document.
    #[uniffi::constructor]
    pub fn from_toml(text: String) -> Result<Arc<Self>> {
        compiled(wire::compile(&text, crate::Format::Toml))
    }

    /// SHA-256 of the canonical document, `sha256:<hex>`.
    pub fn hash(&self) -> String {
        self.inner.hash().to_string()
    }
    /// The declared permissions.
    pub fn permissions(&self) -> Vec<String> {
        self.inner.permissions().map(str::to_owned).collect()
    }
    /// The credential kinds.
    pub fn credential_kinds(&self) -> Vec<String> {
        self.inner.credential_kinds().map(str::to_owned).collect()
    }

    /// Resolves an identity record once, for many checks.
    pub fn identity(&self, record: IdentityRecord) -> Result<Arc<Identity>> {
        Ok(Arc::new(Identity {
            inner: wire::identity(&self.inner, record)?,
        }))
    }

    /// Decides whether `identity` may do `action` (on `resource`, in
    /// `tenant`); `attributes` are the resource's, which rules read.
    #[uniffi::method(default(resource = None, tenant = None, now = None, attributes = None))]
    pub fn authorize(
        &self,
        identity: Arc<Identity>,
        action: String,
        resource: Option<String>,
        tenant: Option<String>,
        now: Option<i64>,
        attributes: Option<Attributes>,
    ) -> Result<Arc<Decision>> {
        let check = Check::new(&action)
            .resource(resource.as_deref())
            .attributes(attributes.as_ref())
            .tenant(tenant.as_deref());
        Ok(Decision::new(wire::authorize(
            &self.inner,
            &identity.inner,
            check,
            now,
            clock,
        )?))
    }

    /// Yes or no, without a decision object (for hiding buttons).
    #[uniffi::method(default(resource = None, tenant = None, attributes = None))]
    pub fn is_allowed(
        &self,
        identity: Arc<Identity>,
        action: String,
        resource: Option<String>,
        tenant: Option<String>,
        attributes: Option<Attributes>,
    ) -> bool {
        let check = Check::new(&action)
            .resource(resource.as_deref())
            .attributes(attributes.as_ref())
            .tenant(tenant.as_deref());
        self.inner.is_allowed(&identity.inner, check)
    }

    /// The route and the credential of a request: what to fetch before
    /// `authorize_request`.
    pub fn classify(&self, request: HttpRequest) -> Result<wire::Classification> {
        Ok(wire::classify(&self.inner, &request.into())?)
    }

    /// Authorizes an HTTP request in one call (for proxies and gateways
    /// that have no router of their own).
    pub fn authorize_request(&self, request: HttpRequest, host: HostData) -> Result<Arc<Decision>> {
        let decision = wire::authorize_request(&self.inner, &request.into(), &host.into(), clock)?;
        Ok(Decision::new(decision))
    }

    /// The bearer token a request's headers present, staged up to its
    /// signature, for a platform that checks public-key signatures itself
    /// (for `complete_request`, or `complete_route` with the route's
    /// headers); none when there is none to check (then call
    /// `authorize_request` or `authorize_route`).
    pub fn begin_request(&self, request: HttpRequest) -> Option<Arc<PendingToken>> {
        wire::begin_request(&self.inner, &request.into()).map(|pending| Arc::new(PendingToken::from(pending)))
    }

    /// `authorize_request` with the platform's verdict on the signature of
    /// the token `begin_request` staged (none: the core checks it).
    #[uniffi::method(default(verdict = None))]
    pub fn complete_request(
        &self,
        request: HttpRequest,
        host: HostData,
        pending: Arc<PendingToken>,
        verdict: Option<bool>,
    ) -> Result<Arc<Decision>> {
        let staged = pending.staged()?;
        let decision = wire::complete_request(&self.inner, &request.into(), &host.into(), &staged, verdict, clock)?;
        Ok(Decision::new(decision))
    }

    /// `authorize_route` with the platform's verdict on the signature of
    /// the token `begin_request` staged from the same headers (none: the
    /// core checks it).
    #[uniffi::method(default(verdict = None))]
    pub fn complete_route(
        &self,
        request: RouteRequest,
        host: HostData,
        pending: Arc<PendingToken>,
        verdict: Option<bool>,
    ) -> Result<Arc<Decision>> {
        let staged = pending.staged()?;
        let decision = wire::complete_route(&self.inner, &request.into(), &host.into(), &staged, verdict, clock)?;
        Ok(Decision::new(decision))
    }

    /// Answers an AuthZEN 1.0 request of `api` (`evaluation`,
    /// `evaluations`, `search/subject`, `search/resource`, `search/action`):
    /// JSON in, JSON out, one call for a whole batch.
    pub fn authzen(&self, api: String, request: String, host: HostData) -> Result<String> {
        let api = Api::parse(&api)?;
        let request = crate::authzen::Request::read_str(api, &request, || json_request(&request))?;
        authzen_json(wire::authzen_request(&self.inner, &request, &host.into(), clock))
    }

    /// An AuthZEN access evaluation (JSON in, JSON out).
    pub fn access_evaluation(&self, request: String, host: HostData) -> Result<String> {
        self.authzen(Api::Evaluation.as_str().into(), request, host)
    }

    /// AuthZEN access evaluations, a batch (JSON in, JSON out).
    pub fn access_evaluations(&self, request: String, host: HostData) -> Result<String> {
        self.authzen(Api::Evaluations.as_str().into(), request, host)
    }

    /// AuthZEN subject search (JSON in, JSON out).
    pub fn search_subjects(&self, request: String, host: HostData) -> Result<String> {
        self.authzen(Api::SearchSubject.as_str().into(), request, host)
    }

    /// AuthZEN resource search (JSON in, JSON out).
    pub fn search_resources(&self, request: String, host: HostData) -> Result<String> {
        self.authzen(Api::SearchResource.as_str().into(), request, host)
    }

    /// AuthZEN action search (JSON in, JSON out).
    pub fn search_actions(&self, request: String, host: HostData) -> Result<String> {
        self.authzen(Api::SearchAction.as_str().into(), request, host)
    }

    /// Authorizes the route the application's router matched, by its
    /// template and decoded parameters; no path is parsed.
    pub fn authorize_route(&self, request: RouteRequest, host: HostData) -> Result<Arc<Decision>> {
        let decision = wire::authorize_route(&self.inner, &request.into(), &host.into(), clock)?;
        Ok(Decision::new(decision))
    }

    /// Generates an API key of an `api_key` kind.
    #[uniffi::method(default(scopes = None, label = None, expires_at = None, pepper = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn generate_key(
        &self,
        kind: String,
        owner: String,
        scopes: Option<Vec<String>>,
        label: Option<String>,
        expires_at: Option<i64>,
        pepper: Option<Arc<Pepper>>,
        now: Option<i64>,
    ) -> Result<Arc<GeneratedKey>> {
        let options = wire::NewKeyOptions {
            scopes,
            label,
            expires_at,
            pepper: self::pepper(pepper),
            now,
        };
        Ok(Arc::new(GeneratedKey {
            inner: wire::generate_key(&self.inner, &kind, &owner, &options, clock)?,
        }))
    }

    /// Rotates a key: a new key that never outlives or out-scopes the old
    /// one, and the old record expiring after `grace` seconds (a day when
    /// absent).
    #[uniffi::method(default(grace = None, scopes = None, expires_at = None, label = None, pepper = None, revoked_keys = [], now = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn rotate_key(
        &self,
        record: KeyRecord,
        grace: Option<i64>,
        scopes: Option<Vec<String>>,
        expires_at: Option<i64>,
        label: Option<String>,
        pepper: Option<Arc<Pepper>>,
        revoked_keys: Vec<String>,
        now: Option<i64>,
    ) -> Result<Rotation> {
        let options = wire::RotateOptions {
            grace,
            scopes,
            expires_at,
            label,
            pepper: self::pepper(pepper),
            revoked_keys,
            now,
        };
        let rotation = wire::rotate_key(&self.inner, &record, &options, clock)?;
        Ok(Rotation {
            new_key: Arc::new(GeneratedKey { inner: rotation.key }),
            old: rotation.old,
        })
    }

    /// What a key's text says, before any record is read.
    pub fn parse_key(&self, key: String) -> Result<wire::ParsedKeyInfo> {
        Ok(wire::parse_key(&self.inner, &key)?)
    }

    /// Verifies a key against its record.
    #[uniffi::method(default(pepper = None, revoked_keys = [], now = None))]
    pub fn verify_key(
        &self,
        key: String,
        record: KeyRecord,
        pepper: Option<Arc<Pepper>>,
        revoked_keys: Vec<String>,
        now: Option<i64>,
    ) -> Result<Arc<VerifiedKey>> {
        let options = wire::KeyOptions {
            pepper: self::pepper(pepper),
            revoked_keys,
            now,
        };
        Ok(Arc::new(VerifiedKey {
            inner: wire::verify_key(&self.inner, &key, record, &options, clock)?,
            policy: Arc::clone(&self.inner),
        }))
    }

    /// Verifies a token.
    #[uniffi::method(default(revoked_sessions = [], revoked_keys = [], kind = None, now = None))]
    pub fn verify_jwt(
        &self,
        token: String,
        revoked_sessions: Vec<String>,
        revoked_keys: Vec<String>,
        kind: Option<String>,
        now: Option<i64>,
    ) -> Result<Arc<VerifiedToken>> {
        let options = token_options(revoked_sessions, revoked_keys, kind, now);
        Ok(Arc::new(VerifiedToken {
            inner: wire::verify_jwt(&self.inner, &token, &options, clock)?,
            policy: Arc::clone(&self.inner),
        }))
    }

    /// Every rule of `verify_jwt` up to the signature.
    #[uniffi::method(default(revoked_sessions = [], revoked_keys = [], kind = None, now = None))]
    pub fn begin_jwt(
        &self,
        token: String,
        revoked_sessions: Vec<String>,
        revoked_keys: Vec<String>,
        kind: Option<String>,
        now: Option<i64>,
    ) -> Result<Arc<PendingToken>> {
        let options = token_options(revoked_sessions, revoked_keys, kind, now);
        let pending = wire::begin_jwt(&self.inner, &token, &options, clock)?;
        Ok(Arc::new(PendingToken::from(pending)))
    }

    /// Every remaining rule, given the platform's signature verdict (none:
    /// the core checks the signature itself). A pending token completes once.
    #[uniffi::method(default(verdict = None, revoked_sessions = [], revoked_keys = [], kind = None, now = None))]
    pub fn complete_jwt(
        &self,
        pending: Arc<PendingToken>,
        verdict: Option<bool>,
        revoked_sessions: Vec<String>,
        revoked_keys: Vec<String>,
        kind: Option<String>,
        now: Option<i64>,
    ) -> Result<Arc<VerifiedToken>> {
        let taken = pending
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .ok_or_else(|| fail(wire::Error::argument("pending", "this token was completed already")))?;
        let options = token_options(revoked_sessions, revoked_keys, kind, now);
        Ok(Arc::new(VerifiedToken {
            inner: wire::complete_jwt(&self.inner, taken, verdict, &options, clock)?,
            policy: Arc::clone(&self.inner),
        }))
    }

    /// Signs a session token; `lifetime` is 900 seconds when absent, capped
    /// by the kind.
    #[uniffi::method(default(scopes = None, roles = [], tenant = None, session = None, client_id = None, lifetime = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn issue_session(
        &self,
        kind: String,
        subject: String,
        key: Arc<SigningKey>,
        scopes: Option<Vec<String>>,
        roles: Vec<String>,
        tenant: Option<String>,
        session: Option<String>,
        client_id: Option<String>,
        lifetime: Option<i64>,
        now: Option<i64>,
    ) -> Result<String> {
        let options = wire::SessionOptions {
            subject,
            session,
            scopes,
            roles,
            tenant,
            client_id,
            lifetime,
            now,
        };
        Ok(wire::issue_session(&self.inner, &kind, &options, &key.inner, clock)?)
    }

    /// Signs a delegated token: `actor` acts for `identity` with at most
    /// `scopes`, each of which the identity must hold now; `lifetime` is 300
    /// seconds when absent, capped by the kind and the delegating credential.
    #[uniffi::method(default(audience = None, lifetime = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn delegate(
        &self,
        kind: String,
        identity: Arc<Identity>,
        key: Arc<SigningKey>,
        actor: String,
        scopes: Vec<String>,
        audience: Option<String>,
        lifetime: Option<i64>,
        now: Option<i64>,
    ) -> Result<String> {
        let options = wire::DelegationOptions {
            actor,
            scopes,
            audience,
            lifetime,
            now,
        };
        Ok(wire::delegate(
            &self.inner,
            &kind,
            &identity.inner,
            &options,
            &key.inner,
            clock,
        )?)
    }

    /// Replaces a jwt kind's public keys (a fetched JWK Set as JSON: public
    /// keys only); its HMAC secrets stay. An invalid set keeps the old one.
    pub fn set_jwks(&self, kind: String, jwks_json: String) -> Result<()> {
        let value: serde_json::Value = wire::read_str(&jwks_json, Code::InvalidPolicy, "jwks")?;
        Ok(wire::set_jwks(&self.inner, &kind, &value)?)
    }

    /// Replaces a jwt kind's HMAC secrets (`oct` keys as a JWK Set in JSON);
    /// its public keys stay.
    pub fn set_secrets(&self, kind: String, jwks_json: String) -> Result<()> {
        let value: serde_json::Value = wire::read_str(&jwks_json, Code::InvalidPolicy, "jwks")?;
        Ok(wire::set_secrets(&self.inner, &kind, &value)?)
    }

    /// Key ids of a jwt kind's current key set; none for an unknown kind.
    pub fn jwks_kids(&self, kind: String) -> Option<Vec<String>> {
        wire::jwks_kids(&self.inner, &kind)
    }

    /// Turns on a bounded cache of verified tokens holding at most
    /// `capacity` tokens (0 turns it off): a cached token's signature is not
    /// checked and its claims are not decoded again. Expiry, `nbf`, the kind,
    /// sessions and revocations are still checked on every use; new keys
    /// empty it.
    pub fn cache_tokens(&self, capacity: i64) -> Result<()> {
        Ok(wire::cache_tokens(&self.inner, capacity)?)
    }

    /// How many tokens the cache holds.
    pub fn cached_tokens(&self) -> i64 {
        i64::try_from(wire::cached_tokens(&self.inner)).unwrap_or(i64::MAX)
    }
}

/// The stored hash of a key.
#[uniffi::export(default(pepper = None))]
pub fn hash_key(key: String, pepper: Option<Arc<Pepper>>) -> Result<String> {
    Ok(wire::hash_key(&key, self::pepper(pepper).as_ref())?)
}

/// Every stable code.
#[uniffi::export]
pub fn codes() -> Vec<String> {
    wire::codes().into_iter().map(str::to_owned).collect()
}

/// The library version.
#[uniffi::export]
pub fn version() -> String {
    wire::version().to_owned()
}

/// Every public operation, by its snake_case name (the parity tests of the
/// Kotlin and Swift packages read it).
#[uniffi::export]
pub fn operations() -> Vec<String> {
    wire::OPERATIONS.iter().map(|s| (*s).to_owned()).collect()
}

/// An identity record from JSON (as stored by the host).
#[uniffi::export]
pub fn identity_record_from_json(json: String) -> Result<IdentityRecord> {
    Ok(wire::read_str(&json, Code::InvalidPrincipal, "identity")?)
}

/// Principal records from a JSON array.
#[uniffi::export]
pub fn principal_records_from_json(json: String) -> Result<Vec<PrincipalRecord>> {
    Ok(wire::read_str(&json, Code::InvalidPrincipal, "principals")?)
}

/// Resource records from a JSON array.
#[uniffi::export]
pub fn resource_records_from_json(json: String) -> Result<Vec<crate::ResourceRecord>> {
    Ok(wire::read_str(&json, Code::InvalidArgument, "resources")?)
}

/// Key records from a JSON array.
#[uniffi::export]
pub fn key_records_from_json(json: String) -> Result<Vec<KeyRecord>> {
    Ok(wire::read_str(&json, Code::InvalidKeyRecord, "keys")?)
}

/// An AuthZEN request's JSON text.
fn json_request(text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| {
        wire::Error::new(
            Code::InvalidRequest,
            wire::Family::Argument,
            format!("`request` is not JSON: {e}"),
        )
        .into()
    })
}

fn authzen_json(response: std::result::Result<crate::authzen::AuthzenResponse, wire::Error>) -> Result<String> {
    Ok(serde_json::to_string(&response?).unwrap_or_default())
}
