//! The policy document: one schema for JSON, TOML and YAML.
//!
//! Maps reject duplicate keys (the formats disagree on what a duplicate
//! means, so permiso refuses them everywhere) and every struct rejects
//! unknown fields, so a typo such as `inherit:` is an error, not a silently
//! ignored rule.

use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// An ordered map whose deserializer rejects duplicate keys.
pub type Map<V> = IndexMap<String, V>;

pub(crate) fn unique_map<'de, D, V>(d: D) -> Result<Map<V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct UniqueVisitor<V>(PhantomData<V>);
    impl<'de, V: Deserialize<'de>> Visitor<'de> for UniqueVisitor<V> {
        type Value = Map<V>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut map = Map::default();
            while let Some(key) = access.next_key::<String>()? {
                if map.contains_key(&key) {
                    return Err(serde::de::Error::custom(format_args!("duplicate key `{key}`")));
                }
                let value = access.next_value()?;
                map.insert(key, value);
            }
            Ok(map)
        }
    }
    d.deserialize_map(UniqueVisitor(PhantomData))
}

fn unique_nested<'de, D, V>(d: D) -> Result<Map<Map<V>>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(transparent, bound = "V: Deserialize<'de>")]
    struct Inner<V>(#[serde(deserialize_with = "unique_map")] Map<V>);
    let outer: Map<Inner<V>> = unique_map(d)?;
    Ok(outer.into_iter().map(|(k, v)| (k, v.0)).collect())
}

/// The whole document. Field names are the contract.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a policy document")]
pub struct PolicyDocument {
    /// Schema version; only `1` exists.
    pub version: u32,
    /// Every permission, `resource:action`.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Roles by name.
    #[serde(default, deserialize_with = "unique_map")]
    pub roles: Map<RoleDoc>,
    /// Per resource type, access levels from lowest to highest.
    #[serde(default, deserialize_with = "unique_nested")]
    pub access_levels: Map<Map<Vec<String>>>,
    /// Credential kinds by name.
    #[serde(default, deserialize_with = "unique_map")]
    pub credentials: Map<CredentialDoc>,
    /// HTTP routes.
    #[serde(default)]
    pub routes: Vec<RouteDoc>,
    /// Conditional grants (ownership, departments), in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDoc>,
}

/// A rule: `permissions` for principals holding one of `roles` (any
/// principal without `roles`) whenever every entry of `when` holds.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a rule: {roles, permissions, when}")]
pub struct RuleDoc {
    /// Roles, held directly or by inheritance, one of which the principal needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Permission patterns the rule grants.
    pub permissions: Vec<String>,
    /// Conditions: a reference (`resource.owner`) to another reference
    /// (`principal.id`), `{equals: literal}` or `{in: reference}`.
    #[serde(deserialize_with = "unique_map")]
    pub when: Map<serde_json::Value>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A role.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a role: {permissions, inherits}")]
pub struct RoleDoc {
    /// Roles whose permissions this role includes.
    #[serde(default)]
    pub inherits: Vec<String>,
    /// Permission patterns (`res:act`, `res:*`, `*`).
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The type of a credential kind.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialType {
    /// `{prefix}_{id}_{secret}{checksum}` keys.
    ApiKey,
    /// Compact JWS tokens.
    Jwt,
}

/// Whom an API key acts as.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActsAs {
    /// The key acts as its owner, capped by its scopes.
    #[default]
    Owner,
    /// The key is the actor (`key:<id>`), in its owner's tenant.
    Key,
}

/// A credential kind. One struct for both types so that every error has an
/// exact path; fields of the other type are rejected during validation.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a credential kind")]
pub struct CredentialDoc {
    /// `api_key` or `jwt`.
    #[serde(rename = "type")]
    pub kind_type: CredentialType,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Permission patterns this kind may ever exercise; absent means no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    // api_key
    /// Key prefix (api_key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// `owner` (default) or `key` (api_key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acts_as: Option<ActsAs>,
    // jwt
    /// Exact `iss` (jwt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Audience that `aud` must contain (jwt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Algorithm allow-list (jwt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithms: Option<Vec<String>>,
    /// Verification keys as a JWK Set (jwt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<Jwks>,
    /// Clock leeway in seconds (jwt, default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leeway: Option<u64>,
    /// Principal type for `sub` (jwt, default `user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Claim holding scopes (jwt, default `scope`; `scp` is also read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_claim: Option<String>,
    /// Claim holding role names (jwt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles_claim: Option<String>,
    /// Claim holding the tenant (jwt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_claim: Option<String>,
    /// Whether `exp` is required (jwt, default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_exp: Option<bool>,
    /// Longest lifetime, in seconds, of tokens permiso issues (jwt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lifetime: Option<u64>,
    /// client_credentials clients allowed to act (jwt).
    #[serde(default, deserialize_with = "unique_map", skip_serializing_if = "IndexMap::is_empty")]
    pub service_accounts: Map<ServiceAccountDoc>,
}

/// A service account reachable through the client_credentials grant.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a service account: {roles, allow, tenant}")]
pub struct ServiceAccountDoc {
    /// Roles of the account.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Extra permission patterns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
    /// Tenant of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

/// An HTTP route.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a route: {method, path, permission, ...}")]
pub struct RouteDoc {
    /// HTTP method, or `*` for any.
    pub method: String,
    /// Path template: `/api/{param}/...`, optionally ending in `{*rest}`.
    pub path: String,
    /// The concrete permission the route requires.
    pub permission: String,
    /// Resource template, e.g. `deployment:{deployment}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Tenant template, e.g. `project:{project}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Accepted credential kinds; absent means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Vec<String>>,
}

/// A JWK Set as written in the document. `Debug` shows key ids and types
/// only: an `oct` key's `k` is a secret.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Jwks(pub serde_json::Value);

impl fmt::Debug for Jwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.0.get("keys").and_then(serde_json::Value::as_array);
        f.debug_list()
            .entries(keys.into_iter().flatten().map(|k| {
                let field = |name| k.get(name).and_then(serde_json::Value::as_str).unwrap_or("-");
                format!("{}:{}", field("kty"), field("kid"))
            }))
            .finish()
    }
}
