//! secp256k1 keys and the addresses they control (LEDGER.md §1).

use assent_stdlib::primitives::{Address, keccak256};
use k256::ecdsa::{SigningKey, VerifyingKey};

/// The address of a public key: the last 20 bytes of the Keccak-256 of its uncompressed
/// form without the leading `0x04` byte (the Ethereum rule).
pub fn address_of(key: &VerifyingKey) -> Address {
    let point = key.to_encoded_point(false);
    let hash = keccak256(point.as_bytes().get(1..).unwrap_or_default());
    let mut address = [0u8; 20];
    address.copy_from_slice(hash.as_bytes().get(12..).unwrap_or(&[0; 20]));
    Address(address)
}

/// The development account called `name`: secret key `keccak256("assent dev account:" + name)`.
/// For tests and local nodes only; anyone can compute these keys.
///
/// # Errors
/// In the (cryptographically negligible) case that the hash is not a valid secret key.
pub fn dev_key(name: &str) -> Result<SigningKey, k256::ecdsa::Error> {
    let mut seed = b"assent dev account:".to_vec();
    seed.extend_from_slice(name.as_bytes());
    SigningKey::from_bytes(keccak256(&seed).as_bytes().into())
}

/// The address of the development account called `name`.
///
/// # Errors
/// As [`dev_key`].
pub fn dev_address(name: &str) -> Result<Address, k256::ecdsa::Error> {
    Ok(address_of(dev_key(name)?.verifying_key()))
}
