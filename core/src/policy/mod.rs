//! Loading, validating and compiling policy documents.

pub(crate) mod canonical;
pub mod doc;
mod error;
pub(crate) mod kinds;
pub(crate) mod pattern;
pub(crate) mod routes;
pub(crate) mod rules;
pub(crate) mod token_cache;
mod value;
mod yaml;

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

pub(crate) use doc::{ActsAs, CredentialDoc, CredentialType, PolicyDocument};
pub use error::{PolicyDetail, PolicyError, PolicyIssue};

use crate::jwk::KeySet;
use crate::jwk::{parse_alg, parse_jwks, Holds};
use crate::permset::{PermId, PermSet};
use crate::records::PrincipalRecord;
use error::Issues;
use kinds::{JwtKind, DEFAULT_LEEWAY, DEFAULT_MAX_LIFETIME};
use pattern::{is_name, is_permission, is_segment, parse_pattern, Pattern};
use routes::{RouteContext, Router};

/// Largest policy document accepted, in bytes.
pub const MAX_POLICY_BYTES: usize = 4 * 1024 * 1024;
/// Most permissions a policy may declare.
pub const MAX_PERMISSIONS: usize = 1 << 16;

/// The serialisation a policy document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// YAML 1.2 (a single document).
    Yaml,
    /// TOML 1.0.
    Toml,
}

impl Format {
    /// The format for a file name's extension (`.json`, `.yaml`/`.yml`, `.toml`).
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }
}

/// SHA-256 of the canonical form of a policy document.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PolicyHash(pub(crate) [u8; 32]);

impl PolicyHash {
    /// The raw digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Display for PolicyHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut hex = [0u8; 64];
        // 64 bytes for 32: encoding into a buffer of exactly twice the size cannot fail.
        if hex::encode_to_slice(self.0, &mut hex).is_err() {
            return Err(std::fmt::Error);
        }
        f.write_str("sha256:")?;
        f.write_str(std::str::from_utf8(&hex).map_err(|_| std::fmt::Error)?)
    }
}

impl std::fmt::Debug for PolicyHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// A compiled credential kind.
#[derive(Debug)]
pub(crate) struct Kind {
    pub(crate) name: std::sync::Arc<str>,
    /// The key prefix of a `type: api_key` kind; `None` for `type: jwt`.
    pub(crate) prefix: Option<Box<str>>,
    /// The permissions the kind may ever grant; `None`: no cap.
    pub(crate) allowed: Option<PermSet>,
    /// The names of `allowed`: what a key that acts as itself is allowed.
    pub(crate) allowed_names: Option<Vec<String>>,
    pub(crate) acts_as: ActsAs,
    /// The compiled `type: jwt` settings; `None` for `type: api_key`.
    pub(crate) jwt: Option<JwtKind>,
    /// The principals of the kind's service accounts, by client id.
    pub(crate) service_accounts: FxHashMap<Box<str>, PrincipalRecord>,
}

/// Why an entry of a pattern list expands to nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unmatched {
    /// Not `resource:action`, `resource:*` or `*`.
    NotAPattern,
    /// A pattern that covers no declared permission.
    Unknown,
}

/// An immutable, compiled policy. `Send + Sync`: share it behind an `Arc`.
///
/// Permissions are interned to indexes, role closures are precomputed as bit
/// sets, access levels are cumulative bit sets and routes live in a router,
/// so a check is a hash lookup and a few word operations.
#[derive(Debug)]
pub struct Policy {
    pub(crate) instance: u64,
    hash: PolicyHash,
    doc: PolicyDocument,
    pub(crate) perms: Vec<Box<str>>,
    perm_index: FxHashMap<Box<str>, PermId>,
    resources: FxHashMap<Box<str>, PermSet>,
    all: PermSet,
    roles: FxHashMap<Box<str>, PermSet>,
    /// Per resource type, `(level, cumulative permissions)` from low to high.
    levels: FxHashMap<Box<str>, Vec<(Box<str>, PermSet)>>,
    pub(crate) kinds: Vec<Kind>,
    kind_index: FxHashMap<Box<str>, usize>,
    prefix_index: FxHashMap<Box<str>, usize>,
    pub(crate) router: Router,
    pub(crate) rules: rules::RuleSet,
    /// Signatures already checked, when the host turns the cache on.
    pub(crate) token_cache: token_cache::TokenCache,
}

static INSTANCES: AtomicU64 = AtomicU64::new(1);

impl Policy {
    /// Expands a pattern list into a set, reporting bad entries under `at`.
    fn expand_list(&self, list: &[String], at: &str, issues: &mut Issues) -> PermSet {
        let report = |i: usize, p: &str, why: Unmatched| {
            let (detail, message) = match why {
                Unmatched::NotAPattern => (
                    PolicyDetail::InvalidPermission,
                    format!("`{p}` is not a permission pattern (`resource:action`, `resource:*` or `*`)"),
                ),
                Unmatched::Unknown => (
                    PolicyDetail::UnknownPermission,
                    format!("`{p}` matches no declared permission"),
                ),
            };
            issues.push(detail, format!("{at}[{i}]"), message);
            Ok::<(), std::convert::Infallible>(())
        };
        match self.pattern_set(list, report) {
            Ok(set) => set,
            Err(never) => match never {},
        }
    }

    fn compile_roles(&mut self, doc: &PolicyDocument, issues: &mut Issues) {
        let mut direct: FxHashMap<&str, PermSet> = FxHashMap::default();
        for (name, role) in &doc.roles {
            if !is_name(name) {
                issues.push(
                    PolicyDetail::InvalidName,
                    format!("roles.{name}"),
                    format!("`{name}` is not a valid role name"),
                );
            }
            let set = self.expand_list(&role.permissions, &format!("roles.{name}.permissions"), issues);
            direct.insert(name.as_str(), set);
            for (i, parent) in role.inherits.iter().enumerate() {
                if !doc.roles.contains_key(parent) {
                    issues.push(
                        PolicyDetail::UnknownRole,
                        format!("roles.{name}.inherits[{i}]"),
                        format!("role `{parent}` is not defined"),
                    );
                }
            }
        }
        // Depth-first closure with cycle detection (0 = new, 1 = on stack, 2 = done).
        let mut state: FxHashMap<&str, u8> = FxHashMap::default();
        let mut closed: FxHashMap<&str, PermSet> = FxHashMap::default();
        let mut cycle_reported = false;
        for name in doc.roles.keys() {
            self.close_role(doc, name, &direct, &mut state, &mut closed, issues, &mut cycle_reported);
        }
        self.roles = closed.into_iter().map(|(k, v)| (k.into(), v)).collect();
    }

    #[allow(clippy::too_many_arguments)]
    fn close_role<'d>(
        &self,
        doc: &'d PolicyDocument,
        name: &'d str,
        direct: &FxHashMap<&str, PermSet>,
        state: &mut FxHashMap<&'d str, u8>,
        closed: &mut FxHashMap<&'d str, PermSet>,
        issues: &mut Issues,
        cycle_reported: &mut bool,
    ) {
        if state.get(name).copied().unwrap_or(0) != 0 {
            return;
        }
        state.insert(name, 1);
        let mut set = direct
            .get(name)
            .cloned()
            .unwrap_or_else(|| PermSet::empty(self.perms.len()));
        if let Some(role) = doc.roles.get(name) {
            for (i, parent) in role.inherits.iter().enumerate() {
                let Some((parent, _)) = doc.roles.get_key_value(parent.as_str()) else {
                    continue;
                };
                match state.get(parent.as_str()).copied().unwrap_or(0) {
                    1 => {
                        if !*cycle_reported {
                            *cycle_reported = true;
                            issues.push(
                                PolicyDetail::RoleCycle,
                                format!("roles.{name}.inherits[{i}]"),
                                format!("role `{name}` inherits `{parent}`, which inherits `{name}` again"),
                            );
                        }
                    }
                    _ => {
                        self.close_role(doc, parent, direct, state, closed, issues, cycle_reported);
                        if let Some(p) = closed.get(parent.as_str()) {
                            set.union_with(p);
                        }
                    }
                }
            }
        }
        closed.insert(name, set);
        state.insert(name, 2);
    }

    fn compile_levels(&mut self, doc: &PolicyDocument, issues: &mut Issues) {
        for (rtype, levels) in &doc.access_levels {
            let at = format!("access_levels.{rtype}");
            if !is_segment(rtype) {
                issues.push(
                    PolicyDetail::InvalidName,
                    at.clone(),
                    format!("resource type `{rtype}` must be a lowercase `[a-z0-9_-]` segment"),
                );
            }
            if levels.is_empty() {
                issues.push(
                    PolicyDetail::InvalidAccessLevel,
                    at.clone(),
                    format!("resource type `{rtype}` has no levels"),
                );
            }
            let mut cumulative = PermSet::empty(self.perms.len());
            let mut compiled = Vec::with_capacity(levels.len());
            for (level, list) in levels {
                if !is_name(level) {
                    issues.push(
                        PolicyDetail::InvalidName,
                        format!("{at}.{level}"),
                        format!("`{level}` is not a valid level name"),
                    );
                }
                cumulative.union_with(&self.expand_list(list, &format!("{at}.{level}"), issues));
                compiled.push((level.as_str().into(), cumulative.clone()));
            }
            self.levels.insert(rtype.as_str().into(), compiled);
        }
    }

    fn compile_kinds(&mut self, doc: &PolicyDocument, issues: &mut Issues) {
        for (name, kind) in &doc.credentials {
            let at = format!("credentials.{name}");
            if !is_name(name) {
                issues.push(
                    PolicyDetail::InvalidName,
                    at.clone(),
                    format!("`{name}` is not a valid credential kind name"),
                );
            }
            let allowed = kind
                .allowed
                .as_ref()
                .map(|list| self.expand_list(list, &format!("{at}.allowed"), issues));
            let foreign: &[(&str, bool)] = match kind.kind_type {
                CredentialType::ApiKey => &[
                    ("issuer", kind.issuer.is_some()),
                    ("audience", kind.audience.is_some()),
                    ("algorithms", kind.algorithms.is_some()),
                    ("jwks", kind.jwks.is_some()),
                    ("leeway", kind.leeway.is_some()),
                    ("subject", kind.subject.is_some()),
                    ("scopes_claim", kind.scopes_claim.is_some()),
                    ("roles_claim", kind.roles_claim.is_some()),
                    ("tenant_claim", kind.tenant_claim.is_some()),
                    ("require_exp", kind.require_exp.is_some()),
                    ("max_lifetime", kind.max_lifetime.is_some()),
                    ("service_accounts", !kind.service_accounts.is_empty()),
                ],
                CredentialType::Jwt => &[("prefix", kind.prefix.is_some()), ("acts_as", kind.acts_as.is_some())],
            };
            for (field, present) in foreign {
                if *present {
                    issues.push(
                        PolicyDetail::InvalidCredential,
                        format!("{at}.{field}"),
                        format!(
                            "`{field}` does not apply to a credential kind of type `{}`",
                            type_name(kind.kind_type)
                        ),
                    );
                }
            }
            let index = self.kinds.len();
            let jwt = match kind.kind_type {
                CredentialType::ApiKey => {
                    self.check_prefix(kind, &at, index, issues);
                    None
                }
                CredentialType::Jwt => {
                    self.check_jwt_kind(kind, &at, issues);
                    Some(compile_jwt_kind(kind, &at, issues))
                }
            };
            self.kind_index.insert(name.as_str().into(), index);
            let allowed_names = allowed
                .as_ref()
                .map(|set| set.iter().map(|p| self.perm_name(p).to_owned()).collect());
            let service_accounts = kind
                .service_accounts
                .iter()
                .map(|(client, account)| {
                    let principal = PrincipalRecord {
                        id: format!("service:{client}"),
                        tenant: account.tenant.clone(),
                        roles: account.roles.clone(),
                        allow: account.allow.clone(),
                        deny: Vec::new(),
                        grants: Vec::new(),
                        attributes: Default::default(),
                    };
                    (client.as_str().into(), principal)
                })
                .collect();
            self.kinds.push(Kind {
                name: name.as_str().into(),
                prefix: kind.prefix.as_deref().map(Into::into),
                allowed,
                allowed_names,
                acts_as: kind.acts_as.unwrap_or_default(),
                jwt,
                service_accounts,
            });
        }
        // Ambiguity: one prefix followed by `_` starts another.
        let mut prefixes: Vec<(&str, &str)> = doc
            .credentials
            .iter()
            .filter_map(|(n, k)| k.prefix.as_deref().map(|p| (p, n.as_str())))
            .collect();
        prefixes.sort_unstable();
        for (i, (short, short_kind)) in prefixes.iter().enumerate() {
            for (long, long_kind) in prefixes.iter().skip(i + 1) {
                if long.len() > short.len()
                    && long.starts_with(short)
                    && long.as_bytes().get(short.len()) == Some(&b'_')
                {
                    issues.push(
                        PolicyDetail::AmbiguousPrefix,
                        format!("credentials.{long_kind}.prefix"),
                        format!("prefix `{long}` of `{long_kind}` starts with prefix `{short}` of `{short_kind}` followed by `_`"),
                    );
                }
            }
        }
    }

    fn check_prefix(&mut self, kind: &CredentialDoc, at: &str, index: usize, issues: &mut Issues) {
        let Some(prefix) = kind.prefix.as_deref() else {
            issues.push(
                PolicyDetail::InvalidCredential,
                format!("{at}.prefix"),
                "an `api_key` kind needs a `prefix`",
            );
            return;
        };
        if !crate::key::is_valid_prefix(prefix) {
            issues.push(
                PolicyDetail::InvalidPrefix,
                format!("{at}.prefix"),
                format!(
                    "prefix `{prefix}` must be lowercase `[a-z0-9]` words joined by single `_`, at most 32 characters"
                ),
            );
        } else if self.prefix_index.contains_key(prefix) {
            issues.push(
                PolicyDetail::DuplicatePrefix,
                format!("{at}.prefix"),
                format!("prefix `{prefix}` is used by another kind"),
            );
        } else {
            self.prefix_index.insert(prefix.into(), index);
        }
    }

    fn check_jwt_kind(&self, kind: &CredentialDoc, at: &str, issues: &mut Issues) {
        if kind.issuer.is_none() {
            issues.push(
                PolicyDetail::InvalidCredential,
                format!("{at}.issuer"),
                "a `jwt` kind needs an `issuer`",
            );
        }
        if kind.audience.is_none() {
            issues.push(
                PolicyDetail::InvalidCredential,
                format!("{at}.audience"),
                "a `jwt` kind needs an `audience`",
            );
        }
        match kind.algorithms.as_deref() {
            None | Some([]) => issues.push(
                PolicyDetail::InvalidCredential,
                format!("{at}.algorithms"),
                "a `jwt` kind needs a non-empty `algorithms` allow-list",
            ),
            Some(algs) => {
                for (i, alg) in algs.iter().enumerate() {
                    if parse_alg(alg).is_none() {
                        issues.push(
                            PolicyDetail::UnsupportedAlgorithm,
                            format!("{at}.algorithms[{i}]"),
                            format!("algorithm `{alg}` is not supported"),
                        );
                    }
                }
            }
        }
        if let Some(subject) = kind.subject.as_deref() {
            if !is_segment(subject) {
                issues.push(
                    PolicyDetail::InvalidName,
                    format!("{at}.subject"),
                    format!("subject type `{subject}` must be a lowercase `[a-z0-9_-]` segment"),
                );
            } else if RESERVED_PRINCIPAL_TYPES.contains(&subject) {
                // A token subject typed `service:` or `key:` would pass for a
                // service account or an API key.
                issues.push(
                    PolicyDetail::InvalidName,
                    format!("{at}.subject"),
                    format!("subject type `{subject}` is reserved for service accounts and API keys"),
                );
            }
        }
        for (name, account) in &kind.service_accounts {
            if !is_name(name) {
                issues.push(
                    PolicyDetail::InvalidName,
                    format!("{at}.service_accounts.{name}"),
                    format!("`{name}` is not a valid client id"),
                );
            }
            for (i, role) in account.roles.iter().enumerate() {
                if !self.roles.contains_key(role.as_str()) {
                    issues.push(
                        PolicyDetail::UnknownRole,
                        format!("{at}.service_accounts.{name}.roles[{i}]"),
                        format!("role `{role}` is not defined"),
                    );
                }
            }
            self.expand_list(&account.allow, &format!("{at}.service_accounts.{name}.allow"), issues);
        }
    }

    // ----- lookups used by the rest of the crate -----

    pub(crate) fn perm_id(&self, name: &str) -> Option<PermId> {
        self.perm_index.get(name).copied()
    }

    pub(crate) fn perm_name(&self, id: PermId) -> &str {
        self.perms.get(id.0 as usize).map_or("", |s| s)
    }

    /// Adds the permissions a pattern covers to `into`; `false` when the
    /// pattern covers no declared permission.
    pub(crate) fn add_pattern(&self, pattern: Pattern<'_>, into: &mut PermSet) -> bool {
        match pattern {
            Pattern::All => into.union_with(&self.all),
            Pattern::Resource(r) => match self.resources.get(r) {
                Some(set) => into.union_with(set),
                None => return false,
            },
            Pattern::Exact(p) => match self.perm_id(p) {
                Some(id) => into.insert(id),
                None => return false,
            },
        }
        true
    }

    /// Expands a list of permission patterns into one set: the one place
    /// pattern lists (roles, `allowed`, principal `allow`/`deny`, scopes)
    /// become permissions. `unmatched(i, entry, why)` is asked about each
    /// entry that expands to nothing: `Ok(())` skips it, `Err` stops with
    /// that error, so each caller chooses its strictness.
    pub(crate) fn pattern_set<E>(
        &self,
        list: &[String],
        mut unmatched: impl FnMut(usize, &str, Unmatched) -> Result<(), E>,
    ) -> Result<PermSet, E> {
        let mut set = self.empty_set();
        for (i, entry) in list.iter().enumerate() {
            match parse_pattern(entry) {
                None => unmatched(i, entry, Unmatched::NotAPattern)?,
                Some(pattern) => {
                    if !self.add_pattern(pattern, &mut set) {
                        unmatched(i, entry, Unmatched::Unknown)?;
                    }
                }
            }
        }
        Ok(set)
    }

    /// [`Policy::pattern_set`] skipping every entry that expands to nothing.
    pub(crate) fn lenient_set(&self, list: &[String]) -> PermSet {
        match self.pattern_set(list, |_, _, _| Ok::<(), std::convert::Infallible>(())) {
            Ok(set) => set,
            Err(never) => match never {},
        }
    }

    pub(crate) fn empty_set(&self) -> PermSet {
        PermSet::empty(self.perms.len())
    }

    pub(crate) fn role(&self, name: &str) -> Option<&PermSet> {
        self.roles.get(name)
    }

    pub(crate) fn level(&self, rtype: &str, level: &str) -> Option<&PermSet> {
        self.levels
            .get(rtype)?
            .iter()
            .find(|(l, _)| &**l == level)
            .map(|(_, s)| s)
    }

    pub(crate) fn kind_index(&self, name: &str) -> Option<usize> {
        self.kind_index.get(name).copied()
    }

    pub(crate) fn kind_by_prefix(&self, prefix: &str) -> Option<(usize, &Kind)> {
        let i = self.prefix_index.get(prefix).copied()?;
        Some((i, self.kinds.get(i)?))
    }

    /// Whether a route accepts credentials of `kind` (a route that lists
    /// none accepts every kind; a kind the policy lacks is never accepted by
    /// a route that lists kinds). The refusal's message on `Err`.
    pub(crate) fn route_accepts(&self, route: &RouteMatch<'_>, kind: &str) -> Result<(), String> {
        let accepted = match (route.kinds, self.kind_index(kind)) {
            (None, _) => true,
            (Some(kinds), Some(i)) => kinds.contains(&i),
            (Some(_), None) => false,
        };
        if accepted {
            Ok(())
        } else {
            Err(format!("{kind} credentials are not accepted for {}", route.route))
        }
    }

    pub(crate) fn kind(&self, index: usize) -> Option<&Kind> {
        self.kinds.get(index)
    }

    // ----- public inspection -----

    /// The principal of a service account of a jwt kind: `service:<client>`.
    pub(crate) fn service_account(&self, kind: &str, client: &str) -> Option<PrincipalRecord> {
        let k = self.kind(self.kind_index(kind)?)?;
        k.service_accounts.get(client).cloned()
    }

    /// Replaces one half of a kind's keys (public keys or secrets) and keeps
    /// the other; a kid may not name a key of both halves.
    fn replace_keys(&self, kind: &str, jwks: &serde_json::Value, holds: Holds) -> Result<(), PolicyError> {
        let at = format!("credentials.{kind}.jwks");
        let jwt = self
            .kind_index(kind)
            .and_then(|i| self.kind(i))
            .and_then(|k| k.jwt.as_ref())
            .ok_or_else(|| {
                PolicyError::single(
                    PolicyDetail::UnknownCredentialKind,
                    format!("credentials.{kind}"),
                    format!("`{kind}` is not a jwt credential kind"),
                )
            })?;
        let secrets = holds == Holds::Secrets;
        jwt.update_keys(|current| {
            let fresh = parse_jwks(jwks, &jwt.algorithms, holds)?;
            let mut keys = KeySet::default();
            keys.keys = current
                .keys
                .iter()
                .filter(|k| k.is_secret() != secrets)
                .cloned()
                .collect();
            for (i, key) in fresh.keys.into_iter().enumerate() {
                if key.kid.is_some() && keys.keys.iter().any(|k| k.kid == key.kid) {
                    return Err(vec![(
                        format!(".keys[{i}]"),
                        format!(
                            "kid `{}` already names a {} of this kind",
                            crate::text::shown(key.kid.as_deref().unwrap_or_default()),
                            if secrets { "public key" } else { "secret" }
                        ),
                    )]);
                }
                keys.keys.push(key);
            }
            Ok(keys)
        })
        .map_err(|errors| {
            PolicyError::new(
                errors
                    .into_iter()
                    .map(|(path, message)| PolicyIssue::new(PolicyDetail::InvalidJwk, format!("{at}{path}"), message))
                    .collect(),
            )
        })
    }
}

pub(crate) fn from_str(text: &str, format: Format) -> Result<Policy, PolicyError> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(PolicyError::single(
            PolicyDetail::TooLarge,
            "",
            format!(
                "the document is {} bytes; at most {MAX_POLICY_BYTES} are accepted",
                text.len()
            ),
        ));
    }
    let value = parse_document(text, format).map_err(|e| PolicyError::single(PolicyDetail::ParseError, "", e))?;
    Policy::from_value(&value)
}

/// Parses a document of any format into a JSON value (order kept; YAML with
/// limits on nodes, aliases and depth, duplicate keys refused).
pub(crate) fn parse_document(text: &str, format: Format) -> Result<serde_json::Value, String> {
    match format {
        Format::Json => value::parse_json(text).map_err(|e| format!("invalid JSON: {e}")),
        Format::Yaml => yaml::parse_yaml(text).map_err(|e| format!("invalid YAML: {e}")),
        Format::Toml => basic_toml::from_str(text).map_err(|e| format!("invalid TOML: {e}")),
    }
}

pub(crate) fn from_json(text: &str) -> Result<Policy, PolicyError> {
    Policy::from_str(text, Format::Json)
}

pub(crate) fn from_yaml(text: &str) -> Result<Policy, PolicyError> {
    Policy::from_str(text, Format::Yaml)
}

pub(crate) fn from_toml(text: &str) -> Result<Policy, PolicyError> {
    Policy::from_str(text, Format::Toml)
}

pub(crate) fn from_value(value: &serde_json::Value) -> Result<Policy, PolicyError> {
    let doc = serde_path_to_error::deserialize(value).map_err(schema_error)?;
    Policy::compile(doc)
}

pub(crate) fn compile(doc: PolicyDocument) -> Result<Policy, PolicyError> {
    let mut issues = Issues::default();
    if doc.version != 1 {
        issues.push(
            PolicyDetail::UnsupportedVersion,
            "version",
            format!("version `{}` is not supported; use `1`", doc.version),
        );
    }

    // Permissions: interned in document order.
    if doc.permissions.len() > MAX_PERMISSIONS {
        return Err(PolicyError::single(
            PolicyDetail::TooLarge,
            "permissions",
            format!("at most {MAX_PERMISSIONS} permissions are accepted"),
        ));
    }
    let mut perms: Vec<Box<str>> = Vec::with_capacity(doc.permissions.len());
    let mut perm_index = FxHashMap::default();
    for (i, p) in doc.permissions.iter().enumerate() {
        if !is_permission(p) {
            issues.push(
                PolicyDetail::InvalidPermission,
                format!("permissions[{i}]"),
                format!("`{p}` is not a concrete `resource:action` permission (lowercase `[a-z0-9_-]` segments)"),
            );
        } else if perm_index.contains_key(p.as_str()) {
            issues.push(
                PolicyDetail::DuplicatePermission,
                format!("permissions[{i}]"),
                format!("`{p}` is declared twice"),
            );
        } else {
            perm_index.insert(p.as_str().into(), PermId(perms.len() as u32));
            perms.push(p.as_str().into());
        }
    }
    let n = perms.len();
    let mut resources: FxHashMap<Box<str>, PermSet> = FxHashMap::default();
    for (i, p) in perms.iter().enumerate() {
        let resource = p.split_once(':').map_or(&**p, |(r, _)| r);
        resources
            .entry(resource.into())
            .or_insert_with(|| PermSet::empty(n))
            .insert(PermId(i as u32));
    }
    let mut policy = Policy {
        instance: INSTANCES.fetch_add(1, Ordering::Relaxed),
        hash: PolicyHash([0; 32]),
        all: PermSet::full(n),
        perms,
        perm_index,
        resources,
        roles: FxHashMap::default(),
        levels: FxHashMap::default(),
        kinds: Vec::new(),
        kind_index: FxHashMap::default(),
        prefix_index: FxHashMap::default(),
        router: Router::default(),
        rules: rules::RuleSet::default(),
        token_cache: Default::default(),
        doc: PolicyDocument {
            version: doc.version,
            permissions: Vec::new(),
            roles: Default::default(),
            access_levels: Default::default(),
            credentials: Default::default(),
            routes: Vec::new(),
            rules: Vec::new(),
        },
    };

    policy.compile_roles(&doc, &mut issues);
    policy.compile_levels(&doc, &mut issues);
    policy.compile_kinds(&doc, &mut issues);
    policy.compile_rules(&doc, &mut issues);
    policy.router = Router::compile(&doc.routes, &policy, &mut issues);

    if !issues.0.is_empty() {
        return Err(PolicyError::new(issues.0));
    }
    policy.hash = PolicyHash(Sha256::digest(canonical::to_canonical_json(&doc).as_bytes()).into());
    policy.doc = doc;
    Ok(policy)
}

pub(crate) fn hash(policy: &Policy) -> PolicyHash {
    policy.hash
}

pub(crate) fn document(policy: &Policy) -> &PolicyDocument {
    &policy.doc
}

pub(crate) fn permissions(policy: &Policy) -> impl Iterator<Item = &str> {
    policy.perms.iter().map(|s| &**s)
}

pub(crate) fn role_permissions<'p>(policy: &'p Policy, role: &str) -> Option<Vec<&'p str>> {
    Some(policy.role(role)?.iter().map(|p| policy.perm_name(p)).collect())
}

pub(crate) fn set_jwks(policy: &Policy, kind: &str, jwks: &serde_json::Value) -> Result<(), PolicyError> {
    policy.replace_keys(kind, jwks, Holds::Public)
}

pub(crate) fn set_secrets(policy: &Policy, kind: &str, jwks: &serde_json::Value) -> Result<(), PolicyError> {
    policy.replace_keys(kind, jwks, Holds::Secrets)
}

pub(crate) fn jwks(policy: &Policy, kind: &str) -> Option<std::sync::Arc<KeySet>> {
    Some(policy.kind(policy.kind_index(kind)?)?.jwt.as_ref()?.key_set())
}

pub(crate) fn credential_kinds(policy: &Policy) -> impl Iterator<Item = &str> {
    policy.kinds.iter().map(|k| &*k.name)
}

impl RouteContext for Policy {
    fn permission(&self, name: &str) -> Option<PermId> {
        self.perm_id(name)
    }
    fn kind(&self, name: &str) -> Option<usize> {
        self.kind_index(name)
    }
}

fn compile_jwt_kind(kind: &CredentialDoc, at: &str, issues: &mut Issues) -> JwtKind {
    let algorithms: Vec<_> = kind.algorithms.iter().flatten().filter_map(|a| parse_alg(a)).collect();
    let keys = match &kind.jwks {
        None => KeySet::default(),
        Some(jwks) => parse_jwks(&jwks.0, &algorithms, Holds::Any).unwrap_or_else(|errors| {
            for (path, message) in errors {
                issues.push(PolicyDetail::InvalidJwk, format!("{at}.jwks{path}"), message);
            }
            KeySet::default()
        }),
    };
    let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    JwtKind {
        issuer: kind.issuer.clone().unwrap_or_default(),
        audience: kind.audience.clone().unwrap_or_default(),
        algorithms,
        leeway: clamp(kind.leeway.unwrap_or(DEFAULT_LEEWAY)),
        subject: kind.subject.clone().unwrap_or_else(|| "user".into()),
        scopes_claim: kind.scopes_claim.clone().unwrap_or_else(|| "scope".into()),
        roles_claim: kind.roles_claim.clone(),
        tenant_claim: kind.tenant_claim.clone(),
        require_exp: kind.require_exp.unwrap_or(true),
        max_lifetime: clamp(kind.max_lifetime.unwrap_or(DEFAULT_MAX_LIFETIME)).max(1),
        keys: std::sync::RwLock::new(std::sync::Arc::new(keys)),
    }
}

fn type_name(t: CredentialType) -> &'static str {
    match t {
        CredentialType::ApiKey => "api_key",
        CredentialType::Jwt => "jwt",
    }
}

/// serde's account of a document that does not fit the schema (it quotes
/// the document's keys and values; the issue shows them escaped).
fn schema_error<E: std::fmt::Display>(err: serde_path_to_error::Error<E>) -> PolicyError {
    let path = err.path().to_string();
    let path = if path == "." { String::new() } else { path };
    PolicyError::single(PolicyDetail::InvalidDocument, path, err.inner().to_string())
}

/// Principal types that only permiso assigns: `service:` for service
/// accounts, `key:` for API keys acting as themselves.
pub const RESERVED_PRINCIPAL_TYPES: &[&str] = &["service", "key"];

/// A request matched to a route, with its templates filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<'p> {
    /// `METHOD /template` of the matched route.
    pub route: &'p str,
    /// The permission the route requires.
    pub permission: &'p str,
    /// The filled resource template.
    pub resource: Option<String>,
    /// The filled tenant template.
    pub tenant: Option<String>,
    pub(crate) kinds: Option<&'p [usize]>,
}

impl Policy {}

pub(crate) fn match_route<'p>(policy: &'p Policy, method: &str, target: &str) -> Option<RouteMatch<'p>> {
    let path = crate::path::clean_path(target).ok()?;
    let (route, params) = policy.router.find(method, path)?;
    let fill = |t: &Option<routes::Template>| match t {
        None => Ok(None),
        Some(t) => t.fill(&params).map(Some).ok_or(()),
    };
    Some(RouteMatch {
        route: &route.label,
        permission: policy.perm_name(route.permission),
        resource: fill(&route.resource).ok()?,
        tenant: fill(&route.tenant).ok()?,
        kinds: route.kinds.as_deref(),
    })
}

pub(crate) fn route_by_template<'p>(
    policy: &'p Policy,
    method: &str,
    template: &str,
    params: &[(&str, &str)],
) -> Result<RouteMatch<'p>, String> {
    use crate::text::shown;
    let route = policy.router.by_template(method, template).ok_or_else(|| {
        format!(
            "no route of this policy is `{} {}`",
            shown(&method.to_ascii_uppercase()),
            shown(template)
        )
    })?;
    let mut total = 0usize;
    for (name, value) in params {
        if !route.params.iter().any(|p| &**p == *name) {
            return Err(format!("route `{}` has no parameter `{}`", route.label, shown(name)));
        }
        if value.is_empty() || value.chars().any(char::is_control) {
            return Err(format!(
                "parameter `{}` of route `{}` is empty or holds control characters",
                shown(name),
                route.label
            ));
        }
        total = total.saturating_add(value.len());
    }
    if total > crate::path::MAX_PATH_LEN {
        return Err(format!("the parameters of route `{}` are too long", route.label));
    }
    let value = |name: &str| params.iter().find(|(n, _)| *n == name).map(|(_, v)| Cow::Borrowed(*v));
    if let Some(missing) = route.params.iter().find(|p| value(p).is_none()) {
        return Err(format!("route `{}` needs parameter `{missing}`", route.label));
    }
    let fill = |t: &Option<routes::Template>| t.as_ref().and_then(|t| t.fill_with(value));
    Ok(RouteMatch {
        route: &route.label,
        permission: policy.perm_name(route.permission),
        resource: fill(&route.resource),
        tenant: fill(&route.tenant),
        kinds: route.kinds.as_deref(),
    })
}

pub(crate) fn route_kinds<'p>(policy: &'p Policy, route: &RouteMatch<'p>) -> Option<Vec<&'p str>> {
    route
        .kinds
        .map(|ks| ks.iter().filter_map(|k| policy.kind(*k)).map(|k| &*k.name).collect())
}
