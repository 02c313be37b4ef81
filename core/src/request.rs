//! Authorizing an HTTP request in one call (`authorize_request`, `authorize_route`).
//!
//! Path rules (the README states them for users). Only canonical paths
//! match, so that permiso and the application's router can never disagree
//! about which route a request runs:
//! - the query (`?…`) is ignored; the path must start with `/` and be at
//!   most [`MAX_PATH_LEN`] bytes;
//! - a `#` anywhere in the target never matches (servers differ on whether
//!   it starts a fragment);
//! - ambiguous paths never match (`no_route`): dot segments (`.`, `..`, also
//!   percent-encoded), encoded `/` or `\` (`%2F`, `%5C`), encoded NUL, a raw
//!   `\`, empty segments (`//`), control characters, `;` (path parameters
//!   that servlet containers strip), and a percent-encoded character that a
//!   route may contain unencoded (`%63urrent` decodes to the route
//!   `current` in every framework);
//! - a path that takes a parameter route where a case-insensitive router
//!   (Express, ASP.NET) would take a more literal one (`/SECRETS` against
//!   `/secrets`) never matches;
//! - a trailing slash is significant (`/a/` is not `/a`);
//! - path parameters are percent-decoded after matching and must be UTF-8.
//!
//! Applications whose framework has matched the route already should call
//! [`Policy::authorize_route`] instead: it takes the matched template and the
//! decoded parameters, and parses no path at all.
//!
//! Credential rules: `Authorization: Bearer …` or `Token …` (scheme
//! case-insensitive) or `X-API-Key: …`, header names case-insensitive; more
//! than one credential header value, a value over [`MAX_CREDENTIAL_LEN`]
//! bytes or containing whitespace or non-ASCII is `unrecognized_credential`.
//! A credential starting with a known key prefix and `_` is an API key; one
//! made of base64url segments joined by `.` is a token; anything else is
//! `unrecognized_credential`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::apikeys::{ParsedKey, VerifyKeyOptions};
use crate::authz::{Check, Evaluation, Identity, PrincipalRecord, ResourceRecord};
use crate::code::Code;
use crate::decision::{Actor, Decision};
use crate::jwt::{PendingToken, VerifyTokenOptions, MAX_TOKEN_LEN};
use crate::key::KeyError;
use crate::key::KeyRecord;
use crate::path::clean_path;
use crate::policy::rules::RuleTrace;
use crate::policy::{Policy, RouteMatch};
use crate::secret::Pepper;
use crate::text::shown;

/// A request's decision, its evaluation table and (when explaining) the rules tried.
type Decided<'p> = (Decision<'p>, Option<Evaluation>, Vec<RuleTrace>);

/// Why authentication failed: the code, a message and who was seen acting.
type AuthFailure = Box<(Code, String, Actor<'static>)>;

/// A staged token and the host's verdict on its signature, when the host
/// checks public-key signatures itself (WebCrypto).
type Checked<'c> = Option<(&'c PendingToken, Option<bool>)>;

/// Longest credential considered, in bytes.
pub const MAX_CREDENTIAL_LEN: usize = MAX_TOKEN_LEN;

/// An HTTP request as the host sees it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The method, any case.
    pub method: &'a str,
    /// The request target: a path, optionally with a query.
    pub path: &'a str,
    /// Header names and values, in any case and order; repeated names allowed.
    pub headers: &'a [(&'a str, &'a str)],
}

/// A request whose route the application's framework has matched already:
/// the method, the route's path template as the policy writes it
/// (`/api/deployments/{deployment}`, `/files/{*path}`), the decoded
/// parameter values and the headers. No path is parsed.
#[derive(Debug, Clone, Copy)]
pub struct RouteRequest<'a> {
    /// The method, any case.
    pub method: &'a str,
    /// The matched route's path template.
    pub template: &'a str,
    /// Parameter names and their decoded values.
    pub params: &'a [(&'a str, &'a str)],
    /// Header names and values, in any case and order; repeated names allowed.
    pub headers: &'a [(&'a str, &'a str)],
}

/// What the host has looked up for this request. Records for other ids are
/// ignored, so a host may pass a cache.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostData<'a> {
    /// Key records (looked up by the key id from [`Policy::classify`]).
    pub keys: &'a [KeyRecord],
    /// Principal records (key owners, token subjects).
    pub principals: &'a [PrincipalRecord],
    /// Resource records (looked up by the route's resource id), whose
    /// attributes rules read.
    pub resources: &'a [ResourceRecord],
    /// Revoked key ids.
    pub revoked_keys: &'a [String],
    /// Revoked session ids.
    pub revoked_sessions: &'a [String],
    /// The pepper for `hmac-sha256:` key hashes.
    pub pepper: Option<&'a Pepper>,
    /// The current time, unix seconds.
    pub now: i64,
}

/// [`HostData`] that owns its records: what a binding or a replayer converts
/// once from its own types and then lends to each check.
#[derive(Debug, Clone, Default)]
pub struct OwnedHostData {
    /// Key records.
    pub keys: Vec<KeyRecord>,
    /// Principal records.
    pub principals: Vec<PrincipalRecord>,
    /// Resource records.
    pub resources: Vec<ResourceRecord>,
    /// Revoked key ids.
    pub revoked_keys: Vec<String>,
    /// Revoked session ids.
    pub revoked_sessions: Vec<String>,
    /// The pepper for `hmac-sha256:` key hashes.
    pub pepper: Option<Pepper>,
    /// The current time, unix seconds.
    pub now: i64,
}

impl OwnedHostData {
    /// The borrowed view the checks take.
    pub fn data(&self) -> HostData<'_> {
        HostData {
            keys: &self.keys,
            principals: &self.principals,
            resources: &self.resources,
            revoked_keys: &self.revoked_keys,
            revoked_sessions: &self.revoked_sessions,
            pepper: self.pepper.as_ref(),
            now: self.now,
        }
    }
}

/// The credential a request carries, as far as can be told without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CredentialRef {
    /// No credential header.
    None,
    /// A credential of no known shape (or several credentials).
    Unrecognized {
        /// Why.
        reason: String,
    },
    /// An API key of a known kind; `id` is absent when the key is malformed.
    ApiKey {
        /// The credential kind named by the prefix.
        kind: String,
        /// The key id to look the record up by.
        id: Option<String>,
    },
    /// A token; `kind` is the jwt kind its (unverified) issuer names, and
    /// `principal` and `session` are the records to fetch, read from its
    /// unverified claims (`user:<sub>`, `service:<client>` for a
    /// client_credentials token; `sid`). Verification checks them again.
    Token {
        /// The credential kind, when the issuer names one.
        kind: Option<String>,
        /// The principal whose record the host should fetch.
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        principal: Option<String>,
        /// The session whose revocation the host should look up.
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        session: Option<String>,
    },
}

/// What [`Policy::classify`] tells the host to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified<'p> {
    /// The matched route, if any.
    pub route: Option<RouteMatch<'p>>,
    /// The credential.
    pub credential: CredentialRef,
}

/// A request decision together with the evaluation table, when the request
/// got as far as `authorize`.
#[derive(Debug, Clone)]
pub struct RequestOutcome<'p> {
    /// The decision.
    pub decision: Decision<'p>,
    /// The rows of the evaluation table.
    pub evaluation: Option<Evaluation>,
    /// The rules tried, when the request got as far as `authorize`.
    pub rules: Vec<RuleTrace>,
    /// The matched route.
    pub route: Option<RouteMatch<'p>>,
    /// The credential read from the request.
    pub credential: CredentialRef,
}

/// A token's claims, unverified; none when unreadable.
fn unverified_claims(policy: &Policy, token: &str) -> crate::jwt::Claims {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    token
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload).ok())
        .and_then(|bytes| policy.read_claims(bytes).ok())
        .unwrap_or_default()
}

fn looks_like_jwt(s: &str) -> bool {
    let dots = s.bytes().filter(|b| *b == b'.').count();
    (dots == 2 || dots == 4)
        && s.split('.').next().is_some_and(|h| !h.is_empty())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

impl Policy {
    /// Reads the one credential of a request.
    fn read_credential<'r>(&self, headers: &[(&str, &'r str)]) -> Result<Option<&'r str>, String> {
        let mut found: Option<&'r str> = None;
        for (name, value) in headers {
            let value = value.trim_matches([' ', '\t']);
            let credential = if name.eq_ignore_ascii_case("authorization") {
                let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
                if !(scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token")) {
                    return Err("the Authorization scheme is not `Bearer` or `Token`".into());
                }
                rest.trim_start_matches(' ')
            } else if name.eq_ignore_ascii_case("x-api-key") {
                value
            } else {
                continue;
            };
            if found.is_some() {
                return Err("the request carries more than one credential".into());
            }
            if credential.is_empty() {
                return Err("the credential is empty".into());
            }
            if credential.len() > MAX_CREDENTIAL_LEN {
                return Err(format!("the credential is longer than {MAX_CREDENTIAL_LEN} bytes"));
            }
            if !credential.bytes().all(|b| b.is_ascii_graphic()) {
                return Err("the credential contains whitespace, control or non-ASCII characters".into());
            }
            found = Some(credential);
        }
        Ok(found)
    }

    /// Reads and classifies the request's credential, parsing a key once.
    fn present<'r>(&'r self, headers: &[(&str, &'r str)]) -> Presented<'r> {
        let credential = match self.read_credential(headers) {
            Err(reason) => return Presented::Unrecognized(reason),
            Ok(None) => return Presented::None,
            Ok(Some(c)) => c,
        };
        let key_kind = self
            .kinds
            .iter()
            .filter(|k| {
                k.prefix
                    .as_deref()
                    .and_then(|p| credential.strip_prefix(p))
                    .is_some_and(|rest| rest.starts_with('_'))
            })
            .max_by_key(|k| k.prefix.as_deref().map_or(0, str::len));
        if let Some(kind) = key_kind {
            // The longest matching prefix names the kind; a parse that reads
            // another prefix (from the right) is a malformed key of this kind.
            let parsed = self.parse_key(credential).and_then(|p| {
                if p.kind() == &*kind.name {
                    Ok(p)
                } else {
                    Err(KeyError::Malformed {
                        reason: "the key does not have the shape of its prefix",
                    })
                }
            });
            return Presented::Key {
                kind: &kind.name,
                parsed,
            };
        }
        if looks_like_jwt(credential) {
            return Presented::Token {
                raw: credential,
                kind: self.token_kind_hint(credential),
            };
        }
        Presented::Unrecognized("the credential is neither an API key of a known prefix nor a token".into())
    }

    /// The jwt kind a token's unverified issuer names (used only to route
    /// it to the right kind; verification checks everything again).
    fn token_kind_hint(&self, token: &str) -> Option<String> {
        self.select_jwt_kind(&unverified_claims(self, token), None)
            .ok()
            .map(|(name, _)| name.to_owned())
    }

    /// What a token asks the host to fetch, from its unverified claims.
    fn token_ref(&self, token: &str) -> CredentialRef {
        let claims = unverified_claims(self, token);
        let kind = self.select_jwt_kind(&claims, None).ok();
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(serde_json::Value::as_str)
                .filter(|s| crate::jwt::valid_subject(s))
        };
        let principal = text("sub").and_then(|sub| {
            if [text("client_id"), text("azp")].contains(&Some(sub)) {
                Some(format!("service:{sub}"))
            } else {
                kind.map(|(_, k)| format!("{}:{sub}", k.subject))
            }
        });
        CredentialRef::Token {
            kind: kind.map(|(name, _)| name.to_owned()),
            principal,
            session: text("sid").map(str::to_owned),
        }
    }

    fn decide<'p>(
        &'p self,
        request: &Request<'_>,
        host: &HostData<'_>,
        checked: Checked<'_>,
        explain: bool,
    ) -> Decided<'p> {
        let Some(route) = self.match_route(request.method, request.path) else {
            let method = shown(request.method);
            let why = match clean_path(request.path) {
                Err(why) => format!("no route for `{method} {}`: {why}", shown(request.path)),
                Ok(path) => format!("no route matches `{method} {}`", shown(path)),
            };
            return (
                self.refusal(Code::NoRoute, why, None, Actor::default(), host.now),
                None,
                Vec::new(),
            );
        };
        self.decide_matched(route, request.headers, host, checked, explain)
    }

    /// The steps after the route: credential, authentication, evaluation.
    fn decide_matched<'p>(
        &'p self,
        route: RouteMatch<'p>,
        headers: &[(&str, &str)],
        host: &HostData<'_>,
        checked: Checked<'_>,
        explain: bool,
    ) -> Decided<'p> {
        let fail = |code: Code, message: String, actor: Actor<'static>| {
            (
                self.refusal(code, message, Some(&route), actor, host.now),
                None,
                Vec::new(),
            )
        };
        let identity = match self.authenticate_presented(headers, Accepts::Route(&route), host, checked) {
            Ok(identity) => identity,
            Err(failure) => {
                let (code, message, actor) = *failure;
                return fail(code, message, actor);
            }
        };
        let attributes = route
            .resource
            .as_deref()
            .and_then(|id| host.resources.iter().find(|r| r.id == id))
            .map(|r| &r.attributes);
        let check = Check::new(route.permission)
            .resource(route.resource.as_deref())
            .attributes(attributes)
            .tenant(route.tenant.as_deref());
        let evaluation = self.evaluate(&identity, check);
        let rules = if explain {
            crate::authz::rule_trace(self, &identity, check)
        } else {
            Vec::new()
        };
        let mut decision = self.decision(
            &evaluation,
            route.permission,
            route.resource.map(Cow::Owned),
            route.tenant.map(Cow::Owned),
            identity.into_actor(),
            host.now,
        );
        decision.route = Some(Cow::Borrowed(route.route));
        (decision, Some(evaluation), rules)
    }

    /// Reads the request's one credential and authenticates it, if its
    /// kind is accepted.
    fn authenticate_presented(
        &self,
        headers: &[(&str, &str)],
        accepts: Accepts<'_, '_>,
        host: &HostData<'_>,
        checked: Checked<'_>,
    ) -> Result<Identity, AuthFailure> {
        let failure = |code: Code, message: String, actor: Actor<'static>| Box::new((code, message, actor));
        let presented = self.present(headers);
        let kind_name = match &presented {
            Presented::None => {
                return Err(failure(
                    Code::NoCredentials,
                    "the request carries no credential".into(),
                    Actor::default(),
                ))
            }
            Presented::Unrecognized(reason) => {
                return Err(failure(Code::UnrecognizedCredential, reason.clone(), Actor::default()))
            }
            Presented::Key { kind, .. } => Some(*kind),
            Presented::Token { kind, .. } => kind.as_deref(),
        };
        if let Some(kind) = kind_name {
            self.accepts(accepts, kind)?;
        }
        match presented {
            Presented::Key { kind, parsed } => self.authenticate_key(kind, parsed, host),
            Presented::Token { raw, kind } => self.authenticate_token(raw, kind.as_deref(), accepts, host, checked),
            Presented::None | Presented::Unrecognized(_) => Err(failure(
                Code::NoCredentials,
                "the request carries no credential".into(),
                Actor::default(),
            )),
        }
    }

    /// Whether credentials of `kind` may authenticate here.
    fn accepts(&self, accepts: Accepts<'_, '_>, kind: &str) -> Result<(), AuthFailure> {
        let refused = match accepts {
            Accepts::Route(route) => self.route_accepts(route, kind).err(),
            Accepts::Kinds(kinds) if kinds.contains(&kind) => None,
            Accepts::Kinds(kinds) => Some(format!(
                "{} credentials are not accepted here; accepted: {}",
                shown(kind),
                kinds.join(", ")
            )),
        };
        match refused {
            None => Ok(()),
            Some(message) => Err(Box::new((
                Code::CredentialKindNotAllowed,
                message,
                Actor {
                    kind: Some(Cow::Owned(kind.to_owned())),
                    ..Actor::default()
                },
            ))),
        }
    }

    fn authenticate_key(
        &self,
        kind: &str,
        parsed: Result<ParsedKey, KeyError>,
        host: &HostData<'_>,
    ) -> Result<Identity, AuthFailure> {
        let actor = |id: Option<&str>, mask: Option<String>| Actor {
            kind: Some(Cow::Owned(kind.to_owned())),
            key_id: id.map(|i| Cow::Owned(i.to_owned())),
            key_mask: mask.map(Cow::Owned),
            ..Actor::default()
        };
        let parsed = parsed.map_err(|e| Box::new((e.code(), e.to_string(), actor(None, None))))?;
        let id = parsed.id();
        let record = host.keys.iter().find(|r| r.id == id).ok_or_else(|| {
            Box::new((
                Code::UnknownKey,
                format!("no key record for key id `{id}`"),
                actor(Some(id), None),
            ))
        })?;
        let options = VerifyKeyOptions::at(host.now)
            .pepper(host.pepper)
            .revoked_keys(host.revoked_keys);
        let mask = parsed.mask();
        let acts_as = self
            .check_parsed_key(&parsed, record, &options)
            .map_err(|e| Box::new((e.code(), e.to_string(), actor(Some(id), Some(mask.clone())))))?;
        let owner = host.principals.iter().find(|p| p.id == record.owner);
        self.identity_for_key(kind, acts_as, &mask, record, owner)
            .map_err(|e| Box::new((e.code(), e.to_string(), actor(Some(id), Some(mask.clone())))))
    }

    fn authenticate_token(
        &self,
        raw: &str,
        kind: Option<&str>,
        accepts: Accepts<'_, '_>,
        host: &HostData<'_>,
        checked: Checked<'_>,
    ) -> Result<Identity, AuthFailure> {
        let actor = |kind: Option<&str>| Actor {
            kind: kind.map(|k| Cow::Owned(k.to_owned())),
            ..Actor::default()
        };
        let options = VerifyTokenOptions::at(host.now)
            .revoked_sessions(host.revoked_sessions)
            .revoked_keys(host.revoked_keys)
            .kind(kind);
        let verified = match checked {
            Some((pending, verdict)) if pending.is_for(raw) => {
                crate::jwt::verify::complete_jwt(self, pending.clone(), verdict, &options)
            }
            _ => self.verify_jwt(raw, &options),
        }
        .map_err(|e| Box::new((e.code(), e.to_string(), actor(kind))))?;
        self.accepts(accepts, &verified.kind)?;
        let principal = host.principals.iter().find(|p| p.id == verified.principal.id);
        self.token_identity(&verified, principal)
            .map_err(|e| Box::new((e.code(), e.to_string(), actor(Some(&verified.kind)))))
    }
}

pub(crate) fn classify<'p>(policy: &'p Policy, request: &Request<'_>) -> Classified<'p> {
    Classified {
        route: policy.match_route(request.method, request.path),
        credential: policy.present(request.headers).to_ref(policy),
    }
}

pub(crate) fn classify_route<'p>(policy: &'p Policy, request: &RouteRequest<'_>) -> Classified<'p> {
    Classified {
        route: policy
            .route_by_template(request.method, request.template, request.params)
            .ok(),
        credential: policy.present(request.headers).to_ref(policy),
    }
}

pub(crate) fn authorize_request<'p>(policy: &'p Policy, request: &Request<'_>, host: &HostData<'_>) -> Decision<'p> {
    policy.decide(request, host, None, false).0
}

/// The bearer token a request presents, staged up to its signature; `None`
/// when it presents none, or one refused before its signature (the
/// request's authorization then refuses it without a signature check).
pub(crate) fn begin_request(policy: &Policy, headers: &[(&str, &str)]) -> Option<PendingToken> {
    match policy.present(headers) {
        Presented::Token { raw, kind } => {
            crate::jwt::verify::begin_jwt(policy, raw, &VerifyTokenOptions::at(0).kind(kind.as_deref())).ok()
        }
        _ => None,
    }
}

/// [`authorize_request`] with the host's verdict on the signature of the
/// token [`begin_request`] staged; any other token is checked as usual.
pub(crate) fn complete_request<'p>(
    policy: &'p Policy,
    request: &Request<'_>,
    host: &HostData<'_>,
    pending: &PendingToken,
    verdict: Option<bool>,
) -> Decision<'p> {
    policy.decide(request, host, Some((pending, verdict)), false).0
}

pub(crate) fn authenticate(
    policy: &Policy,
    headers: &[(&str, &str)],
    kinds: &[&str],
    host: &HostData<'_>,
) -> Result<Identity, Box<Decision<'static>>> {
    policy
        .authenticate_presented(headers, Accepts::Kinds(kinds), host, None)
        .map_err(|failure| {
            let (code, message, actor) = *failure;
            Box::new(policy.refusal(code, message, None, actor, host.now))
        })
}

pub(crate) fn authorize_route<'p>(policy: &'p Policy, request: &RouteRequest<'_>, host: &HostData<'_>) -> Decision<'p> {
    decide_route(policy, request, host, None)
}

/// [`authorize_route`] with the host's verdict on the signature of the
/// token [`begin_request`] staged from the route request's headers.
pub(crate) fn complete_route<'p>(
    policy: &'p Policy,
    request: &RouteRequest<'_>,
    host: &HostData<'_>,
    pending: &PendingToken,
    verdict: Option<bool>,
) -> Decision<'p> {
    decide_route(policy, request, host, Some((pending, verdict)))
}

fn decide_route<'p>(
    policy: &'p Policy,
    request: &RouteRequest<'_>,
    host: &HostData<'_>,
    checked: Checked<'_>,
) -> Decision<'p> {
    match policy.route_by_template(request.method, request.template, request.params) {
        Ok(route) => policy.decide_matched(route, request.headers, host, checked, false).0,
        Err(why) => policy.refusal(Code::NoRoute, why, None, Actor::default(), host.now),
    }
}

pub(crate) fn explain_route<'p>(
    policy: &'p Policy,
    request: &RouteRequest<'_>,
    host: &HostData<'_>,
) -> RequestOutcome<'p> {
    let route = policy.route_by_template(request.method, request.template, request.params);
    let (decision, evaluation, rules) = match route.clone() {
        Ok(route) => policy.decide_matched(route, request.headers, host, None, true),
        Err(why) => (
            policy.refusal(Code::NoRoute, why, None, Actor::default(), host.now),
            None,
            Vec::new(),
        ),
    };
    RequestOutcome {
        decision,
        evaluation,
        rules,
        route: route.ok(),
        credential: policy.present(request.headers).to_ref(policy),
    }
}

pub(crate) fn explain_request<'p>(
    policy: &'p Policy,
    request: &Request<'_>,
    host: &HostData<'_>,
) -> RequestOutcome<'p> {
    let (decision, evaluation, rules) = policy.decide(request, host, None, true);
    RequestOutcome {
        decision,
        evaluation,
        rules,
        route: policy.match_route(request.method, request.path),
        credential: policy.present(request.headers).to_ref(policy),
    }
}

/// Which credential kinds may authenticate: a route's, or a list the host names.
#[derive(Clone, Copy)]
enum Accepts<'a, 'p> {
    Route(&'a RouteMatch<'p>),
    Kinds(&'a [&'a str]),
}

/// A request's credential, read once.
enum Presented<'r> {
    None,
    Unrecognized(String),
    Key {
        kind: &'r str,
        parsed: Result<ParsedKey, KeyError>,
    },
    Token {
        raw: &'r str,
        kind: Option<String>,
    },
}

impl Presented<'_> {
    fn to_ref(&self, policy: &Policy) -> CredentialRef {
        match self {
            Presented::None => CredentialRef::None,
            Presented::Unrecognized(reason) => CredentialRef::Unrecognized { reason: reason.clone() },
            Presented::Key { kind, parsed, .. } => CredentialRef::ApiKey {
                kind: (*kind).to_owned(),
                id: parsed.as_ref().ok().map(|p| p.id().to_owned()),
            },
            Presented::Token { raw, .. } => policy.token_ref(raw),
        }
    }
}
