//! Host records: what the host passes about principals and credentials.
//! Plain data with their serde shapes; the rules that read them live above.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::policy::pattern::is_segment;

/// Attributes by name (`[A-Za-z0-9_-]+`, case-sensitive). A value is a
/// string, an integer, a boolean, or a list of those; equality is JSON
/// equality of scalars (`"101"` is not `101`), a list is never equal to
/// anything and only answers `in`.
pub type Attributes = serde_json::Map<String, Value>;

/// Whether `name` may name an attribute.
pub(crate) fn is_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Why `value` is not an attribute value, if it is not.
pub(crate) fn attribute_value_error(value: &Value) -> Option<&'static str> {
    let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Bool(_)) || v.as_i64().is_some();
    match value {
        Value::Array(items) if items.iter().all(scalar) => None,
        Value::Array(_) => Some("a list holds strings, integers or booleans only"),
        v if scalar(v) => None,
        _ => Some("an attribute is a string, an integer, a boolean or a list of those"),
    }
}

/// Reads an attribute map, refusing names outside `[A-Za-z0-9_-]+` and
/// values of other types.
fn attributes<'de, D: Deserializer<'de>>(d: D) -> Result<Attributes, D::Error> {
    struct MapVisitor;
    impl<'de> Visitor<'de> for MapVisitor {
        type Value = Attributes;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map of attributes")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Attributes, A::Error> {
            let mut map = Attributes::new();
            while let Some(name) = access.next_key::<String>()? {
                if !is_attribute_name(&name) {
                    return Err(de::Error::custom(format_args!(
                        "`{}` is not an attribute name (`[A-Za-z0-9_-]+`)",
                        crate::text::shown(&name)
                    )));
                }
                let value: Value = access.next_value()?;
                if let Some(why) = attribute_value_error(&value) {
                    return Err(de::Error::custom(format_args!("`{name}`: {why}")));
                }
                map.insert(name, value);
            }
            Ok(map)
        }
    }
    d.deserialize_map(MapVisitor)
}

/// Host data describing a resource: its typed id and its attributes, which
/// rules compare with the principal's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, expecting = "a resource record: {id, attributes}")]
pub struct ResourceRecord {
    /// Typed id: `record:101`.
    pub id: String,
    /// Attributes by name.
    #[serde(default, deserialize_with = "attributes")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[cfg_attr(feature = "ts", tsify(optional, type = "Attributes"))]
    pub attributes: Attributes,
}

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
    expecting = "a principal record: {id, tenant, roles, allow, deny, grants, attributes}"
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
    /// Attributes that rules compare (`department`, `teams`).
    #[serde(
        default,
        deserialize_with = "attributes",
        skip_serializing_if = "Attributes::is_empty"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[cfg_attr(feature = "ts", tsify(optional, type = "Attributes"))]
    pub attributes: Attributes,
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
