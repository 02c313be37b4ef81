//! JWTs: verification, identity mapping, issuing and delegation.
//!
//! permiso parses the compact JWS itself (sizes, header, `crit`, claim
//! types) and hands only the signature check to the crypto backend of
//! `jsonwebtoken` (aws-lc natively, RustCrypto in wasm), chosen explicitly
//! so no process-global provider is involved.

mod issue;
pub(crate) mod jwk;
mod refresh;
mod verify;

use std::sync::{Arc, RwLock};

use jsonwebtoken::Algorithm;

use crate::code::Code;

pub use issue::{DelegationRequest, SessionRequest, SigningKey};
pub use jwk::KeySet;
pub use refresh::JwksRefresh;
pub use verify::{PendingToken, VerifiedToken, VerifyTokenOptions};

/// Longest token accepted, in bytes; longer input is refused before decoding.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;
/// Deepest `act` chain accepted.
pub const MAX_ACTOR_DEPTH: usize = 8;
/// Default clock leeway, seconds.
pub const DEFAULT_LEEWAY: u64 = 30;
/// Default cap on the lifetime of tokens permiso issues, seconds.
pub const DEFAULT_MAX_LIFETIME: u64 = 3600;

/// Why a token was refused or could not be issued. Messages never contain
/// signatures, tokens or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TokenError {
    code: Code,
    message: String,
}

impl TokenError {
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        TokenError {
            code,
            message: message.into(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> Code {
        self.code
    }
}

pub(crate) type TokenResult<T> = Result<T, TokenError>;

/// A compiled `type: jwt` credential kind.
#[derive(Debug)]
pub(crate) struct JwtKind {
    pub(crate) issuer: String,
    pub(crate) audience: String,
    pub(crate) algorithms: Vec<Algorithm>,
    pub(crate) leeway: i64,
    pub(crate) subject: String,
    pub(crate) scopes_claim: String,
    pub(crate) roles_claim: Option<String>,
    pub(crate) tenant_claim: Option<String>,
    pub(crate) require_exp: bool,
    pub(crate) max_lifetime: i64,
    /// Replaced at runtime by [`crate::Policy::set_jwks`]; readers take a
    /// snapshot (`Arc`) and never hold the lock while verifying.
    pub(crate) keys: RwLock<Arc<KeySet>>,
}

impl JwtKind {
    pub(crate) fn key_set(&self) -> Arc<KeySet> {
        match self.keys.read() {
            Ok(guard) => Arc::clone(&guard),
            // The lock only ever guards an `Arc` swap, so the data is intact.
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub(crate) fn replace_keys(&self, keys: KeySet) {
        let keys = Arc::new(keys);
        match self.keys.write() {
            Ok(mut guard) => *guard = keys,
            Err(poisoned) => *poisoned.into_inner() = keys,
        }
    }
}

/// The signature backend, chosen by crate feature.
#[cfg(feature = "aws-lc")]
pub(crate) fn provider() -> &'static jsonwebtoken::crypto::CryptoProvider {
    &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
}

/// The signature backend, chosen by crate feature.
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
pub(crate) fn provider() -> &'static jsonwebtoken::crypto::CryptoProvider {
    &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
}

#[cfg(not(any(feature = "aws-lc", feature = "rust-crypto")))]
compile_error!("permiso needs a signature backend: enable the `aws-lc` or the `rust-crypto` feature");

/// The name of the active signature backend (`aws-lc` or `rust-crypto`).
pub fn backend() -> &'static str {
    if cfg!(feature = "aws-lc") {
        "aws-lc"
    } else {
        "rust-crypto"
    }
}
