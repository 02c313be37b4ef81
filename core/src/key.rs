//! API keys: `{prefix}_{id}_{secret}{checksum}`.
//!
//! Keys are generated from the OS CSPRNG, shown once, stored only as a hash
//! ([`KeyRecord::hash`]) and verified in constant time.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::code::Code;
use crate::secret::{Pepper, SecretKey};

/// Length of the public key id, in base62 characters.
pub const ID_LEN: usize = 12;
/// Length of the random secret, in base62 characters.
pub const SECRET_LEN: usize = 32;
/// Length of the CRC-32 checksum, in base62 characters.
pub const CHECKSUM_LEN: usize = 6;
/// Longest prefix a credential kind may declare.
pub const MAX_PREFIX_LEN: usize = 32;
/// Longest string the parser looks at; longer input is `malformed_key`.
pub const MAX_KEY_LEN: usize = MAX_PREFIX_LEN + 2 + ID_LEN + SECRET_LEN + CHECKSUM_LEN;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Why a key was refused. Messages never contain the key or its secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The string does not have the key shape.
    #[error("malformed key: {reason}")]
    Malformed {
        /// What is wrong with the shape.
        reason: &'static str,
    },
    /// The prefix names no API-key credential kind.
    #[error("unknown key prefix `{prefix}`")]
    UnknownPrefix {
        /// The prefix read from the key.
        prefix: String,
    },
    /// The checksum does not match.
    #[error("key checksum does not match: the key was mistyped or truncated")]
    BadChecksum,
    /// No record exists for the key id.
    #[error("no key record for key id `{id}`")]
    UnknownKey {
        /// The key id read from the key.
        id: String,
    },
    /// The key does not match the record's hash.
    #[error("key `{id}` does not match its stored hash")]
    Mismatch {
        /// The key id.
        id: String,
    },
    /// The record's kind is not the prefix's kind.
    #[error("key `{id}` has the prefix of `{actual}` but its record is a `{expected}` key")]
    KindMismatch {
        /// The key id.
        id: String,
        /// The kind of the record.
        expected: String,
        /// The kind of the key's prefix.
        actual: String,
    },
    /// The key is past its expiry.
    #[error("key `{id}` expired at {at}")]
    Expired {
        /// The key id.
        id: String,
        /// When it expired (unix seconds).
        at: i64,
    },
    /// The key has been revoked.
    #[error("key `{id}` has been revoked")]
    Revoked {
        /// The key id.
        id: String,
    },
    /// The host's record is unusable.
    #[error("invalid key record: {reason}")]
    InvalidRecord {
        /// What is wrong with it.
        reason: String,
    },
    /// The credential kind does not exist or is not an API-key kind.
    #[error("`{kind}` is not an API key credential kind of this policy")]
    UnknownKind {
        /// The kind asked for.
        kind: String,
    },
    /// Requested scopes exceed what is allowed.
    #[error("scope `{scope}` exceeds {limit}")]
    ScopeEscalation {
        /// The offending scope.
        scope: String,
        /// What it exceeds.
        limit: &'static str,
    },
    /// A requested scope is not a valid permission pattern.
    #[error("scope `{scope}` is not a permission of this policy")]
    UnknownScope {
        /// The offending scope.
        scope: String,
    },
    /// The OS random number generator failed.
    #[error("the operating system's random number generator failed")]
    Entropy,
    /// A time argument that cannot be unix seconds (milliseconds?).
    #[error(transparent)]
    Time(#[from] crate::time::TimeError),
}

impl KeyError {
    /// The stable code.
    pub fn code(&self) -> Code {
        match self {
            KeyError::Malformed { .. } => Code::MalformedKey,
            KeyError::UnknownPrefix { .. } => Code::UnknownPrefix,
            KeyError::BadChecksum => Code::BadChecksum,
            KeyError::UnknownKey { .. } => Code::UnknownKey,
            KeyError::Mismatch { .. } => Code::KeyMismatch,
            KeyError::KindMismatch { .. } => Code::KindMismatch,
            KeyError::Expired { .. } => Code::Expired,
            KeyError::Revoked { .. } => Code::Revoked,
            KeyError::InvalidRecord { .. } => Code::InvalidKeyRecord,
            KeyError::UnknownKind { .. } => Code::UnknownCredentialKind,
            KeyError::ScopeEscalation { .. } => Code::ScopeEscalation,
            KeyError::UnknownScope { .. } => Code::UnknownPermission,
            KeyError::Entropy => Code::EntropyUnavailable,
            KeyError::Time(e) => e.code(),
        }
    }
}

/// Whether `id` has the shape of a key id: [`ID_LEN`] base62 characters.
pub fn is_key_id(id: &str) -> bool {
    id.len() == ID_LEN && id.bytes().all(is_base62)
}

fn is_base62(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// CRC-32 (IEEE) of `text`, in base62, most significant digit first,
/// left-padded with `0` to six characters.
pub fn checksum(text: &str) -> [u8; CHECKSUM_LEN] {
    // Slice-by-16 natively; bytewise (a 1 KB table, not 16 KB) in wasm.
    #[cfg(not(target_arch = "wasm32"))]
    type Table = crc::Table<16>;
    #[cfg(target_arch = "wasm32")]
    type Table = crc::Table<1>;
    const CRC32: crc::Crc<u32, Table> = crc::Crc::<u32, Table>::new(&crc::CRC_32_ISO_HDLC);
    let mut n = CRC32.checksum(text.as_bytes());
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62.get((n % 62) as usize).copied().unwrap_or(b'0');
        n /= 62;
    }
    out
}

/// Whether `prefix` is a well-formed key prefix: lowercase `[a-z0-9]` words
/// joined by single `_`, at most [`MAX_PREFIX_LEN`] characters.
pub fn is_valid_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.len() <= MAX_PREFIX_LEN
        && prefix
            .split('_')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// The shape of a key in one pass over its bytes plus fixed positions (the
/// hot path of every key request): `{prefix}_{id}_{secret}{checksum}` with a
/// 12-character id and a 38-character tail, all base62, the prefix valid.
/// Returns the prefix length. Reading the key from the right this way is the
/// same as splitting at its last two `_`.
fn well_formed(text: &str) -> Option<usize> {
    const TAIL: usize = SECRET_LEN + CHECKSUM_LEN;
    let bytes = text.as_bytes();
    if bytes.len() > MAX_KEY_LEN {
        return None;
    }
    // Every byte is looked at (no early exit), which the compiler turns into
    // vector compares: ~5x faster than stopping at the first bad byte.
    let key_bytes = bytes.iter().fold(true, |ok, &b| ok & (is_base62(b) | (b == b'_')));
    if !key_bytes {
        return None;
    }
    let prefix_len = bytes.len().checked_sub(TAIL + ID_LEN + 2)?;
    let rest = bytes.get(prefix_len..)?;
    let (id, tail) = rest.get(1..)?.split_at_checked(ID_LEN)?;
    let shaped = rest.first() == Some(&b'_')
        && tail.first() == Some(&b'_')
        && !id.contains(&b'_')
        && !tail.get(1..)?.contains(&b'_');
    (shaped && is_valid_prefix(text.get(..prefix_len)?)).then_some(prefix_len)
}

/// Why a key that is not [`well_formed`] is malformed, checked in the order
/// a person fixing it would want to hear.
fn malformed_reason(text: &str) -> &'static str {
    if text.is_empty() {
        return "the key is empty";
    }
    if text.len() > MAX_KEY_LEN {
        return "the key is longer than any valid key";
    }
    if !text.is_ascii() {
        return "the key contains non-ASCII characters";
    }
    if text.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) {
        return "the key contains whitespace or control characters";
    }
    let Some((head, tail)) = text.rsplit_once('_') else {
        return "the key has no `_` separators";
    };
    if tail.len() != SECRET_LEN + CHECKSUM_LEN || !tail.bytes().all(is_base62) {
        return "the secret part is not 38 base62 characters";
    }
    let Some((prefix, id)) = head.rsplit_once('_') else {
        return "the key has no prefix";
    };
    if id.len() != ID_LEN || !id.bytes().all(is_base62) {
        return "the id part is not 12 base62 characters";
    }
    if !is_valid_prefix(prefix) {
        return "the prefix is not lowercase words joined by `_`";
    }
    // Every shape `well_formed` refuses fails one check above.
    NOT_MALFORMED
}

/// What [`malformed_reason`] says of a key that passes every check.
const NOT_MALFORMED: &str = "the key is not `{prefix}_{id}_{secret}{checksum}`";

/// A syntactically valid API key whose checksum matches. Holds the plaintext:
/// `Debug` redacts the secret and the buffer is zeroized on drop.
#[derive(Clone)]
pub struct ApiKey {
    text: Zeroizing<String>,
    prefix_len: usize,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("prefix", &self.prefix())
            .field("id", &self.id())
            .field("secret", &"[redacted]")
            .finish()
    }
}

impl ApiKey {
    /// Parses a key's shape and checks its checksum. Does not consult any
    /// policy: the prefix is whatever stands before the id.
    ///
    /// The prefix may itself contain `_`, so the key is read from the right:
    /// the last `_` starts the 38-character secret and checksum, the one
    /// before it the 12-character id.
    pub fn parse(text: &str) -> Result<ApiKey, KeyError> {
        let key = KeyText::parse(text)?;
        Ok(ApiKey {
            text: Zeroizing::new(key.text.to_owned()),
            prefix_len: key.prefix_len,
        })
    }

    /// Assembles a key from its parts, computing the checksum.
    pub(crate) fn assemble(prefix: &str, id: &str, secret: &str) -> ApiKey {
        let mut text = Zeroizing::new(String::with_capacity(MAX_KEY_LEN));
        text.push_str(prefix);
        text.push('_');
        text.push_str(id);
        text.push('_');
        text.push_str(secret);
        let sum = checksum(&text);
        text.extend(sum.iter().map(|b| char::from(*b)));
        ApiKey {
            text,
            prefix_len: prefix.len(),
        }
    }

    /// The key as borrowed text.
    pub(crate) fn text(&self) -> KeyText<'_> {
        KeyText {
            text: &self.text,
            prefix_len: self.prefix_len,
        }
    }

    /// The prefix (names the credential kind).
    pub fn prefix(&self) -> &str {
        self.text().prefix()
    }

    /// The public key id: the lookup key, shown in audit logs as `key:<id>`.
    pub fn id(&self) -> &str {
        self.text().id()
    }

    /// The display mask: `{prefix}_{id}_...{last 4 characters}`.
    pub fn mask(&self) -> String {
        self.text().mask()
    }

    /// The full plaintext. Never log or store it.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// The hash to store: `sha256:<hex>`, or `hmac-sha256:<hex>` with a pepper.
    pub fn hash(&self, pepper: Option<&Pepper>) -> String {
        match pepper {
            None => format!("sha256:{}", hex::encode(self.text().sha256())),
            Some(p) => format!("hmac-sha256:{}", hex::encode(self.text().hmac(p))),
        }
    }

    /// Checks the key against a stored hash in constant time.
    ///
    /// Accepts `sha256:<hex>`, `hmac-sha256:<hex>` (needs the pepper) and a
    /// bare 64-hex SHA-256 from legacy stores.
    pub fn matches_hash(&self, stored: &str, pepper: Option<&Pepper>) -> Result<bool, KeyError> {
        self.text().matches_hash(stored, pepper)
    }
}

/// A key's text whose shape and checksum were checked, borrowed from the
/// caller (verification reads the key without copying its secret). `Debug`
/// is not derived: the text is the secret.
#[derive(Clone, Copy)]
pub(crate) struct KeyText<'a> {
    text: &'a str,
    prefix_len: usize,
}

impl<'a> KeyText<'a> {
    /// Checks `text`'s shape and checksum (see [`ApiKey::parse`]).
    pub(crate) fn parse(text: &'a str) -> Result<KeyText<'a>, KeyError> {
        let Some(prefix_len) = well_formed(text) else {
            return Err(KeyError::Malformed {
                reason: malformed_reason(text),
            });
        };
        let body_len = text.len() - CHECKSUM_LEN;
        let (body, sum) = (text.get(..body_len), text.get(body_len..));
        match (body, sum) {
            (Some(body), Some(sum)) if checksum(body).as_slice() == sum.as_bytes() => {}
            _ => return Err(KeyError::BadChecksum),
        }
        Ok(KeyText { text, prefix_len })
    }

    pub(crate) fn prefix(self) -> &'a str {
        self.text.get(..self.prefix_len).unwrap_or_default()
    }

    pub(crate) fn id(self) -> &'a str {
        let start = self.prefix_len + 1;
        self.text.get(start..start + ID_LEN).unwrap_or_default()
    }

    pub(crate) fn mask(self) -> String {
        let tail = self.text.get(self.text.len().saturating_sub(4)..).unwrap_or_default();
        let (prefix, id) = (self.prefix(), self.id());
        let mut mask = String::with_capacity(prefix.len() + id.len() + tail.len() + 5);
        for part in [prefix, "_", id, "_...", tail] {
            mask.push_str(part);
        }
        mask
    }

    fn sha256(self) -> [u8; 32] {
        Sha256::digest(self.text.as_bytes()).into()
    }

    fn hmac(self, pepper: &Pepper) -> [u8; 32] {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail;
        // an all-zero digest would simply never match.
        match Hmac::<Sha256>::new_from_slice(pepper.bytes()) {
            Ok(mut mac) => {
                mac.update(self.text.as_bytes());
                mac.finalize().into_bytes().into()
            }
            Err(_) => [0; 32],
        }
    }

    pub(crate) fn matches_hash(self, stored: &str, pepper: Option<&Pepper>) -> Result<bool, KeyError> {
        let invalid = |reason: &str| KeyError::InvalidRecord {
            reason: reason.to_owned(),
        };
        let (scheme, hex_digest) = match stored.split_once(':') {
            Some((scheme, rest)) => (scheme, rest),
            None => ("sha256", stored),
        };
        let mut expected = [0u8; 32];
        if hex_digest.len() != 64 || hex::decode_to_slice(hex_digest, &mut expected).is_err() {
            return Err(invalid("the hash is not 64 hexadecimal digits"));
        }
        let actual = match scheme {
            "sha256" => self.sha256(),
            "hmac-sha256" => match pepper {
                Some(p) => self.hmac(p),
                None => {
                    return Err(invalid(
                        "the hash is peppered (`hmac-sha256:`) but no pepper was supplied",
                    ))
                }
            },
            _ => return Err(invalid("the hash scheme is not `sha256` or `hmac-sha256`")),
        };
        Ok(bool::from(actual.ct_eq(&expected)))
    }
}

/// Fills `out` with uniformly random base62 characters from the OS CSPRNG.
pub(crate) fn random_base62(out: &mut [u8]) -> Result<(), KeyError> {
    let mut filled = 0;
    let mut buf = Zeroizing::new([0u8; 64]);
    while filled < out.len() {
        getrandom::getrandom(&mut buf[..]).map_err(|_| KeyError::Entropy)?;
        for b in buf.iter() {
            // 248 = 4 * 62: rejecting larger bytes keeps the choice uniform.
            if *b < 248 {
                if let Some(slot) = out.get_mut(filled) {
                    *slot = BASE62.get((*b % 62) as usize).copied().unwrap_or(b'0');
                    filled += 1;
                }
            }
        }
    }
    Ok(())
}

/// A stored API key: everything the host keeps, never the plaintext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, expecting = "a key record: {id, kind, hash, owner, ...}")]
pub struct KeyRecord {
    /// The public key id (12 base62 characters).
    pub id: String,
    /// The credential kind (a key of the policy's `credentials`).
    pub kind: String,
    /// `sha256:<hex>`, `hmac-sha256:<hex>` or a bare legacy SHA-256 hex.
    pub hash: String,
    /// `{prefix}_{id}_...{last 4}` for display and audit.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub mask: String,
    /// The principal id that owns the key (`user:1`, `project:p1`).
    pub owner: String,
    /// The tenant a `acts_as: key` key belongs to; defaults to the owner's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub tenant: Option<String>,
    /// Scopes capping what the key may do; absent means no cap beyond the kind.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub scopes: Option<Vec<String>>,
    /// A human label.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub label: Option<String>,
    /// Creation time (unix seconds).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: i64,
    /// Expiry (unix seconds); the key is refused from this instant on.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub expires_at: Option<i64>,
    /// Revocation time (unix seconds); the key is refused from this instant on.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub revoked_at: Option<i64>,
    /// Last successful use, maintained by the host.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub last_used_at: Option<i64>,
    /// The id of the key this one replaced.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub rolled_from: Option<String>,
}

impl KeyRecord {
    /// The record's state at `now`: `Err(Revoked)` or `Err(Expired)` when the
    /// key may no longer be used.
    pub fn check_live(&self, now: i64) -> Result<(), KeyError> {
        for (what, at) in [
            ("`expires_at`", self.expires_at),
            ("`revoked_at`", self.revoked_at),
            ("`created_at`", Some(self.created_at)),
        ] {
            if let Some(Err(e)) = at.map(|at| crate::time::unix_seconds("time", at)) {
                return Err(KeyError::InvalidRecord {
                    reason: format!("key `{}` {what}: {e}", self.id),
                });
            }
        }
        if self.revoked_at.is_some_and(|at| at <= now) {
            return Err(KeyError::Revoked { id: self.id.clone() });
        }
        if let Some(at) = self.expires_at.filter(|at| *at <= now) {
            return Err(KeyError::Expired {
                id: self.id.clone(),
                at,
            });
        }
        Ok(())
    }
}

/// A newly generated key: the plaintext (show it once) and its record.
#[derive(Debug, Clone)]
pub struct GeneratedKey {
    /// The plaintext key; never stored by permiso.
    pub key: SecretKey,
    /// What the host stores.
    pub record: KeyRecord,
}

/// A rotation: the new key and the old record with its grace expiry.
#[derive(Debug, Clone)]
pub struct Rotation {
    /// The replacement key.
    pub new: GeneratedKey,
    /// The old record, now expiring at the end of the grace period.
    pub old: KeyRecord,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ApiKey {
        ApiKey::assemble("pmo_psk", "4fT9kQ2mX8aB", "0123456789abcdefghijABCDEFGHIJxy")
    }

    #[test]
    fn assembled_keys_parse_back() {
        let key = sample();
        let parsed = ApiKey::parse(key.expose()).unwrap();
        assert_eq!(parsed.prefix(), "pmo_psk");
        assert_eq!(parsed.id(), "4fT9kQ2mX8aB");
        assert_eq!(parsed.expose().len(), 7 + 1 + 12 + 1 + 38);
        assert!(parsed.mask().starts_with("pmo_psk_4fT9kQ2mX8aB_..."));
        assert_eq!(parsed.mask().len(), "pmo_psk_4fT9kQ2mX8aB_...".len() + 4);
    }

    proptest::proptest! {
        /// The one-pass shape check accepts exactly what the step-by-step
        /// checks (which name the reason) accept: keys with edits at any
        /// position, of characters that matter to the shape.
        #[test]
        fn the_fast_shape_check_agrees_with_the_reasoned_one(
            edits in proptest::collection::vec((0usize..64, 0usize..8, 0u8..3), 0..4)
        ) {
            let mut text = sample().expose().to_owned().into_bytes();
            for (at, which, op) in edits {
                let c = [b'_', b'a', b'Z', b'0', b' ', b'-', 0xC3, b'\n'][which];
                let at = at.min(text.len());
                match op {
                    0 => text.insert(at, c),
                    1 if at < text.len() => { text[at] = c; }
                    _ if at < text.len() => { text.remove(at); }
                    _ => {}
                }
            }
            let text = String::from_utf8_lossy(&text);
            proptest::prop_assert_eq!(well_formed(&text).is_some(), malformed_reason(&text) == NOT_MALFORMED, "{:?}", text);
        }
    }

    #[test]
    fn checksum_is_crc32_in_padded_base62() {
        // crc32("") == 0 and crc32("a") == 0xe8b7be43 == 3904355907
        assert_eq!(&checksum(""), b"000000");
        let mut n: u64 = 3_904_355_907;
        let mut digits = Vec::new();
        while n > 0 {
            digits.push(BASE62[(n % 62) as usize]);
            n /= 62;
        }
        digits.reverse();
        let want = format!("{:0>6}", String::from_utf8(digits).unwrap());
        assert_eq!(checksum("a").as_slice(), want.as_bytes());
    }

    #[test]
    fn shape_errors_are_specific() {
        let key = sample();
        let text = key.expose();
        let code = |s: &str| ApiKey::parse(s).unwrap_err().code();
        assert_eq!(code(""), Code::MalformedKey);
        assert_eq!(code(&format!("{text}\n")), Code::MalformedKey);
        assert_eq!(code(&text.replace('a', "а")), Code::MalformedKey); // Cyrillic a
        assert_eq!(code(&text[..text.len() - 1]), Code::MalformedKey);
        let mut flipped = text.to_owned().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(code(std::str::from_utf8(&flipped).unwrap()), Code::BadChecksum);
        assert_eq!(
            code("PMO_4fT9kQ2mX8aB_0123456789abcdefghijABCDEFGHIJxy000000"),
            Code::MalformedKey
        );
    }

    #[test]
    fn hashes_verify_in_every_scheme() {
        let key = sample();
        let pepper = Pepper::from("pepper");
        let plain = key.hash(None);
        let legacy = plain.trim_start_matches("sha256:").to_owned();
        let peppered = key.hash(Some(&pepper));
        assert!(key.matches_hash(&plain, None).unwrap());
        assert!(key.matches_hash(&legacy, None).unwrap());
        assert!(key.matches_hash(&peppered, Some(&pepper)).unwrap());
        assert!(!key.matches_hash(&peppered, Some(&Pepper::from("other"))).unwrap());
        assert_eq!(
            key.matches_hash(&peppered, None).unwrap_err().code(),
            Code::InvalidKeyRecord
        );
        assert_eq!(
            key.matches_hash("md5:abc", None).unwrap_err().code(),
            Code::InvalidKeyRecord
        );
    }

    #[test]
    fn random_base62_is_base62() {
        let mut out = [0u8; 200];
        random_base62(&mut out).unwrap();
        assert!(out.iter().all(|b| b.is_ascii_alphanumeric()));
        let distinct: std::collections::HashSet<_> = out.iter().collect();
        assert!(distinct.len() > 40);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = sample();
        let dbg = format!("{key:?}");
        assert!(!dbg.contains("0123456789abcdefghij"));
        assert!(dbg.contains("4fT9kQ2mX8aB"));
    }
}
