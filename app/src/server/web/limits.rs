//! Rate limits on guessable and floodable things: sign-in, password resets,
//! messages, status lookups, and logging tickets.
//!
//! Each limit is a token bucket (the `governor` crate) per key: it refills steadily,
//! so an attacker is slowed to a crawl while nobody is ever locked out for good.
//! Buckets live in memory; a restart forgets them, which costs an attacker a burst
//! per restart at most.
//!
//! A client is keyed by its address as the session middleware worked it out
//! (through trusted proxies), and an IPv6 address by its /64 network: one
//! subscriber gets a whole /64, so the rest of the address is theirs to rotate.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub struct Limits {
    /// Sign-in attempts per account (the e-mail typed, whether or not it exists).
    sign_in_by_account: DefaultKeyedRateLimiter<String>,
    /// Sign-in attempts per client, across accounts.
    sign_in_by_client: DefaultKeyedRateLimiter<String>,
    /// Password-reset and registration messages per client.
    messages_by_client: DefaultKeyedRateLimiter<String>,
    /// New passwords set through a link, per client.
    resets_by_client: DefaultKeyedRateLimiter<String>,
    /// Status lookups by number and e-mail, per client.
    lookups_by_client: DefaultKeyedRateLimiter<String>,
    /// Status lookups per ticket number and per e-mail address, whoever asks: a
    /// lookup is a guess at the pair, so spreading guesses over many clients
    /// gains nothing.
    lookups_by_ticket: DefaultKeyedRateLimiter<String>,
    lookups_by_email: DefaultKeyedRateLimiter<String>,
    /// Tickets logged and "this is my problem too", per client.
    tickets_by_client: DefaultKeyedRateLimiter<String>,
    /// Attached files received, per client, one cell per started megabyte: a
    /// burst of a gigabyte, then five megabytes a second.
    upload_mb_by_client: DefaultKeyedRateLimiter<String>,
    /// Answers to "Did this answer your question?" counted, per client: a
    /// browser that drops its cookie cannot stuff an article's counts.
    answers_by_client: DefaultKeyedRateLimiter<String>,
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
            sign_in_by_client: RateLimiter::keyed(quota(30, Duration::from_secs(2))),
            messages_by_client: RateLimiter::keyed(quota(10, Duration::from_secs(60))),
            resets_by_client: RateLimiter::keyed(quota(20, Duration::from_secs(6))),
            lookups_by_client: RateLimiter::keyed(quota(30, Duration::from_secs(2))),
            lookups_by_ticket: RateLimiter::keyed(quota(10, Duration::from_secs(6))),
            lookups_by_email: RateLimiter::keyed(quota(20, Duration::from_secs(3))),
            tickets_by_client: RateLimiter::keyed(quota(30, Duration::from_secs(4))),
            upload_mb_by_client: RateLimiter::keyed(quota(1000, Duration::from_millis(200))),
            answers_by_client: RateLimiter::keyed(quota(20, Duration::from_secs(30))),
        }
    }
}

/// The bucket key of a client address: an IPv6 address stands for its /64.
pub fn client_key(address: &str) -> String {
    match address.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V6(ip)) => {
            let segments = ip.segments();
            format!(
                "{:x}:{:x}:{:x}:{:x}::/64",
                segments[0], segments[1], segments[2], segments[3]
            )
        }
        Ok(IpAddr::V4(ip)) => ip.to_string(),
        Err(_) => address.to_string(),
    }
}

fn allows(limiter: &DefaultKeyedRateLimiter<String>, key: String) -> bool {
    limiter.check_key(&key).is_ok()
}

/// The bucket key of something typed (an e-mail address, a ticket number):
/// trimmed, lower-cased and cut to the longest address there can be, so that
/// nobody fills memory with long keys.
fn typed_key(typed: &str) -> String {
    typed.trim().to_lowercase().chars().take(254).collect()
}

impl Limits {
    /// Whether another sign-in attempt for this account from this client may go ahead.
    ///
    /// A refused client spends nothing of the account's bucket, so that an
    /// attacker cannot lock its owner out from elsewhere for free.
    pub fn sign_in(&self, email: &str, address: &str) -> bool {
        allows(&self.sign_in_by_client, client_key(address))
            && allows(&self.sign_in_by_account, typed_key(email))
    }

    /// Whether this client may have another message sent (reset, registration).
    pub fn message(&self, address: &str) -> bool {
        allows(&self.messages_by_client, client_key(address))
    }

    /// Whether this client may try another password-reset link.
    pub fn reset(&self, address: &str) -> bool {
        allows(&self.resets_by_client, client_key(address))
    }

    /// Whether this client may look up this ticket number with this address.
    /// A refused client spends nothing of the ticket's or the address's bucket.
    pub fn lookup(&self, address: &str, number: &str, email: &str) -> bool {
        allows(&self.lookups_by_client, client_key(address))
            && allows(&self.lookups_by_ticket, typed_key(number))
            && allows(&self.lookups_by_email, typed_key(email))
    }

    /// Whether this client may log another ticket (or follow a major incident).
    pub fn ticket(&self, address: &str) -> bool {
        allows(&self.tickets_by_client, client_key(address))
    }

    /// Whether this client may send a file of `bytes` more (at least one cell:
    /// asked with 0 before a file arrives, then with its size).
    pub fn upload(&self, address: &str, bytes: u64) -> bool {
        let megabytes = u32::try_from(bytes.div_ceil(1024 * 1024)).unwrap_or(u32::MAX);
        let cells = NonZeroU32::new(megabytes.max(1)).unwrap_or(NonZeroU32::MIN);
        matches!(
            self.upload_mb_by_client
                .check_key_n(&client_key(address), cells),
            Ok(Ok(_))
        )
    }

    /// Whether another answer of this client to "Did this answer your question?"
    /// is counted.
    pub fn answer(&self, address: &str) -> bool {
        allows(&self.answers_by_client, client_key(address))
    }

    /// Drops buckets that have refilled, so memory does not grow with every address.
    pub fn forget_idle(&self) {
        self.sign_in_by_account.retain_recent();
        self.sign_in_by_client.retain_recent();
        self.messages_by_client.retain_recent();
        self.resets_by_client.retain_recent();
        self.lookups_by_client.retain_recent();
        self.lookups_by_ticket.retain_recent();
        self.lookups_by_email.retain_recent();
        self.tickets_by_client.retain_recent();
        self.upload_mb_by_client.retain_recent();
        self.answers_by_client.retain_recent();
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

    #[test]
    fn an_ipv6_client_is_its_64_network_and_a_mapped_ipv4_its_address() {
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_key("2001:db8:1:2:bbbb:cccc::9"), "2001:db8:1:2::/64");
        assert_ne!(client_key("2001:db8:1:3::1"), "2001:db8:1:2::/64");
        assert_eq!(client_key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(client_key("192.0.2.7"), "192.0.2.7");
        let limits = Limits::default();
        let spent = (0..40)
            .filter(|n| limits.ticket(&format!("2001:db8:1:2::{n:x}")))
            .count();
        assert_eq!(spent, 30, "rotating inside one /64 shares one bucket");
        assert!(limits.ticket("2001:db8:1:3::1"));
    }

    #[test]
    fn lookups_of_one_ticket_are_limited_whoever_asks() {
        let limits = Limits::default();
        let allowed = (0..20)
            .filter(|n| {
                limits.lookup(
                    &format!("10.0.0.{n}"),
                    "INC0001001",
                    &format!("{n}@x.example"),
                )
            })
            .count();
        assert_eq!(allowed, 10);
        assert!(limits.lookup("10.0.1.1", "INC0001002", "a@x.example"));
    }
}
