//! An optional, bounded memory of signatures already checked.
//!
//! Checking an ES256 or RS256 signature is most of the cost of verifying a
//! token (about 1.7 ms in wasm), and a client presents the same token on
//! every request until it expires. With the cache on, a token whose
//! signature verified once against a key is not checked against that key
//! again; everything else is: the header, the kind, `exp`, `nbf`, `iat`,
//! the audience, revoked sessions and keys, on every use. Entries are keyed
//! by the SHA-256 of the whole token and hold the key set they verified
//! against: a new JWK Set (`set_jwks`, `set_secrets`, a refresh) empties
//! the cache, and an entry of another key set is never a match. Only valid
//! signatures are remembered, so refused tokens cannot fill it; when full,
//! the oldest entry goes.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use crate::jwk::KeySet;

/// The largest capacity accepted.
pub const MAX_CACHED_TOKENS: usize = 1_000_000;

/// One signature that verified: against which key set, key and algorithm.
#[derive(Debug)]
struct Entry {
    keys: Arc<KeySet>,
    key: usize,
    alg: jsonwebtoken::Algorithm,
}

#[derive(Debug, Default)]
struct State {
    capacity: usize,
    entries: HashMap<TokenId, Entry>,
    order: VecDeque<TokenId>,
}

/// The cache a policy holds: off (capacity 0) until the host turns it on.
/// The capacity is also kept outside the lock, so a policy without the
/// cache neither hashes tokens nor takes a lock.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    capacity: AtomicUsize,
    state: Mutex<State>,
}

/// What a cached signature is known by: the SHA-256 of the whole token.
pub(crate) type TokenId = [u8; 32];

/// The id of a token.
pub(crate) fn token_id(token: &str) -> TokenId {
    Sha256::digest(token.as_bytes()).into()
}

impl TokenCache {
    /// The state; a panic while holding the lock cannot leave it
    /// inconsistent in a way that matters (at worst an entry is missing).
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets the capacity (0 turns the cache off) and empties it.
    pub(crate) fn resize(&self, capacity: usize) {
        let capacity = capacity.min(MAX_CACHED_TOKENS);
        let mut state = self.state();
        *state = State {
            capacity,
            ..State::default()
        };
        self.capacity.store(capacity, Ordering::Relaxed);
    }

    /// Whether the host turned the cache on.
    pub(crate) fn enabled(&self) -> bool {
        self.capacity.load(Ordering::Relaxed) > 0
    }

    /// Forgets every entry (the keys changed).
    pub(crate) fn clear(&self) {
        let mut state = self.state();
        state.entries.clear();
        state.order.clear();
    }

    /// How many signatures are remembered.
    pub(crate) fn len(&self) -> usize {
        self.state().entries.len()
    }

    /// Whether `token`'s signature verified before against this very key.
    pub(crate) fn verified(&self, id: &TokenId, keys: &Arc<KeySet>, key: usize, alg: jsonwebtoken::Algorithm) -> bool {
        let state = self.state();
        if state.capacity == 0 {
            return false;
        }
        state
            .entries
            .get(id)
            .is_some_and(|e| Arc::ptr_eq(&e.keys, keys) && e.key == key && e.alg == alg)
    }

    /// Remembers that `token`'s signature verified against this key.
    pub(crate) fn remember(&self, id: TokenId, keys: &Arc<KeySet>, key: usize, alg: jsonwebtoken::Algorithm) {
        let mut state = self.state();
        if state.capacity == 0 {
            return;
        }
        let entry = Entry {
            keys: Arc::clone(keys),
            key,
            alg,
        };
        if state.entries.insert(id, entry).is_some() {
            return;
        }
        state.order.push_back(id);
        while state.order.len() > state.capacity {
            if let Some(oldest) = state.order.pop_front() {
                state.entries.remove(&oldest);
            }
        }
    }
}
