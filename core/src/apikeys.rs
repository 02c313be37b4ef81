//! Key operations that need the policy: kinds, verification, identities,
//! generation and rotation.

use crate::authz::{CredentialInfo, Identity, IdentityError, IdentityRecord, PrincipalRecord};
use crate::code::Code;
use std::sync::Arc;

use crate::key::{random_base62, ApiKey, GeneratedKey, KeyError, KeyRecord, KeyText, Rotation, ID_LEN, SECRET_LEN};
use crate::permset::PermSet;
use crate::policy::pattern::parse_pattern;
use crate::policy::{ActsAs, Kind, Policy};
use crate::secret::{Pepper, SecretKey};
use crate::text::shown;

/// A key whose shape, checksum and prefix are valid for a policy.
#[derive(Debug, Clone)]
pub struct ParsedKey {
    key: ApiKey,
    kind: Arc<str>,
}

impl ParsedKey {
    /// The credential kind named by the prefix.
    pub fn kind(&self) -> &str {
        &self.kind
    }
    /// The key id.
    pub fn id(&self) -> &str {
        self.key.id()
    }
    /// The display mask.
    pub fn mask(&self) -> String {
        self.key.mask()
    }
    /// The key itself.
    pub fn key(&self) -> &ApiKey {
        &self.key
    }
}

/// What the host supplies to verify a key.
#[derive(Debug, Clone, Copy)]
pub struct VerifyKeyOptions<'a> {
    /// The current time, unix seconds.
    pub now: i64,
    /// The pepper for `hmac-sha256:` hashes.
    pub pepper: Option<&'a Pepper>,
    /// Key ids the host has revoked (in addition to `revoked_at`).
    pub revoked_keys: &'a [String],
}

impl<'a> VerifyKeyOptions<'a> {
    /// Options at `now`, without pepper or revocation list.
    pub fn at(now: i64) -> Self {
        VerifyKeyOptions {
            now,
            pepper: None,
            revoked_keys: &[],
        }
    }
    /// With a pepper.
    pub fn pepper(mut self, pepper: Option<&'a Pepper>) -> Self {
        self.pepper = pepper;
        self
    }
    /// With a list of revoked key ids.
    pub fn revoked_keys(mut self, ids: &'a [String]) -> Self {
        self.revoked_keys = ids;
        self
    }
}

/// A key that verified against its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedKey {
    /// The credential kind.
    pub kind: Arc<str>,
    /// Whom the key acts as.
    pub acts_as: ActsAs,
    /// The display mask.
    pub mask: String,
    /// The record it matched (shared with the caller's, not copied).
    pub record: Arc<KeyRecord>,
}

impl VerifiedKey {
    /// The acting principal: the owner, or `key:<id>` for `acts_as: key`.
    pub fn principal_id(&self) -> String {
        match self.acts_as {
            ActsAs::Owner => self.record.owner.clone(),
            ActsAs::Key => format!("key:{}", self.record.id),
        }
    }
}

/// Options for a new key.
#[derive(Debug, Clone, Default)]
pub struct NewKey<'a> {
    /// Scopes capping the key; `None` means only the kind's `allowed` list caps it.
    pub scopes: Option<Vec<String>>,
    /// A human label.
    pub label: Option<String>,
    /// Expiry, unix seconds.
    pub expires_at: Option<i64>,
    /// Pepper for an `hmac-sha256:` hash.
    pub pepper: Option<&'a Pepper>,
}

/// Options for a rotation.
#[derive(Debug, Clone, Default)]
pub struct RotateKey<'a> {
    /// Seconds the old key stays valid (its expiry becomes `now + grace` if sooner).
    pub grace: i64,
    /// Narrower scopes for the new key; never wider than the old key's.
    pub scopes: Option<Vec<String>>,
    /// Expiry of the new key; clamped to the old key's expiry.
    pub expires_at: Option<i64>,
    /// Label of the new key (defaults to the old one's).
    pub label: Option<String>,
    /// Pepper for an `hmac-sha256:` hash.
    pub pepper: Option<&'a Pepper>,
    /// Key ids the host has revoked: such a key cannot be rotated.
    pub revoked_keys: &'a [String],
}

impl Policy {
    /// [`Policy::verify_key`] on an already parsed key, without copying the record.
    pub(crate) fn check_parsed_key(
        &self,
        parsed: &ParsedKey,
        record: &KeyRecord,
        options: &VerifyKeyOptions<'_>,
    ) -> Result<ActsAs, KeyError> {
        let kind = self.key_kind(parsed.key.text())?;
        self.check_key(parsed.key.text(), kind, record, options)?;
        Ok(kind.acts_as)
    }

    /// The credential kind a key's prefix names.
    fn key_kind(&self, key: KeyText<'_>) -> Result<&Kind, KeyError> {
        match self.kind_by_prefix(key.prefix()) {
            Some((_, kind)) => Ok(kind),
            None => Err(KeyError::UnknownPrefix {
                prefix: key.prefix().to_owned(),
            }),
        }
    }

    /// Every check of a key of `kind` against its record: id, kind, hash
    /// (constant time), revocation, expiry.
    fn check_key(
        &self,
        key: KeyText<'_>,
        kind: &Kind,
        record: &KeyRecord,
        options: &VerifyKeyOptions<'_>,
    ) -> Result<(), KeyError> {
        if key.id() != record.id {
            return Err(KeyError::UnknownKey {
                id: key.id().to_owned(),
            });
        }
        if *kind.name != record.kind {
            return Err(KeyError::KindMismatch {
                id: record.id.clone(),
                expected: record.kind.clone(),
                actual: kind.name.to_string(),
            });
        }
        if !key.matches_hash(&record.hash, options.pepper)? {
            return Err(KeyError::Mismatch { id: record.id.clone() });
        }
        if options.revoked_keys.contains(&record.id) {
            return Err(KeyError::Revoked { id: record.id.clone() });
        }
        record.check_live(options.now)
    }

    pub(crate) fn identity_for_key(
        &self,
        kind: &str,
        acts_as: ActsAs,
        mask: &str,
        record: &KeyRecord,
        owner: Option<&PrincipalRecord>,
    ) -> Result<Identity, IdentityError> {
        if let Some(o) = owner.filter(|o| o.id != record.owner) {
            return Err(IdentityError::new(
                Code::InvalidPrincipal,
                format!(
                    "principal `{}` is not the owner `{}` of key `{}`",
                    o.id, record.owner, record.id
                ),
            ));
        }
        let credential = CredentialInfo {
            kind: Some(kind.to_owned()),
            id: Some(record.id.clone()),
            mask: Some(mask.to_owned()),
            token_id: None,
            owner: (acts_as == ActsAs::Key).then(|| record.owner.clone()),
            scopes: record.scopes.clone(),
            session: None,
            actor_chain: Vec::new(),
            expires_at: record.expires_at,
        };
        let owner = owner.ok_or_else(|| {
            IdentityError::new(
                Code::UnknownPrincipal,
                format!(
                    "no principal record for `{}`, the owner of key `{}`",
                    shown(&record.owner),
                    record.id
                ),
            )
        })?;
        let tenant = owner.tenant.clone().unwrap_or_else(|| owner.id.clone());
        if let Some(t) = record.tenant.as_deref().filter(|t| *t != tenant) {
            return Err(IdentityError::new(
                Code::InvalidKeyRecord,
                format!(
                    "key `{}` names tenant `{}`, but its owner `{}` is in `{}`",
                    record.id,
                    shown(t),
                    shown(&owner.id),
                    shown(&tenant)
                ),
            ));
        }
        let principal = match acts_as {
            ActsAs::Owner => owner.clone(),
            ActsAs::Key => {
                // The key's own scopes, else what its kind may grant; entries
                // that are not permission patterns grant nothing.
                let allow = match &record.scopes {
                    Some(scopes) => scopes.iter().filter(|s| parse_pattern(s).is_some()).cloned().collect(),
                    None => self
                        .kind_index(kind)
                        .and_then(|i| self.kind(i))
                        .and_then(|k| k.allowed_names.clone())
                        .unwrap_or_default(),
                };
                PrincipalRecord {
                    id: format!("key:{}", record.id),
                    tenant: Some(tenant),
                    roles: Vec::new(),
                    allow,
                    deny: owner.deny.clone(),
                    grants: Vec::new(),
                    attributes: Default::default(),
                }
            }
        };
        self.identity(IdentityRecord {
            principal,
            credential: Some(credential),
        })
    }

    fn api_key_kind(&self, name: &str) -> Result<&Kind, KeyError> {
        self.kind_index(name)
            .and_then(|i| self.kind(i))
            .filter(|k| k.prefix.is_some())
            .ok_or_else(|| KeyError::UnknownKind { kind: name.to_owned() })
    }

    /// Expands requested scopes, refusing unknown ones and any beyond `limit`.
    fn scope_set(&self, scopes: &[String], limit: Option<(&PermSet, &'static str)>) -> Result<PermSet, KeyError> {
        let mut all = self.empty_set();
        for scope in scopes {
            let one = self
                .pattern_set(std::slice::from_ref(scope), |_, _, _| Err(()))
                .map_err(|()| KeyError::UnknownScope { scope: scope.clone() })?;
            if let Some((limit, what)) = limit {
                if !one.is_subset_of(limit) {
                    return Err(KeyError::ScopeEscalation {
                        scope: scope.clone(),
                        limit: what,
                    });
                }
            }
            all.union_with(&one);
        }
        Ok(all)
    }

    fn new_record(
        &self,
        kind: &Kind,
        owner: &str,
        now: i64,
        pepper: Option<&Pepper>,
    ) -> Result<(SecretKey, KeyRecord), KeyError> {
        let prefix = kind.prefix.as_deref().unwrap_or_default();
        let mut id = [0u8; ID_LEN];
        let mut secret = zeroize::Zeroizing::new([0u8; SECRET_LEN]);
        random_base62(&mut id)?;
        random_base62(&mut secret[..])?;
        let id = std::str::from_utf8(&id).map_err(|_| KeyError::Entropy)?;
        let secret_str = std::str::from_utf8(&secret[..]).map_err(|_| KeyError::Entropy)?;
        let key = ApiKey::assemble(prefix, id, secret_str);
        let record = KeyRecord {
            id: id.to_owned(),
            kind: kind.name.to_string(),
            hash: key.hash(pepper),
            mask: key.mask(),
            owner: owner.to_owned(),
            tenant: None,
            scopes: None,
            label: None,
            created_at: now,
            expires_at: None,
            revoked_at: None,
            last_used_at: None,
            rolled_from: None,
        };
        Ok((SecretKey::new(key.expose().to_owned()), record))
    }
}

pub(crate) fn parse_key(policy: &Policy, text: &str) -> Result<ParsedKey, KeyError> {
    let key = ApiKey::parse(text)?;
    let kind = Arc::clone(&policy.key_kind(key.text())?.name);
    Ok(ParsedKey { kind, key })
}

pub(crate) fn verify_key(
    policy: &Policy,
    text: &str,
    record: Arc<KeyRecord>,
    options: &VerifyKeyOptions<'_>,
) -> Result<VerifiedKey, KeyError> {
    let key = KeyText::parse(text)?;
    let kind = policy.key_kind(key)?;
    policy.check_key(key, kind, &record, options)?;
    Ok(VerifiedKey {
        kind: Arc::clone(&kind.name),
        acts_as: kind.acts_as,
        mask: key.mask(),
        record,
    })
}

pub(crate) fn key_identity(
    policy: &Policy,
    key: &VerifiedKey,
    owner: Option<&PrincipalRecord>,
) -> Result<Identity, IdentityError> {
    policy.identity_for_key(&key.kind, key.acts_as, &key.mask, &key.record, owner)
}

pub(crate) fn generate_key(
    policy: &Policy,
    kind: &str,
    owner: &str,
    options: &NewKey<'_>,
    now: i64,
) -> Result<GeneratedKey, KeyError> {
    let kind = policy.api_key_kind(kind)?;
    if !crate::records::valid_principal_id(owner) {
        return Err(KeyError::InvalidRecord {
            reason: format!("owner `{}` is not a typed principal id such as `user:1`", shown(owner)),
        });
    }
    if let Some(at) = options.expires_at {
        crate::time::unix_seconds("expires_at", at)?;
    }
    if let Some(at) = options.expires_at.filter(|at| *at <= now) {
        return Err(KeyError::InvalidRecord {
            reason: format!("expiry {at} is not after now ({now})"),
        });
    }
    if let Some(scopes) = &options.scopes {
        policy.scope_set(scopes, kind.allowed.as_ref().map(|a| (a, "the kind's allowed list")))?;
    }
    let (key, mut record) = policy.new_record(kind, owner, now, options.pepper)?;
    record.scopes = options.scopes.clone();
    record.label = options.label.clone();
    record.expires_at = options.expires_at;
    Ok(GeneratedKey { key, record })
}

pub(crate) fn rotate_key(
    policy: &Policy,
    old: &KeyRecord,
    options: &RotateKey<'_>,
    now: i64,
) -> Result<Rotation, KeyError> {
    if options.revoked_keys.contains(&old.id) {
        return Err(KeyError::Revoked { id: old.id.clone() });
    }
    old.check_live(now)?;
    let kind = policy.api_key_kind(&old.kind)?;
    let kind_limit = kind.allowed.as_ref().map(|a| (a, "the kind's allowed list"));
    let scopes = match (&options.scopes, &old.scopes) {
        (Some(requested), Some(previous)) => {
            let previous_set = policy.scope_set(previous, None)?;
            policy.scope_set(requested, Some((&previous_set, "the scopes of the key being rotated")))?;
            policy.scope_set(requested, kind_limit)?;
            Some(requested.clone())
        }
        (Some(requested), None) => {
            policy.scope_set(requested, kind_limit)?;
            Some(requested.clone())
        }
        (None, previous) => previous.clone(),
    };
    if let Some(at) = options.expires_at {
        crate::time::unix_seconds("expires_at", at)?;
    }
    let expires_at = match (options.expires_at, old.expires_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let (key, mut record) = policy.new_record(kind, &old.owner, now, options.pepper)?;
    record.scopes = scopes;
    record.expires_at = expires_at;
    record.tenant = old.tenant.clone();
    record.revoked_at = old.revoked_at;
    record.label = options.label.clone().or_else(|| old.label.clone());
    record.rolled_from = Some(old.id.clone());
    let mut previous = old.clone();
    let grace_end = now.saturating_add(options.grace.max(0));
    previous.expires_at = Some(previous.expires_at.map_or(grace_end, |at| at.min(grace_end)));
    Ok(Rotation {
        new: GeneratedKey { key, record },
        old: previous,
    })
}
