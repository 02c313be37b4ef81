//! An optional, bounded memory of tokens already verified.
//!
//! Checking an ES256 or RS256 signature is most of the cost of verifying a
//! token (about 1.7 ms in wasm), and a client presents the same token on
//! every request until it expires. With the cache on, a token whose
//! signature verified once against a key is not checked against that key
//! again, and its header and claims are not decoded again: the entry keeps
//! the decoded claims. Everything that can change between uses is checked on
//! every use: the kind the claims select (it must be the one the token was
//! verified under, with the same key set), `exp`, `nbf`, `iat`, the issuer
//! and audience, revoked sessions and keys, the service-account mapping.
//! Entries are keyed by the SHA-256 of the whole token and hold the key set
//! they verified against: a new JWK Set (`set_jwks`, `set_secrets`, a
//! refresh) empties the cache, and an entry of another key set is never a
//! match. Only valid signatures are remembered, so refused tokens cannot fill
//! it. It holds at most its capacity of tokens and at most
//! [`MAX_CACHED_TOKEN_BYTES`] of them by length (their claims take a small
//! multiple of that); when full, the oldest entry goes.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use crate::jwk::KeySet;

/// The largest capacity accepted.
pub const MAX_CACHED_TOKENS: usize = 1_000_000;

/// The most token text the cache holds at once, in bytes: the sum of its
/// tokens' lengths (32 MiB; the oldest go first beyond it).
pub const MAX_CACHED_TOKEN_BYTES: usize = 32 << 20;

/// A token that verified: under which kind, against which key set, key and
/// algorithm, and its decoded claims.
#[derive(Debug, Clone)]
pub(crate) struct Known {
    pub(crate) kind: Arc<str>,
    pub(crate) keys: Arc<KeySet>,
    pub(crate) key: usize,
    pub(crate) alg: jsonwebtoken::Algorithm,
    pub(crate) claims: Arc<crate::claims::Claims>,
}

#[derive(Debug)]
struct Entry {
    known: Known,
    /// The token's length, counted against [`MAX_CACHED_TOKEN_BYTES`].
    bytes: usize,
}

#[derive(Debug, Default)]
struct State {
    capacity: usize,
    bytes: usize,
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
        state.bytes = 0;
    }

    /// How many tokens are remembered.
    pub(crate) fn len(&self) -> usize {
        self.state().entries.len()
    }

    /// What the cache knows of the token `id`, if it verified before.
    pub(crate) fn known(&self, id: &TokenId) -> Option<Known> {
        let state = self.state();
        if state.capacity == 0 {
            return None;
        }
        state.entries.get(id).map(|e| e.known.clone())
    }

    /// Remembers that the token `id`, `bytes` long, verified.
    pub(crate) fn remember(&self, id: TokenId, known: Known, bytes: usize) {
        let mut state = self.state();
        if state.capacity == 0 || bytes > MAX_CACHED_TOKEN_BYTES {
            return;
        }
        if let Some(entry) = state.entries.get_mut(&id) {
            // Verified again (against keys the entry did not know): the
            // newer verification stands, in the same place.
            entry.known = known;
            return;
        }
        state.entries.insert(id, Entry { known, bytes });
        state.order.push_back(id);
        state.bytes += bytes;
        while state.order.len() > state.capacity || state.bytes > MAX_CACHED_TOKEN_BYTES {
            let Some(oldest) = state.order.pop_front() else { break };
            if let Some(gone) = state.entries.remove(&oldest) {
                state.bytes -= gone.bytes;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(keys: &Arc<KeySet>) -> Known {
        Known {
            kind: "session".into(),
            keys: Arc::clone(keys),
            key: 0,
            alg: jsonwebtoken::Algorithm::ES256,
            claims: Arc::default(),
        }
    }

    #[test]
    fn bounded_by_entries_and_by_bytes_oldest_first() {
        let cache = TokenCache::default();
        let keys = Arc::new(KeySet::default());
        let remember = |n: u8, bytes: usize| cache.remember([n; 32], known(&keys), bytes);
        remember(1, 10);
        assert!(cache.known(&[1; 32]).is_none(), "off until resized");
        cache.resize(3);
        for n in 1..=4 {
            remember(n, 10);
        }
        assert_eq!(cache.len(), 3);
        assert!(cache.known(&[1; 32]).is_none() && cache.known(&[4; 32]).is_some());
        // Three entries fit by count; two large ones push the others out by bytes.
        remember(5, MAX_CACHED_TOKEN_BYTES / 2);
        remember(6, MAX_CACHED_TOKEN_BYTES / 2);
        assert_eq!(cache.len(), 2);
        assert!(cache.known(&[5; 32]).is_some() && cache.known(&[6; 32]).is_some());
        remember(7, 1);
        assert_eq!(cache.len(), 2);
        assert!(cache.known(&[5; 32]).is_none() && cache.known(&[7; 32]).is_some());
        // A token verified again keeps its place and takes the newer keys.
        let other = Arc::new(KeySet::default());
        cache.remember([7; 32], known(&other), 1);
        assert_eq!(cache.len(), 2);
        assert!(cache.known(&[7; 32]).is_some_and(|k| Arc::ptr_eq(&k.keys, &other)));
        // Nothing larger than the whole budget is kept; clearing frees the budget.
        remember(8, MAX_CACHED_TOKEN_BYTES + 1);
        assert!(cache.known(&[8; 32]).is_none());
        cache.clear();
        remember(9, MAX_CACHED_TOKEN_BYTES);
        assert_eq!(cache.len(), 1);
    }
}
