//! The signature in our Message-IDs, which is how a reply finds its ticket.
//!
//! Every message is sent as `<key.signature@domain>`: `key` is the outbox
//! message's own random key, `signature` an HMAC-SHA256 of it under the
//! portal's signing key (made at the first start, kept in the database). A
//! reply names that id in `In-Reply-To` or `References`; only an id whose
//! signature checks leads to a message of ours, and from it to its ticket. A
//! ticket number alone, or an id made up by someone who never received one of
//! our messages, leads nowhere.

use crate::server::secrets::{hex, unhex};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of the HMAC kept in an id (128 bits).
const SIGNATURE_BYTES: usize = 16;

/// The portal's key for signing Message-IDs.
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

impl SigningKey {
    pub fn new(bytes: [u8; 32]) -> SigningKey {
        SigningKey(bytes)
    }

    fn mac(&self, key: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(key.as_bytes());
        mac
    }

    /// The left part of the Message-ID of message `key`.
    pub fn id_left(&self, key: &str) -> String {
        let signature = self.mac(key).finalize().into_bytes();
        format!("{key}.{}", hex(&signature[..SIGNATURE_BYTES]))
    }

    /// The message key a Message-ID (with or without its angle brackets) names,
    /// if it is one of ours and its signature checks.
    pub fn verify<'a>(&self, id: &'a str) -> Option<&'a str> {
        let id = id.trim().trim_start_matches('<').trim_end_matches('>');
        let (left, _domain) = id.rsplit_once('@')?;
        let (key, signature) = left.rsplit_once('.')?;
        let signature = unhex(signature)?;
        if key.is_empty() || signature.len() != SIGNATURE_BYTES {
            return None;
        }
        self.mac(key)
            .verify_truncated_left(&signature)
            .ok()
            .map(|()| key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_signed_ids_lead_back_to_their_message() {
        let key = SigningKey::new([7; 32]);
        let left = key.id_left("AbC-d_9");
        let id = format!("<{left}@portal.test>");
        assert_eq!(key.verify(&id), Some("AbC-d_9"));
        assert_eq!(key.verify(&format!(" {id} ")), Some("AbC-d_9"));
        // Another key, a changed key or signature, a bare number: nothing.
        assert_eq!(SigningKey::new([8; 32]).verify(&id), None);
        assert_eq!(key.verify(&id.replace("AbC", "Abc")), None);
        let forged = format!("<AbC-d_9.{}@portal.test>", "0".repeat(32));
        assert_eq!(key.verify(&forged), None);
        assert_eq!(key.verify("<inc0000042@portal.test>"), None);
        assert_eq!(key.verify("<x.zz@portal.test>"), None);
        assert_eq!(format!("{key:?}"), "SigningKey(…)", "never printed");
    }
}
