//! Verification of compact JWS tokens and their mapping to identities.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::Algorithm;
use serde_json::Value;

use crate::jwk::{alg_name, parse_alg};
use std::sync::Arc;

use super::{provider, JwtKind, TokenError, TokenResult, MAX_ACTOR_DEPTH, MAX_TOKEN_LEN};
use crate::authz::{CredentialInfo, Identity, IdentityError, IdentityRecord, PrincipalRecord};
use crate::claims::{Claims, Members, Unreadable};
use crate::code::Code;
use crate::jwk::{KeySet, VerifyingKey};
use crate::policy::token_cache::{token_id, Known, TokenId};
use crate::policy::Policy;
use crate::text::shown;

/// What the host supplies to verify a token.
#[derive(Debug, Clone, Copy)]
pub struct VerifyTokenOptions<'a> {
    /// The current time, unix seconds.
    pub now: i64,
    /// Session ids (`sid`) the host has revoked.
    pub revoked_sessions: &'a [String],
    /// API key ids the host has revoked: a token delegated from one of
    /// these keys (claim `key_id`) is refused.
    pub revoked_keys: &'a [String],
    /// The credential kind to verify against; by default the `jwt` kind
    /// whose issuer (and then audience) the token names.
    pub kind: Option<&'a str>,
}

impl<'a> VerifyTokenOptions<'a> {
    /// Options at `now`, with no revoked sessions.
    pub fn at(now: i64) -> Self {
        VerifyTokenOptions {
            now,
            revoked_sessions: &[],
            revoked_keys: &[],
            kind: None,
        }
    }
    /// With revoked session ids.
    pub fn revoked_sessions(mut self, sessions: &'a [String]) -> Self {
        self.revoked_sessions = sessions;
        self
    }
    /// With revoked API key ids.
    pub fn revoked_keys(mut self, keys: &'a [String]) -> Self {
        self.revoked_keys = keys;
        self
    }
    /// Against one credential kind.
    pub fn kind(mut self, kind: Option<&'a str>) -> Self {
        self.kind = kind;
        self
    }
}

/// A token whose signature and claims verified.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    /// The credential kind.
    pub kind: String,
    /// The algorithm it was signed with.
    pub algorithm: &'static str,
    /// The principal the claims describe (`user:<sub>` or `service:<client>`).
    pub principal: PrincipalRecord,
    /// The credential: kind, `jti` as id, `sid`, scopes and actor chain.
    pub credential: CredentialInfo,
    /// Whether this is a client_credentials token of a service account.
    pub service_account: bool,
    /// `exp`, if present.
    pub expires_at: Option<i64>,
    /// All claims, for host-specific use (shared with the token cache).
    pub claims: Arc<Claims>,
}

/// Everything [`Policy::verify_jwt`] learns before the signature check.
struct Stage<'p> {
    kind: &'p str,
    alg: Algorithm,
    keys: Arc<KeySet>,
    key: usize,
    signed_len: usize,
    signature: Vec<u8>,
    claims: Arc<Claims>,
}

impl Stage<'_> {
    fn key(&self) -> Option<&VerifyingKey> {
        self.keys.keys.get(self.key)
    }
}

fn signature_valid(alg: Algorithm, key: &VerifyingKey, message: &[u8], signature: &Vec<u8>) -> bool {
    (provider().verifier_factory)(&alg, &key.key)
        .map(|v| v.verify(message, signature).is_ok())
        .unwrap_or(false)
}

/// A token that passed every rule before its signature, waiting for the
/// host's signature check (see [`Policy::begin_jwt`]). `Debug` never shows
/// the token: it is a bearer credential.
#[derive(Clone)]
pub struct PendingToken {
    policy: u64,
    /// The token's id in the policy's token cache, when the cache was on.
    id: Option<TokenId>,
    /// Whether the cache already knows the signature verified.
    known: bool,
    kind: String,
    alg: Algorithm,
    /// The token as presented.
    token: String,
    /// The length of its signed part, `header.payload` (0 when known).
    signed_len: usize,
    signature: Vec<u8>,
    claims: Arc<Claims>,
    keys: Arc<KeySet>,
    key: usize,
}

impl std::fmt::Debug for PendingToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingToken")
            .field("kind", &self.kind)
            .field("algorithm", &self.algorithm())
            .field("known", &self.known)
            .field("token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl PendingToken {
    /// Whether this is `token` staged.
    pub(crate) fn is_for(&self, token: &str) -> bool {
        self.token == token
    }
    /// The JOSE algorithm.
    pub fn algorithm(&self) -> &'static str {
        alg_name(self.alg)
    }
    /// The selected key, when the host is to check the signature: a public
    /// key whose signature the token cache does not already know.
    fn host_key(&self) -> Option<&VerifyingKey> {
        self.keys
            .keys
            .get(self.key)
            .filter(|k| !self.known && k.public_jwk.is_some())
    }
    /// The public JWK of the selected key (`kty`, `crv`, `n`, `e`, `x`,
    /// `y`); `None` for HMAC, whose signature permiso always checks itself,
    /// and for a signature the token cache already knows.
    pub fn public_jwk(&self) -> Option<&Value> {
        self.host_key().and_then(|k| k.public_jwk.as_ref())
    }
    /// The RFC 7638 SHA-256 thumbprint of [`public_jwk`](Self::public_jwk)
    /// (base64url): a host caching its imported keys can look one up without
    /// reading the JWK.
    pub fn key_thumbprint(&self) -> Option<&str> {
        self.host_key().and_then(|k| k.thumbprint.as_deref())
    }
    /// The signed bytes: `header.payload`.
    pub fn signing_input(&self) -> &[u8] {
        self.token.as_bytes().get(..self.signed_len).unwrap_or_default()
    }
    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
}

fn malformed(msg: impl Into<String>) -> TokenError {
    TokenError::new(Code::MalformedToken, msg)
}

fn invalid(claim: &str, expected: &str) -> TokenError {
    TokenError::new(Code::InvalidClaim, format!("claim `{claim}` must be {expected}"))
}

/// A token part's JSON, decoded from base64url.
fn decode_part(part: &str, what: &str) -> TokenResult<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| malformed(format!("the {what} is not unpadded base64url")))
}

fn unreadable(what: &str) -> impl Fn(Unreadable) -> TokenError + '_ {
    move |why| match why {
        Unreadable::NotJson => malformed(format!("the {what} is not JSON")),
        Unreadable::NotObject => malformed(format!("the {what} is not a JSON object")),
    }
}

/// The header parameters permiso reads; the others are only checked.
const HEADER_READ: &[&str] = &["alg", "typ", "cty", "kid", "crit"];

/// The registered and delegation claims the rules read. A kind's scopes,
/// roles and tenant claims are read too; the others are only checked.
const CLAIMS_READ: &[&str] = &[
    "iss",
    "aud",
    "exp",
    "nbf",
    "iat",
    "sub",
    "sid",
    "key_id",
    "jti",
    "client_id",
    "azp",
    "scp",
    "act",
];

/// A NumericDate: any JSON number, floored to whole seconds.
fn numeric_date(claims: &Claims, name: &str) -> TokenResult<Option<i64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Some(i)),
            (None, Some(f)) if f.is_finite() && f.abs() < 1e15 => Ok(Some(f.floor() as i64)),
            _ => Err(invalid(name, "a number of seconds")),
        },
        Some(_) => Err(invalid(name, "a number of seconds")),
    }
}

fn opt_string<'c>(claims: &'c Claims, name: &str) -> TokenResult<Option<&'c str>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(name, "a string")),
    }
}

/// A list claim: a space-delimited string or an array of strings.
fn string_list(claims: &Claims, name: &str) -> TokenResult<Option<Vec<String>>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.split_ascii_whitespace().map(str::to_owned).collect())),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid(name, "a string or an array of strings"))
            })
            .collect::<TokenResult<Vec<_>>>()
            .map(Some),
        Some(_) => Err(invalid(name, "a string or an array of strings")),
    }
}

fn actor_chain(claims: &Claims) -> TokenResult<Vec<String>> {
    let mut chain = Vec::new();
    let mut current = claims.get("act");
    while let Some(act) = current {
        if chain.len() >= MAX_ACTOR_DEPTH {
            return Err(TokenError::new(
                Code::InvalidClaim,
                format!("the `act` chain is deeper than {MAX_ACTOR_DEPTH}"),
            ));
        }
        let obj = act.as_object().ok_or_else(|| invalid("act", "an object"))?;
        match obj.get("sub") {
            Some(Value::String(s)) if valid_subject(s) => chain.push(s.clone()),
            _ => return Err(invalid("act.sub", SUBJECT_RULE)),
        }
        current = obj.get("act");
    }
    Ok(chain)
}

/// Longest `sub`, `act.sub` or `key_id` accepted, in bytes.
pub const MAX_SUBJECT_LEN: usize = 256;

const SUBJECT_RULE: &str = "a non-empty string of at most 256 bytes without control or format characters";

/// A subject (`sub`, `act.sub`) reaches principal ids and audit records:
/// bounded, and free of control and invisible format characters (bidi
/// overrides could make `user:alice` display as another user).
pub(crate) fn valid_subject(sub: &str) -> bool {
    !sub.is_empty() && sub.len() <= MAX_SUBJECT_LEN && !sub.chars().any(crate::text::is_unsafe_char)
}

const ACCEPTED_TYPES: &[&str] = &["jwt", "at+jwt", "application/jwt", "application/at+jwt"];

impl Policy {
    fn jwt_kinds(&self) -> impl Iterator<Item = (&str, &JwtKind)> {
        self.kinds.iter().filter_map(|k| k.jwt.as_ref().map(|j| (&*k.name, j)))
    }

    /// Whether the rules of some jwt kind read claim `name`.
    fn reads_claim(&self, name: &str) -> bool {
        CLAIMS_READ.contains(&name)
            || self.jwt_kinds().any(|(_, k)| {
                k.scopes_claim == name
                    || k.roles_claim.as_deref() == Some(name)
                    || k.tenant_claim.as_deref() == Some(name)
            })
    }

    /// A token's decoded payload as claims.
    pub(crate) fn read_claims(&self, payload: Vec<u8>) -> TokenResult<Claims> {
        Claims::from_bytes(payload, &|name| self.reads_claim(name)).map_err(unreadable("payload"))
    }

    fn finish_jwt(
        &self,
        kind_name: &str,
        alg: Algorithm,
        valid: bool,
        claims: Arc<Claims>,
        options: &VerifyTokenOptions<'_>,
    ) -> TokenResult<VerifiedToken> {
        if !valid {
            return Err(TokenError::new(
                Code::BadSignature,
                format!("the `{}` signature does not verify", alg_name(alg)),
            ));
        }
        let kind = self
            .jwt_kinds()
            .find(|(n, _)| *n == kind_name)
            .map(|(_, k)| k)
            .ok_or_else(|| TokenError::new(Code::UnknownCredentialKind, "the token's kind is gone"))?;
        self.check_claims(kind_name, kind, alg, claims, options)
    }

    fn stage_jwt<'p>(&'p self, token: &str, options: &VerifyTokenOptions<'_>) -> TokenResult<Stage<'p>> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(malformed(format!("the token is longer than {MAX_TOKEN_LEN} bytes")));
        }
        let parts: Vec<&str> = token.split('.').collect();
        let [header_b64, payload_b64, signature_b64] = parts.as_slice() else {
            return Err(malformed(if parts.len() == 5 {
                "encrypted (JWE) tokens are not supported".to_owned()
            } else {
                format!("a compact JWS has 3 parts separated by `.`, this has {}", parts.len())
            }));
        };
        let header = String::from_utf8(decode_part(header_b64, "header")?)
            .map_err(|_| Unreadable::NotJson)
            .and_then(|text| Members::read(&text, &|name| HEADER_READ.contains(&name)))
            .map_err(unreadable("header"))?;
        let alg_text = match header.get("alg") {
            Some(Value::String(s)) => s.as_str(),
            _ => return Err(malformed("the header has no `alg` string")),
        };
        if alg_text.eq_ignore_ascii_case("none") {
            return Err(TokenError::new(
                Code::UnsupportedAlgorithm,
                "unsigned tokens (`alg: none`) are never accepted",
            ));
        }
        match header.get("typ") {
            None => {}
            Some(Value::String(t)) if ACCEPTED_TYPES.iter().any(|a| t.eq_ignore_ascii_case(a)) => {}
            Some(_) => return Err(malformed("the header `typ` is not `JWT` or `at+jwt`")),
        }
        if header
            .get("cty")
            .and_then(Value::as_str)
            .is_some_and(|c| c.eq_ignore_ascii_case("jwt"))
        {
            return Err(malformed("nested tokens (`cty: JWT`) are not supported"));
        }
        if let Some(crit) = header.get("crit") {
            let list = crit
                .as_array()
                .filter(|l| !l.is_empty())
                .ok_or_else(|| malformed("the header `crit` must be a non-empty array"))?;
            if let Some(name) = list.first() {
                let name = name.as_str().unwrap_or("(not a string)");
                return Err(TokenError::new(
                    Code::UnsupportedCriticalHeader,
                    format!("critical header `{}` is not understood", shown(name)),
                ));
            }
        }
        let claims = Arc::new(self.read_claims(decode_part(payload_b64, "payload")?)?);

        let (kind_name, kind) = self.select_jwt_kind(&claims, options.kind)?;
        let alg = parse_alg(alg_text)
            .filter(|a| kind.algorithms.contains(a))
            .ok_or_else(|| {
                TokenError::new(
                    Code::UnsupportedAlgorithm,
                    format!(
                        "algorithm `{}` is not allowed for `{kind_name}` tokens",
                        shown(alg_text)
                    ),
                )
            })?;
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => return Err(malformed("the header `kid` is not a string")),
        };
        let keys = kind.key_set();
        let key = keys
            .select(kid, alg)
            .map_err(|m| TokenError::new(Code::UnknownKey, m))?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| malformed("the signature is not unpadded base64url"))?;
        Ok(Stage {
            kind: kind_name,
            alg,
            keys,
            key,
            signed_len: header_b64.len() + 1 + payload_b64.len(),
            signature,
            claims,
        })
    }

    /// The jwt kind a token is of: the one asked for, the only one, or the
    /// one whose issuer (then audience) the claims name. The one place this
    /// is decided; request classification asks it too.
    pub(crate) fn select_jwt_kind(&self, claims: &Claims, wanted: Option<&str>) -> TokenResult<(&str, &JwtKind)> {
        if let Some(name) = wanted {
            return self.jwt_kinds().find(|(n, _)| *n == name).ok_or_else(|| {
                TokenError::new(
                    Code::UnknownCredentialKind,
                    format!("`{name}` is not a jwt credential kind"),
                )
            });
        }
        let mut kinds = self.jwt_kinds();
        let (first, second) = (kinds.next(), kinds.next());
        match (first, second) {
            (None, _) => Err(TokenError::new(
                Code::UnknownCredentialKind,
                "the policy has no jwt credential kind",
            )),
            (Some(only), None) => Ok(only),
            _ => {
                let iss = match claims.get("iss") {
                    None => return Err(TokenError::new(Code::MissingClaim, "claim `iss` is required")),
                    Some(Value::String(s)) => s.as_str(),
                    Some(_) => return Err(invalid("iss", "a string")),
                };
                let by_issuer: Vec<_> = self.jwt_kinds().filter(|(_, k)| k.issuer == iss).collect();
                let aud = claims.get("aud");
                let names_audience = |k: &JwtKind| match aud {
                    Some(Value::String(a)) => *a == k.audience,
                    Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(&k.audience)),
                    _ => false,
                };
                match by_issuer.as_slice() {
                    [] => Err(TokenError::new(
                        Code::BadIssuer,
                        "no credential kind accepts the token's issuer",
                    )),
                    [only] => Ok(*only),
                    several => several.iter().find(|(_, k)| names_audience(k)).copied().ok_or_else(|| {
                        TokenError::new(Code::BadAudience, "no credential kind accepts the token's audience")
                    }),
                }
            }
        }
    }

    /// The stage of a token the cache holds (see `token_cache`): its header
    /// passed, its claims decoded and its signature verified before. It
    /// stands only if the claims select the same kind now, with the same key
    /// set; otherwise the token is staged again from its text.
    fn known_stage(&self, id: &TokenId, options: &VerifyTokenOptions<'_>) -> Option<Stage<'_>> {
        let known = self.token_cache.known(id)?;
        let (kind_name, kind) = self.select_jwt_kind(&known.claims, options.kind).ok()?;
        if kind_name != &*known.kind || !Arc::ptr_eq(&kind.key_set(), &known.keys) {
            return None;
        }
        Some(Stage {
            kind: kind_name,
            alg: known.alg,
            keys: known.keys,
            key: known.key,
            signed_len: 0,
            signature: Vec::new(),
            claims: known.claims,
        })
    }

    fn check_claims(
        &self,
        kind_name: &str,
        kind: &JwtKind,
        alg: Algorithm,
        claims: Arc<Claims>,
        options: &VerifyTokenOptions<'_>,
    ) -> TokenResult<VerifiedToken> {
        let now = options.now;
        match claims.get("iss") {
            None => return Err(TokenError::new(Code::MissingClaim, "claim `iss` is required")),
            Some(Value::String(iss)) if *iss == kind.issuer => {}
            Some(Value::String(iss)) => {
                return Err(TokenError::new(
                    Code::BadIssuer,
                    format!("issuer `{}` is not `{}`", shown(iss), kind.issuer),
                ))
            }
            Some(_) => return Err(invalid("iss", "a string")),
        }
        let audience_ok = match claims.get("aud") {
            None => return Err(TokenError::new(Code::MissingClaim, "claim `aud` is required")),
            Some(Value::String(a)) => *a == kind.audience,
            Some(Value::Array(list)) => {
                if list.iter().any(|a| !a.is_string()) {
                    return Err(invalid("aud", "a string or an array of strings"));
                }
                list.iter().any(|a| a.as_str() == Some(&kind.audience))
            }
            Some(_) => return Err(invalid("aud", "a string or an array of strings")),
        };
        if !audience_ok {
            return Err(TokenError::new(
                Code::BadAudience,
                format!("the audience does not include `{}`", kind.audience),
            ));
        }
        let exp = numeric_date(&claims, "exp")?;
        match exp {
            None if kind.require_exp => return Err(TokenError::new(Code::MissingClaim, "claim `exp` is required")),
            Some(exp) if now >= exp.saturating_add(kind.leeway) => {
                return Err(TokenError::new(Code::Expired, format!("the token expired at {exp}")))
            }
            _ => {}
        }
        if let Some(nbf) = numeric_date(&claims, "nbf")? {
            if now.saturating_add(kind.leeway) < nbf {
                return Err(TokenError::new(
                    Code::NotYetValid,
                    format!("the token is not valid before {nbf}"),
                ));
            }
        }
        if let Some(iat) = numeric_date(&claims, "iat")? {
            if now.saturating_add(kind.leeway) < iat {
                return Err(TokenError::new(
                    Code::NotYetValid,
                    format!("the token was issued in the future ({iat})"),
                ));
            }
        }
        let sub = match claims.get("sub") {
            None => return Err(TokenError::new(Code::MissingClaim, "claim `sub` is required")),
            Some(Value::String(s)) if valid_subject(s) => s.clone(),
            Some(_) => return Err(invalid("sub", SUBJECT_RULE)),
        };
        let sid = opt_string(&claims, "sid")?.map(str::to_owned);
        if sid.as_deref().is_some_and(|s| !valid_subject(s)) {
            return Err(invalid("sid", SUBJECT_RULE));
        }
        let key_id = opt_string(&claims, "key_id")?.map(str::to_owned);
        if key_id.as_deref().is_some_and(|k| !crate::key::is_key_id(k)) {
            return Err(invalid("key_id", "an API key id (12 base62 characters)"));
        }
        let jti = opt_string(&claims, "jti")?.map(str::to_owned);
        let client_id = opt_string(&claims, "client_id")?;
        let azp = opt_string(&claims, "azp")?;
        let scopes = match string_list(&claims, &kind.scopes_claim)? {
            Some(s) => Some(s),
            None => string_list(&claims, "scp")?,
        };
        let roles = match &kind.roles_claim {
            Some(claim) => string_list(&claims, claim)?.unwrap_or_default(),
            None => Vec::new(),
        };
        let tenant = match &kind.tenant_claim {
            Some(claim) => opt_string(&claims, claim)?.map(str::to_owned),
            None => None,
        };
        let chain = actor_chain(&claims)?;
        if let Some(sid) = &sid {
            if options.revoked_sessions.contains(sid) {
                return Err(TokenError::new(
                    Code::SessionRevoked,
                    format!("session `{}` has been revoked", shown(sid)),
                ));
            }
        }
        if let Some(key_id) = &key_id {
            if options.revoked_keys.contains(key_id) {
                return Err(TokenError::new(
                    Code::Revoked,
                    format!("key `{key_id}`, which this token was delegated from, has been revoked"),
                ));
            }
        }
        // A delegated token without scopes may do nothing: fail closed.
        let scopes = if chain.is_empty() {
            scopes
        } else {
            Some(scopes.unwrap_or_default())
        };
        let client = [client_id, azp].into_iter().flatten().find(|c| *c == sub);
        let (principal, service_account) = match client {
            Some(client) => {
                let Some(account) = self.service_account(kind_name, client) else {
                    return Err(TokenError::new(
                        Code::NotAServiceAccount,
                        format!("client `{}` is not a service account of `{kind_name}`", shown(client)),
                    ));
                };
                (account, true)
            }
            None => (
                PrincipalRecord {
                    id: format!("{}:{sub}", kind.subject),
                    tenant,
                    roles,
                    ..PrincipalRecord::default()
                },
                false,
            ),
        };
        Ok(VerifiedToken {
            kind: kind_name.to_owned(),
            algorithm: alg_name(alg),
            principal,
            credential: CredentialInfo {
                kind: Some(kind_name.to_owned()),
                id: key_id,
                token_id: jti,
                mask: None,
                owner: None,
                scopes,
                session: sid,
                actor_chain: chain,
                expires_at: exp,
            },
            service_account,
            expires_at: exp,
            claims,
        })
    }
}

/// The token's id in the policy's cache, when the cache is on and the token
/// is not too long to be staged at all.
fn cache_id(policy: &Policy, token: &str) -> Option<TokenId> {
    (policy.token_cache.enabled() && token.len() <= MAX_TOKEN_LEN).then(|| token_id(token))
}

/// What the cache keeps of a token whose signature verified.
fn known(kind: &str, alg: Algorithm, keys: &Arc<KeySet>, key: usize, claims: &Arc<Claims>) -> Known {
    Known {
        kind: kind.into(),
        keys: Arc::clone(keys),
        key,
        alg,
        claims: Arc::clone(claims),
    }
}

pub(crate) fn verify_jwt(policy: &Policy, token: &str, options: &VerifyTokenOptions<'_>) -> TokenResult<VerifiedToken> {
    let id = cache_id(policy, token);
    if let Some(stage) = id.as_ref().and_then(|id| policy.known_stage(id, options)) {
        return policy.finish_jwt(stage.kind, stage.alg, true, stage.claims, options);
    }
    let stage = policy.stage_jwt(token, options)?;
    let message = token.get(..stage.signed_len).unwrap_or_default().as_bytes();
    let valid = stage
        .key()
        .is_some_and(|k| signature_valid(stage.alg, k, message, &stage.signature));
    if let Some(id) = id.filter(|_| valid) {
        let known = known(stage.kind, stage.alg, &stage.keys, stage.key, &stage.claims);
        policy.token_cache.remember(id, known, token.len());
    }
    policy.finish_jwt(stage.kind, stage.alg, valid, stage.claims, options)
}

pub(crate) fn begin_jwt(policy: &Policy, token: &str, options: &VerifyTokenOptions<'_>) -> TokenResult<PendingToken> {
    let id = cache_id(policy, token);
    let (known, stage) = match id.as_ref().and_then(|id| policy.known_stage(id, options)) {
        Some(stage) => (true, stage),
        None => (false, policy.stage_jwt(token, options)?),
    };
    Ok(PendingToken {
        id,
        known,
        policy: policy.instance,
        kind: stage.kind.to_owned(),
        alg: stage.alg,
        token: token.to_owned(),
        signed_len: stage.signed_len,
        signature: stage.signature,
        claims: stage.claims,
        keys: stage.keys,
        key: stage.key,
    })
}

pub(crate) fn complete_jwt(
    policy: &Policy,
    pending: PendingToken,
    verdict: Option<bool>,
    options: &VerifyTokenOptions<'_>,
) -> TokenResult<VerifiedToken> {
    if pending.policy != policy.instance {
        return Err(TokenError::new(
            Code::InvalidArgument,
            "the pending token was begun by another policy",
        ));
    }
    let valid = pending.known
        || match (verdict, pending.host_key().is_some()) {
            (Some(verdict), true) => verdict,
            _ => pending
                .keys
                .keys
                .get(pending.key)
                .is_some_and(|k| signature_valid(pending.alg, k, pending.signing_input(), &pending.signature)),
        };
    // A token staged before the cache was turned on is remembered too.
    let remembered = (valid && !pending.known)
        .then(|| pending.id.or_else(|| cache_id(policy, &pending.token)))
        .flatten();
    if let Some(id) = remembered {
        let known = known(&pending.kind, pending.alg, &pending.keys, pending.key, &pending.claims);
        policy.token_cache.remember(id, known, pending.token.len());
    }
    let kind = policy
        .jwt_kinds()
        .find(|(n, _)| *n == pending.kind)
        .map(|(n, _)| n)
        .ok_or_else(|| TokenError::new(Code::UnknownCredentialKind, "the token's kind is gone"))?;
    policy.finish_jwt(kind, pending.alg, valid, pending.claims, options)
}

pub(crate) fn token_identity(
    policy: &Policy,
    token: &VerifiedToken,
    principal: Option<&PrincipalRecord>,
) -> Result<Identity, IdentityError> {
    let principal = match principal {
        Some(p) if p.id != token.principal.id => {
            return Err(IdentityError::new(
                Code::InvalidPrincipal,
                format!(
                    "principal `{}` is not the token's subject `{}`",
                    p.id, token.principal.id
                ),
            ))
        }
        Some(p) => p.clone(),
        None => token.principal.clone(),
    };
    policy.identity(IdentityRecord {
        principal,
        credential: Some(token.credential.clone()),
    })
}
