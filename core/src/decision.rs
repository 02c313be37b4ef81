//! Decisions and their audit records.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::code::Code;
use crate::policy::PolicyHash;

/// A unique decision id: a per-process random 128-bit start plus a counter,
/// so ids are unique without a clock and without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DecisionId(u128);

impl DecisionId {
    pub(crate) fn next() -> DecisionId {
        static SEED: OnceLock<u128> = OnceLock::new();
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let seed = *SEED.get_or_init(|| {
            let mut b = [0u8; 16];
            // Without entropy ids stay unique within the process (counter).
            let _ = getrandom::getrandom(&mut b);
            u128::from_le_bytes(b)
        });
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        // A random 128-bit start per process, then consecutive values.
        DecisionId(seed.wrapping_add(u128::from(n)))
    }
}

impl std::fmt::Display for DecisionId {
    /// 32 lowercase hex digits, most significant first.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = [0u8; 32];
        hex::encode_to_slice(self.0.to_be_bytes(), &mut out).map_err(|_| std::fmt::Error)?;
        f.write_str(std::str::from_utf8(&out).map_err(|_| std::fmt::Error)?)
    }
}

impl Serialize for DecisionId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Who acted: the principal and the credential that authenticated it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor<'a> {
    pub(crate) principal: Option<Cow<'a, str>>,
    pub(crate) kind: Option<Cow<'a, str>>,
    pub(crate) key_id: Option<Cow<'a, str>>,
    pub(crate) key_mask: Option<Cow<'a, str>>,
    pub(crate) token_id: Option<Cow<'a, str>>,
    pub(crate) owner: Option<Cow<'a, str>>,
    pub(crate) session: Option<Cow<'a, str>>,
    pub(crate) chain: Cow<'a, [String]>,
}

impl<'a> Actor<'a> {
    /// The principal id (`user:1`, `key:4fT9kQ2mX8aB`, `service:ci`), if authenticated.
    pub fn principal(&self) -> Option<&str> {
        self.principal.as_deref()
    }
    /// The credential kind.
    pub fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }
    /// The API key id.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }
    /// The API key mask.
    pub fn key_mask(&self) -> Option<&str> {
        self.key_mask.as_deref()
    }
    /// The token id (`jti`).
    pub fn token_id(&self) -> Option<&str> {
        self.token_id.as_deref()
    }
    /// The owner of a key that acts as itself.
    pub fn owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }
    /// The session id.
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }
    /// The delegation chain (RFC 8693 `act`), nearest actor first.
    pub fn chain(&self) -> &[String] {
        &self.chain
    }

    fn into_owned(self) -> Actor<'static> {
        let own = |c: Option<Cow<'a, str>>| c.map(|c| Cow::Owned(c.into_owned()));
        Actor {
            principal: own(self.principal),
            kind: own(self.kind),
            key_id: own(self.key_id),
            key_mask: own(self.key_mask),
            token_id: own(self.token_id),
            owner: own(self.owner),
            session: own(self.session),
            chain: Cow::Owned(self.chain.into_owned()),
        }
    }
}

/// The outcome of a check: allowed or not, a stable code, an HTTP status,
/// the missing permissions and everything the audit record needs.
///
/// A decision borrows from the identity and the check it was made for, so
/// the allow path does not allocate; [`Decision::into_owned`] detaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<'a> {
    pub(crate) code: Code,
    /// Fixed text or text made for this decision, never borrowed from the
    /// check, so detaching the decision does not copy it.
    pub(crate) message: Cow<'static, str>,
    pub(crate) missing: Vec<Cow<'a, str>>,
    pub(crate) action: Option<Cow<'a, str>>,
    pub(crate) resource: Option<Cow<'a, str>>,
    pub(crate) tenant: Option<Cow<'a, str>>,
    pub(crate) route: Option<Cow<'a, str>>,
    pub(crate) actor: Actor<'a>,
    pub(crate) time: i64,
    pub(crate) id: DecisionId,
    pub(crate) policy: PolicyHash,
}

impl<'a> Decision<'a> {
    /// Whether the action is allowed.
    pub fn allowed(&self) -> bool {
        self.code.allows()
    }
    /// The stable reason code.
    pub fn code(&self) -> Code {
        self.code
    }
    /// The HTTP status for this decision.
    pub fn status(&self) -> u16 {
        self.code.status()
    }
    /// A human-readable reason; not part of the stable contract.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The permissions that were required but not held.
    pub fn missing(&self) -> impl Iterator<Item = &str> {
        self.missing.iter().map(|m| &**m)
    }
    /// The action checked (absent when the request failed before routing).
    pub fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }
    /// The resource checked.
    pub fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }
    /// The tenant required.
    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }
    /// The matched route, `METHOD /template`.
    pub fn route(&self) -> Option<&str> {
        self.route.as_deref()
    }
    /// Who acted.
    pub fn actor(&self) -> &Actor<'a> {
        &self.actor
    }
    /// When (unix seconds, as passed by the host).
    pub fn time(&self) -> i64 {
        self.time
    }
    /// The unique decision id.
    pub fn id(&self) -> DecisionId {
        self.id
    }
    /// The hash of the policy that decided.
    pub fn policy_hash(&self) -> PolicyHash {
        self.policy
    }

    /// The audit record: serialises to one JSON object.
    pub fn audit(&self) -> AuditRecord<'_, 'a> {
        AuditRecord(self)
    }

    /// The audit record as one line of JSON.
    pub fn audit_json(&self) -> String {
        serde_json::to_string(&self.audit()).unwrap_or_default()
    }

    /// Detaches the decision from the data it borrowed.
    pub fn into_owned(self) -> Decision<'static> {
        let own = |c: Option<Cow<'a, str>>| c.map(|c| Cow::Owned(c.into_owned()));
        Decision {
            code: self.code,
            message: self.message,
            missing: self.missing.into_iter().map(|m| Cow::Owned(m.into_owned())).collect(),
            action: own(self.action),
            resource: own(self.resource),
            tenant: own(self.tenant),
            route: own(self.route),
            actor: self.actor.into_owned(),
            time: self.time,
            id: self.id,
            policy: self.policy,
        }
    }
}

/// The audit view of a [`Decision`]. Holds no secrets: key ids and masks,
/// never keys; session ids, never tokens.
#[derive(Debug, Clone, Copy)]
pub struct AuditRecord<'d, 'a>(&'d Decision<'a>);

impl Serialize for AuditRecord<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("decision_id", &d.id)?;
        map.serialize_entry("time", &d.time)?;
        map.serialize_entry("policy", &d.policy.to_string())?;
        map.serialize_entry("actor", &ActorView(&d.actor))?;
        map.serialize_entry("action", &d.action)?;
        map.serialize_entry("resource", &d.resource)?;
        map.serialize_entry("tenant", &d.tenant)?;
        map.serialize_entry("route", &d.route)?;
        map.serialize_entry("allowed", &d.allowed())?;
        map.serialize_entry("code", &d.code)?;
        map.serialize_entry("status", &d.status())?;
        map.end()
    }
}

struct ActorView<'d, 'a>(&'d Actor<'a>);

impl Serialize for ActorView<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("principal", &a.principal)?;
        let optional = [
            ("kind", &a.kind),
            ("key_id", &a.key_id),
            ("key_mask", &a.key_mask),
            ("token_id", &a.token_id),
            ("owner", &a.owner),
            ("session", &a.session),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                map.serialize_entry(name, v)?;
            }
        }
        if !a.chain.is_empty() {
            map.serialize_entry("actor_chain", &a.chain)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::DecisionId;

    #[test]
    fn a_decision_id_is_32_hex_digits_most_significant_first() {
        for n in [
            0,
            1,
            0xfe,
            u128::from(u64::MAX) + 7,
            0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
            u128::MAX,
        ] {
            assert_eq!(DecisionId(n).to_string(), format!("{n:032x}"));
        }
        let (a, b) = (DecisionId::next(), DecisionId::next());
        assert_ne!(a.to_string(), b.to_string());
    }
}
