//! JWTs: verification, identity mapping, issuing and delegation.
//!
//! permiso parses the compact JWS itself (sizes, header, `crit`, claim
//! types) and hands only the signature check to the crypto backend of
//! `jsonwebtoken` (aws-lc natively, RustCrypto in wasm), chosen explicitly
//! so no process-global provider is involved.

pub(crate) mod issue;
mod refresh;
pub(crate) mod verify;

use crate::code::Code;

pub use crate::claims::Claims;
pub use crate::jwk::KeySet;
pub(crate) use crate::policy::kinds::JwtKind;
pub use crate::policy::kinds::{DEFAULT_LEEWAY, DEFAULT_MAX_LIFETIME};
pub use issue::{DelegationRequest, SessionRequest, SigningKey};
pub use refresh::{JwksRefresh, DEFAULT_COOLDOWN, DEFAULT_MAX_AGE};
pub(crate) use verify::valid_subject;
pub use verify::{PendingToken, VerifiedToken, VerifyTokenOptions};

/// Longest token accepted, in bytes; longer input is refused before decoding.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;
/// Deepest `act` chain accepted.
pub const MAX_ACTOR_DEPTH: usize = 8;
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
