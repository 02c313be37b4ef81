//! Issuing session and delegated tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Map, Value};

use super::{provider, JwtKind, TokenError, TokenResult};
use crate::authz::Identity;
use crate::code::Code;
use crate::jwk::{alg_name, parse_alg, Material};
use crate::key::random_base62;
use crate::policy::Policy;

/// A private key (or HMAC secret) for signing tokens. `Debug` shows only
/// the algorithm and key id.
#[derive(Clone)]
pub struct SigningKey {
    alg: Algorithm,
    key: EncodingKey,
    kid: Option<String>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &alg_name(self.alg))
            .field("kid", &self.kid)
            .field("key", &"[redacted]")
            .finish()
    }
}

fn bad_key(msg: impl Into<String>) -> TokenError {
    TokenError::new(Code::UnknownKey, msg)
}

impl SigningKey {
    /// An HMAC secret for `HS256`, `HS384` or `HS512`; at least as long as
    /// the hash (32, 48 or 64 bytes).
    pub fn hmac(alg: &str, secret: &[u8]) -> TokenResult<SigningKey> {
        let alg = parse_alg(alg)
            .ok_or_else(|| TokenError::new(Code::UnsupportedAlgorithm, format!("`{alg}` is not supported")))?;
        if !matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
            return Err(bad_key(format!("`{}` is not an HMAC algorithm", alg_name(alg))));
        }
        if !Material::Secret(secret.len()).fits(alg) {
            return Err(bad_key(format!("an HMAC secret for `{}` is too short", alg_name(alg))));
        }
        Ok(SigningKey {
            alg,
            key: EncodingKey::from_secret(secret),
            kid: None,
        })
    }

    /// A PEM private key for an RSA (PKCS#8 or PKCS#1), ECDSA or EdDSA
    /// (PKCS#8) algorithm.
    pub fn from_pem(alg: &str, pem: &[u8]) -> TokenResult<SigningKey> {
        let alg = parse_alg(alg)
            .ok_or_else(|| TokenError::new(Code::UnsupportedAlgorithm, format!("`{alg}` is not supported")))?;
        let unusable = || bad_key(format!("the PEM is not a private key usable with `{}`", alg_name(alg)));
        let (label, der) = pem_rfc7468::decode_vec(pem).map_err(|_| unusable())?;
        let key = match (alg, label) {
            (Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512, _) => {
                return Err(bad_key("use `SigningKey::hmac` for HMAC algorithms"))
            }
            (Algorithm::ES256 | Algorithm::ES384, "PRIVATE KEY") => EncodingKey::from_ec_der(&der),
            (Algorithm::EdDSA, "PRIVATE KEY") => EncodingKey::from_ed_der(&der),
            (Algorithm::ES256 | Algorithm::ES384 | Algorithm::EdDSA, _) => return Err(unusable()),
            (_, "RSA PRIVATE KEY") => EncodingKey::from_rsa_der(&der),
            (_, "PRIVATE KEY") => {
                // PKCS#8 wraps the PKCS#1 key the RSA signers expect.
                let info = pkcs8::PrivateKeyInfo::try_from(der.as_slice()).map_err(|_| unusable())?;
                EncodingKey::from_rsa_der(info.private_key)
            }
            _ => return Err(unusable()),
        };
        // The container may hold another key type: building the signer
        // parses the key itself.
        (provider().signer_factory)(&alg, &key).map_err(|_| unusable())?;
        Ok(SigningKey { alg, key, kid: None })
    }

    /// Sets the `kid` written in the header.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The algorithm, by its JOSE name.
    pub fn algorithm(&self) -> &'static str {
        alg_name(self.alg)
    }

    fn sign(&self, claims: &Map<String, Value>) -> TokenResult<String> {
        let mut header = Map::new();
        header.insert("alg".into(), alg_name(self.alg).into());
        header.insert("typ".into(), "JWT".into());
        if let Some(kid) = &self.kid {
            header.insert("kid".into(), kid.as_str().into());
        }
        let encode = |v: &Map<String, Value>| -> TokenResult<String> {
            let bytes = serde_json::to_vec(v).map_err(|e| TokenError::new(Code::InvalidClaim, e.to_string()))?;
            Ok(URL_SAFE_NO_PAD.encode(bytes))
        };
        let message = format!("{}.{}", encode(&header)?, encode(claims)?);
        let signer = (provider().signer_factory)(&self.alg, &self.key)
            .map_err(|_| bad_key(format!("the key cannot sign `{}`", alg_name(self.alg))))?;
        let signature = signer
            .try_sign(message.as_bytes())
            .map_err(|_| bad_key(format!("signing with `{}` failed", alg_name(self.alg))))?;
        Ok(format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

/// A session token to issue.
#[derive(Debug, Clone, Default)]
pub struct SessionRequest {
    /// `sub`: the user id without its type (`alice` for `user:alice`).
    pub subject: String,
    /// `sid`; a random one when absent.
    pub session: Option<String>,
    /// Scopes; absent means the token does not cap the user's permissions.
    pub scopes: Option<Vec<String>>,
    /// Roles, written to the kind's `roles_claim` when it has one.
    pub roles: Vec<String>,
    /// Tenant, written to the kind's `tenant_claim` when it has one.
    pub tenant: Option<String>,
    /// Requested lifetime in seconds; capped by the kind's `max_lifetime`.
    pub lifetime: i64,
    /// `client_id`, for client_credentials tokens of service accounts.
    pub client_id: Option<String>,
}

/// A delegated token to issue on behalf of an identity (RFC 8693).
#[derive(Debug, Clone, Default)]
pub struct DelegationRequest {
    /// The acting client, written as `act.sub`.
    pub actor: String,
    /// Requested scopes; each must be held by the identity right now.
    pub scopes: Vec<String>,
    /// `aud`; the kind's audience when absent.
    pub audience: Option<String>,
    /// Requested lifetime in seconds; capped by the kind's `max_lifetime`.
    pub lifetime: i64,
}

fn random_id() -> TokenResult<String> {
    let mut id = [0u8; 22];
    random_base62(&mut id)
        .map_err(|_| TokenError::new(Code::EntropyUnavailable, "the random number generator failed"))?;
    Ok(id.iter().map(|b| char::from(*b)).collect())
}

impl Policy {
    fn issuing_kind(&self, kind: &str, key: &SigningKey) -> TokenResult<&JwtKind> {
        let jwt = self
            .kind_index(kind)
            .and_then(|i| self.kind(i))
            .and_then(|k| k.jwt.as_ref())
            .ok_or_else(|| {
                TokenError::new(
                    Code::UnknownCredentialKind,
                    format!("`{kind}` is not a jwt credential kind"),
                )
            })?;
        if !jwt.algorithms.contains(&key.alg) {
            return Err(TokenError::new(
                Code::UnsupportedAlgorithm,
                format!("`{}` is not among the algorithms of `{kind}`", alg_name(key.alg)),
            ));
        }
        Ok(jwt)
    }

    fn base_claims(jwt: &JwtKind, sub: &str, lifetime: i64, now: i64) -> TokenResult<Map<String, Value>> {
        if lifetime <= 0 {
            return Err(TokenError::new(Code::InvalidClaim, "the lifetime must be positive"));
        }
        let mut claims = Map::new();
        claims.insert("iss".into(), jwt.issuer.as_str().into());
        claims.insert("sub".into(), sub.into());
        claims.insert("aud".into(), jwt.audience.as_str().into());
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), now.saturating_add(lifetime.min(jwt.max_lifetime)).into());
        claims.insert("jti".into(), random_id()?.into());
        Ok(claims)
    }
}

pub(crate) fn issue_session(
    policy: &Policy,
    kind: &str,
    request: &SessionRequest,
    key: &SigningKey,
    now: i64,
) -> TokenResult<String> {
    let jwt = policy.issuing_kind(kind, key)?;
    if request.subject.is_empty() {
        return Err(TokenError::new(Code::MissingClaim, "a session needs a subject"));
    }
    let mut claims = Policy::base_claims(jwt, &request.subject, request.lifetime, now)?;
    let sid = match &request.session {
        Some(s) => s.clone(),
        None => random_id()?,
    };
    claims.insert("sid".into(), sid.into());
    if let Some(scopes) = &request.scopes {
        claims.insert(jwt.scopes_claim.clone(), scopes.join(" ").into());
    }
    if let (Some(claim), false) = (&jwt.roles_claim, request.roles.is_empty()) {
        claims.insert(claim.clone(), json!(request.roles));
    }
    if let (Some(claim), Some(tenant)) = (&jwt.tenant_claim, &request.tenant) {
        claims.insert(claim.clone(), tenant.as_str().into());
    }
    if let Some(client) = &request.client_id {
        claims.insert("client_id".into(), client.as_str().into());
    }
    key.sign(&claims)
}

pub(crate) fn delegate(
    policy: &Policy,
    kind: &str,
    identity: &Identity,
    request: &DelegationRequest,
    key: &SigningKey,
    now: i64,
) -> TokenResult<String> {
    let jwt = policy.issuing_kind(kind, key)?;
    if request.actor.is_empty() {
        return Err(TokenError::new(Code::MissingClaim, "a delegation needs an actor"));
    }
    let held = policy.effective_permissions(identity);
    for scope in &request.scopes {
        let wanted = policy.pattern_set(std::slice::from_ref(scope), |_, _, _| Err(()));
        if !wanted.is_ok_and(|w| w.is_subset_of(&held)) {
            return Err(TokenError::new(
                Code::ScopeEscalation,
                format!("`{}` does not hold `{scope}`", identity.principal_id()),
            ));
        }
    }
    let principal = &identity.record().principal;
    let (ptype, rest) = principal.id.split_once(':').unwrap_or(("", principal.id.as_str()));
    let service = ptype == "service";
    if ptype != jwt.subject && !service {
        return Err(TokenError::new(
            Code::InvalidClaim,
            format!(
                "`{}` cannot be the subject of `{kind}` tokens (subjects are `{}:…`)",
                principal.id, jwt.subject
            ),
        ));
    }
    let credential = identity.record().credential.as_ref();
    let horizon = credential.and_then(|c| c.expires_at);
    if let Some(at) = horizon.filter(|at| *at <= now) {
        return Err(TokenError::new(
            Code::Expired,
            format!("the delegating credential expired at {at}"),
        ));
    }
    // The parent's remaining life caps the requested one.
    let lifetime = horizon.map_or(request.lifetime, |at| request.lifetime.min(at.saturating_sub(now)));
    let mut claims = Policy::base_claims(jwt, rest, lifetime, now)?;
    if let Some(key_id) = credential.and_then(|c| c.id.as_deref()) {
        claims.insert("key_id".into(), key_id.into());
    }
    if let Some(audience) = &request.audience {
        claims.insert("aud".into(), audience.as_str().into());
    }
    if service {
        claims.insert("client_id".into(), rest.into());
    }
    claims.insert(jwt.scopes_claim.clone(), request.scopes.join(" ").into());
    if let Some(sid) = credential.and_then(|c| c.session.as_deref()) {
        claims.insert("sid".into(), sid.into());
    }
    if let (Some(claim), false) = (&jwt.roles_claim, principal.roles.is_empty()) {
        claims.insert(claim.clone(), json!(principal.roles));
    }
    if let (Some(claim), Some(tenant)) = (&jwt.tenant_claim, &principal.tenant) {
        claims.insert(claim.clone(), tenant.as_str().into());
    }
    let previous = credential.map_or(&[][..], |c| c.actor_chain.as_slice());
    let mut act: Option<Value> = None;
    for sub in previous.iter().rev() {
        act = Some(match act {
            None => json!({ "sub": sub }),
            Some(inner) => json!({ "sub": sub, "act": inner }),
        });
    }
    let act = match act {
        None => json!({ "sub": request.actor }),
        Some(inner) => json!({ "sub": request.actor, "act": inner }),
    };
    claims.insert("act".into(), act);
    key.sign(&claims)
}
