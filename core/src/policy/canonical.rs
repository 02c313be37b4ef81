//! The canonical form hashed into [`super::PolicyHash`].
//!
//! The document is re-serialised from its typed form (so JSON, YAML and TOML
//! spellings of one policy agree), as compact JSON with object keys sorted
//! at every depth. Access levels are the one ordered map: they are written
//! as `[level, permissions]` pairs so their order stays significant.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::doc::{CredentialDoc, PolicyDocument, RoleDoc, RouteDoc, RuleDoc};

#[derive(Serialize)]
struct Canon<'a> {
    version: u32,
    permissions: &'a [String],
    roles: BTreeMap<&'a str, &'a RoleDoc>,
    access_levels: BTreeMap<&'a str, Vec<(&'a str, &'a [String])>>,
    credentials: BTreeMap<&'a str, &'a CredentialDoc>,
    routes: &'a [RouteDoc],
    /// Absent when empty, so documents without rules keep their hash.
    #[serde(skip_serializing_if = "<[RuleDoc]>::is_empty")]
    rules: &'a [RuleDoc],
}

pub(crate) fn to_canonical_json(doc: &PolicyDocument) -> String {
    let canon = Canon {
        version: doc.version,
        permissions: &doc.permissions,
        roles: doc.roles.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        access_levels: doc
            .access_levels
            .iter()
            .map(|(k, levels)| {
                (
                    k.as_str(),
                    levels.iter().map(|(l, p)| (l.as_str(), p.as_slice())).collect(),
                )
            })
            .collect(),
        credentials: doc.credentials.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        routes: &doc.routes,
        rules: &doc.rules,
    };
    let mut out = String::new();
    match serde_json::to_value(&canon) {
        Ok(mut value) => {
            hide_secrets(&mut value);
            write(&value, &mut out)
        }
        // Serialising plain data with string keys cannot fail; an empty
        // canonical form would still give a stable, if useless, hash.
        Err(_) => out.clear(),
    }
    out
}

/// Replaces every symmetric JWK secret (`k`) by its SHA-256, so the policy
/// hash (which appears in every audit record) never exposes a secret while
/// still changing when the secret does.
fn hide_secrets(value: &mut Value) {
    let Some(kinds) = value.get_mut("credentials").and_then(Value::as_object_mut) else {
        return;
    };
    for kind in kinds.values_mut() {
        let Some(keys) = kind.pointer_mut("/jwks/keys").and_then(Value::as_array_mut) else {
            continue;
        };
        for key in keys {
            if let Some(k) = key.get_mut("k") {
                let digest = Sha256::digest(k.as_str().unwrap_or_default().as_bytes());
                *k = Value::String(format!("sha256:{}", hex::encode(digest)));
            }
        }
    }
}

/// Compact JSON with object keys sorted at every depth: one text per value,
/// whatever order its maps were written in.
pub(crate) fn sorted_json(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_scalar(&Value::String(k.clone()), out);
                out.push(':');
                write(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(v, out);
            }
            out.push(']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(value: &Value, out: &mut String) {
    if let Ok(s) = serde_json::to_string(value) {
        out.push_str(&s);
    }
}
