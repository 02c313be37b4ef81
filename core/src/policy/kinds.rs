//! Compiled `type: jwt` credential kinds: the model that verification and
//! issuing read, with the key set that `set_jwks` replaces at runtime.

use std::sync::{Arc, RwLock};

use jsonwebtoken::Algorithm;

use crate::jwk::KeySet;

/// Default clock leeway, seconds.
pub const DEFAULT_LEEWAY: u64 = 30;
/// Default cap on the lifetime of tokens permiso issues, seconds.
pub const DEFAULT_MAX_LIFETIME: u64 = 3600;

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

    /// Replaces the key set with what `update` makes of the current one,
    /// under the write lock (two updates never lose each other's half); an
    /// error keeps the current set.
    pub(crate) fn update_keys<E>(&self, update: impl FnOnce(&KeySet) -> Result<KeySet, E>) -> Result<(), E> {
        let mut guard = match self.keys.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let next = update(&guard)?;
        *guard = Arc::new(next);
        Ok(())
    }
}
