//! A sans-IO helper that tells the host when to refetch a JWK Set.

/// When to refetch a kind's JWK Set: after `max_age`, or on an unknown `kid`
/// at most once per `cooldown` (so a flood of tokens with made-up `kid`s
/// cannot force a refetch storm). After a failed fetch the host keeps the
/// last good set (it simply does not call `set_jwks`) and retries with
/// exponential backoff, never later than `max_age`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksRefresh {
    max_age: i64,
    cooldown: i64,
    fetched_at: Option<i64>,
    attempted_at: Option<i64>,
    failures: u32,
}

/// Seconds a fetched JWK Set is used before it is fetched again, unless the
/// host says otherwise.
pub const DEFAULT_MAX_AGE: i64 = 300;
/// Seconds between two fetches caused by unknown `kid`s, unless the host
/// says otherwise.
pub const DEFAULT_COOLDOWN: i64 = 30;

impl Default for JwksRefresh {
    fn default() -> Self {
        JwksRefresh::new(DEFAULT_MAX_AGE, DEFAULT_COOLDOWN)
    }
}

impl JwksRefresh {
    /// A helper for sets cached `max_age` seconds, refetching on unknown
    /// `kid`s at most every `cooldown` seconds.
    pub fn new(max_age: i64, cooldown: i64) -> Self {
        JwksRefresh {
            max_age: max_age.max(1),
            cooldown: cooldown.max(1),
            fetched_at: None,
            attempted_at: None,
            failures: 0,
        }
    }

    /// The earliest time the next fetch should happen.
    pub fn next_fetch_at(&self) -> i64 {
        let Some(attempted) = self.attempted_at else {
            return i64::MIN;
        };
        if self.failures > 0 {
            let backoff = self
                .cooldown
                .saturating_mul(1i64 << self.failures.min(30))
                .min(self.max_age);
            return attempted.saturating_add(backoff);
        }
        self.fetched_at.unwrap_or(attempted).saturating_add(self.max_age)
    }

    /// Whether a scheduled fetch is due at `now`.
    pub fn due(&self, now: i64) -> bool {
        now >= self.next_fetch_at()
    }

    /// A token named a `kid` the set lacks: whether to refetch now. Returns
    /// `false` within the cooldown of the previous attempt.
    pub fn on_unknown_kid(&self, now: i64) -> bool {
        match self.attempted_at {
            None => true,
            Some(_) if self.failures > 0 => now >= self.next_fetch_at(),
            Some(at) => now >= at.saturating_add(self.cooldown),
        }
    }

    /// Records a successful fetch (after `set_jwks` accepted the set).
    pub fn succeeded(&mut self, now: i64) {
        self.fetched_at = Some(now);
        self.attempted_at = Some(now);
        self.failures = 0;
    }

    /// Records a failed fetch; the last good set keeps serving.
    pub fn failed(&mut self, now: i64) {
        self.attempted_at = Some(now);
        self.failures = self.failures.saturating_add(1);
    }

    /// Consecutive failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// When the set in use was fetched.
    pub fn fetched_at(&self) -> Option<i64> {
        self.fetched_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_cooldown_and_backoff() {
        let mut r = JwksRefresh::new(300, 30);
        assert!(r.due(0), "never fetched: due");
        assert!(r.on_unknown_kid(0));
        r.succeeded(100);
        assert!(!r.due(399));
        assert!(r.due(400), "max-age reached");
        assert!(!r.on_unknown_kid(110), "within the cooldown");
        assert!(r.on_unknown_kid(130));
        r.failed(130);
        assert_eq!(r.failures(), 1);
        assert_eq!(r.next_fetch_at(), 190, "backoff 30 * 2");
        assert!(!r.on_unknown_kid(150));
        r.failed(190);
        assert_eq!(r.next_fetch_at(), 310, "backoff 30 * 4");
        for t in 0..20 {
            r.failed(1000 + t);
        }
        assert_eq!(r.next_fetch_at(), 1019 + 300, "backoff never exceeds max-age");
        assert_eq!(r.fetched_at(), Some(100), "the last good fetch is remembered");
        r.succeeded(2000);
        assert_eq!(r.failures(), 0);
        assert_eq!(r.next_fetch_at(), 2300);
    }
}
