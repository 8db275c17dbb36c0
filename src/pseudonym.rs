//! HMAC-SHA256 pseudonyms for cadre ids (SPEC App. C.21).
//!
//! With `TRAINEVAL_ID_KEY` set, every cadre id (cadre_id, and rater_id where the rater is
//! a cadre) becomes the first 16 hex characters of HMAC-SHA256(key, id). The same key
//! and id always give the same pseudonym, so warehouses built at different times join.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The environment variable that holds the key.
pub const KEY_ENV: &str = "TRAINEVAL_ID_KEY";

/// Applies the pseudonym when a key is set; identity otherwise.
#[derive(Debug, Clone, Default)]
pub struct Pseudonymizer {
    key: Option<Vec<u8>>,
}

impl Pseudonymizer {
    pub fn new(key: Option<&str>) -> Self {
        Pseudonymizer { key: key.filter(|k| !k.is_empty()).map(|k| k.as_bytes().to_vec()) }
    }

    /// From the environment (`TRAINEVAL_ID_KEY`).
    pub fn from_env() -> Self {
        Self::new(std::env::var(KEY_ENV).ok().as_deref())
    }

    pub fn is_active(&self) -> bool {
        self.key.is_some()
    }

    pub fn apply(&self, id: &str) -> String {
        match &self.key {
            None => id.to_string(),
            Some(k) => {
                // HMAC accepts keys of any length; new_from_slice cannot fail for Hmac<Sha256>.
                let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(k) else { return id.to_string() };
                mac.update(id.as_bytes());
                let mut h = hex::encode(mac.finalize().into_bytes());
                h.truncate(16);
                h
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2_prefix() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
        let p = Pseudonymizer::new(Some("Jefe"));
        assert_eq!(p.apply("what do ya want for nothing?"), "5bdcc146bf60754e");
    }

    #[test]
    fn identity_without_key_and_stable_with() {
        assert_eq!(Pseudonymizer::new(None).apply("C001"), "C001");
        assert_eq!(Pseudonymizer::new(Some("")).apply("C001"), "C001");
        let p = Pseudonymizer::new(Some("k"));
        assert_eq!(p.apply("C001"), p.apply("C001"));
        assert_ne!(p.apply("C001"), p.apply("C002"));
        assert_eq!(p.apply("C001").len(), 16);
    }
}
