//! The records that cross a boundary: option objects in (each with its
//! defaults, unknown fields refused), results out. Field names are the same
//! in every runtime (snake_case); a binding renames nothing in them.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::authz::{CredentialInfo, PrincipalRecord, ResourceRecord};
use crate::code::Code;
use crate::decision::{AuditRecord, Decision};
use crate::jwt::VerifiedToken;
use crate::key::KeyRecord;
use crate::policy::RouteMatch;
use crate::request::CredentialRef;
use crate::secret::{Pepper, SecretKey};

/// Seconds a session token lives when the request names no lifetime (the
/// kind's `max_lifetime` caps it).
pub const SESSION_LIFETIME: i64 = 900;
/// Seconds a delegated token lives when the request names no lifetime.
pub const DELEGATION_LIFETIME: i64 = 300;
/// Seconds a rotated key stays valid when the rotation names no grace.
pub const ROTATION_GRACE: i64 = 86_400;

/// A time field: whole unix seconds, or a float (`time.time()`,
/// `Date.now() / 1000`) floored. Range is checked where it is used.
fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let value = Option::<f64>::deserialize(d)?;
    match value {
        None => Ok(None),
        Some(f) if f.is_finite() => {
            // Saturating: a huge value is then refused as a time in milliseconds.
            Ok(Some(f.floor() as i64))
        }
        Some(_) => Err(de::Error::custom("a time must be a finite number of unix seconds")),
    }
}

impl<'de> Deserialize<'de> for Pepper {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Pepper::from(s.as_str()))
    }
}

/// Header pairs: `{"name": "value" | ["value", ...]}` or `[["name", "value"], ...]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    /// The borrowed pairs the core's request types take.
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

enum HeaderValue {
    One(String),
    Many(Vec<String>),
}

struct HeaderValueVisitor;

impl<'de> Visitor<'de> for HeaderValueVisitor {
    type Value = HeaderValue;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a header value: a string or a list of strings")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<HeaderValue, E> {
        Ok(HeaderValue::One(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<HeaderValue, E> {
        Ok(HeaderValue::One(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<HeaderValue, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<String>()? {
            out.push(v);
        }
        Ok(HeaderValue::Many(out))
    }
}

// Without serde's untagged enums, which buffer every value (and cost the
// wasm build several kilobytes).
impl<'de> Deserialize<'de> for HeaderValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HeaderValueVisitor)
    }
}

struct HeadersVisitor;

impl<'de> Visitor<'de> for HeadersVisitor {
    type Value = Headers;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("headers: an object of names to values, or a list of [name, value] pairs")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Headers, A::Error> {
        let mut out = Vec::new();
        while let Some((name, value)) = map.next_entry::<String, HeaderValue>()? {
            match value {
                HeaderValue::One(v) => out.push((name, v)),
                HeaderValue::Many(vs) => out.extend(vs.into_iter().map(|v| (name.clone(), v))),
            }
        }
        Ok(Headers(out))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Headers, A::Error> {
        let mut out = Vec::new();
        while let Some((name, value)) = seq.next_element::<(String, HeaderValue)>()? {
            match value {
                HeaderValue::One(v) => out.push((name, v)),
                HeaderValue::Many(vs) => out.extend(vs.into_iter().map(|v| (name.clone(), v))),
            }
        }
        Ok(Headers(out))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Headers, E> {
        Ok(Headers::default())
    }
}

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HeadersVisitor)
    }
}

/// Route parameters: `{"name": "decoded value"}`, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The borrowed pairs the core's route request takes.
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

struct ParamsVisitor;

impl<'de> Visitor<'de> for ParamsVisitor {
    type Value = Params;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("route parameters: an object of names to decoded string values")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
        let mut out = Vec::new();
        while let Some(pair) = map.next_entry::<String, String>()? {
            out.push(pair);
        }
        Ok(Params(out))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Params, E> {
        Ok(Params::default())
    }
}

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ParamsVisitor)
    }
}

/// An HTTP request: the method, the target (`path`, or a full `url` whose
/// path and query are taken as written), and the headers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a request: {method, path or url, headers}")]
pub struct HttpRequest {
    /// The method, any case.
    pub method: String,
    /// The request target: a path, optionally with a query.
    #[serde(default)]
    pub path: Option<String>,
    /// A full URL, when `path` is absent.
    #[serde(default)]
    pub url: Option<String>,
    /// The headers.
    #[serde(default)]
    pub headers: Headers,
}

/// A route the application's router matched: the template as the policy
/// writes it and the decoded parameters; no path is parsed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a matched route: {method, template, params, headers}"
)]
pub struct MatchedRoute {
    /// The method, any case.
    pub method: String,
    /// The route's path template (`/api/deployments/{deployment}`).
    pub template: String,
    /// Parameter names and their decoded values.
    #[serde(default)]
    pub params: Params,
    /// The headers.
    #[serde(default)]
    pub headers: Headers,
}

/// What the host looked up for a request: key and principal records, the
/// revocation lists, the pepper and the time (the clock when absent).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "host data: {keys, principals, resources, revoked_keys, revoked_sessions, pepper, now}"
)]
pub struct HostRecords {
    /// Key records.
    #[serde(default)]
    pub keys: Vec<KeyRecord>,
    /// Principal records (key owners, token subjects).
    #[serde(default)]
    pub principals: Vec<PrincipalRecord>,
    /// Resource records (their attributes are what rules read).
    #[serde(default)]
    pub resources: Vec<ResourceRecord>,
    /// Revoked key ids.
    #[serde(default)]
    pub revoked_keys: Vec<String>,
    /// Revoked session ids.
    #[serde(default)]
    pub revoked_sessions: Vec<String>,
    /// The pepper for `hmac-sha256:` key hashes.
    #[serde(default)]
    pub pepper: Option<Pepper>,
    /// Unix seconds; the clock when absent.
    #[serde(default, deserialize_with = "seconds")]
    pub now: Option<i64>,
}

/// Options of a new key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "key options: {scopes, label, expires_at, pepper, now}"
)]
pub struct NewKeyOptions {
    /// Scopes capping the key; absent: only the kind's `allowed` list caps it.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// A human label.
    #[serde(default)]
    pub label: Option<String>,
    /// Expiry, unix seconds.
    #[serde(default, deserialize_with = "seconds")]
    pub expires_at: Option<i64>,
    /// Pepper for an `hmac-sha256:` hash.
    #[serde(default)]
    pub pepper: Option<Pepper>,
    /// Unix seconds; the clock when absent.
    #[serde(default, deserialize_with = "seconds")]
    pub now: Option<i64>,
}

/// Options of a rotation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "rotation options: {grace, scopes, expires_at, label, pepper, revoked_keys, now}"
)]
pub struct RotateOptions {
    /// Seconds the old key stays valid; [`ROTATION_GRACE`] when absent.
    #[serde(default)]
    pub grace: Option<i64>,
    /// Narrower scopes for the new key.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Expiry of the new key, unix seconds.
    #[serde(default, deserialize_with = "seconds")]
    pub expires_at: Option<i64>,
    /// Label of the new key (the old one's when absent).
    #[serde(default)]
    pub label: Option<String>,
    /// Pepper for an `hmac-sha256:` hash.
    #[serde(default)]
    pub pepper: Option<Pepper>,
    /// Key ids the host has revoked.
    #[serde(default)]
    pub revoked_keys: Vec<String>,
    /// Unix seconds; the clock when absent.
    #[serde(default, deserialize_with = "seconds")]
    pub now: Option<i64>,
}

/// Options of a key verification.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "key options: {pepper, revoked_keys, now}")]
pub struct KeyOptions {
    /// Pepper for an `hmac-sha256:` hash.
    #[serde(default)]
    pub pepper: Option<Pepper>,
    /// Key ids the host has revoked.
    #[serde(default)]
    pub revoked_keys: Vec<String>,
    /// Unix seconds; the clock when absent.
    #[serde(default, deserialize_with = "seconds")]
    pub now: Option<i64>,
}

/// Options of a token verification.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "token options: {revoked_sessions, revoked_keys, kind, now}"
)]
pub struct TokenOptions {
    /// Revoked session ids (`sid`).
    #[serde(default)]
    pub revoked_sessions: Vec<String>,
    /// Revoked key ids (a delegation made with a revoked key is refused).
    #[serde(default)]
    pub revoked_keys: Vec<String>,
    /// The jwt kind the token must be of.
    #[serde(default)]
    pub kind: Option<String>,
    /// Unix seconds; the clock when absent.
    #[serde(default, deserialize_with = "seconds")]
    pub now: Option<i64>,
}

/// A session token to issue.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a session request: {subject, session, scopes, roles, tenant, client_id, lifetime, now}"
)]
pub struct SessionOptions {
    /// `sub`: the user id without its type.
    pub subject: String,
    /// `sid`; a random one when absent.
    #[serde(default)]
    pub session: Option<String>,
    /// Scopes; absent: the token does not cap the user's permissions.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Roles, written to the kind's `roles_claim`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Tenant, written to the kind's `tenant_claim`.
    #[serde(default)]
    pub tenant: Option<String>,
    /// `client_id`, for client_credentials tokens of service accounts.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Seconds; [`SESSION_LIFETIME`] when absent, capped by the kind.
    #[serde(default)]
    pub lifetime: Option<i64>,
    /// Unix seconds; the clock when absent.
    #[serde(default, deserialize_with = "seconds")]
    pub now: Option<i64>,
}

/// A delegated token to issue.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a delegation request: {actor, scopes, audience, lifetime, now}"
)]
pub struct DelegationOptions {
    /// The acting client (`act.sub`).
    pub actor: String,
    /// Requested scopes; each must be held by the identity now.
    pub scopes: Vec<String>,
    /// `aud`; the kind's audience when absent.
    #[serde(default)]
    pub audience: Option<String>,
    /// Seconds; [`DELEGATION_LIFETIME`] when absent, capped by the kind and
    /// by the delegating credential's own expiry.
    #[serde(default)]
    pub lifetime: Option<i64>,
    /// Unix seconds; the clock when absent.
    #[serde(default, deserialize_with = "seconds")]
    pub now: Option<i64>,
}

/// The credential part of a decision.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct DecisionCredential<'d> {
    /// The credential kind.
    pub kind: Option<&'d str>,
    /// The API key id.
    pub id: Option<&'d str>,
}

/// A decision as every runtime shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct DecisionInfo<'d, 'a> {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// The same as `allowed` (results of every operation carry `ok`).
    pub ok: bool,
    /// The stable code.
    pub code: Code,
    /// The HTTP status.
    pub status: u16,
    /// Why, in words.
    pub message: &'d str,
    /// The principal id, if authenticated.
    pub principal: Option<&'d str>,
    /// The action checked.
    pub action: Option<&'d str>,
    /// The resource checked.
    pub resource: Option<&'d str>,
    /// The tenant checked.
    pub tenant: Option<&'d str>,
    /// The matched route (`METHOD /template`).
    pub route: Option<&'d str>,
    /// Permissions that were missing.
    pub missing: Vec<&'d str>,
    /// The credential.
    pub credential: DecisionCredential<'d>,
    /// The audit record.
    #[cfg_attr(feature = "ts", tsify(type = "AuditRecord"))]
    pub audit: AuditRecord<'d, 'a>,
}

impl<'d, 'a> From<&'d Decision<'a>> for DecisionInfo<'d, 'a> {
    fn from(d: &'d Decision<'a>) -> Self {
        let actor = d.actor();
        DecisionInfo {
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
            credential: DecisionCredential {
                kind: actor.kind(),
                id: actor.key_id(),
            },
            audit: d.audit(),
        }
    }
}

/// The credential part of a verified token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, skip_from_py_object, module = "permiso._native")
)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TokenCredential {
    /// The credential kind.
    pub kind: String,
    /// `jti`.
    pub id: Option<String>,
    /// `sid`.
    pub session: Option<String>,
}

/// A verified token as every runtime shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, skip_from_py_object, module = "permiso._native")
)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TokenInfo {
    /// Always true.
    pub ok: bool,
    /// Always `allowed`.
    pub code: Code,
    /// `user:<sub>` or `service:<client>`.
    pub principal: String,
    /// The credential kind.
    pub kind: String,
    /// The algorithm it was signed with.
    pub algorithm: String,
    /// Scopes; `None`: the token does not cap permissions.
    pub scopes: Option<Vec<String>>,
    /// Roles from the kind's `roles_claim`.
    pub roles: Vec<String>,
    /// Tenant from the kind's `tenant_claim`.
    pub tenant: Option<String>,
    /// Whether this is a client_credentials token of a service account.
    pub service_account: bool,
    /// Actors, outermost first (`act.sub`, `act.act.sub`, ...).
    pub actor_chain: Vec<String>,
    /// `exp`.
    pub expires_at: Option<i64>,
    /// The API key a key-bound delegation was made with.
    pub key_id: Option<String>,
    /// The credential.
    pub credential: TokenCredential,
}

impl From<&VerifiedToken> for TokenInfo {
    fn from(t: &VerifiedToken) -> Self {
        let c: &CredentialInfo = &t.credential;
        TokenInfo {
            ok: true,
            code: Code::Allowed,
            principal: t.principal.id.clone(),
            kind: t.kind.clone(),
            algorithm: t.algorithm.to_owned(),
            scopes: c.scopes.clone(),
            roles: t.principal.roles.clone(),
            tenant: t.principal.tenant.clone(),
            service_account: t.service_account,
            actor_chain: c.actor_chain.clone(),
            expires_at: t.expires_at,
            key_id: c.id.clone(),
            credential: TokenCredential {
                kind: t.kind.clone(),
                id: c.token_id.clone(),
                session: c.session.clone(),
            },
        }
    }
}

/// What a key's text says, before any record is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, skip_from_py_object, module = "permiso._native")
)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ParsedKeyInfo {
    /// Always true.
    pub ok: bool,
    /// The credential kind its prefix names.
    pub kind: String,
    /// The key id.
    pub id: String,
    /// The display mask.
    pub mask: String,
    /// The prefix.
    pub prefix: String,
}

/// The credential part of a verified key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, skip_from_py_object, module = "permiso._native")
)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct KeyCredential {
    /// The credential kind.
    pub kind: String,
    /// The key id.
    pub id: String,
}

/// A verified key as every runtime shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, skip_from_py_object, module = "permiso._native")
)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct KeyInfo {
    /// Always true.
    pub ok: bool,
    /// Always `allowed`.
    pub code: Code,
    /// The acting principal: the owner, or `key:<id>`.
    pub principal: String,
    /// The credential kind.
    pub kind: String,
    /// The key id.
    pub id: String,
    /// The display mask.
    pub mask: String,
    /// The key's scopes.
    pub scopes: Option<Vec<String>>,
    /// The credential.
    pub credential: KeyCredential,
}

/// A new key: the plaintext, shown once, and the record to store.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct NewKeyInfo {
    /// The plaintext key.
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub key: SecretKey,
    /// What the host stores.
    pub record: KeyRecord,
}

/// The one place a plaintext key is serialised: this record exists to hand
/// it to the host once. [`SecretKey`] itself has no `Serialize`.
impl Serialize for NewKeyInfo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("NewKeyInfo", 2)?;
        out.serialize_field("key", self.key.expose())?;
        out.serialize_field("record", &self.record)?;
        out.end()
    }
}

/// A rotation: the new key and the old record with its grace expiry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct RotationInfo {
    /// The replacement key.
    pub key: NewKeyInfo,
    /// The old record.
    pub old: KeyRecord,
}

/// A matched route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, skip_from_py_object, module = "permiso._native")
)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RouteInfo {
    /// `METHOD /template`.
    pub route: String,
    /// The permission it requires.
    pub permission: String,
    /// The filled resource template.
    pub resource: Option<String>,
    /// The filled tenant template.
    pub tenant: Option<String>,
}

impl From<&RouteMatch<'_>> for RouteInfo {
    fn from(r: &RouteMatch<'_>) -> Self {
        RouteInfo {
            route: r.route.to_owned(),
            permission: r.permission.to_owned(),
            resource: r.resource.clone(),
            tenant: r.tenant.clone(),
        }
    }
}

/// What to fetch before authorizing a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, skip_from_py_object, module = "permiso._native")
)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Classification {
    /// The matched route, if any.
    pub route: Option<RouteInfo>,
    /// The credential the request carries.
    pub credential: CredentialRef,
}
