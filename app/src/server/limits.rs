//! Rate limits on guessable things: sign-in, password reset, status lookup.
//!
//! Each limit is a token bucket (the `governor` crate) per key: it refills steadily,
//! so an attacker is slowed to a crawl while nobody is ever locked out for good.
//! Buckets live in memory; a restart forgets them, which costs an attacker a burst
//! per restart at most.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::time::Duration;

pub struct Limits {
    /// Sign-in attempts per account (the e-mail typed, whether or not it exists).
    sign_in_by_account: DefaultKeyedRateLimiter<String>,
    /// Sign-in attempts per client address, across accounts.
    sign_in_by_address: DefaultKeyedRateLimiter<String>,
    /// Password-reset and registration messages per client address.
    messages_by_address: DefaultKeyedRateLimiter<String>,
    /// Status lookups by number and e-mail, per client address.
    lookups_by_address: DefaultKeyedRateLimiter<String>,
}

fn quota(burst: u32, one_every: Duration) -> Quota {
    Quota::with_period(one_every)
        .expect("a non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("a non-zero burst"))
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            sign_in_by_account: RateLimiter::keyed(quota(10, Duration::from_secs(6))),
            sign_in_by_address: RateLimiter::keyed(quota(30, Duration::from_secs(2))),
            messages_by_address: RateLimiter::keyed(quota(10, Duration::from_secs(60))),
            lookups_by_address: RateLimiter::keyed(quota(30, Duration::from_secs(2))),
        }
    }
}

impl Limits {
    /// Whether another sign-in attempt for this account from this address may go ahead.
    pub fn sign_in(&self, email: &str, address: &str) -> bool {
        let by_address = self
            .sign_in_by_address
            .check_key(&address.to_string())
            .is_ok();
        let by_account = self
            .sign_in_by_account
            .check_key(&email.trim().to_lowercase())
            .is_ok();
        by_address && by_account
    }

    pub fn message(&self, address: &str) -> bool {
        self.messages_by_address
            .check_key(&address.to_string())
            .is_ok()
    }

    pub fn lookup(&self, address: &str) -> bool {
        self.lookups_by_address
            .check_key(&address.to_string())
            .is_ok()
    }

    /// Drops buckets that have refilled, so memory does not grow with every address.
    pub fn forget_idle(&self) {
        self.sign_in_by_account.retain_recent();
        self.sign_in_by_address.retain_recent();
        self.messages_by_address.retain_recent();
        self.lookups_by_address.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_slowed_after_ten_attempts_whatever_the_letter_case() {
        let limits = Limits::default();
        for _ in 0..10 {
            assert!(limits.sign_in("Ada@Example.com", "10.0.0.1"));
        }
        assert!(!limits.sign_in("ada@example.com", "10.0.0.2"));
        assert!(limits.sign_in("bo@example.com", "10.0.0.2"));
    }
}
