//! Password hashing (argon2id) and the common-password rule.
//!
//! A hash takes 19 MiB of memory and tens of milliseconds of CPU on purpose. So
//! that nobody can make the server spend either without bound, every hash of the
//! process (sign-in, registration, reset, password change) runs on one small,
//! fixed set of threads ([`HASHING_THREADS`]) fed by a queue of bounded length
//! ([`HASHING_QUEUE`]): past it, the caller is told the server is busy at once.
//! A fixed set of threads also keeps the memory bounded: each thread's allocator
//! keeps at most one hash's blocks for reuse, where a pool that grows with the
//! load keeps one per thread it ever started.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// Threads that hash: one leaves the other core of a small server to the pages.
pub const HASHING_THREADS: usize = 1;
/// Hashes that may wait for a thread; at about 30 ms each, the last waits about a
/// second. One more is refused as [`PasswordError::Busy`].
pub const HASHING_QUEUE: usize = 32;

/// The 1,000 most common passwords (SecLists, MIT licence), compared without case.
const COMMON: &str = include_str!("common_passwords.txt");

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// Every hashing thread is busy and the queue is full: try again shortly.
    #[error("too many passwords being checked at once")]
    Busy,
    #[error("the hashing threads stopped")]
    Stopped,
}

fn hasher() -> Argon2<'static> {
    let params =
        Params::new(MEMORY_KIB, PASSES, LANES, None).expect("OWASP's parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

type Job = Box<dyn FnOnce() + Send>;

/// Threads fed by a queue of bounded length.
struct Pool {
    queue: SyncSender<Job>,
}

impl Pool {
    fn start(threads: usize, queue_length: usize) -> Pool {
        let (queue, jobs) = mpsc::sync_channel::<Job>(queue_length);
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads {
            let jobs = Arc::clone(&jobs);
            let started = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || loop {
                    // The lock is held only while waiting for the next job.
                    let job = match jobs.lock() {
                        Ok(jobs) => jobs.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(error) = started {
                tracing::error!(%error, "cannot start a password hashing thread");
            }
        }
        Pool { queue }
    }

    /// Queues `work` for one of the threads, or refuses at once when the queue is
    /// full; the receiver gets its result.
    fn submit<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<tokio::sync::oneshot::Receiver<T>, PasswordError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
        });
        match self.queue.try_send(job) {
            Ok(()) => Ok(answered),
            Err(TrySendError::Full(_)) => Err(PasswordError::Busy),
            Err(TrySendError::Disconnected(_)) => Err(PasswordError::Stopped),
        }
    }
}

/// Runs `work` on the process's hashing threads (started on first use).
async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PasswordError> {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool::start(HASHING_THREADS, HASHING_QUEUE))
        .submit(work)?
        .await
        .map_err(|_| PasswordError::Stopped)
}

/// The PHC string (algorithm, parameters, salt, hash) to store for `password`.
pub async fn hash(password: String) -> Result<String, PasswordError> {
    on_hashing_thread(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| PasswordError::Hash(e.to_string()))
    })
    .await?
}

/// Whether `password` matches the stored hash. With no usable stored hash (no
/// such account, or an invited one that has not chosen a password yet) the same
/// work is done against a decoy, so that the answer takes as long as for a wrong
/// password and tells nobody which addresses have accounts.
pub async fn verify(stored: Option<String>, password: String) -> Result<bool, PasswordError> {
    on_hashing_thread(move || {
        let parsed = stored.as_deref().and_then(|s| PasswordHash::new(s).ok());
        let known = parsed.is_some();
        let decoy = PasswordHash::new(decoy_hash()).ok();
        let Some(against) = parsed.or(decoy) else {
            return false;
        };
        let matches = hasher()
            .verify_password(password.as_bytes(), &against)
            .is_ok();
        known && matches
    })
    .await
}

/// A hash of a random password, made once, to verify against for unknown accounts.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let mut bytes = [0u8; 16];
        let _ = getrandom::fill(&mut bytes);
        let salt = SaltString::encode_b64(&bytes).expect("16 bytes make a salt");
        hasher()
            .hash_password(&bytes, &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Whether the password is one of the most common ones (any letter case).
pub fn is_common(password: &str) -> bool {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().map(|l| l.trim().to_lowercase()).collect())
        .contains(&password.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_list_is_whole_and_ignores_case() {
        assert!(COMMON.lines().count() >= 1000);
        assert!(is_common("password1"));
        assert!(is_common("QWERTYUIOP"));
        assert!(!is_common("correct horse battery staple"));
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password_and_records_owasp_parameters() {
        let stored = hash("ñandú 🦤 pass".into()).await.unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify(Some(stored.clone()), "ñandú 🦤 pass".into())
            .await
            .unwrap());
        assert!(!verify(Some(stored), "ñandú 🦤 pasS".into()).await.unwrap());
        assert!(!verify(None, "anything at all".into()).await.unwrap());
        assert!(!verify(Some("!".into()), "!".into()).await.unwrap());
    }

    #[tokio::test]
    async fn past_the_queue_work_is_refused_at_once_and_the_rest_is_done() {
        let pool = Pool::start(1, 4);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, running) = std::sync::mpsc::channel::<()>();
        let blocker = pool
            .submit(move || {
                started.send(()).unwrap();
                hold.recv().is_ok()
            })
            .unwrap();
        running.recv().unwrap();
        // The thread is taken by the blocker; four more wait, the next is refused.
        let waiting: Vec<_> = (0..4).map(|n| pool.submit(move || n).unwrap()).collect();
        assert!(matches!(pool.submit(|| 99), Err(PasswordError::Busy)));
        release.send(()).unwrap();
        assert!(blocker.await.unwrap());
        let mut done = Vec::new();
        for answer in waiting {
            done.push(answer.await.unwrap());
        }
        assert_eq!(done, [0, 1, 2, 3]);
    }
}
