//! Kotlin and Swift bindings of permiso, through uniffi proc-macros.
//!
//! Records mirror the core's records field for field (they convert through
//! serde, so the names cannot drift), every failure is one
//! `PermisoException` carrying the core's code, and every rule stays in the
//! `permiso` crate.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use permiso as core;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

uniffi::setup_scaffolding!();

/// The one error type: `code` is the stable code of every runtime.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum PermisoException {
    /// A refusal or an invalid input.
    #[error("{reason} ({code})")]
    Refused {
        /// The stable snake_case code.
        code: String,
        /// A human-readable reason (`message` would clash with the
        /// exception's own).
        reason: String,
        /// For `invalid_policy`: the detail code.
        detail: Option<String>,
        /// For `invalid_policy`: the path into the document.
        path: Option<String>,
    },
}

type Result<T> = std::result::Result<T, PermisoException>;

fn refused(code: core::Code, message: impl Into<String>) -> PermisoException {
    PermisoException::Refused {
        code: code.as_str().to_owned(),
        reason: message.into(),
        detail: None,
        path: None,
    }
}

impl From<core::KeyError> for PermisoException {
    fn from(e: core::KeyError) -> Self {
        refused(e.code(), e.to_string())
    }
}

impl From<core::TokenError> for PermisoException {
    fn from(e: core::TokenError) -> Self {
        refused(e.code(), e.to_string())
    }
}

impl From<core::IdentityError> for PermisoException {
    fn from(e: core::IdentityError) -> Self {
        refused(e.code(), e.to_string())
    }
}

impl From<core::PolicyError> for PermisoException {
    fn from(e: core::PolicyError) -> Self {
        PermisoException::Refused {
            code: e.code().as_str().to_owned(),
            reason: e.to_string(),
            detail: Some(e.detail().as_str().to_owned()),
            path: Some(e.path().to_owned()),
        }
    }
}

/// Converts between a core record and its mirror (same serde names).
fn convert<A: Serialize, B: DeserializeOwned>(value: &A, code: core::Code) -> Result<B> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| refused(code, e.to_string()))
}

fn from_json<T: DeserializeOwned>(json: &str, code: core::Code) -> Result<T> {
    serde_json::from_str(json).map_err(|e| refused(code, e.to_string()))
}

fn now_or(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    })
}

/// A per-resource grant.
#[derive(Debug, Clone, Serialize, Deserialize, uniffi::Record)]
pub struct Grant {
    pub resource: String,
    pub level: String,
}

/// Host data describing a principal.
#[derive(Debug, Clone, Serialize, Deserialize, uniffi::Record)]
pub struct PrincipalRecord {
    pub id: String,
    #[uniffi(default = None)]
    pub tenant: Option<String>,
    #[uniffi(default = [])]
    pub roles: Vec<String>,
    #[uniffi(default = [])]
    pub allow: Vec<String>,
    #[uniffi(default = [])]
    pub deny: Vec<String>,
    #[uniffi(default = [])]
    pub grants: Vec<Grant>,
}

/// How a principal authenticated.
#[derive(Debug, Clone, Default, Serialize, Deserialize, uniffi::Record)]
pub struct CredentialInfo {
    #[uniffi(default = None)]
    pub kind: Option<String>,
    #[uniffi(default = None)]
    pub id: Option<String>,
    #[uniffi(default = None)]
    pub token_id: Option<String>,
    #[uniffi(default = None)]
    pub mask: Option<String>,
    #[uniffi(default = None)]
    pub owner: Option<String>,
    #[uniffi(default = None)]
    pub scopes: Option<Vec<String>>,
    #[uniffi(default = None)]
    pub session: Option<String>,
    #[uniffi(default = [])]
    pub actor_chain: Vec<String>,
    #[uniffi(default = None)]
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// A principal plus its credential.
#[derive(Debug, Clone, Serialize, Deserialize, uniffi::Record)]
pub struct IdentityRecord {
    pub principal: PrincipalRecord,
    #[uniffi(default = None)]
    pub credential: Option<CredentialInfo>,
}

/// A stored API key: never the plaintext.
#[derive(Debug, Clone, Serialize, Deserialize, uniffi::Record)]
pub struct KeyRecord {
    pub id: String,
    pub kind: String,
    pub hash: String,
    pub mask: String,
    pub owner: String,
    #[serde(default)]
    pub tenant: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub label: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub rolled_from: Option<String>,
}

/// Who acted.
#[derive(Debug, Clone, Serialize, Deserialize, uniffi::Record)]
pub struct Actor {
    pub principal: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub key_id: Option<String>,
    #[serde(default)]
    pub key_mask: Option<String>,
    #[serde(default)]
    pub token_id: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub session: Option<String>,
    #[serde(default)]
    pub actor_chain: Vec<String>,
}

/// The audit record of a decision.
#[derive(Debug, Clone, Serialize, Deserialize, uniffi::Record)]
pub struct AuditRecord {
    pub decision_id: String,
    pub time: i64,
    pub policy: String,
    pub actor: Actor,
    pub action: Option<String>,
    pub resource: Option<String>,
    pub tenant: Option<String>,
    pub route: Option<String>,
    pub allowed: bool,
    pub code: String,
    pub status: u16,
}

/// A decision.
#[derive(Debug, Clone, Serialize, Deserialize, uniffi::Record)]
pub struct Decision {
    pub allowed: bool,
    pub code: String,
    pub status: u16,
    pub message: String,
    pub missing: Vec<String>,
    pub principal: Option<String>,
    pub action: Option<String>,
    pub resource: Option<String>,
    pub tenant: Option<String>,
    pub route: Option<String>,
    pub audit: AuditRecord,
    /// The audit record as one line of JSON, for logs.
    #[serde(default)]
    pub audit_json: String,
}

fn decision(d: &core::Decision<'_>) -> Result<Decision> {
    let mut out: Decision = convert(&core::conformance::decision_view(d), core::Code::InvalidArgument)?;
    out.audit_json = d.audit_json();
    Ok(out)
}

/// One header.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// An HTTP request.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<Header>,
}

/// A route the application's router matched: the template as the policy
/// writes it and the decoded parameter values.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RouteRequest {
    pub method: String,
    pub template: String,
    #[uniffi(default = [])]
    pub params: Vec<Header>,
    #[uniffi(default = [])]
    pub headers: Vec<Header>,
}

/// A pepper for `hmac-sha256:` key hashes. An object, not a string, so that
/// records holding it never print it.
#[derive(uniffi::Object)]
pub struct Pepper {
    inner: core::Pepper,
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
            inner: core::Pepper::from(value.as_str()),
        })
    }
}

/// What the host looked up for a request.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HostData {
    #[uniffi(default = [])]
    pub keys: Vec<KeyRecord>,
    #[uniffi(default = [])]
    pub principals: Vec<PrincipalRecord>,
    #[uniffi(default = [])]
    pub revoked_keys: Vec<String>,
    #[uniffi(default = [])]
    pub revoked_sessions: Vec<String>,
    #[uniffi(default = None)]
    pub pepper: Option<Arc<Pepper>>,
    #[uniffi(default = None)]
    pub now: Option<i64>,
}

/// A new key: show `key()` once, store `record()`. An object, so that its
/// string form never shows the plaintext.
#[derive(uniffi::Object)]
pub struct GeneratedKey {
    key: core::SecretKey,
    record: KeyRecord,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("key", &"[redacted]")
            .field("record", &self.record)
            .finish()
    }
}

#[uniffi::export]
impl GeneratedKey {
    /// The plaintext key: show it once, never store it.
    pub fn key(&self) -> String {
        self.key.expose().to_owned()
    }
    /// The record to store.
    pub fn record(&self) -> KeyRecord {
        self.record.clone()
    }
}

impl GeneratedKey {
    fn from_core(generated: core::GeneratedKey) -> Result<Arc<Self>> {
        Ok(Arc::new(GeneratedKey {
            record: convert(&generated.record, core::Code::InvalidKeyRecord)?,
            key: generated.key,
        }))
    }
}

/// A rotation: the new key, and the old record with its grace expiry.
#[derive(Debug, uniffi::Record)]
pub struct Rotation {
    pub new_key: Arc<GeneratedKey>,
    pub old: KeyRecord,
}

/// A parsed key.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ParsedKey {
    pub kind: String,
    pub id: String,
    pub mask: String,
    pub prefix: String,
}

/// A key that verified.
#[derive(Debug, Clone, uniffi::Record)]
pub struct VerifiedKey {
    pub principal: String,
    pub kind: String,
    pub id: String,
    pub mask: String,
    pub scopes: Option<Vec<String>>,
}

/// The credential part of a verified token.
#[derive(Debug, Clone, Serialize, Deserialize, uniffi::Record)]
pub struct TokenCredential {
    pub kind: String,
    /// The token id (`jti`).
    pub id: Option<String>,
    /// The session id (`sid`).
    pub session: Option<String>,
}

/// A token that verified.
#[derive(Debug, Clone, Serialize, Deserialize, uniffi::Record)]
pub struct TokenInfo {
    pub credential: TokenCredential,
    pub principal: String,
    pub kind: String,
    pub algorithm: String,
    pub scopes: Option<Vec<String>>,
    pub roles: Vec<String>,
    pub tenant: Option<String>,
    pub service_account: bool,
    pub actor_chain: Vec<String>,
    pub expires_at: Option<i64>,
    /// The API key a delegated token is bound to.
    #[serde(default)]
    pub key_id: Option<String>,
}

/// An identity resolved against one policy.
#[derive(Debug, uniffi::Object)]
pub struct Identity {
    inner: core::Identity,
}

#[uniffi::export]
impl Identity {
    /// The principal id.
    pub fn principal(&self) -> String {
        self.inner.principal_id().to_owned()
    }
    /// The record it was built from.
    pub fn record(&self) -> Result<IdentityRecord> {
        convert(self.inner.record(), core::Code::InvalidPrincipal)
    }
}

/// A private key or HMAC secret for signing tokens.
#[derive(Debug, uniffi::Object)]
pub struct SigningKey {
    inner: core::SigningKey,
}

#[uniffi::export]
impl SigningKey {
    /// An HMAC secret for HS256, HS384 or HS512.
    #[uniffi::constructor(default(kid = None))]
    pub fn hmac(algorithm: String, secret: Vec<u8>, kid: Option<String>) -> Result<Arc<Self>> {
        let key = core::SigningKey::hmac(&algorithm, &secret)?;
        Ok(Arc::new(SigningKey {
            inner: kid.map_or(key.clone(), |k| key.with_kid(k)),
        }))
    }
    /// A PEM private key for RS*, PS*, ES* or EdDSA.
    #[uniffi::constructor(default(kid = None))]
    pub fn from_pem(algorithm: String, pem: String, kid: Option<String>) -> Result<Arc<Self>> {
        let key = core::SigningKey::from_pem(&algorithm, pem.as_bytes())?;
        Ok(Arc::new(SigningKey {
            inner: kid.map_or(key.clone(), |k| key.with_kid(k)),
        }))
    }
    /// The algorithm.
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().to_owned()
    }
}

/// A compiled policy: immutable and thread-safe.
#[derive(Debug, uniffi::Object)]
pub struct Policy {
    inner: core::Policy,
}

fn token_options<'a>(
    revoked: &'a [String],
    revoked_keys: &'a [String],
    kind: Option<&'a str>,
    now: Option<i64>,
) -> core::VerifyTokenOptions<'a> {
    core::VerifyTokenOptions::at(now_or(now))
        .revoked_sessions(revoked)
        .revoked_keys(revoked_keys)
        .kind(kind)
}

/// Host data in the core's types, owned.
fn host_data(host: HostData) -> Result<core::OwnedHostData> {
    Ok(core::OwnedHostData {
        keys: convert(&host.keys, core::Code::InvalidKeyRecord)?,
        principals: convert(&host.principals, core::Code::InvalidPrincipal)?,
        revoked_keys: host.revoked_keys,
        revoked_sessions: host.revoked_sessions,
        pepper: host.pepper.map(|p| p.inner.clone()),
        now: now_or(host.now),
    })
}

fn pairs(list: &[Header]) -> Vec<(&str, &str)> {
    list.iter().map(|h| (h.name.as_str(), h.value.as_str())).collect()
}

#[uniffi::export]
impl Policy {
    /// Compiles a JSON document.
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Policy {
            inner: core::Policy::from_json(&text)?,
        }))
    }
    /// Compiles a YAML document.
    #[uniffi::constructor]
    pub fn from_yaml(text: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Policy {
            inner: core::Policy::from_yaml(&text)?,
        }))
    }
    /// Compiles a TOML document.
    #[uniffi::constructor]
    pub fn from_toml(text: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Policy {
            inner: core::Policy::from_toml(&text)?,
        }))
    }

    /// SHA-256 of the canonical document.
    pub fn hash(&self) -> String {
        self.inner.hash().to_string()
    }

    /// Resolves an identity record once, for many checks.
    pub fn identity(&self, record: IdentityRecord) -> Result<Arc<Identity>> {
        let record: core::IdentityRecord = convert(&record, core::Code::InvalidPrincipal)?;
        Ok(Arc::new(Identity {
            inner: self.inner.identity(record)?,
        }))
    }

    /// Decides whether `identity` may do `action` (on `resource`, in `tenant`).
    #[uniffi::method(default(resource = None, tenant = None, now = None))]
    pub fn authorize(
        &self,
        identity: Arc<Identity>,
        action: String,
        resource: Option<String>,
        tenant: Option<String>,
        now: Option<i64>,
    ) -> Result<Decision> {
        let check = core::Check::new(&action)
            .resource(resource.as_deref())
            .tenant(tenant.as_deref());
        decision(&self.inner.authorize(&identity.inner, check, now_or(now)))
    }

    /// Yes or no, without a decision object (for hiding buttons).
    #[uniffi::method(default(resource = None, tenant = None))]
    pub fn is_allowed(
        &self,
        identity: Arc<Identity>,
        action: String,
        resource: Option<String>,
        tenant: Option<String>,
    ) -> bool {
        let check = core::Check::new(&action)
            .resource(resource.as_deref())
            .tenant(tenant.as_deref());
        self.inner.is_allowed(&identity.inner, check)
    }

    /// Authorizes an HTTP request in one call (for proxies and gateways
    /// that have no router of their own).
    pub fn authorize_request(&self, request: HttpRequest, host: HostData) -> Result<Decision> {
        let host = host_data(host)?;
        let headers = pairs(&request.headers);
        let request = core::Request {
            method: &request.method,
            path: &request.path,
            headers: &headers,
        };
        decision(&self.inner.authorize_request(&request, &host.data()))
    }

    /// Authorizes the route the application's router matched, by its
    /// template and decoded parameters; no path is parsed.
    pub fn authorize_route(&self, request: RouteRequest, host: HostData) -> Result<Decision> {
        let host = host_data(host)?;
        let (params, headers) = (pairs(&request.params), pairs(&request.headers));
        let request = core::RouteRequest {
            method: &request.method,
            template: &request.template,
            params: &params,
            headers: &headers,
        };
        decision(&self.inner.authorize_route(&request, &host.data()))
    }

    /// Generates an API key.
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
        let options = core::NewKey {
            scopes,
            label,
            expires_at,
            pepper: pepper.as_ref().map(|p| &p.inner),
        };
        GeneratedKey::from_core(self.inner.generate_key(&kind, &owner, &options, now_or(now))?)
    }

    /// Rotates a key: a new key that never outlives or out-scopes the old
    /// one, and the old record expiring after `grace` seconds.
    #[uniffi::method(default(grace = 0, scopes = None, expires_at = None, label = None, pepper = None, revoked_keys = [], now = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn rotate_key(
        &self,
        record: KeyRecord,
        grace: i64,
        scopes: Option<Vec<String>>,
        expires_at: Option<i64>,
        label: Option<String>,
        pepper: Option<Arc<Pepper>>,
        revoked_keys: Vec<String>,
        now: Option<i64>,
    ) -> Result<Rotation> {
        let old: core::KeyRecord = convert(&record, core::Code::InvalidKeyRecord)?;
        let options = core::RotateKey {
            grace,
            scopes,
            expires_at,
            label,
            pepper: pepper.as_ref().map(|p| &p.inner),
            revoked_keys: &revoked_keys,
        };
        let rotation = self.inner.rotate_key(&old, &options, now_or(now))?;
        Ok(Rotation {
            old: convert(&rotation.old, core::Code::InvalidKeyRecord)?,
            new_key: GeneratedKey::from_core(rotation.new)?,
        })
    }

    /// Verifies a key and resolves the identity it authenticates; the
    /// owner's principal record is required.
    #[uniffi::method(default(owner = None, pepper = None, revoked_keys = [], now = None))]
    pub fn key_identity(
        &self,
        key: String,
        record: KeyRecord,
        owner: Option<PrincipalRecord>,
        pepper: Option<Arc<Pepper>>,
        revoked_keys: Vec<String>,
        now: Option<i64>,
    ) -> Result<Arc<Identity>> {
        let record: core::KeyRecord = convert(&record, core::Code::InvalidKeyRecord)?;
        let owner: Option<core::PrincipalRecord> = match owner {
            Some(o) => Some(convert(&o, core::Code::InvalidPrincipal)?),
            None => None,
        };
        let options = core::VerifyKeyOptions::at(now_or(now))
            .pepper(pepper.as_ref().map(|p| &p.inner))
            .revoked_keys(&revoked_keys);
        let verified = self.inner.verify_key(&key, &record, &options)?;
        Ok(Arc::new(Identity {
            inner: self.inner.key_identity(&verified, owner.as_ref())?,
        }))
    }

    /// Parses a key.
    pub fn parse_key(&self, key: String) -> Result<ParsedKey> {
        let parsed = self.inner.parse_key(&key)?;
        Ok(ParsedKey {
            kind: parsed.kind().to_owned(),
            id: parsed.id().to_owned(),
            mask: parsed.mask(),
            prefix: parsed.key().prefix().to_owned(),
        })
    }

    /// Verifies a key against its record.
    #[uniffi::method(default(pepper = None, revoked_keys = [], now = None))]
    pub fn verify_key(
        &self,
        key: String,
        record: KeyRecord,
        pepper: Option<String>,
        revoked_keys: Vec<String>,
        now: Option<i64>,
    ) -> Result<VerifiedKey> {
        let record: core::KeyRecord = convert(&record, core::Code::InvalidKeyRecord)?;
        let pepper = pepper.as_deref().map(core::Pepper::from);
        let options = core::VerifyKeyOptions::at(now_or(now))
            .pepper(pepper.as_ref())
            .revoked_keys(&revoked_keys);
        let v = self.inner.verify_key(&key, &record, &options)?;
        Ok(VerifiedKey {
            principal: v.principal_id(),
            kind: v.kind.clone(),
            id: v.record.id.clone(),
            mask: v.mask.clone(),
            scopes: v.record.scopes.clone(),
        })
    }

    /// Verifies a token.
    #[uniffi::method(default(revoked_sessions = [], kind = None, now = None, revoked_keys = []))]
    pub fn verify_jwt(
        &self,
        token: String,
        revoked_sessions: Vec<String>,
        kind: Option<String>,
        now: Option<i64>,
        revoked_keys: Vec<String>,
    ) -> Result<TokenInfo> {
        let verified = self.inner.verify_jwt(
            &token,
            &token_options(&revoked_sessions, &revoked_keys, kind.as_deref(), now),
        )?;
        convert(&core::conformance::token_json(&verified), core::Code::InvalidArgument)
    }

    /// Verifies a token and resolves its identity; a host `principal`
    /// record, when given, is authoritative.
    #[uniffi::method(default(principal = None, revoked_sessions = [], now = None, revoked_keys = []))]
    pub fn token_identity(
        &self,
        token: String,
        principal: Option<PrincipalRecord>,
        revoked_sessions: Vec<String>,
        now: Option<i64>,
        revoked_keys: Vec<String>,
    ) -> Result<Arc<Identity>> {
        let verified = self
            .inner
            .verify_jwt(&token, &token_options(&revoked_sessions, &revoked_keys, None, now))?;
        let principal: Option<core::PrincipalRecord> = match principal {
            Some(p) => Some(convert(&p, core::Code::InvalidPrincipal)?),
            None => None,
        };
        Ok(Arc::new(Identity {
            inner: self.inner.token_identity(&verified, principal.as_ref())?,
        }))
    }

    /// Signs a session token.
    #[uniffi::method(default(scopes = None, roles = [], tenant = None, session = None, lifetime = 900, now = None))]
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
        lifetime: i64,
        now: Option<i64>,
    ) -> Result<String> {
        let request = core::SessionRequest {
            subject,
            session,
            scopes,
            roles,
            tenant,
            lifetime,
            client_id: None,
        };
        Ok(self.inner.issue_session(&kind, &request, &key.inner, now_or(now))?)
    }

    /// Mints a delegated token: `actor` acts for `identity` with at most
    /// `scopes`, each of which the identity must hold now.
    #[uniffi::method(default(audience = None, lifetime = 300, now = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn delegate(
        &self,
        kind: String,
        identity: Arc<Identity>,
        key: Arc<SigningKey>,
        actor: String,
        scopes: Vec<String>,
        audience: Option<String>,
        lifetime: i64,
        now: Option<i64>,
    ) -> Result<String> {
        let request = core::DelegationRequest {
            actor,
            scopes,
            audience,
            lifetime,
        };
        Ok(self
            .inner
            .delegate(&kind, &identity.inner, &request, &key.inner, now_or(now))?)
    }

    /// Replaces a jwt kind's public keys (a fetched JWK Set as JSON:
    /// public keys only) at runtime; its HMAC secrets stay.
    pub fn set_jwks(&self, kind: String, jwks_json: String) -> Result<()> {
        let value: serde_json::Value = from_json(&jwks_json, core::Code::InvalidPolicy)?;
        Ok(self.inner.set_jwks(&kind, &value)?)
    }

    /// Replaces a jwt kind's HMAC secrets (`oct` keys as a JWK Set in JSON,
    /// from the operator's secret store) at runtime; its public keys stay.
    pub fn set_secrets(&self, kind: String, jwks_json: String) -> Result<()> {
        let value: serde_json::Value = from_json(&jwks_json, core::Code::InvalidPolicy)?;
        Ok(self.inner.set_secrets(&kind, &value)?)
    }
}

/// The stored hash of a key.
#[uniffi::export(default(pepper = None))]
pub fn hash_key(key: String, pepper: Option<String>) -> Result<String> {
    let pepper = pepper.as_deref().map(core::Pepper::from);
    Ok(core::ApiKey::parse(&key)?.hash(pepper.as_ref()))
}

/// Every stable code.
#[uniffi::export]
pub fn codes() -> Vec<String> {
    core::Code::ALL.iter().map(|c| c.as_str().to_owned()).collect()
}

/// An identity record from JSON (as stored by the host).
#[uniffi::export]
pub fn identity_record_from_json(json: String) -> Result<IdentityRecord> {
    let record: core::IdentityRecord = from_json(&json, core::Code::InvalidPrincipal)?;
    convert(&record, core::Code::InvalidPrincipal)
}

/// Principal records from a JSON array.
#[uniffi::export]
pub fn principal_records_from_json(json: String) -> Result<Vec<PrincipalRecord>> {
    let records: Vec<core::PrincipalRecord> = from_json(&json, core::Code::InvalidPrincipal)?;
    convert(&records, core::Code::InvalidPrincipal)
}

/// Key records from a JSON array.
#[uniffi::export]
pub fn key_records_from_json(json: String) -> Result<Vec<KeyRecord>> {
    let records: Vec<core::KeyRecord> = from_json(&json, core::Code::InvalidKeyRecord)?;
    convert(&records, core::Code::InvalidKeyRecord)
}
