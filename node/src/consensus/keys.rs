//! A validator's consensus key: Ed25519, kept in `key.json` (`{"public_key": "0x…",
//! "secret_key": "0x…"}`, readable by its owner only) in the validator's directory.

use std::path::Path;

use assent_ledger::primitives::{decode_hex, encode_hex};
use ed25519_consensus::{Signature, SigningKey, VerificationKey};
use serde_json::{Value, json};

/// A validator's signing key.
#[derive(Clone)]
pub struct ValidatorKey(SigningKey);

impl std::fmt::Debug for ValidatorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        write!(f, "ValidatorKey({})", encode_hex(&self.public_key()))
    }
}

impl ValidatorKey {
    /// A fresh key from the operating system's randomness.
    ///
    /// # Errors
    /// No randomness to be had.
    pub fn generate() -> Result<ValidatorKey, String> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|error| format!("cannot draw a random key: {error}"))?;
        Ok(ValidatorKey::from_secret(secret))
    }

    pub fn from_secret(secret: [u8; 32]) -> ValidatorKey {
        ValidatorKey(SigningKey::from(secret))
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.0.verification_key().to_bytes()
    }

    /// Ed25519 over `message` as it is.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }

    /// Reads `key.json`.
    ///
    /// # Errors
    /// Unreadable, malformed, or a public key that is not the secret's.
    pub fn read(path: &Path) -> Result<ValidatorKey, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
        let json: Value = serde_json::from_str(&text)
            .map_err(|error| format!("`{}` is not a key file: {error}", path.display()))?;
        let secret = json
            .get("secret_key")
            .and_then(Value::as_str)
            .and_then(decode_hex)
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| format!("`{}` has no 32-byte `secret_key`", path.display()))?;
        let key = ValidatorKey::from_secret(secret);
        if let Some(public) = json.get("public_key").and_then(Value::as_str)
            && decode_hex(public).as_deref() != Some(key.public_key().as_slice())
        {
            return Err(format!(
                "`{}`: `public_key` is not the secret key's",
                path.display()
            ));
        }
        Ok(key)
    }

    /// Writes `key.json`, readable by its owner only.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let text = json!({
            "public_key": encode_hex(&self.public_key()),
            "secret_key": encode_hex(self.0.as_bytes()),
        });
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .map_err(|error| format!("cannot create `{}`: {error}", path.display()))?;
        std::io::Write::write_all(&mut file, format!("{text:#}\n").as_bytes())
            .map_err(|error| format!("cannot write `{}`: {error}", path.display()))
    }
}

/// Whether `signature` is `public_key`'s Ed25519 signature of `message`.
pub fn verify(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    VerificationKey::try_from(*public_key)
        .is_ok_and(|key| key.verify(&Signature::from(*signature), message).is_ok())
}
