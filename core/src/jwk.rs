//! JWK sets: parsing, validation and key selection.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Every algorithm permiso supports: its JOSE name and jsonwebtoken's value.
/// The one list: parsing, naming and policy validation all read it.
pub(crate) const ALGORITHMS: [(&str, Algorithm); 12] = [
    ("HS256", Algorithm::HS256),
    ("HS384", Algorithm::HS384),
    ("HS512", Algorithm::HS512),
    ("RS256", Algorithm::RS256),
    ("RS384", Algorithm::RS384),
    ("RS512", Algorithm::RS512),
    ("PS256", Algorithm::PS256),
    ("PS384", Algorithm::PS384),
    ("PS512", Algorithm::PS512),
    ("ES256", Algorithm::ES256),
    ("ES384", Algorithm::ES384),
    ("EdDSA", Algorithm::EdDSA),
];

/// A supported algorithm by its JOSE name (case-sensitive: `none`, `hs256`
/// and every unknown name are refused).
pub(crate) fn parse_alg(name: &str) -> Option<Algorithm> {
    ALGORITHMS.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
}

/// The JOSE name of a supported algorithm.
pub(crate) fn alg_name(alg: Algorithm) -> &'static str {
    ALGORITHMS
        .iter()
        .find(|(_, a)| *a == alg)
        .map_or("unsupported", |(n, _)| n)
}

/// The kind of key material, with what decides which algorithms it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Material {
    /// A symmetric secret of this many bytes.
    Secret(usize),
    Rsa,
    P256,
    P384,
    Ed25519,
}

impl Material {
    /// Whether a key of this material may verify or sign `alg`. HMAC secrets
    /// must be at least as long as the hash (RFC 7518 3.2).
    pub(crate) fn fits(self, alg: Algorithm) -> bool {
        match (self, alg) {
            (Material::Secret(n), Algorithm::HS256) => n >= 32,
            (Material::Secret(n), Algorithm::HS384) => n >= 48,
            (Material::Secret(n), Algorithm::HS512) => n >= 64,
            (
                Material::Rsa,
                Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512,
            ) => true,
            (Material::P256, Algorithm::ES256) | (Material::P384, Algorithm::ES384) => true,
            (Material::Ed25519, Algorithm::EdDSA) => true,
            _ => false,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Material::Secret(_) => "a symmetric (oct) key",
            Material::Rsa => "an RSA key",
            Material::P256 => "a P-256 key",
            Material::P384 => "a P-384 key",
            Material::Ed25519 => "an Ed25519 key",
        }
    }
}

/// One verification key.
#[derive(Clone)]
pub(crate) struct VerifyingKey {
    pub(crate) kid: Option<String>,
    pub(crate) material: Material,
    pub(crate) alg: Option<Algorithm>,
    pub(crate) key: DecodingKey,
    /// The public JWK (`kty` and key members only), for hosts that check
    /// signatures with their platform's crypto. `None` for HMAC secrets.
    pub(crate) public_jwk: Option<Value>,
    /// The RFC 7638 SHA-256 thumbprint of `public_jwk`: the key's identity
    /// whatever its `kid`, for hosts that cache imported keys.
    pub(crate) thumbprint: Option<String>,
}

/// A set of verification keys for one credential kind. `Debug` lists key
/// ids and types only, never key material.
#[derive(Clone, Default)]
pub struct KeySet {
    pub(crate) keys: Vec<VerifyingKey>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(
                self.keys
                    .iter()
                    .map(|k| (k.kid.as_deref().unwrap_or("-"), k.material.describe())),
            )
            .finish()
    }
}

impl KeySet {
    /// The key ids in the set.
    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().filter_map(|k| k.kid.as_deref()).collect()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Selects the key for a token: by `kid`, or the only key that fits
    /// `alg` when the token has no `kid`. The error is a message for
    /// `unknown_key`.
    pub(crate) fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<usize, String> {
        let fits = |k: &&VerifyingKey| k.material.fits(alg) && k.alg.is_none_or(|a| a == alg);
        match kid {
            Some(kid) => {
                let (index, key) = self
                    .keys
                    .iter()
                    .enumerate()
                    .find(|(_, k)| k.kid.as_deref() == Some(kid))
                    .ok_or_else(|| format!("no key with kid `{}`", crate::text::shown(kid)))?;
                if fits(&key) {
                    Ok(index)
                } else {
                    Err(format!(
                        "key `{}` is {} and cannot verify `{}`",
                        crate::text::shown(kid),
                        key.material.describe(),
                        alg_name(alg)
                    ))
                }
            }
            None => {
                let mut candidates = self.keys.iter().enumerate().filter(|(_, k)| fits(k));
                match (candidates.next(), candidates.next()) {
                    (Some((index, _)), None) => Ok(index),
                    (None, _) => Err(format!("no key can verify `{}`", alg_name(alg))),
                    (Some(_), Some(_)) => Err(format!(
                        "the token has no `kid` and several keys can verify `{}`",
                        alg_name(alg)
                    )),
                }
            }
        }
    }
}

fn b64(obj: &serde_json::Map<String, Value>, field: &str) -> Result<Vec<u8>, String> {
    let text = obj
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("`{field}` is missing or not a string"))?;
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| format!("`{field}` is not unpadded base64url"))
}

const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth"];

/// Parses one JWK, checking that it can serve at least one of `algorithms`.
fn parse_key(value: &Value, algorithms: &[Algorithm]) -> Result<VerifyingKey, String> {
    let obj = value.as_object().ok_or("a key must be a JSON object")?;
    if let Some(m) = PRIVATE_MEMBERS.iter().find(|m| obj.contains_key(**m)) {
        return Err(format!(
            "the key holds private key material (`{m}`); publish only public keys"
        ));
    }
    let kid = match obj.get("kid") {
        None => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(_) => return Err("`kid` must be a non-empty string".into()),
    };
    match obj.get("use") {
        None => {}
        Some(Value::String(s)) if s == "sig" => {}
        Some(_) => return Err("`use` must be `sig` for a verification key".into()),
    }
    if let Some(ops) = obj.get("key_ops") {
        let verifies = ops
            .as_array()
            .is_some_and(|a| a.iter().any(|o| o.as_str() == Some("verify")));
        if !verifies {
            return Err("`key_ops` does not include `verify`".into());
        }
    }
    let alg = match obj.get("alg") {
        None => None,
        Some(Value::String(s)) => Some(parse_alg(s).ok_or_else(|| format!("`alg` `{s}` is not supported"))?),
        Some(_) => return Err("`alg` must be a string".into()),
    };
    let kty = obj.get("kty").and_then(Value::as_str).ok_or("`kty` is missing")?;
    let crv = obj.get("crv").and_then(Value::as_str);
    let (material, key) = match kty {
        "oct" => {
            let k = b64(obj, "k")?;
            (Material::Secret(k.len()), DecodingKey::from_secret(&k))
        }
        "RSA" => {
            let n = b64(obj, "n")?;
            let e = b64(obj, "e")?;
            let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
            if bits < 2048 {
                return Err(format!("RSA modulus of {bits} bits; at least 2048 are required"));
            }
            // e = 1 makes every "signature" its own message; an even e is
            // no RSA key at all.
            let e_digits: Vec<u8> = e.iter().copied().skip_while(|b| *b == 0).collect();
            let e_is_one = e_digits == [1];
            if e_digits.is_empty() || e_is_one || e_digits.last().is_some_and(|b| b % 2 == 0) || e_digits.len() > 8 {
                return Err("RSA public exponent `e` must be odd, at least 3 and at most 64 bits".into());
            }
            (Material::Rsa, DecodingKey::from_rsa_raw_components(&n, &e))
        }
        "EC" => {
            let (material, len) = match crv {
                Some("P-256") => (Material::P256, 32),
                Some("P-384") => (Material::P384, 48),
                other => return Err(format!("EC curve `{}` is not supported", other.unwrap_or("(none)"))),
            };
            let (x, y) = (b64(obj, "x")?, b64(obj, "y")?);
            if x.len() != len || y.len() != len {
                return Err(format!("EC coordinates must be {len} bytes each"));
            }
            let mut sec1 = Vec::with_capacity(1 + 2 * len);
            sec1.push(0x04);
            sec1.extend_from_slice(&x);
            sec1.extend_from_slice(&y);
            let on_curve = match material {
                Material::P256 => p256::PublicKey::from_sec1_bytes(&sec1).is_ok(),
                _ => p384::PublicKey::from_sec1_bytes(&sec1).is_ok(),
            };
            if !on_curve {
                return Err(format!("the EC point is not on curve `{}`", crv.unwrap_or_default()));
            }
            let x = obj.get("x").and_then(Value::as_str).unwrap_or_default();
            let y = obj.get("y").and_then(Value::as_str).unwrap_or_default();
            (
                material,
                DecodingKey::from_ec_components(x, y).map_err(|e| format!("unusable EC key: {e}"))?,
            )
        }
        "OKP" => {
            if crv != Some("Ed25519") {
                return Err(format!("OKP curve `{}` is not supported", crv.unwrap_or("(none)")));
            }
            if b64(obj, "x")?.len() != 32 {
                return Err("Ed25519 `x` must be 32 bytes".into());
            }
            let x = obj.get("x").and_then(Value::as_str).unwrap_or_default();
            (
                Material::Ed25519,
                DecodingKey::from_ed_components(x).map_err(|e| format!("unusable Ed25519 key: {e}"))?,
            )
        }
        other => return Err(format!("key type `{other}` is not supported")),
    };
    if let Some(a) = alg {
        if !material.fits(a) {
            return Err(format!(
                "{} cannot serve its own `alg` `{}`",
                material.describe(),
                alg_name(a)
            ));
        }
        if !algorithms.contains(&a) {
            return Err(format!(
                "the key's `alg` `{}` is not among the kind's algorithms",
                alg_name(a)
            ));
        }
    }
    if !algorithms.iter().any(|a| material.fits(*a)) {
        return Err(format!(
            "{} fits none of the kind's algorithms{}",
            material.describe(),
            if matches!(material, Material::Secret(_)) {
                " (HMAC secrets must be at least as long as the hash: 32 bytes for HS256)"
            } else {
                ""
            }
        ));
    }
    let public_jwk = match material {
        Material::Secret(_) => None,
        _ => {
            let mut public = serde_json::Map::new();
            for member in ["kty", "crv", "n", "e", "x", "y"] {
                if let Some(v) = obj.get(member) {
                    public.insert(member.to_owned(), v.clone());
                }
            }
            Some(Value::Object(public))
        }
    };
    let thumbprint = public_jwk.as_ref().map(thumbprint);
    Ok(VerifyingKey {
        kid,
        material,
        alg,
        key,
        public_jwk,
        thumbprint,
    })
}

/// RFC 7638: base64url(SHA-256) of the required members, sorted by name, as
/// JSON without whitespace. A public JWK here holds exactly those members.
fn thumbprint(public_jwk: &Value) -> String {
    let Some(members) = public_jwk.as_object() else {
        return String::new();
    };
    // The names every key type requires, in sorted order.
    let fields: Vec<String> = ["crv", "e", "kty", "n", "x", "y"]
        .iter()
        .filter_map(|name| members.get(*name).map(|v| format!("\"{name}\":{v}")))
        .collect();
    URL_SAFE_NO_PAD.encode(Sha256::digest(format!("{{{}}}", fields.join(","))))
}

/// Which keys a JWK Set may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holds {
    /// Public keys and `oct` secrets (the policy document).
    Any,
    /// Public keys only (a set fetched at runtime: an `oct` key there would
    /// be a forgery key).
    Public,
    /// `oct` secrets only (the operator's secrets, supplied at runtime).
    Secrets,
}

impl VerifyingKey {
    /// Whether this is an HMAC secret.
    pub(crate) fn is_secret(&self) -> bool {
        matches!(self.material, Material::Secret(_))
    }
}

/// Parses a JWK Set `{"keys": [...]}` for a kind allowing `algorithms`,
/// holding the keys `holds` allows. Errors come as `(path below the set,
/// message)`.
pub(crate) fn parse_jwks(
    value: &Value,
    algorithms: &[Algorithm],
    holds: Holds,
) -> Result<KeySet, Vec<(String, String)>> {
    let Some(keys) = value.get("keys").and_then(Value::as_array) else {
        return Err(vec![(
            String::new(),
            "a JWK Set must be an object with a `keys` array".into(),
        )]);
    };
    let mut errors = Vec::new();
    let mut set = KeySet::default();
    for (i, key) in keys.iter().enumerate() {
        let oct = key.get("kty").and_then(Value::as_str) == Some("oct");
        let refused = match holds {
            Holds::Public if oct => {
                Some("a public key set holds public keys only; give HMAC secrets to the policy or to `set_secrets`")
            }
            Holds::Secrets if !oct => Some("a secret set holds `oct` keys only; give public keys to `set_jwks`"),
            _ => None,
        };
        if let Some(message) = refused {
            errors.push((format!(".keys[{i}]"), message.into()));
            continue;
        }
        match parse_key(key, algorithms) {
            Ok(k) => {
                if k.kid.is_some() && set.keys.iter().any(|o| o.kid == k.kid) {
                    errors.push((
                        format!(".keys[{i}]"),
                        format!("kid `{}` appears twice", k.kid.unwrap_or_default()),
                    ));
                } else {
                    set.keys.push(k);
                }
            }
            Err(msg) => errors.push((format!(".keys[{i}]"), msg)),
        }
    }
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638, section 3.1: the RSA key of RFC 7517 appendix A.1, with
    /// members beyond the required ones that the thumbprint leaves out.
    #[test]
    fn thumbprint_of_the_rfc_7638_example() {
        let jwk = serde_json::json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        let key = match parse_key(&jwk, &[Algorithm::RS256]) {
            Ok(key) => key,
            Err(e) => panic!("the RFC key is refused: {e}"),
        };
        assert_eq!(
            key.thumbprint.as_deref(),
            Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
        // Member order in the document does not change it.
        let reordered = serde_json::json!({"e": jwk["e"], "n": jwk["n"], "kty": "RSA"});
        assert_eq!(thumbprint(&reordered), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }
}
