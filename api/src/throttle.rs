//! Request rate limits per API key and per client address (GCRA, from `governor`), so one
//! client cannot take every worker, and guessing keys costs the guesser more than the server.
//! The address limit runs before anything else, the key limit right after authentication.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::config::RequestLimits;
use crate::error::{AppError, ErrorCode};

/// Checks between two sweeps of idle entries (each sweep walks the whole map once).
const SWEEP_EVERY: u64 = 4_096;

struct Limiter<K: Hash + Eq + Clone> {
    limiter: RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    /// `per_second` sustained with bursts of twice that; None when 0 (no limit).
    fn new(per_second: u32) -> Option<Limiter<K>> {
        let rate = NonZeroU32::new(per_second)?;
        let burst = NonZeroU32::new(per_second.saturating_mul(2)).unwrap_or(rate);
        Some(Limiter {
            limiter: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        })
    }

    fn check(&self, key: &K) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            // Entries of clients that went quiet are full buckets again: nothing to keep.
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// The two limits one server enforces.
pub struct Throttle {
    per_key: Option<Limiter<String>>,
    per_address: Option<Limiter<IpAddr>>,
}

impl Throttle {
    pub fn new(limits: &RequestLimits) -> Throttle {
        Throttle {
            per_key: Limiter::new(limits.rate_limit_per_key),
            per_address: Limiter::new(limits.rate_limit_per_ip),
        }
    }

    pub fn check_address(&self, address: IpAddr) -> Result<(), RateLimited> {
        match &self.per_address {
            Some(limiter) => limiter.check(&address).map_err(RateLimited),
            None => Ok(()),
        }
    }

    pub fn check_key(&self, key_id: &str) -> Result<(), RateLimited> {
        match &self.per_key {
            Some(limiter) => limiter.check(&key_id.to_string()).map_err(RateLimited),
            None => Ok(()),
        }
    }
}

/// A refusal, with how long until the next request would be let through.
#[derive(Debug)]
pub struct RateLimited(pub Duration);

impl RateLimited {
    /// Whole seconds for `Retry-After` (at least 1: the header has no smaller unit).
    pub fn retry_after_secs(&self) -> u64 {
        u64::try_from(self.0.as_millis())
            .unwrap_or(u64::MAX)
            .div_ceil(1000)
            .max(1)
    }
}

impl From<RateLimited> for AppError {
    fn from(_: RateLimited) -> AppError {
        AppError::new(
            ErrorCode::RateLimited,
            "too many requests; slow down and retry",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_key: u32, per_ip: u32) -> RequestLimits {
        RequestLimits {
            rate_limit_per_key: per_key,
            rate_limit_per_ip: per_ip,
            ..RequestLimits::default()
        }
    }

    #[test]
    fn allows_a_burst_of_twice_the_rate_then_refuses() {
        let throttle = Throttle::new(&limits(5, 0));
        for _ in 0..10 {
            assert!(throttle.check_key("a").is_ok());
        }
        let refused = throttle.check_key("a").unwrap_err();
        assert!(refused.0 <= Duration::from_millis(200), "{refused:?}");
        assert_eq!(refused.retry_after_secs(), 1);
        // Another key has its own bucket; addresses are not limited at all.
        assert!(throttle.check_key("b").is_ok());
        for _ in 0..100 {
            assert!(throttle.check_address([127, 0, 0, 1].into()).is_ok());
        }
    }
}
