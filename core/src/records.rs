//! Host records: what the host passes about principals and credentials.
//! Plain data with their serde shapes; the rules that read them live above.

use serde::{Deserialize, Serialize};

use crate::policy::pattern::is_segment;

/// A per-resource grant: `level` of the resource type's access levels on
/// `resource` (`deployment:web`, or `deployment:*` for every deployment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, expecting = "a grant: {resource, level}")]
pub struct Grant {
    /// `type:id` or `type:*`.
    pub resource: String,
    /// A level of the type's access levels.
    pub level: String,
}

/// Host data describing a principal.
///
/// Unknown role, permission and level names grant nothing (deny by default);
/// malformed entries are refused with `invalid_principal`, so that a broken
/// `deny` entry is never silently dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(
    deny_unknown_fields,
    expecting = "a principal record: {id, tenant, roles, allow, deny, grants}"
)]
pub struct PrincipalRecord {
    /// Typed id: `user:1`, `service:ci`, `key:4fT9kQ2mX8aB`.
    pub id: String,
    /// The principal's tenant.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub tenant: Option<String>,
    /// Role names.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub roles: Vec<String>,
    /// Extra permission patterns.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub allow: Vec<String>,
    /// Permission patterns always denied; deny wins.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub deny: Vec<String>,
    /// Per-resource grants.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub grants: Vec<Grant>,
}

/// How the principal authenticated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, expecting = "a credential record")]
pub struct CredentialInfo {
    /// The credential kind (a key of the policy's `credentials`).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub kind: Option<String>,
    /// The API key id.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<String>,
    /// The token id (`jti`).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub token_id: Option<String>,
    /// The API key mask.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub mask: Option<String>,
    /// The owner of a key acting as itself.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub owner: Option<String>,
    /// Scopes capping the principal's permissions; absent means no cap.
    /// Entries that are not permission patterns (`openid`) are ignored.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub scopes: Option<Vec<String>>,
    /// The session id (`sid`).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub session: Option<String>,
    /// The delegation chain, nearest actor first.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub actor_chain: Vec<String>,
    /// When the credential stops being valid (a token's `exp`, a key's
    /// `expires_at`), unix seconds. Tokens delegated from it never outlive it.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub expires_at: Option<i64>,
}

/// A principal plus the credential that authenticated it, as host data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, expecting = "an identity record: {principal, credential}")]
pub struct IdentityRecord {
    /// The principal.
    pub principal: PrincipalRecord,
    /// The credential; absent when the host authenticated by other means.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub credential: Option<CredentialInfo>,
}

/// Whether `id` is a typed principal id: `type:rest`, the type a name
/// segment, the rest at most 256 bytes without whitespace, control or format
/// characters.
pub(crate) fn valid_principal_id(id: &str) -> bool {
    matches!(id.split_once(':'), Some((t, rest)) if is_segment(t) && !rest.is_empty()
        && rest.len() <= 256 && !rest.chars().any(|c| c.is_whitespace() || crate::text::is_unsafe_char(c)))
}
