//! Password hashing (argon2id) and the common-password rule.
//!
//! Hashing takes tens of milliseconds of CPU on purpose, so it runs on the blocking
//! pool, never on the async threads that serve pages.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::OnceLock;

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// The 1,000 most common passwords (SecLists, MIT licence), compared without case.
const COMMON: &str = include_str!("common_passwords.txt");

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the hashing task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

fn hasher() -> Argon2<'static> {
    let params =
        Params::new(MEMORY_KIB, PASSES, LANES, None).expect("OWASP's parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string (algorithm, parameters, salt, hash) to store for `password`.
pub async fn hash(password: String) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || {
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

/// Whether `password` matches the stored hash. With no stored hash (no such
/// account) the same work is done against a decoy, so that the answer takes as long
/// for an unknown account as for a wrong password.
pub async fn verify(stored: Option<String>, password: String) -> Result<bool, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| decoy_hash().to_string());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return Ok(false);
        };
        let matches = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await?
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
    }
}
