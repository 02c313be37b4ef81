//! Principals, identities and the evaluation table.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::code::Code;
use crate::decision::{Actor, Decision, DecisionId};
use crate::permset::{PermId, PermSet};
use crate::policy::pattern::is_segment;
use crate::policy::rules::{Facts, RuleTrace};
use crate::policy::{Policy, RouteMatch, Unmatched};
use crate::records::valid_principal_id;
pub use crate::records::{Attributes, CredentialInfo, Grant, IdentityRecord, PrincipalRecord, ResourceRecord};
use crate::text::shown;

/// Why a principal record could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct IdentityError {
    code: Code,
    message: String,
}

impl IdentityError {
    pub(crate) fn new(code: Code, message: String) -> Self {
        IdentityError { code, message }
    }
    /// `invalid_principal` or `unknown_principal`.
    pub fn code(&self) -> Code {
        self.code
    }
}

/// An identity resolved against one policy: role closures, allow, deny and
/// scopes as bit sets, grants in hash maps. Build it once per request (or
/// cache it) and check as often as needed.
#[derive(Debug, Clone)]
pub struct Identity {
    policy: u64,
    record: IdentityRecord,
    kind: Option<Option<usize>>,
    granted: PermSet,
    deny: PermSet,
    scopes: Option<PermSet>,
    exact_grants: FxHashMap<Box<str>, PermSet>,
    type_grants: FxHashMap<Box<str>, PermSet>,
    /// The roles held directly or by inheritance, as role ids; computed
    /// only when the policy has rules that name roles.
    held_roles: PermSet,
    /// Where the principal id's first `:` is.
    colon: usize,
}

impl Identity {
    /// The host data this identity was built from.
    pub fn record(&self) -> &IdentityRecord {
        &self.record
    }
    /// The principal id.
    pub fn principal_id(&self) -> &str {
        &self.record.principal.id
    }
    /// The credential kind, if any.
    pub fn kind(&self) -> Option<&str> {
        self.record.credential.as_ref()?.kind.as_deref()
    }
}

/// What is checked: an action, optionally on a resource (with the
/// resource's attributes, which rules read) and in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check<'a> {
    action: &'a str,
    resource: Option<&'a str>,
    attributes: Option<&'a Attributes>,
    tenant: Option<&'a str>,
}

impl<'a> Check<'a> {
    /// A check of `action` (a concrete `resource:action` permission).
    pub fn new(action: &'a str) -> Self {
        Check {
            action,
            resource: None,
            attributes: None,
            tenant: None,
        }
    }
    /// On the resource a host record describes: its id and its attributes.
    pub fn on_record(mut self, record: &'a ResourceRecord) -> Self {
        self.resource = Some(&record.id);
        self.attributes = Some(&record.attributes);
        self
    }
    /// With the resource's attributes (`owner`, `department`), which rules read.
    pub fn attributes(mut self, attributes: Option<&'a Attributes>) -> Self {
        self.attributes = attributes;
        self
    }
    /// On `resource` (`type:id`), consulted for per-resource grants.
    pub fn on(mut self, resource: &'a str) -> Self {
        self.resource = Some(resource);
        self
    }
    /// Requiring the principal to be in `tenant`.
    pub fn in_tenant(mut self, tenant: &'a str) -> Self {
        self.tenant = Some(tenant);
        self
    }
    /// Sets the resource from an option.
    pub fn resource(mut self, resource: Option<&'a str>) -> Self {
        self.resource = resource;
        self
    }
    /// Sets the tenant from an option.
    pub fn tenant(mut self, tenant: Option<&'a str>) -> Self {
        self.tenant = tenant;
        self
    }
}

/// The outcome of one row of the evaluation table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The row passed.
    Passed,
    /// The row failed.
    Failed,
    /// The row does not apply (no credential kind, no scopes, no tenant, ...).
    NotApplicable,
}

/// Every row of the evaluation table for one check, for `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluation {
    action: Option<PermId>,
    /// 1. the action is a declared permission.
    pub declared: Outcome,
    /// 2. no `deny` entry covers it.
    pub not_denied: Outcome,
    /// 3. the credential kind's `allowed` list covers it.
    pub kind_allows: Outcome,
    /// 4. the credential's scopes cover it.
    pub scopes_allow: Outcome,
    /// 5. the required tenant is the principal's.
    pub tenant_matches: Outcome,
    /// 6a. roles or allow entries cover it.
    pub roles_allow: Outcome,
    /// 6b. a grant on the resource (or its type) covers it.
    pub grant_allows: Outcome,
    /// 6c. a rule whose roles the principal holds and whose conditions hold
    /// grants it (consulted only when 6a and 6b fail).
    pub rule_allows: Outcome,
    /// The index of the rule that granted it, in the document's `rules`.
    pub rule: Option<u32>,
}

impl Evaluation {
    /// The outcome for an action the policy does not declare: row 1 fails,
    /// no other row applies.
    fn undeclared() -> Evaluation {
        Evaluation {
            action: None,
            declared: Outcome::Failed,
            not_denied: Outcome::NotApplicable,
            kind_allows: Outcome::NotApplicable,
            scopes_allow: Outcome::NotApplicable,
            tenant_matches: Outcome::NotApplicable,
            roles_allow: Outcome::NotApplicable,
            grant_allows: Outcome::NotApplicable,
            rule_allows: Outcome::NotApplicable,
            rule: None,
        }
    }

    /// The code of the first failing row, or `allowed`.
    pub fn code(&self) -> Code {
        use Outcome::Failed;
        if self.declared == Failed {
            Code::UnknownPermission
        } else if self.not_denied == Failed {
            Code::ExplicitlyDenied
        } else if self.kind_allows == Failed {
            Code::CredentialKindNotAllowed
        } else if self.scopes_allow == Failed {
            Code::InsufficientScope
        } else if self.tenant_matches == Failed {
            Code::TenantMismatch
        } else if self.roles_allow == Outcome::Passed
            || self.grant_allows == Outcome::Passed
            || self.rule_allows == Outcome::Passed
        {
            Code::Allowed
        } else {
            Code::MissingPermission
        }
    }

    /// The rows as `(number, what is checked, code on failure, outcome)`.
    pub fn rows(&self) -> [(u8, &'static str, Code, Outcome); 8] {
        [
            (
                1,
                "action is a declared permission",
                Code::UnknownPermission,
                self.declared,
            ),
            (
                2,
                "no deny entry of the principal covers the action",
                Code::ExplicitlyDenied,
                self.not_denied,
            ),
            (
                3,
                "the credential kind's allowed list covers the action",
                Code::CredentialKindNotAllowed,
                self.kind_allows,
            ),
            (
                4,
                "the credential's scopes cover the action",
                Code::InsufficientScope,
                self.scopes_allow,
            ),
            (
                5,
                "the required tenant equals the principal's",
                Code::TenantMismatch,
                self.tenant_matches,
            ),
            (
                6,
                "roles or allow entries cover the action",
                Code::MissingPermission,
                self.roles_allow,
            ),
            (
                6,
                "a grant on the resource or its type covers the action",
                Code::MissingPermission,
                self.grant_allows,
            ),
            (
                6,
                "a rule whose roles and conditions hold grants the action",
                Code::MissingPermission,
                self.rule_allows,
            ),
        ]
    }
}

fn outcome(pass: bool) -> Outcome {
    if pass {
        Outcome::Passed
    } else {
        Outcome::Failed
    }
}

impl Policy {
    /// The permissions `identity` may exercise on any resource right now:
    /// roles and allow entries, minus denies, within the credential kind's
    /// `allowed` list and the credential's scopes. Per-resource grants are
    /// not included (they hold only on their resource).
    pub(crate) fn effective_permissions(&self, identity: &Identity) -> PermSet {
        if identity.policy != self.instance {
            return match self.identity(identity.record.clone()) {
                Ok(rebuilt) => self.effective_permissions(&rebuilt),
                Err(_) => self.empty_set(),
            };
        }
        let mut set = identity.granted.clone();
        set.remove_all(&identity.deny);
        match identity.kind {
            None => {}
            Some(None) => return self.empty_set(),
            Some(Some(k)) => {
                if let Some(allowed) = self.kind(k).and_then(|k| k.allowed.as_ref()) {
                    set.intersect_with(allowed);
                }
            }
        }
        if let Some(scopes) = &identity.scopes {
            set.intersect_with(scopes);
        }
        set
    }

    /// A refusal before the evaluation table (no route, no or a bad
    /// credential, a kind the route does not accept). Decisions are built in
    /// this module only: here, and for an evaluation below.
    pub(crate) fn refusal(
        &self,
        code: Code,
        message: String,
        route: Option<&RouteMatch<'_>>,
        actor: Actor<'static>,
        now: i64,
    ) -> Decision<'static> {
        let own = |s: Option<&str>| s.map(|s| Cow::Owned(s.to_owned()));
        let missing = if code == Code::CredentialKindNotAllowed {
            route.map(|r| Cow::Owned(r.permission.to_owned())).into_iter().collect()
        } else {
            Vec::new()
        };
        Decision {
            code,
            message: Cow::Owned(message),
            missing,
            action: own(route.map(|r| r.permission)),
            resource: own(route.and_then(|r| r.resource.as_deref())),
            tenant: own(route.and_then(|r| r.tenant.as_deref())),
            route: own(route.map(|r| r.route)),
            actor,
            time: now,
            id: DecisionId::next(),
            policy: self.hash(),
        }
    }

    /// Builds the decision for an evaluation. Allocates only on denial
    /// (for the message and the missing list).
    pub(crate) fn decision<'a>(
        &'a self,
        evaluation: &Evaluation,
        action_text: &'a str,
        resource: Option<Cow<'a, str>>,
        tenant: Option<Cow<'a, str>>,
        actor: Actor<'a>,
        now: i64,
    ) -> Decision<'a> {
        let code = evaluation.code();
        let action = evaluation
            .action
            .map_or(Cow::Borrowed(action_text), |id| Cow::Borrowed(self.perm_name(id)));
        let principal = actor.principal().unwrap_or_default();
        let (message, missing) = match code {
            Code::Allowed => (Cow::Borrowed("allowed"), Vec::new()),
            Code::UnknownPermission => (
                Cow::Owned(format!("`{}` is not a permission of this policy", shown(action_text))),
                Vec::new(),
            ),
            Code::ExplicitlyDenied => (
                Cow::Owned(format!("`{action}` is explicitly denied to `{principal}`")),
                Vec::new(),
            ),
            Code::CredentialKindNotAllowed => (
                Cow::Owned(format!(
                    "`{}` credentials may not be used for `{action}`",
                    actor.kind().unwrap_or_default()
                )),
                vec![action.clone()],
            ),
            Code::InsufficientScope => (
                Cow::Owned(format!("the credential's scopes do not include `{action}`")),
                vec![action.clone()],
            ),
            Code::TenantMismatch => (
                Cow::Owned(format!(
                    "`{principal}` is not in tenant `{}`",
                    shown(tenant.as_deref().unwrap_or_default())
                )),
                Vec::new(),
            ),
            _ => (
                Cow::Owned(match resource.as_deref() {
                    Some(r) => format!("`{principal}` lacks `{action}` on `{}`", shown(r)),
                    None => format!("`{principal}` lacks `{action}`"),
                }),
                vec![action.clone()],
            ),
        };
        Decision {
            code,
            message,
            missing,
            action: Some(action),
            resource,
            tenant,
            route: None,
            actor,
            time: now,
            id: DecisionId::next(),
            policy: self.hash(),
        }
    }
}

pub(crate) fn identity(policy: &Policy, record: IdentityRecord) -> Result<Identity, IdentityError> {
    let p = &record.principal;
    let bad = |msg: String| Err(IdentityError::new(Code::InvalidPrincipal, msg));
    if !valid_principal_id(&p.id) {
        return bad(format!("principal id `{}` is not a typed id such as `user:1`", p.id));
    }
    for (name, value) in &p.attributes {
        let why = if crate::records::is_attribute_name(name) {
            crate::records::attribute_value_error(value)
        } else {
            Some("attribute names are `[A-Za-z0-9_-]+`")
        };
        if let Some(why) = why {
            return bad(format!(
                "principal `{}` attribute `{}`: {why}",
                p.id,
                crate::text::shown(name)
            ));
        }
    }
    let mut granted = policy.empty_set();
    for role in &p.roles {
        if let Some(set) = policy.role(role) {
            granted.union_with(set);
        }
    }
    // A malformed entry is refused (a broken `deny` must never be dropped);
    // a pattern of no declared permission grants or denies nothing.
    let patterns = |list: &[String], field: &str| -> Result<PermSet, IdentityError> {
        policy.pattern_set(list, |i, entry, why| match why {
            Unmatched::Unknown => Ok(()),
            Unmatched::NotAPattern => Err(IdentityError::new(
                Code::InvalidPrincipal,
                format!(
                    "principal `{}` {field}[{i}]: `{entry}` is not a permission pattern",
                    p.id
                ),
            )),
        })
    };
    granted.union_with(&patterns(&p.allow, "allow")?);
    let deny = patterns(&p.deny, "deny")?;
    // Sized up front: a principal may hold thousands of grants.
    let mut exact_grants: FxHashMap<Box<str>, PermSet> =
        FxHashMap::with_capacity_and_hasher(p.grants.len(), Default::default());
    let mut type_grants: FxHashMap<Box<str>, PermSet> = FxHashMap::default();
    for (i, grant) in p.grants.iter().enumerate() {
        let Some((rtype, rid)) = grant
            .resource
            .split_once(':')
            .filter(|(t, id)| is_segment(t) && !id.is_empty())
        else {
            return bad(format!(
                "principal `{}` grants[{i}]: resource `{}` is not `type:id` or `type:*`",
                p.id, grant.resource
            ));
        };
        let Some(level) = policy.level(rtype, &grant.level) else {
            continue;
        };
        let (map, key) = if rid == "*" {
            (&mut type_grants, rtype)
        } else {
            (&mut exact_grants, grant.resource.as_str())
        };
        map.entry(key.into())
            .or_insert_with(|| policy.empty_set())
            .union_with(level);
    }
    let colon = p.id.find(':').unwrap_or_default();
    let held_roles = if policy.rules.is_empty() {
        PermSet::default()
    } else {
        policy.rules.held_roles(&p.roles)
    };
    let (kind, scopes) = match &record.credential {
        None => (None, None),
        Some(c) => {
            let kind = c.kind.as_deref().map(|k| policy.kind_index(k));
            // Scopes that are not permission patterns (`openid`) cap nothing.
            let scopes = c.scopes.as_ref().map(|list| policy.lenient_set(list));
            (kind, scopes)
        }
    };
    Ok(Identity {
        policy: policy.instance,
        record,
        kind,
        granted,
        deny,
        scopes,
        exact_grants,
        type_grants,
        held_roles,
        colon,
    })
}

pub(crate) fn effective_permission_names<'p>(policy: &'p Policy, identity: &Identity) -> Vec<&'p str> {
    policy
        .effective_permissions(identity)
        .iter()
        .map(|p| policy.perm_name(p))
        .collect()
}

pub(crate) fn evaluate(policy: &Policy, identity: &Identity, check: Check<'_>) -> Evaluation {
    if identity.policy != policy.instance {
        // Built for another policy: bit positions differ, so rebuild.
        return match policy.identity(identity.record.clone()) {
            Ok(rebuilt) => policy.evaluate(&rebuilt, check),
            Err(_) => Evaluation::undeclared(),
        };
    }
    let Some(action) = policy.perm_id(check.action) else {
        return Evaluation::undeclared();
    };
    let kind_allows = match identity.kind {
        None => Outcome::NotApplicable,
        // A kind the policy does not define permits nothing.
        Some(None) => Outcome::Failed,
        Some(Some(k)) => match policy.kind(k).and_then(|k| k.allowed.as_ref()) {
            None => Outcome::NotApplicable,
            Some(allowed) => outcome(allowed.contains(action)),
        },
    };
    let scopes_allow = identity
        .scopes
        .as_ref()
        .map_or(Outcome::NotApplicable, |s| outcome(s.contains(action)));
    let tenant_matches = check.tenant.map_or(Outcome::NotApplicable, |t| {
        outcome(identity.record.principal.tenant.as_deref() == Some(t))
    });
    let roles = identity.granted.contains(action);
    let grant_allows = match check.resource {
        _ if roles => Outcome::NotApplicable,
        None => Outcome::NotApplicable,
        Some(resource) => {
            let exact = identity.exact_grants.get(resource).is_some_and(|s| s.contains(action));
            let by_type = || {
                resource
                    .split_once(':')
                    .and_then(|(t, _)| identity.type_grants.get(t))
                    .is_some_and(|s| s.contains(action))
            };
            outcome(exact || by_type())
        }
    };
    // Rules only when neither roles nor grants allow: the unconditional
    // allow path never reads an attribute.
    let (rule_allows, rule) = if roles || grant_allows == Outcome::Passed || !policy.rules.grants(action) {
        (Outcome::NotApplicable, None)
    } else {
        match policy
            .rules
            .allowing(action, &identity.held_roles, &facts(identity, check))
        {
            Some(i) => (Outcome::Passed, Some(i)),
            None => (Outcome::Failed, None),
        }
    };
    Evaluation {
        action: Some(action),
        declared: Outcome::Passed,
        not_denied: outcome(!identity.deny.contains(action)),
        kind_allows,
        scopes_allow,
        tenant_matches,
        roles_allow: outcome(roles),
        grant_allows,
        rule_allows,
        rule,
    }
}

fn facts<'a>(identity: &'a Identity, check: Check<'a>) -> Facts<'a> {
    let id = &identity.record.principal.id;
    Facts {
        // A principal id is `type:rest` (checked when the identity was built).
        principal: id
            .split_at_checked(identity.colon)
            .map_or((id.as_str(), ""), |(t, rest)| (t, rest.get(1..).unwrap_or_default())),
        principal_attributes: &identity.record.principal.attributes,
        resource: check.resource,
        resource_attributes: check.attributes,
    }
}

/// Every rule that grants the check's action, and how each fared.
pub(crate) fn rule_trace(policy: &Policy, identity: &Identity, check: Check<'_>) -> Vec<RuleTrace> {
    match (policy.perm_id(check.action), identity.policy == policy.instance) {
        (Some(action), true) => policy
            .rules
            .trace(action, &identity.held_roles, &facts(identity, check)),
        (_, false) => match policy.identity(identity.record.clone()) {
            Ok(rebuilt) => rule_trace(policy, &rebuilt, check),
            Err(_) => Vec::new(),
        },
        (None, true) => Vec::new(),
    }
}

pub(crate) fn is_allowed(policy: &Policy, identity: &Identity, check: Check<'_>) -> bool {
    policy.evaluate(identity, check).code().allows()
}

pub(crate) fn authorize<'a>(policy: &'a Policy, identity: &'a Identity, check: Check<'a>, now: i64) -> Decision<'a> {
    let evaluation = policy.evaluate(identity, check);
    policy.decision(
        &evaluation,
        check.action,
        check.resource.map(Cow::Borrowed),
        check.tenant.map(Cow::Borrowed),
        identity.actor(),
        now,
    )
}

impl Identity {
    /// The actor, taking the identity's strings instead of copying them.
    pub(crate) fn into_actor(self) -> Actor<'static> {
        let principal = self.record.principal.id;
        let c = self.record.credential.unwrap_or_default();
        Actor {
            principal: Some(Cow::Owned(principal)),
            kind: c.kind.map(Cow::Owned),
            key_id: c.id.map(Cow::Owned),
            key_mask: c.mask.map(Cow::Owned),
            token_id: c.token_id.map(Cow::Owned),
            owner: c.owner.map(Cow::Owned),
            session: c.session.map(Cow::Owned),
            chain: Cow::Owned(c.actor_chain),
        }
    }
}

impl Identity {
    pub(crate) fn actor(&self) -> Actor<'_> {
        let c = self.record.credential.as_ref();
        let field = |f: fn(&CredentialInfo) -> &Option<String>| c.and_then(|c| f(c).as_deref()).map(Cow::Borrowed);
        Actor {
            principal: Some(Cow::Borrowed(&self.record.principal.id)),
            kind: field(|c| &c.kind),
            key_id: field(|c| &c.id),
            key_mask: field(|c| &c.mask),
            token_id: field(|c| &c.token_id),
            owner: field(|c| &c.owner),
            session: field(|c| &c.session),
            chain: Cow::Borrowed(c.map_or(&[][..], |c| c.actor_chain.as_slice())),
        }
    }
}
